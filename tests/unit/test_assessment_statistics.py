"""Class statistics per subject and period (§8): N, pass rate, quality, СОУ, average, distribution."""
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assessment import ClassStatistics, InvalidInput, class_statistics

EMPTY = {"2": 0, "3": 0, "4": 0, "5": 0, "not_assessed": 0}


def test_the_figures_follow_the_formulas():
    stats = class_statistics([5, 5, 4, 3, 2, "not_assessed", "exempt", "pass", None])
    assert stats == ClassStatistics(
        n=6,
        pass_rate=Fraction(4 * 100, 6),
        quality=Fraction(3 * 100, 6),
        sou=Fraction(100 * 2 + 64 + 36 + 16 + 7, 6),
        average=Fraction(5 + 5 + 4 + 3 + 2, 5),
        distribution={"2": 1, "3": 1, "4": 1, "5": 2, "not_assessed": 1},
    )


def test_without_anyone_assessed_every_figure_is_null():
    stats = class_statistics(["exempt", "exempt", None])
    assert stats == ClassStatistics(0, None, None, None, None, EMPTY)
    assert stats.as_json() == {"n": 0, "pass_rate": None, "quality": None, "sou": None, "average": None,
                               "distribution": EMPTY}


def test_a_class_all_not_assessed_has_figures_but_no_average():
    stats = class_statistics(["not_assessed"] * 3)
    assert (stats.n, stats.pass_rate, stats.quality, stats.sou, stats.average) == (3, 0, 0, 7, None)


def test_statistics_are_served_as_json_numbers():
    assert class_statistics([5, 4, 4]).as_json() == {
        "n": 3, "pass_rate": 100.0, "quality": 100.0, "sou": 76.0, "average": 4.333333,
        "distribution": {"2": 0, "3": 0, "4": 2, "5": 1, "not_assessed": 0}}


@pytest.mark.parametrize("mark", [1, 6, "B", True, 4.0])
def test_a_non_mark_is_refused(mark):
    with pytest.raises(InvalidInput):
        class_statistics([4, mark])


@given(st.lists(st.sampled_from([2, 3, 4, 5, "not_assessed", "exempt", "pass", "fail", None]), max_size=40))
def test_figures_stay_within_their_bounds(marks):
    stats = class_statistics(marks)
    assert stats.n == sum(stats.distribution.values()) == sum(1 for m in marks if m in (2, 3, 4, 5, "not_assessed"))
    if stats.n == 0:
        assert (stats.pass_rate, stats.quality, stats.sou, stats.average) == (None,) * 4
        return
    assert 0 <= stats.quality <= stats.pass_rate <= 100
    assert 7 <= stats.sou <= 100
    assert stats.average is None or 2 <= stats.average <= 5
