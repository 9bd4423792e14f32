"""The counters table: numbers kept current from the journal stream, so that statistics and reports read them.

    J#<journal>      <term>                  sheet: each pupil's FO sum and count, SOR and SOCH points and maxima,
                                             attendance by status (`p`); each pupil's SOR results by work (`r`);
                                             the class's live marks (`m`); `as_of`
    J#<journal>      <term>#L#<lesson>       ledger of a lesson: the lesson (version, day, teacher, topic; removed)
                                             and each attendance and FO entry's version and value (`g`, `e`)
    J#<journal>      <term>#W#<work>         ledger of a work: the work (version, day, teacher, kind, maximum) and
                                             each result's version and points
    T#<school>#<n>   <teacher>#<day>         a teacher's day: lessons, lessons with a topic, attendance entries and
                                             marks of their lessons and works that day (n < TEACHER_SHARDS)
    S#<school>#<n>   <day>                   a school's day, in SCHOOL_SHARDS parts: entries and absences of that
                                             day's lessons and works (n: the journal's part)

What is counted is `chalicelib.domain.tally` (a removed lesson or work, and its entries, count for nothing), the
live marks with the school's rule pack and settings (`chalicelib.store.packs`); the ledgers are what makes the
stream's effect exactly-once (each entry's version, newest wins). Keys under load: a class writing 30 entries a
second touches one journal's sheet and ledger, one transaction per stream batch (Lambda reads a shard at most 4
times a second); a school at 1,000 entries a second spreads its day over SCHOOL_SHARDS items by journal and its
teachers' days over TEACHER_SHARDS partitions, each item taking at most one write per batch. Sheets and ledgers
are written on condition of the revision read (`v`); day counters by ADD, in the same transaction.

Item sizes: a sheet of 35 pupils holds ~2.3 KB of sums; their SOR results (an 18-digit work id and two numbers
each) add ~4.2 KB with 3 SOR a term (~6.5 KB in all), ~12 KB with 10 and ~34 KB with 30: far inside DynamoDB's
400 KB. Ledgers are as before.
"""
from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.assessment import RulePack, Scheme, scheme_for
from chalicelib.domain.journal import terms_of
from chalicelib.domain.tally import (
    ATTENDANCE, PUPIL_FIELDS, SCHOOL_FIELDS, TEACHER_FIELDS, EntryState, Key, Ledger, Target, distribution,
)
from chalicelib.store.base import TableMeta, register
from chalicelib.store.journal import Entry, Lesson, Work, date_of, parse_entry_sk
from chalicelib.store.packs import school_pack
from chalicelib.store.schools import get_class, get_journal, get_subject

__all__ = [
    "SCHOOL_SHARDS", "TEACHER_SHARDS", "MARKING_SECONDS", "Stale", "Busy", "UnknownJournal", "Marking", "CounterRecord",
    "SheetItem", "LedgerItem", "DayItem", "PupilCounters", "ClassCounters", "LessonCounters", "marking_of",
    "ledger_key", "sheet_key", "day_key", "target_of", "entry_state", "ledger_of", "ledger_item", "sheet_item",
    "load", "write", "journal_counters", "day_items", "class_counters", "added_up", "lesson_counters", "school_days",
    "teacher_days",
]

SCHOOL_SHARDS = 16
TEACHER_SHARDS = 4
MARKING_SECONDS = 300.0  # how long a process trusts a journal's marking (a school may change its settings)
_BATCH_GET = 100
_MARKINGS_HELD = 4096


class Stale(Exception):
    """A sheet or ledger changed since it was read: read again and recompute."""


class Busy(Exception):
    """Another transaction held an item (DynamoDB's TransactionConflict): try again shortly."""


class UnknownJournal(LookupError):
    """A journal, or its class or subject, is not in the directory."""


@dataclass(frozen=True, slots=True)
class Marking:
    """What counting needs of a journal: its school, and the rule pack and scheme its marks follow."""

    school_id: str
    pack: RulePack
    scheme: Scheme


_markings: dict[str, tuple[float, Marking]] = {}


def marking_of(journal_id: str) -> Marking:
    """The journal's school, and the pack (the school's, with its settings: `chalicelib.store.packs`) and scheme
    its marks follow; read again after MARKING_SECONDS, so that a change of the school's settings is taken."""
    now = time.monotonic()
    held = _markings.get(journal_id)
    if held is not None and now - held[0] < MARKING_SECONDS:
        return held[1]
    journal = get_journal(journal_id)
    klass = get_class(journal.class_id) if journal else None
    subject = get_subject(journal.subject_id) if journal else None
    if journal is None or klass is None or subject is None:
        raise UnknownJournal("a journal the directory does not know")
    pack = school_pack(journal.school_id, int(klass.year))
    marking = Marking(journal.school_id, pack, scheme_for(pack, grade=int(klass.grade), assessment=subject.assessment,
                                                          hours_per_week=int(journal.hours_per_week)))
    if len(_markings) >= _MARKINGS_HELD:
        _markings.clear()
    _markings[journal_id] = (now, marking)
    return marking


class CounterRecord(Model):
    """Keys every item of the counters table has."""

    class Meta(metaclass=TableMeta):
        table_suffix = "counters"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


register(CounterRecord)


class SheetItem(CounterRecord):
    pupils = JSONAttribute(attr_name="p", default=dict)  # {pupil: [amounts in PUPIL_FIELDS order]}
    results = JSONAttribute(attr_name="r", default=dict)  # {pupil: {SOR work: [points, maximum]}}
    marks = JSONAttribute(attr_name="m", default=dict)  # {"2".."5": pupils}
    as_of = UnicodeAttribute(attr_name="t", null=True)
    rev = VersionAttribute(attr_name="v")


class LedgerItem(CounterRecord):
    target = JSONAttribute(attr_name="g", null=True)  # [version, day, teacher, topic, work kind, maximum(, 1 removed)]
    entries = JSONAttribute(attr_name="e", default=dict)  # {letter: {pupil: [version] | [version, value]}}
    rev = VersionAttribute(attr_name="v")


class DayItem(CounterRecord):
    """A teacher's or a school's day; amounts by field name (TEACHER_FIELDS or SCHOOL_FIELDS)."""

    lessons = NumberAttribute(attr_name="l", default=0)
    topics = NumberAttribute(attr_name="tp", default=0)
    attendance = NumberAttribute(attr_name="a", default=0)
    marks = NumberAttribute(attr_name="m", default=0)
    entries = NumberAttribute(attr_name="e", default=0)
    absences = NumberAttribute(attr_name="ab", default=0)

    def amounts(self) -> dict[str, int]:
        fields = TEACHER_FIELDS if self.pk.startswith("T#") else SCHOOL_FIELDS
        return {name: int(getattr(self, name)) for name in fields if getattr(self, name)}


def _part(text: str, parts: int) -> int:
    return zlib.crc32(text.encode()) % parts


def sheet_key(journal_id: str, term: str) -> tuple[str, str]:
    return f"J#{journal_id}", term


def ledger_key(journal_id: str, term: str, kind: str, target_id: str) -> tuple[str, str]:
    return f"J#{journal_id}", f"{term}#{kind}#{target_id}"


def day_key(school_id: str, journal_id: str, key: Key) -> tuple[str, str]:
    """The day item a tally key of one journal counts in: ("teacher", t, day, _) or ("school", day, _)."""
    if key[0] == "teacher":
        return f"T#{school_id}#{_part(key[1], TEACHER_SHARDS)}", f"{key[1]}#{key[2]}"
    return f"S#{school_id}#{_part(journal_id, SCHOOL_SHARDS)}", key[1]


def target_of(item: Lesson | Work) -> Target:
    """A lesson or work as counted (a removed one, its tombstone, counts for nothing)."""
    removed = item.expires is not None
    if isinstance(item, Lesson):
        return Target(int(item.version), date_of(item), item.by, topic=bool(item.topic), removed=removed)
    return Target(int(item.version), date_of(item), item.by, work_kind=item.kind, max_points=int(item.max_points),
                  removed=removed)


def entry_state(entry: Entry) -> EntryState:
    """An entry as counted (ValueError for an attendance status the service does not write)."""
    if entry.removed:
        return EntryState(int(entry.version), live=False)
    if parse_entry_sk(entry.sk)[1] == "A":
        if entry.status not in ATTENDANCE:
            raise ValueError("an attendance entry without a known status")
        return EntryState(int(entry.version), value=entry.status)
    return EntryState(int(entry.version), value=None if entry.points is None else int(entry.points))


def _encode_state(letter: str, state: EntryState) -> list[Any]:
    if not state.live:
        return [state.version]
    value = ATTENDANCE.index(state.value) if letter == "A" else state.value
    return [state.version, value]


def _decode_state(letter: str, raw: Sequence[Any]) -> EntryState:
    if len(raw) == 1:
        return EntryState(int(raw[0]), live=False)
    value = raw[1]
    return EntryState(int(raw[0]), value=ATTENDANCE[value] if letter == "A" else value)


def ledger_of(key: tuple[str, str], item: LedgerItem | None, kind: str) -> Ledger:
    """The ledger under `key` an item holds (an empty one for no item)."""
    target_id = key[1].split("#", 2)[2]
    if item is None:
        return Ledger(kind, target_id=target_id)
    target = None
    if item.target:
        version, day, teacher, topic, work_kind, maximum, *removed = item.target
        target = Target(version, day, teacher, bool(topic), work_kind or None, maximum, removed=bool(removed))
    entries = {(letter, pupil): _decode_state(letter, raw)
               for letter, states in (item.entries or {}).items() for pupil, raw in states.items()}
    return Ledger(kind, target, entries, target_id)


def ledger_item(key: tuple[str, str], ledger: Ledger, rev: int | None) -> LedgerItem:
    """The item holding `ledger`, to be written on condition that its revision is still `rev`."""
    target = ledger.target
    entries: dict[str, dict[str, list[Any]]] = {}
    for (letter, pupil), state in sorted(ledger.entries.items()):
        entries.setdefault(letter, {})[pupil] = _encode_state(letter, state)
    item = LedgerItem(*key, entries=entries, target=None if target is None else [
        target.version, target.day, target.teacher, int(target.topic), target.work_kind or "", target.max_points,
        *([1] if target.removed else [])])
    if rev is not None:
        item.rev = rev
    return item


def sheet_item(key: tuple[str, str], pupils: Mapping[str, Sequence[int]],
               results: Mapping[str, Mapping[str, Sequence[int]]], marking: Marking, as_of: str | None,
               rev: int | None) -> SheetItem:
    """A sheet with these pupils' sums (rows of zeros left out), SOR results (those of no work left out) and
    the live marks they give."""
    rows = {pupil: list(sums) for pupil, sums in sorted(pupils.items()) if any(sums)}
    kept = {pupil: {work: list(result) for work, result in sorted(own.items()) if any(result)}
            for pupil, own in sorted(results.items())}
    kept = {pupil: own for pupil, own in kept.items() if own}
    marks = distribution(rows, marking.pack, marking.scheme, kept) if marking.scheme is Scheme.TERM else {}
    item = SheetItem(*key, pupils=rows, results=kept, marks=marks, as_of=as_of)
    if rev is not None:
        item.rev = rev
    return item


def load(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], SheetItem | LedgerItem]:
    """The sheets and ledgers under `keys` that exist (consistent reads, one BatchGetItem per 100)."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], SheetItem | LedgerItem] = {}
    for model, part in ((SheetItem, [k for k in wanted if "#" not in k[1]]),
                        (LedgerItem, [k for k in wanted if "#" in k[1]])):
        for start in range(0, len(part), _BATCH_GET):
            for item in model.batch_get(part[start:start + _BATCH_GET], consistent_read=True):
                found[(item.pk, item.sk)] = item
    return found


def write(items: Sequence[SheetItem | LedgerItem], days: Mapping[tuple[str, str], Mapping[str, int]]) -> None:
    """Sheets and ledgers (each on condition of its revision) and day amounts (added), in one transaction.

    `Stale` if a sheet or ledger changed since it was read, `Busy` on a transaction conflict.
    """
    try:
        with TransactWrite(connection=CounterRecord._get_connection().connection) as tx:
            for item in items:
                tx.save(item)
            for (pk, sk), amounts in sorted(days.items()):
                tx.update(DayItem(pk, sk), actions=[getattr(DayItem, name).add(amount)
                                                    for name, amount in sorted(amounts.items())])
    except TransactWriteError as exc:
        codes = {reason.code for reason in exc.cancellation_reasons or [] if reason is not None}
        if "ConditionalCheckFailed" in codes:
            raise Stale("a sheet or ledger changed since it was read") from None
        if "TransactionConflict" in codes:
            raise Busy("another transaction held a counter") from None
        raise


def journal_counters(journal_id: str) -> dict[str, SheetItem | LedgerItem]:
    """Every sheet and ledger of a journal, by sort key (reconciliation; consistent reads)."""
    found: dict[str, SheetItem | LedgerItem] = {}
    for raw in _query(f"J#{journal_id}", consistent_read=True):
        model = LedgerItem if "#" in raw["sk"]["S"] else SheetItem
        found[raw["sk"]["S"]] = model.from_raw_data(raw)
    return found


def day_items(school_id: str) -> dict[tuple[str, str], DayItem]:
    """Every teacher's and part of the school's day items of a school (reconciliation)."""
    keys = [f"T#{school_id}#{n}" for n in range(TEACHER_SHARDS)] + [f"S#{school_id}#{n}" for n in range(SCHOOL_SHARDS)]
    return {(raw["pk"]["S"], raw["sk"]["S"]): DayItem.from_raw_data(raw)
            for pk in keys for raw in _query(pk, consistent_read=True)}


def _query(pk: str, **conditions: Any) -> Iterable[dict[str, Any]]:
    connection, last = CounterRecord._get_connection(), None
    while True:
        page = connection.query(pk, exclusive_start_key=last, **conditions)
        yield from page.get("Items", [])
        last = page.get("LastEvaluatedKey")
        if not last:
            return


@dataclass(frozen=True, slots=True)
class PupilCounters:
    """One pupil's running sums in a period; `attendance` by status; `sor_results` each SOR's (points,
    maximum) by work."""

    fo_sum: int
    fo_count: int
    sor_points: int
    sor_max: int
    soch_points: int
    soch_max: int
    attendance: dict[str, int]
    sor_results: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, sums: Sequence[int], results: Mapping[str, Sequence[int]] | None = None) -> PupilCounters:
        return cls(*sums[:6], attendance={s: n for s, n in zip(ATTENDANCE, sums[6:]) if n},  # type: ignore[call-arg]
                   sor_results={work: (int(r[0]), int(r[1])) for work, r in sorted((results or {}).items())})

    def sums(self) -> list[int]:
        """The amounts in PUPIL_FIELDS order (what `of` takes)."""
        return [self.fo_sum, self.fo_count, self.sor_points, self.sor_max, self.soch_points, self.soch_max,
                *(self.attendance.get(status, 0) for status in ATTENDANCE)]


@dataclass(frozen=True, slots=True)
class ClassCounters:
    """A journal's counters for a period: per pupil, the live marks ("2".."5": pupils), and when (`as_of`)."""

    journal_id: str
    period: str
    pupils: dict[str, PupilCounters]
    marks: dict[str, int]
    as_of: str | None


def class_counters(journal_id: str, period: str) -> ClassCounters:
    """The counters of a term (one GetItem), or of a half-year or the year (the terms' sums added up).

    `marks` are the live marks of the period's scheme: term marks for a term, half-year marks for H1/H2;
    empty otherwise. `as_of` is the stream time of the newest change counted (None: nothing counted yet).
    """
    first, last = terms_of(period)
    terms = [f"T{n}" for n in range(int(first[1]), int(last[1]) + 1)]
    sheets = [item for item in load(sheet_key(journal_id, term) for term in terms).values()
              if isinstance(item, SheetItem)]
    rows, results = added_up(sheets)
    if len(terms) == 1:
        marks = dict(sheets[0].marks) if sheets else {}
    else:
        marking = marking_of(journal_id)
        half = marking.scheme is Scheme.HALF_YEAR and period in ("H1", "H2")
        marks = distribution(rows, marking.pack, marking.scheme, results) if half else {}
    as_of = max((s.as_of for s in sheets if s.as_of), default=None)
    return ClassCounters(journal_id, period, {p: PupilCounters.of(s, results.get(p)) for p, s in sorted(rows.items())},
                         marks, as_of)


def added_up(sheets: Iterable[SheetItem]) -> tuple[dict[str, list[int]], dict[str, dict[str, list[int]]]]:
    """Several terms' sheets of a journal as one: each pupil's sums added up, and their SOR results (each work
    belongs to one term)."""
    rows: dict[str, list[int]] = {}
    results: dict[str, dict[str, list[int]]] = {}
    for sheet in sheets:
        for pupil, sums in sheet.pupils.items():
            row = rows.setdefault(pupil, [0] * len(PUPIL_FIELDS))
            rows[pupil] = [a + b for a, b in zip(row, sums)]
        for pupil, own in (sheet.results or {}).items():
            results.setdefault(pupil, {}).update({work: list(result) for work, result in own.items()})
    return rows, results


@dataclass(frozen=True, slots=True)
class LessonCounters:
    """A lesson's day, whether it has a topic, its attendance by status and its FO marks."""

    lesson_id: str
    day: str | None
    topic: bool
    attendance: dict[str, int]
    marks: int


def lesson_counters(journal_id: str, term: str) -> list[LessonCounters]:
    """Every lesson of a journal's term with its counts (one Query), by lesson id; removed ones left out."""
    out = []
    prefix = f"{term}#L#"
    for raw in _query(f"J#{journal_id}", range_key_condition=CounterRecord.sk.startswith(prefix)):
        item = LedgerItem.from_raw_data(raw)
        ledger = ledger_of((item.pk, item.sk), item, "L")
        if ledger.target is not None and ledger.target.removed:
            continue
        live = [(letter, state.value) for (letter, _), state in ledger.entries.items() if state.live]
        attendance: dict[str, int] = {}
        for letter, value in live:
            if letter == "A":
                attendance[str(value)] = attendance.get(str(value), 0) + 1
        out.append(LessonCounters(raw["sk"]["S"].removeprefix(prefix), ledger.target.day if ledger.target else None,
                                  bool(ledger.target and ledger.target.topic), dict(sorted(attendance.items())),
                                  sum(letter == "F" and isinstance(value, int) for letter, value in live)))
    return sorted(out, key=lambda lesson: lesson.lesson_id)


def school_days(school_id: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """A school's entries and absences per day first..last (ISO dates; one Query per part)."""
    days: dict[str, dict[str, int]] = {}
    for n in range(SCHOOL_SHARDS):
        for raw in _query(f"S#{school_id}#{n}", range_key_condition=CounterRecord.sk.between(first, last)):
            item = DayItem.from_raw_data(raw)
            for name, amount in item.amounts().items():
                days.setdefault(item.sk, {}).setdefault(name, 0)
                days[item.sk][name] += amount
    return dict(sorted(days.items()))


def teacher_days(school_id: str, teacher_id: str, first: str, last: str) -> dict[str, dict[str, int]]:
    """A teacher's lessons, lessons with a topic, attendance entries and marks per day first..last (one Query)."""
    pk = f"T#{school_id}#{_part(teacher_id, TEACHER_SHARDS)}"
    condition = CounterRecord.sk.between(f"{teacher_id}#{first}", f"{teacher_id}#{last}")
    return {raw["sk"]["S"].split("#", 1)[1]: DayItem.from_raw_data(raw).amounts()
            for raw in _query(pk, range_key_condition=condition)}
