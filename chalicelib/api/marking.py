"""Marking with the assessment engine: what a journal's marks need, a pupil's standing, a journal's live marks,
and closing a period.

Reads of a pupil's standing (every subject of the class): the pupil's entries of the period's dates from the
journal table's `by_owner` index (one Query), the pupil's period records and recent write notes (one consistent
Query of the pupil's partition) and, consistently, the few noted entries the index does not show yet; from the
directory the class, its journals and the school's subjects (one Query each), the school's settings and its
own term dates, if any.

Reads of a journal's live marks (the statistics before the close): the journal's pupils (the class's, or a
subgroup's: `membership.pupils_of_journal`), the period's status sheet and the stream-kept counters
(`chalicelib.store.counters`: one GetItem each), never the journal's entries; the figures say `as_of`, when the
counters last changed. A close reads its formative entries and results of the period (two consistent Queries per
term), the journal's pupils, the status sheet and the journal's closes (one Query), whose marks give the annual
marks.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain import calendar, dates
from chalicelib.domain.assessment import (
    FO, SOCH, SOR, PeriodInputs, PeriodMark, RulePack, Scheme, Standing, annual_mark, class_statistics, compute_period,
    json_number, rule_packs, scheme_for, standing_document,
)
from chalicelib.domain.collation import name_sort_key, sort_people
from chalicelib.domain.errors import Conflict, FieldError, NotFound, RuleViolation
from chalicelib.domain.journal import TERMS
from chalicelib.domain.standing import (
    Cell, figure, figures, inputs_of, missing_at_close, own_period, periods_of, terms_in, unmarked_document,
    year_document,
)
from chalicelib.domain.tally import counted_inputs
from chalicelib.store import counters, marks, membership, people, schools
from chalicelib.store import journal as store
from chalicelib.store.directory import ClassItem, JournalItem, PersonItem, SettingsItem, SubjectItem
from chalicelib.store.marks import STATUS_FIELDS, PeriodRecord, mark_of, mark_text, record_key
from chalicelib.store.packs import pack_with

__all__ = ["Setup", "PeriodIncomplete", "setup_of", "cells_of", "check_period", "pupil_standing", "live_marks",
           "close_period", "statistics"]


class PeriodIncomplete(Conflict):
    """409 listing the pupils who still lack a SOCH (SOR, verdict) and are not marked not assessed or exempt."""

    slug, title = "period-incomplete", "Some pupils cannot get a final mark yet"


@dataclass(frozen=True, slots=True)
class Setup:
    """What marking one journal needs: its class and subject, the year's rule pack with the school's settings,
    the subject's scheme and the periods it is marked in."""

    journal: JournalItem
    klass: ClassItem
    subject: SubjectItem
    pack: RulePack
    scheme: Scheme
    periods: tuple[str, ...]

    @property
    def year(self) -> int:
        return int(self.klass.year)

    @property
    def journal_id(self) -> str:
        return self.journal.journal_id


def _setup(journal: JournalItem, klass: ClassItem, subject: SubjectItem, settings: SettingsItem | None) -> Setup:
    pack = pack_with(int(klass.year), settings)
    hours = int(journal.hours_per_week)
    scheme = scheme_for(pack, grade=int(klass.grade), assessment=subject.assessment, hours_per_week=hours)
    return Setup(journal, klass, subject, pack, scheme, periods_of(pack, scheme, hours))


def setup_of(journal: JournalItem) -> Setup:
    klass, subject = schools.get_class(journal.class_id), schools.get_subject(journal.subject_id)
    if klass is None or subject is None:
        raise NotFound("The journal's class or subject no longer exists.")
    return _setup(journal, klass, subject, schools.get_settings(journal.school_id))


def _pupil_setups(klass: ClassItem, pupil_id: str) -> list[Setup]:
    """The journals of the pupil's class the pupil belongs to (the class's, and the pupil's subgroups)."""
    journals = [j for j in schools.journals_of_class(klass.class_id) if membership.in_journal(j, pupil_id)]
    subjects = {s.subject_id: s for s in schools.subjects_of_school(klass.school_id)}
    settings = schools.get_settings(klass.school_id)
    return [_setup(j, klass, subjects[j.subject_id], settings) for j in journals if j.subject_id in subjects]


def check_period(setup: Setup, period: str) -> None:
    """422 unless the subject is marked in `period`."""
    if period not in setup.periods:
        raise RuleViolation(f"This subject is not marked in {period}: its periods are {', '.join(setup.periods)}.",
                            [FieldError("period", f"one of {', '.join(setup.periods)}")], slug="period-not-marked")


def cells_of(entries: Iterable[store.Entry]) -> list[Cell]:
    """Formative entries and results as cells; results written without their work's kind and maximum (seeded
    data) get them from their works (one BatchGetItem)."""
    entries = [e for e in entries if store.parse_entry_sk(e.sk)[1] in ("F", "R")]
    bare = sorted({(e.pk, store.work_sk(*_work_of(e))) for e in entries if e.sk.split("#")[1] == "R"
                   and (e.work_kind is None or e.max_points is None)})
    works = {(w.pk, w.sk): w for w in store.Work.batch_get(bare)} if bare else {}
    cells = []
    for e in entries:
        term, kind, _, pupil = store.parse_entry_sk(e.sk)
        work_kind, maximum = e.work_kind, e.max_points
        if kind == "R" and (work_kind is None or maximum is None):
            work = works.get((e.pk, store.work_sk(*_work_of(e))))
            work_kind, maximum = (work.kind, work.max_points) if work is not None else (None, None)
        cells.append(Cell(e.pk[2:], term, kind, pupil, None if e.points is None else int(e.points),
                          None if maximum is None else int(maximum), work_kind))
    return cells


def _work_of(entry: store.Entry) -> tuple[str, str]:
    term, _, work_id, _ = store.parse_entry_sk(entry.sk)
    return term, work_id


def _pack_of(record: PeriodRecord) -> RulePack:
    """The pack and settings a final mark was computed with."""
    used = record.rule_pack
    pack = next(p for p in rule_packs() if p.code == used["code"])
    return pack.with_settings(sor_method=used["sor_method"], pool_fo_with_sor=used["pool"], fo_max=used["fo_max"])


# --- a pupil's standing -------------------------------------------------------------------------------------

def pupil_standing(pupil: PersonItem, year: int | None, asked: str, language: str) -> dict[str, Any]:
    """Every subject of the pupil in period `asked` (T1..T4, H1, H2, Y): live, or final once closed."""
    klass = schools.get_class(pupil.class_id) if pupil.class_id else None
    if klass is None or (year is not None and year != int(klass.year)):
        raise NotFound("The pupil has no class in that school year.")
    setups = _pupil_setups(klass, pupil.person_id)
    owns = {s.journal_id: ("Y" if asked == "Y" else own_period(s.periods, asked)) for s in setups}
    terms = sorted({t for period in owns.values() if period for t in terms_in(period)}, key=TERMS.index)
    since = dates.to_rfc3339(dates.now_kz() - marks.NOTE_WINDOW)
    records, notes = marks.pupil_year(pupil.person_id, int(klass.year), since)
    by_key = {(r.journal_id, r.period): r for r in records}
    cells: dict[str, list[Cell]] = defaultdict(list)
    if terms:
        spans = _term_spans(klass.school_id, int(klass.year), int(klass.grade))
        start, end = spans[terms[0]][0], spans[terms[-1]][1]
        for cell in cells_of(_fresh_entries(pupil.person_id, start, end, notes)):
            cells[cell.journal_id].append(cell)
    subjects = []
    for s in sorted(setups, key=lambda s: name_sort_key(s.subject.name_kk if language == "kk" else s.subject.name_ru)):
        own = owns[s.journal_id]
        subject = {"subject_id": s.subject.subject_id, "code": s.subject.code, "journal_id": s.journal_id,
                   "name": {"kk": s.subject.name_kk, "ru": s.subject.name_ru}, "period": own,
                   "scheme": str(s.scheme)}
        mine = cells[s.journal_id]
        if own == "Y":
            subject |= _year_standing(s, mine, by_key, language)
        elif own is None:
            subject |= unmarked_document(s.pack, s.periods, asked, language)
        else:
            subject |= _period_standing(s, own, mine, by_key.get((s.journal_id, own)), language)
        subjects.append(subject)
    return {"student_id": pupil.person_id, "year": int(klass.year), "period": asked, "subjects": subjects}


def _term_spans(school_id: str, year: int, grade: int) -> dict[str, tuple[date, date]]:
    """The school's term dates for the year and grade: its own (one GetItem), else the national calendar's."""
    own = schools.get_override(school_id, f"PERIODS#{year}#{grade}")
    if own is not None:
        return {p["period"]: (date.fromisoformat(p["start"]), date.fromisoformat(p["end"])) for p in own}
    try:
        return {p.code: (p.start, p.end) for p in calendar.periods(year, grade)}
    except calendar.CalendarUnknown:
        raise NotFound(f"No calendar is known for the school year {year}.") from None


def _fresh_entries(pupil_id: str, start: date, end: date, notes: Sequence[marks.WriteNote]) -> list[store.Entry]:
    """The pupil's entries of start..end from the index, with the noted ones it has not caught up with read
    again consistently (read-your-writes)."""
    found = {(e.pk, e.sk): e for e in store.pupil_entries(pupil_id, start, end)}
    behind = sorted({n.entry_key for n in notes
                     if (e := found.get(n.entry_key)) is None or int(e.version) < int(n.version)})
    for entry in store.get_entries([(pk[2:], sk) for pk, sk in behind]):
        key, day = (entry.pk, entry.sk), (entry.gsk or "")[:10]
        if entry.removed or not start.isoformat() <= day <= end.isoformat():
            found.pop(key, None)
        else:
            found[key] = entry
    return list(found.values())


def _in(period: str, cells: Iterable[Cell]) -> list[Cell]:
    terms = terms_in(period)
    return [c for c in cells if c.term in terms]


def _period_standing(s: Setup, period: str, cells: list[Cell], record: PeriodRecord | None,
                     language: str) -> dict[str, Any]:
    status, passed = (record.status, record.passed) if record is not None else (None, None)
    if record is not None and record.final:
        pack, scheme = _pack_of(record), Scheme(record.rule_pack["scheme"])
        inputs = inputs_of(pack, scheme, _in(period, cells), status=status, passed=passed)
        document = standing_document(compute_period(pack, scheme, inputs, closed=True), language)
        stored = record.figures or {}
        return document | {"mark": mark_of(record.mark), "fo_percent": json_number(figure(stored.get("fo"))),
                           "sor_percent": json_number(figure(stored.get("sor"))),
                           "soch_percent": json_number(figure(stored.get("soch"))),
                           "total_percent": json_number(figure(stored.get("total")))}
    inputs = inputs_of(s.pack, s.scheme, _in(period, cells), status=status, passed=passed)
    return standing_document(compute_period(s.pack, s.scheme, inputs), language)


def _year_standing(s: Setup, cells: list[Cell], records: dict[tuple[str, str], PeriodRecord],
                   language: str) -> dict[str, Any]:
    periods: list[tuple[str, PeriodMark | None, bool]] = []
    for period in s.periods:
        record = records.get((s.journal_id, period))
        if record is not None and record.final:
            periods.append((period, mark_of(record.mark), True))
        else:
            status, passed = (record.status, record.passed) if record is not None else (None, None)
            inputs = inputs_of(s.pack, s.scheme, _in(period, cells), status=status, passed=passed)
            periods.append((period, compute_period(s.pack, s.scheme, inputs).mark, False))
    annual = records.get((s.journal_id, "Y"))
    final = annual is not None and annual.final
    return year_document(s.pack, periods, mark_of(annual.mark) if final else None, final, language)


# --- a journal's marks --------------------------------------------------------------------------------------

def _journal_inputs(setup: Setup, period: str, pupils: Sequence[PersonItem],
                    sheet: dict[str, dict[str, Any]]) -> dict[str, PeriodInputs]:
    cells: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells_of(store.marked_entries(setup.journal_id, terms_in(period))):
        cells[cell.pupil_id].append(cell)
    inputs = {}
    for pupil in pupils:
        said = sheet.get(pupil.person_id, {})
        inputs[pupil.person_id] = inputs_of(setup.pack, setup.scheme, cells[pupil.person_id],
                                            status=said.get("status"), passed=said.get("passed"))
    return inputs


def live_marks(journal: JournalItem, period: str) -> tuple[dict[str, PeriodMark | None], str | None]:
    """Every pupil's mark in a journal's period as the counters have it (the statistics before the close), with
    the statuses and verdicts the school set, and when the counters last changed (None: nothing counted yet).

    Reads the journal's pupils (one Query), the status sheet and the counters (one GetItem each per term), never
    its entries: the counters keep each SOR result, so the marks are exact for every `sor_method`.
    """
    setup = setup_of(journal)
    check_period(setup, period)
    pupils = membership.pupils_of_journal(journal)
    sheet = marks.status_sheet(setup.journal_id, period)
    counted = counters.class_counters(setup.journal_id, period)
    found: dict[str, PeriodMark | None] = {}
    for pupil in pupils:
        said, sums = sheet.get(pupil.person_id, {}), counted.pupils.get(pupil.person_id)
        inputs = counted_inputs(sums.sums() if sums is not None else (), setup.pack, setup.scheme,
                                results=sums.sor_results if sums is not None else None,
                                status=said.get("status"), passed=said.get("passed"))
        found[pupil.person_id] = compute_period(setup.pack, setup.scheme, inputs).mark
    return found, counted.as_of


def statistics(journal: JournalItem, period: str) -> dict[str, Any]:
    """§8 figures: from the final marks once the period is closed, else from the live marks of the counters;
    `as_of` says when they were last set."""
    marker = store.close_marker(journal.journal_id, period)
    if marker is not None and marker.closed:
        found, as_of, final = (marker.marks or {}).values(), marker.done or marker.at, True
    else:
        live, as_of = live_marks(journal, period)
        found, final = live.values(), False
    return {"journal_id": journal.journal_id, "period": period, **class_statistics(found).as_json(),
            "as_of": as_of, "final": final}


def close_period(setup: Setup, period: str, person_id: str) -> dict[str, Any]:
    """Close a period: marker first, then the gates (no write in flight), then the final marks from what the
    journal holds, the annual marks when it was the subject's last open period, and the marker's marks."""
    journal_id, at = setup.journal_id, dates.to_rfc3339(dates.now_kz())
    store.begin_close(journal_id, period, person_id, at)
    try:
        store.shut(journal_id, period)
        pupils = sort_people(membership.pupils_of_journal(setup.journal))
        closes = store.closes(journal_id)
        last = set(setup.periods) <= closes.keys() | {period}
        sheet = marks.status_sheet(journal_id, period)
        inputs = _journal_inputs(setup, period, pupils, sheet)
        missing = [(p, missing_at_close(setup.pack, setup.scheme, inputs[p.person_id])) for p in pupils]
        if any(lacking for _, lacking in missing):
            raise _incomplete(missing)
    except Exception:
        store.abandon_close(journal_id, period)
        raise
    finals = {p.person_id: compute_period(setup.pack, setup.scheme, inputs[p.person_id], closed=True) for p in pupils}
    written = [_final(setup, period, pupil, finals[pupil], sheet.get(pupil, {}), at, person_id) for pupil in finals]
    annual = _annual(setup, period, finals, closes, at, person_id) if last else []
    marks.put_records(written + annual)
    marker = store.finish_close(journal_id, period, {p: s.mark for p, s in finals.items()},
                                dates.to_rfc3339(dates.now_kz()))
    return {
        "journal_id": journal_id, "period": period, "closed_at": marker.done, "closed_by": person_id,
        "marks": [{"student_id": p.person_id, "display_name": people.display_name(p),
                   **_figures_view(finals[p.person_id])} for p in pupils],
        "annual": [{"student_id": r.pupil_id, "mark": mark_of(r.mark)} for r in annual] if last else None,
        "statistics": class_statistics(s.mark for s in finals.values()).as_json(),
    }


def _incomplete(missing: list[tuple[PersonItem, list[str]]]) -> PeriodIncomplete:
    lacking = [(p, what) for p, what in missing if what]
    return PeriodIncomplete(
        "The period cannot close while these pupils have no final result and are not marked not assessed or "
        "exempt.",
        [FieldError(p.person_id, f"{people.display_name(p)}: no {', '.join(what)}") for p, what in lacking],
        extra={"students": [{"student_id": p.person_id, "display_name": people.display_name(p), "missing": what}
                            for p, what in lacking]})


def _figures_view(standing: Standing) -> dict[str, Any]:
    percents = standing.percents
    return {"mark": standing.mark, "fo_percent": json_number(percents.get(FO)),
            "sor_percent": json_number(percents.get(SOR)), "soch_percent": json_number(percents.get(SOCH)),
            "total_percent": json_number(standing.total), "rule_pack": standing.pack.code}


def _pack_used(setup: Setup) -> dict[str, Any]:
    pack = setup.pack
    return {"code": pack.code, "scheme": str(setup.scheme), "sor_method": pack.sor_method,
            "pool": pack.pool_fo_with_sor, "fo_max": pack.fo_max}


def _final(setup: Setup, period: str, pupil_id: str, standing: Standing, said: dict[str, Any], at: str,
           person_id: str) -> PeriodRecord:
    """The pupil's record with the final mark and the status and verdict of the sheet."""
    kept = {name: said.get(name) for name in STATUS_FIELDS}
    return PeriodRecord(*record_key(pupil_id, setup.year, period, setup.journal_id), **kept,
                        mark=mark_text(standing.mark), figures=figures(standing), rule_pack=_pack_used(setup),
                        closed_at=at, closed_by=person_id)


def _annual(setup: Setup, period: str, finals: dict[str, Standing], closes: dict[str, store.PeriodClose],
            at: str, person_id: str) -> list[PeriodRecord]:
    """The annual marks, when `period` was the last of the subject's periods to close (§5): from each period's
    final marks, as its close keeps them."""
    out = []
    for pupil, standing in finals.items():
        by_period = {p: standing.mark if p == period else (closes[p].marks or {}).get(pupil) for p in setup.periods}
        mark = annual_mark(list(by_period.values()))
        if mark is not None:
            out.append(PeriodRecord(*record_key(pupil, setup.year, "Y", setup.journal_id), mark=mark_text(mark),
                                    periods=by_period, rule_pack=_pack_used(setup), closed_at=at,
                                    closed_by=person_id))
    return out
