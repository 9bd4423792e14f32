"""Figures of a group of pupils, small-cell suppression, and live results from counted sums."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assessment import PeriodInputs, Scheme, WorkResult, compute_period, pack_for
from chalicelib.domain.reports import SUPPRESSED, Tally
from chalicelib.domain.reports.figures import (
    CATEGORIES, category_of, hide_complements, live_result, shown_count, shown_share, tally_of,
)


def test_a_pupil_counts_once_by_the_lowest_result() -> None:
    assert category_of([5, 5, "pass"]) == "excellent"
    assert category_of([5, 4]) == "good"
    assert category_of([5, 3, 4]) == "with_3"
    assert category_of([5, "not_assessed", 3]) == "not_assessed"
    assert category_of([2, "not_assessed"]) == "with_2"
    assert category_of(["exempt", "pass", None]) is None  # on the roll, outside N


def test_a_class_tally_by_hand() -> None:
    marks = {"a": [5, 5], "b": [5, 4], "c": [3, 4], "d": [2, 5], "e": ["not_assessed", 4], "f": ["exempt"]}
    tally = tally_of(marks, {"a": {"absent": 2, "late": 1}, "f": {"ill": 3}}, "abcdefg")
    assert tally.pupils == 7 and tally.assessed == 5
    assert dict(tally.categories) == {"excellent": 1, "good": 1, "with_3": 1, "with_2": 1, "not_assessed": 1}
    assert tally.pass_rate == 60 and tally.quality == 40  # (5 - 1 - 1) / 5; (1 + 1) / 5
    assert dict(tally.marks) == {"5": 4, "4": 3, "3": 1, "2": 1, "not_assessed": 1}
    assert tally.sou == Fraction(4 * 100 + 3 * 64 + 36 + 16 + 7, 10)
    assert tally.average == Fraction(4 * 5 + 3 * 4 + 3 + 2, 9)
    assert tally.missed == 5 and tally.missed_per_pupil() == Fraction(5, 7)  # late is not missed


def test_an_empty_group_has_no_figures() -> None:
    empty = tally_of({}, {}, [])
    assert (empty.pass_rate, empty.quality, empty.sou, empty.average, empty.missed_per_pupil()) == (None,) * 5


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 30)), max_size=6))
def test_tallies_add_up_and_survive_a_rollup(parts: list[tuple[int, int, int]]) -> None:
    tallies = [Tally(p, {"excellent": e, "with_2": t}, {"5": e, "2": t}, {"absent": p}) for e, t, p in parts]
    total = sum(tallies, Tally())
    assert total.assessed == sum(t.assessed for t in tallies)
    assert Tally.from_json(total.as_json()) == total


def test_small_counts_and_figures_from_few_pupils_are_hidden() -> None:
    assert [shown_count(n) for n in (0, 1, 4, 5, 30)] == [0, SUPPRESSED, SUPPRESSED, 5, 30]
    assert shown_share(Fraction(80), 4) is SUPPRESSED and shown_share(Fraction(80), 5) == 80
    assert shown_share(None, 0) is None


@given(st.lists(st.integers(0, 40), min_size=2, max_size=6))
def test_no_hidden_count_is_the_difference_of_the_shown_ones(counts: list[int]) -> None:
    cells = hide_complements(counts, [shown_count(n) for n in counts])
    hidden = [n for n, cell in zip(counts, cells) if cell is SUPPRESSED]
    assert all(cell is SUPPRESSED or cell == n for n, cell in zip(counts, cells))
    assert all(cell is SUPPRESSED for n, cell in zip(counts, cells) if 0 < n < 5)
    # with the total shown, one hidden count could be worked out; unless all the others are zero, two are hidden
    if len(hidden) == 1:
        assert all(n == 0 for n, cell in zip(counts, cells) if cell is not SUPPRESSED)


def test_categories_are_the_columns_of_a_tally() -> None:
    assert CATEGORIES == ("excellent", "good", "with_3", "with_2", "not_assessed")


@given(fo=st.lists(st.integers(1, 10), max_size=8), sor=st.integers(0, 20), soch=st.integers(0, 25),
       has_sor=st.booleans(), has_soch=st.booleans())
def test_a_live_result_from_sums_is_the_standing_from_the_entries(fo: list[int], sor: int, soch: int,
                                                                  has_sor: bool, has_soch: bool) -> None:
    pack = pack_for(2026)
    sums = [sum(fo), len(fo), sor if has_sor else 0, 20 if has_sor else 0, soch if has_soch else 0,
            25 if has_soch else 0]
    standing = compute_period(pack, Scheme.TERM, PeriodInputs(
        fo=fo, sor=[WorkResult(sor, 20)] if has_sor else [], soch=[WorkResult(soch, 25)] if has_soch else []))
    result = live_result(sums, pack, Scheme.TERM)
    assert (result.percent, result.mark, result.provisional) == (standing.total, standing.mark,
                                                                 standing.provisional)


def test_unmarked_and_pass_fail_subjects_have_no_live_mark() -> None:
    pack = pack_for(2026)
    assert live_result([8, 1, 0, 0, 0, 0], pack, Scheme.UNMARKED).mark is None
    assert live_result([8, 1, 0, 0, 0, 0], pack, Scheme.PASS_FAIL).mark is None


def test_a_live_result_takes_each_sor_result_for_the_mean_of_their_percentages() -> None:
    pack = pack_for(2026).with_settings(sor_method="mean_of_percentages")
    sums = [8, 1, 25, 30, 18, 20]  # FO 80 %; SOR 5/10 and 20/20: 75 % (by points 83.33 %); SOCH 90 %
    result = live_result(sums, pack, Scheme.TERM, {"w1": (5, 10), "w2": (20, 20)})
    assert (result.percent, result.mark) == (Fraction(8375, 100), 4)  # by points: 85.83 %, "5"
    assert live_result(sums, pack_for(2026), Scheme.TERM, {"w1": (5, 10), "w2": (20, 20)}).mark == 5
