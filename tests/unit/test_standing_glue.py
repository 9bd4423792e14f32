"""From journal cells to the engine: periods per subject, inputs, stored figures, the year view (pure)."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.assessment import Scheme, compute_period, pack_for
from chalicelib.domain.standing import (
    Cell, figure, figures, inputs_of, missing_at_close, own_period, periods_of, school_year, terms_in,
    unmarked_document, year_document,
)

PACK = pack_for(2026)


def fo(points: int, term: str = "T1") -> Cell:
    return Cell("j", term, "F", "p", points)


def result(points: int, maximum: int, kind: str, term: str = "T1") -> Cell:
    return Cell("j", term, "R", "p", points, maximum, kind)


@pytest.mark.parametrize("scheme, hours, periods", [
    (Scheme.TERM, 3, ("T1", "T2", "T3", "T4")), (Scheme.HALF_YEAR, 1, ("H1", "H2")),
    (Scheme.PASS_FAIL, 1, ("H1", "H2")), (Scheme.PASS_FAIL, 2, ("T1", "T2", "T3", "T4")),
    (Scheme.UNMARKED, 1, ("T1", "T2", "T3", "T4"))])
def test_a_subject_is_marked_per_term_or_per_half_year(scheme: Scheme, hours: int, periods: tuple) -> None:
    assert periods_of(PACK, scheme, hours) == periods


def test_a_request_for_a_term_means_the_half_year_of_a_half_year_subject() -> None:
    assert [own_period(("H1", "H2"), t) for t in ("T1", "T2", "T3", "T4", "H2")] == ["H1", "H1", "H2", "H2", "H2"]
    assert own_period(("T1", "T2", "T3", "T4"), "T3") == "T3"
    assert own_period(("T1", "T2", "T3", "T4"), "H1") is None
    assert terms_in("H2") == ("T3", "T4") and terms_in("Y") == ("T1", "T2", "T3", "T4")


def test_the_school_year_starts_on_1_september() -> None:
    assert [school_year(date(2026, 9, 1)), school_year(date(2027, 5, 25)), school_year(date(2026, 8, 31))] == [
        2026, 2026, 2025]


def test_inputs_leave_out_what_the_scheme_does_not_record() -> None:
    cells = [fo(8), fo(6), result(18, 20, "SOR"), result(40, 50, "SOCH"), Cell("j", "T1", "F", "p", None)]
    term = inputs_of(PACK, Scheme.TERM, cells)
    assert (term.fo, [r.points for r in term.sor], [r.points for r in term.soch]) == ((8, 6), [18], [40])
    half = inputs_of(PACK, Scheme.HALF_YEAR, cells)
    assert half.soch == () and len(half.sor) == 1
    passing = inputs_of(PACK, Scheme.PASS_FAIL, cells, passed=True)
    assert (passing.fo, passing.sor, passing.passed) == ((8, 6), (), True)
    assert inputs_of(PACK, Scheme.UNMARKED, cells).fo == ()
    assert inputs_of(PACK, Scheme.TERM, cells, passed=True).passed is None


def test_what_a_pupil_lacks_before_the_close() -> None:
    assert missing_at_close(PACK, Scheme.TERM, inputs_of(PACK, Scheme.TERM, [fo(8)])) == ["SOCH"]
    assert missing_at_close(PACK, Scheme.TERM, inputs_of(PACK, Scheme.TERM, [fo(8)], status="exempt")) == []
    assert missing_at_close(PACK, Scheme.HALF_YEAR, inputs_of(PACK, Scheme.HALF_YEAR, [fo(8)])) == ["SOR"]
    assert missing_at_close(PACK, Scheme.PASS_FAIL, inputs_of(PACK, Scheme.PASS_FAIL, [])) == ["verdict"]
    assert missing_at_close(PACK, Scheme.UNMARKED, inputs_of(PACK, Scheme.UNMARKED, [])) == []


cells_strategy = st.lists(st.one_of(
    st.builds(fo, st.integers(1, 10)),
    st.integers(1, 100).flatmap(lambda m: st.builds(result, st.integers(0, m), st.just(m),
                                                    st.sampled_from(["SOR", "SOCH"])))), max_size=12)


@given(cells_strategy, st.sampled_from(list(Scheme)))
def test_any_cells_give_a_standing_whose_figures_are_stored_exactly(cells: list[Cell], scheme: Scheme) -> None:
    standing = compute_period(PACK, scheme, inputs_of(PACK, scheme, cells))
    stored = figures(standing)
    assert figure(stored["total"]) == standing.total
    assert all(figure(stored[k]) == standing.percents.get(c) for k, c in (("fo", "FO"), ("sor", "SOR"),
                                                                            ("soch", "SOCH")))


def test_figures_are_fractions_as_text() -> None:
    standing = compute_period(PACK, Scheme.TERM, inputs_of(PACK, Scheme.TERM, [fo(9), fo(10), result(32, 91, "SOR"),
                                                                            result(62, 97, "SOCH")]))
    assert figures(standing)["total"] == "2277365/35308" and figure("2277365/35308") < Fraction(129, 2)


def test_the_year_view_in_kk_and_ru() -> None:
    periods = [("T1", 4, True), ("T2", 4, True), ("T3", 5, False), ("T4", None, False)]
    ru = year_document(PACK, periods, None, False, "ru")
    assert (ru["mark"], ru["provisional"], ru["final"]) == (4, True, False)  # 4, 4, 5 -> 4.33 -> 4
    assert [e["text"] for e in ru["explanation"]] == [
        "1 четверть: «4», итоговая.", "2 четверть: «4», итоговая.", "3 четверть: «5» сейчас, период не закрыт.",
        "4 четверть: отметки пока нет.",
        "Годовая отметка — среднее арифметическое отметок за периоды, округлённое половиной вверх: «4».",
        "Годовая отметка предварительная: не все периоды закрыты."]
    kk = year_document(PACK, [("H1", "pass", True), ("H2", "pass", True)], "pass", True, "kk")
    assert kk["mark"] == "pass" and kk["final"] and kk["explanation"][0]["text"] == "1-жартыжылдық: «сынақ», қорытынды."
    assert kk["needed"] == {"4": None, "5": None} and kk["total_percent"] is None


def test_a_term_subject_has_no_half_year_mark() -> None:
    document = unmarked_document(PACK, ("T1", "T2", "T3", "T4"), "H1", "kk")
    assert document["mark"] is None
    assert document["explanation"][0]["text"] == "Бұл пән тоқсан бойынша бағаланады: 1-жартыжылдық үшін жеке баға " \
                                                 "қойылмайды."
