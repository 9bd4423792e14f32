"""From journal cells to the assessment engine, and what a standing says beyond one period (pure).

- `periods_of`: the periods a subject is marked in: terms, or half-years for subjects of up to
  `pack.half_year_hours` a week (weighted and pass/fail alike; §5).
- `own_period`: which of them a request for a period means (a half-year subject asked for T1 answers for H1);
  None when the subject has no mark in that period (a term subject asked for H1).
- `inputs_of`: a pupil's formative entries and results as `PeriodInputs`; entries the scheme does not record
  (a SOCH set in a half-year subject, points in an unmarked one) are left out, as the rules leave them out.
- `figures` / `figure`: exact percentages stored as text ("1289/20") and read back.
- `year_document`, `unmarked_document`: the standing of a subject for the year (annual mark from the period
  marks) and for a period it has no mark in, with their explanations in kk or ru.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from chalicelib.domain.assessment import (
    FO, SOCH, SOR, PeriodInputs, PeriodMark, RulePack, Scheme, Standing, Status, WorkResult, annual_mark,
)
from chalicelib.domain.journal import TERMS

__all__ = ["HALVES", "Cell", "school_year", "periods_of", "own_period", "terms_in", "inputs_of", "figures", "figure",
           "year_document", "unmarked_document", "missing_at_close"]

HALVES = ("H1", "H2")
_HALF_OF = {"T1": "H1", "T2": "H1", "T3": "H2", "T4": "H2"}
_TERMS_IN = {"H1": ("T1", "T2"), "H2": ("T3", "T4"), "Y": TERMS, **{t: (t,) for t in TERMS}}
_MARKS = {
    "ru": {"pass": "зачёт", "fail": "незачёт", "exempt": "освобождён", "not_assessed": "не аттестован"},
    "kk": {"pass": "сынақ", "fail": "сынақ емес", "exempt": "босатылған", "not_assessed": "аттестатталмаған"},
}
_PERIODS = {"ru": {"T": "{n} четверть", "H": "{n} полугодие"}, "kk": {"T": "{n}-тоқсан", "H": "{n}-жартыжылдық"}}
_TEXTS = {
    "ru": {
        "period.final": "{period}: «{mark}», итоговая.",
        "period.live": "{period}: «{mark}» сейчас, период не закрыт.",
        "period.none": "{period}: отметки пока нет.",
        "annual": "Годовая отметка — среднее арифметическое отметок за периоды, округлённое половиной вверх: "
                  "«{mark}».",
        "annual.none": "Годовой отметки пока нет.",
        "annual.final": "Все периоды закрыты: годовая отметка окончательная.",
        "annual.provisional": "Годовая отметка предварительная: не все периоды закрыты.",
        "unmarked": "Этот предмет оценивается по {unit}: отдельной отметки за {period} нет.",
        "unit.T": "четвертям", "unit.H": "полугодиям",
    },
    "kk": {
        "period.final": "{period}: «{mark}», қорытынды.",
        "period.live": "{period}: қазір «{mark}», кезең жабылмаған.",
        "period.none": "{period}: әзірге баға жоқ.",
        "annual": "Жылдық баға — кезеңдер бағаларының арифметикалық ортасы, жартысы жоғары қарай "
                  "дөңгелектенеді: «{mark}».",
        "annual.none": "Жылдық баға әзірге жоқ.",
        "annual.final": "Барлық кезең жабылды: жылдық баға қорытынды.",
        "annual.provisional": "Жылдық баға алдын ала: барлық кезең жабылған жоқ.",
        "unmarked": "Бұл пән {unit} бағаланады: {period} үшін жеке баға қойылмайды.",
        "unit.T": "тоқсан бойынша", "unit.H": "жартыжылдық бойынша",
    },
}


@dataclass(frozen=True, slots=True)
class Cell:
    """A formative entry ("F") or a summative result ("R") of one pupil, as the computation needs it."""

    journal_id: str
    term: str
    kind: str
    pupil_id: str
    points: int | None
    max_points: int | None = None
    work_kind: str | None = None  # SOR | SOCH


def school_year(day: date) -> int:
    """The school year a date belongs to, named by the calendar year it starts in (1 September .. 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def periods_of(pack: RulePack, scheme: Scheme, hours_per_week: int) -> tuple[str, ...]:
    """The periods a subject is marked in."""
    if scheme is Scheme.HALF_YEAR or (scheme is Scheme.PASS_FAIL and hours_per_week <= pack.half_year_hours):
        return HALVES
    return TERMS


def own_period(periods: Sequence[str], asked: str) -> str | None:
    """The subject's period that answers a request for `asked` (T1..T4, H1, H2), if any."""
    if asked in periods:
        return asked
    if asked in _HALF_OF and tuple(periods) == HALVES:
        return _HALF_OF[asked]
    return None


def terms_in(period: str) -> tuple[str, ...]:
    """The terms a period spans."""
    return _TERMS_IN[period]


def inputs_of(pack: RulePack, scheme: Scheme, cells: Iterable[Cell], *, status: str | None = None,
              passed: bool | None = None) -> PeriodInputs:
    """A pupil's inputs for one subject and period from its cells (already limited to them)."""
    recorded = _recorded(pack, scheme)
    fo, sor, soch = [], [], []
    for cell in cells:
        if cell.points is None:
            continue
        if cell.kind == "F" and FO in recorded:
            fo.append(cell.points)
        elif cell.kind == "R" and cell.work_kind in recorded and cell.max_points:
            (sor if cell.work_kind == SOR else soch).append(WorkResult(cell.points, cell.max_points))
    return PeriodInputs(fo=fo, sor=sor, soch=soch, status=Status(status or Status.ASSESSED),
                        passed=passed if scheme is Scheme.PASS_FAIL else None)


def _recorded(pack: RulePack, scheme: Scheme) -> tuple[str, ...]:
    if scheme is Scheme.PASS_FAIL:
        return (FO,)
    if scheme is Scheme.UNMARKED:
        return ()
    return tuple(pack.weighting(scheme).weights)


def missing_at_close(pack: RulePack, scheme: Scheme, inputs: PeriodInputs) -> list[str]:
    """What a pupil still lacks before the period may close: SOCH, SOR, or the pass/fail verdict."""
    if inputs.status is not Status.ASSESSED or scheme is Scheme.UNMARKED:
        return []
    if scheme is Scheme.PASS_FAIL:
        return [] if inputs.passed is not None else ["verdict"]
    return [code for code in (FO, SOR, SOCH) if code in pack.weighting(scheme).required_at_close
            and not inputs.has(code)]


def figures(standing: Standing) -> dict[str, str | None]:
    """The standing's exact percentages as text, to be stored with a final mark."""
    values = {"fo": standing.percents.get(FO), "sor": standing.percents.get(SOR),
              "soch": standing.percents.get(SOCH), "total": standing.total}
    return {name: None if value is None else str(value) for name, value in values.items()}


def figure(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def _period_name(period: str, language: str) -> str:
    return _PERIODS[language][period[0]].format(n=period[1:])


def _mark_name(mark: PeriodMark, language: str) -> str:
    return str(mark) if isinstance(mark, int) else _MARKS[language][mark]


def year_document(pack: RulePack, periods: Sequence[tuple[str, PeriodMark | None, bool]],
                  stored: PeriodMark | None, final: bool, language: str) -> dict[str, Any]:
    """A subject's standing for the year: each period's mark (final or live) and the annual mark (§5).

    `stored` is the annual mark written when the last period closed (`final`); before that the annual mark is
    worked out from the marks known so far and is provisional.
    """
    texts, items = _TEXTS[language], []
    rule = f"{pack.code} §5"
    for period, mark, closed in periods:
        key = "period.none" if mark is None else "period.final" if closed else "period.live"
        text = texts[key].format(period=_period_name(period, language),
                                 mark=_mark_name(mark, language) if mark is not None else "")
        items.append({"code": f"period.{period}", "rule": rule, "text": text, "value": mark})
    known = [mark for _, mark, _ in periods if mark is not None]
    mark = stored if final else (annual_mark(known) if known else None)
    if mark is None:
        items.append({"code": "annual", "rule": rule, "text": texts["annual.none"], "value": None})
    else:
        items.append({"code": "annual", "rule": rule, "text": texts["annual"].format(
            mark=_mark_name(mark, language)), "value": mark})
    status = "annual.final" if final else "annual.provisional"
    items.append({"code": status, "rule": rule, "text": texts[status], "value": None})
    return {**_blank(pack), "mark": mark, "provisional": not final, "final": final,
            "periods": [{"period": p, "mark": m, "final": c} for p, m, c in periods], "explanation": items}


def unmarked_document(pack: RulePack, periods: Sequence[str], asked: str, language: str) -> dict[str, Any]:
    """A subject with no mark of its own in `asked` (a term subject asked for a half-year)."""
    texts = _TEXTS[language]
    text = texts["unmarked"].format(unit=texts[f"unit.{periods[0][0]}"], period=_period_name(asked, language))
    return {**_blank(pack), "mark": None, "provisional": False, "final": False,
            "explanation": [{"code": "period.not_marked", "rule": f"{pack.code} §5", "text": text, "value": None}]}


def _blank(pack: RulePack) -> dict[str, Any]:
    return {"fo_percent": None, "sor_percent": None, "soch_percent": None, "total_percent": None,
            "rule_pack": pack.code, "needed": {str(mark): None for mark in pack.needed_for}}
