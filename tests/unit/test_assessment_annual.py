"""Annual marks from the period marks, the year summative, and the end-of-year decision (§5)."""
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assessment import (
    Decision, InvalidInput, YearOutcome, after_year_summative, annual_mark, round_half_up, year_outcome,
)


@pytest.mark.parametrize(("periods", "annual"), [
    ([4, 4, 5, 5], 5),      # 4.5 -> 5
    ([3, 4, 4, 4], 4),      # 3.75 -> 4
    ([3, 3, 3, 4], 3),      # 3.25 -> 3
    ([2, 3, 2, 3], 3),      # 2.5 -> 3
    ([2, 2, 2, 3], 2),      # 2.25 -> 2
    ([5, 4], 5),            # half-years
    (["exempt", 4, 5, 5], 5),  # exempt in one term: the mean of the others, 14/3
])
def test_the_annual_mark_is_the_mean_of_the_period_marks_rounded_half_up(periods, annual):
    assert annual_mark(periods) == annual


@pytest.mark.parametrize(("periods", "annual"), [
    ([4, "not_assessed", 5, 5], "not_assessed"),
    (["exempt", "exempt", "exempt", "exempt"], "exempt"),
    (["pass", "pass", "pass", "pass"], "pass"),
    (["pass", "fail", "pass", "pass"], "fail"),
    (["exempt", "pass"], "pass"),
    ([4, 5, None, 5], None),
])
def test_special_period_results(periods, annual):
    assert annual_mark(periods) == annual


@pytest.mark.parametrize("periods", [[], [4, "pass"], [1, 4], [6], ["A"], [True], [4.5]])
def test_period_marks_that_do_not_make_a_year_are_refused(periods):
    with pytest.raises(InvalidInput):
        annual_mark(periods)


@given(st.lists(st.integers(2, 5), min_size=1, max_size=4))
def test_the_annual_mark_lies_between_the_period_marks(periods):
    annual = annual_mark(periods)
    assert min(periods) <= annual <= max(periods)
    assert annual == round_half_up(Fraction(sum(periods), len(periods)))


@pytest.mark.parametrize(("annual", "summative", "result"), [(2, 2, 2), (2, 3, 3), (2, 4, 3), (2, 5, 4)])
def test_a_year_summative_is_averaged_with_the_annual_mark(annual, summative, result):
    assert after_year_summative(annual, summative) == result


def test_a_year_summative_takes_marks_only():
    with pytest.raises(InvalidInput):
        after_year_summative(2, 6)


@pytest.mark.parametrize(("annual", "outcome"), [
    ({"math": 4, "music": "pass", "pe": "exempt"}, YearOutcome(Decision.PROMOTED, ())),
    ({"math": 2, "kaz": 4}, YearOutcome(Decision.YEAR_SUMMATIVE, ("math",))),
    ({"math": 2, "kaz": 2, "rus": 3}, YearOutcome(Decision.YEAR_SUMMATIVE, ("kaz", "math"))),
    ({"math": 2, "kaz": 2, "rus": 2, "bio": 5}, YearOutcome(Decision.REPEAT, ("kaz", "math", "rus"))),
    ({"math": 2, "kaz": 2, "rus": 2, "bio": None}, YearOutcome(Decision.REPEAT, ("kaz", "math", "rus"))),
    ({"math": 2, "kaz": 2, "bio": "not_assessed"}, YearOutcome(Decision.PENDING, ("bio",))),
    ({"math": 5, "bio": None}, YearOutcome(Decision.PENDING, ("bio",))),
    ({"music": "fail", "math": 3}, YearOutcome(Decision.PROMOTED, ())),
])
def test_the_year_decision(annual, outcome):
    assert year_outcome(annual) == outcome


def test_the_year_decision_refuses_a_non_mark():
    with pytest.raises(InvalidInput):
        year_outcome({"math": "B"})
