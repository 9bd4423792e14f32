"""The class journal's rules: what may be recorded, on which day, by whom (assessment-rules.md §2, §6, §7, §9).

Pure: callers load what a rule needs (the class's grade, the subject's assessment, the school's calendar, the
works already set) and ask. Every broken rule is a `Violation` with its own problem type; `RulesBroken`
answers them all at once (422), typed after the first. Conflicts of time are 409: `PeriodClosed`,
`EditWindowPassed`.

Decisions:
- A 4th SOCH on one day for a class is refused, not warned about: the limit protects pupils, an API warning
  reaches nobody, and the teacher can always pick another day.
- The last teaching day of a term is its last Monday-to-Friday day that is neither a holiday nor in a break;
  a SOCH is refused on it and on any later day of the term (a six-day school's last Saturday included).
- Sundays are no school days; Saturdays are (six-day schools).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.errors import Conflict, FieldError, RuleViolation

__all__ = [
    "ATTENDANCE", "WORK_KINDS", "PERIODS", "TERMS", "WORK_PERIODS", "MAX_SOR_PER_PERIOD", "MAX_SOCH_PER_DAY",
    "DEFAULT_EDIT_WINDOW_DAYS", "MAX_TEXT", "MAX_FEEDBACK", "Violation", "RulesBroken", "PeriodClosed",
    "EditWindowPassed", "ReasonRequired", "Marking", "FormativeScale", "SchoolCalendar", "EditWindow",
    "WorkFacts", "Descriptor", "covering", "terms_of", "writer_role", "check_lesson", "check_lesson_text",
    "check_work", "check_attendance", "check_formative", "check_results", "result_points", "is_removal",
]

ATTENDANCE = ("present", "absent", "excused", "ill", "late")
WORK_KINDS = ("SOR", "SOCH")
TERMS = ("T1", "T2", "T3", "T4")
PERIODS = (*TERMS, "H1", "H2", "Y")
WORK_PERIODS = (*TERMS, "H1", "H2")
MAX_SOR_PER_PERIOD = 3
MAX_SOCH_PER_DAY = 3
DEFAULT_EDIT_WINDOW_DAYS = 7
MAX_LESSON_NUMBER = 12
MAX_WORK_POINTS = 100
MAX_FEEDBACK = 2000
MAX_COMMENT = 500
MAX_TEXT = 500

_HALF = {"T1": "H1", "T2": "H1", "T3": "H2", "T4": "H2"}
_SPAN = {"T1": ("T1", "T1"), "T2": ("T2", "T2"), "T3": ("T3", "T3"), "T4": ("T4", "T4"),
         "H1": ("T1", "T2"), "H2": ("T3", "T4"), "Y": ("T1", "T4")}
_SUNDAY = 6
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: `slug` names its problem type, `field` where in the body."""

    slug: str
    field: str
    message: str


class RulesBroken(RuleViolation):
    """422 listing every broken rule; its type is the first one's."""

    def __init__(self, detail: str, violations: Sequence[Violation]) -> None:
        super().__init__(detail, [FieldError(v.field, v.message) for v in violations], slug=violations[0].slug)
        self.violations = tuple(violations)


class PeriodClosed(Conflict):
    slug, title = "period-closed", "The period is closed"


class EditWindowPassed(Conflict):
    slug, title = "edit-window-passed", "The edit window has passed"


class ReasonRequired(RuleViolation):
    slug, title = "reason-required", "A reason is required"


def covering(term: str) -> tuple[str, str, str]:
    """The periods a day of `term` belongs to: the term, its half-year and the year."""
    return term, _HALF[term], "Y"


def terms_of(period: str) -> tuple[str, str]:
    """The first and last term a period spans (a grid of H1 reads T1 and T2)."""
    return _SPAN[period]


@dataclass(frozen=True, slots=True)
class Marking:
    """How a journal records marks: grade 1 and subjects assessed "none" take written feedback only."""

    grade: int
    assessment: str  # criteria | pass_fail | none

    @property
    def feedback_only(self) -> bool:
        return self.grade == 1 or self.assessment == "none"

    @property
    def pass_fail(self) -> bool:
        return self.assessment == "pass_fail"

    def points_refused(self, where: str) -> Violation | None:
        """Why points may not be given here, if they may not."""
        if self.feedback_only:
            return Violation("feedback-only", where, "this class and subject take written feedback only, no points")
        if self.pass_fail:
            return Violation("pass-fail-no-points", where, "a pass/fail subject takes no points")
        return None


@dataclass(frozen=True, slots=True)
class FormativeScale:
    """Formative points (FO): 1..10 by default (assessment-rules.md §2)."""

    low: int = 1
    high: int = 10


@dataclass(frozen=True, slots=True)
class SchoolCalendar:
    """A school's periods (T1..T4, H1, H2, Y), holidays and breaks for one school year and grade."""

    periods: Mapping[str, tuple[date, date]]
    holidays: frozenset[date] = frozenset()
    breaks: tuple[tuple[date, date], ...] = ()

    def term_of(self, day: date) -> str | None:
        return next((t for t in TERMS if t in self.periods and self.contains(t, day)), None)

    def contains(self, period: str, day: date) -> bool:
        span = self.periods.get(period)
        return span is not None and span[0] <= day <= span[1]

    def in_break(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.breaks)

    def day_refused(self, day: date, where: str) -> Violation | None:
        """Why no lesson or work may take place on `day`, if none may."""
        if self.term_of(day) is None or self.in_break(day):
            return Violation("date-outside-period", where, f"{day} is outside every term of this class")
        if day in self.holidays:
            return Violation("holiday", where, f"{day} is a public holiday")
        if day.weekday() == _SUNDAY:
            return Violation("not-a-school-day", where, f"{day} is a Sunday")
        return None

    def last_teaching_day(self, term: str) -> date:
        """The term's last Monday-to-Friday day that is neither a holiday nor in a break."""
        start, day = self.periods[term]
        while day > start and (day.weekday() >= _SATURDAY or day in self.holidays or self.in_break(day)):
            day -= timedelta(days=1)
        return day


@dataclass(frozen=True, slots=True)
class EditWindow:
    """Days after a lesson's or work's date during which its teacher may still change it (None: unlimited)."""

    days: int | None = DEFAULT_EDIT_WINDOW_DAYS

    def open_on(self, day: date, today: date) -> bool:
        return self.days is None or today <= day + timedelta(days=self.days)


def writer_role(window: EditWindow, day: date, today: date, *, teacher: bool, admin: bool,
                reason: str | None) -> str:
    """The role a write is made in; a teacher after the window -> 409, an administrator then needs a reason."""
    if window.open_on(day, today):
        return "teacher" if teacher else "school_admin"
    if not admin:
        raise EditWindowPassed(f"The edit window for {day} closed after {window.days} days; "
                               "ask a school administrator to correct it.")
    if not (reason or "").strip():
        raise ReasonRequired("A correction after the edit window needs a reason.",
                             [FieldError("reason", "required after the edit window")])
    return "school_admin"


@dataclass(frozen=True, slots=True)
class WorkFacts:
    """A summative work already set, as the limits need it."""

    kind: str
    period: str
    day: date
    journal_id: str


@dataclass(frozen=True, slots=True)
class Descriptor:
    descriptor_id: str
    points: int


def _text(value: str | None, limit: int, where: str, out: list[Violation]) -> None:
    if value is not None and len(value) > limit:
        out.append(Violation("too-long", where, f"at most {limit} characters"))


def _objectives(codes: Iterable[str], known: frozenset[str], where: str, out: list[Violation]) -> None:
    for i, code in enumerate(codes):
        if code not in known:
            out.append(Violation("unknown-objective", f"{where}[{i}]",
                                 f"{code} is not in this subject's curriculum for the grade"))


def check_lesson(day: date, number: int, calendar: SchoolCalendar, *, topic: str | None = None,
                 homework: str | None = None, objectives: Sequence[str] = (),
                 known_objectives: frozenset[str] = frozenset()) -> list[Violation]:
    """A lesson may be planned on any school day of the class's terms, in the past or the future."""
    out = [v for v in [calendar.day_refused(day, "date")] if v]
    if not 1 <= number <= MAX_LESSON_NUMBER:
        out.append(Violation("invalid-value", "number", f"a lesson number 1..{MAX_LESSON_NUMBER}"))
    return out + check_lesson_text(topic=topic, homework=homework, objectives=objectives,
                                   known_objectives=known_objectives)


def check_lesson_text(*, topic: str | None, homework: str | None, objectives: Sequence[str],
                      known_objectives: frozenset[str]) -> list[Violation]:
    """A lesson's topic, homework and learning objectives."""
    out: list[Violation] = []
    _text(topic, MAX_TEXT, "topic", out)
    _text(homework, MAX_FEEDBACK, "homework", out)
    _objectives(objectives, known_objectives, "objectives", out)
    return out


def check_work(*, kind: str, period: str, day: date, title: str, max_points: int,
               criteria: Sequence[Sequence[int]] | None, objectives: Sequence[str], calendar: SchoolCalendar,
               marking: Marking, journal_id: str, works: Sequence[WorkFacts], class_soch_that_day: int,
               known_objectives: frozenset[str]) -> list[Violation]:
    """A summative work (SOR/SOCH): its period and day, its points, and the limits of §2.

    `criteria` holds each criterion's descriptor points; `works` the journal's works set so far;
    `class_soch_that_day` the class's SOCH on `day` in every subject.
    """
    out: list[Violation] = []
    if kind not in WORK_KINDS:
        out.append(Violation("invalid-value", "kind", "SOR or SOCH"))
    if period not in WORK_PERIODS:
        out.append(Violation("invalid-value", "period", f"one of {', '.join(WORK_PERIODS)}"))
    if marking.pass_fail:
        out.append(Violation("no-summative-in-pass-fail", "kind", "a pass/fail subject has no SOR or SOCH"))
    if not title.strip():
        out.append(Violation("invalid-value", "title", "must not be empty"))
    _text(title, MAX_TEXT, "title", out)
    if not 1 <= max_points <= MAX_WORK_POINTS:
        out.append(Violation("invalid-value", "max_points", f"1..{MAX_WORK_POINTS}"))
    if criteria is not None:
        if any(not points or any(p < 0 for p in points) for points in criteria):
            out.append(Violation("invalid-value", "criteria", "each criterion has descriptors with points >= 0"))
        elif sum(map(sum, criteria)) != max_points:
            out.append(Violation("criteria-points", "criteria",
                                 f"the descriptors' points add up to {sum(map(sum, criteria))}, "
                                 f"not max_points {max_points}"))
    _objectives(objectives, known_objectives, "objectives", out)
    refused = calendar.day_refused(day, "date")
    if refused:
        return [*out, refused]
    if period in WORK_PERIODS and not calendar.contains(period, day):
        out.append(Violation("date-outside-period", "date", f"{day} is not in {period}"))
    if out or kind not in WORK_KINDS:
        return out
    mine = [w for w in works if w.journal_id == journal_id]
    if kind == "SOR" and sum(w.kind == "SOR" and w.period == period for w in mine) >= MAX_SOR_PER_PERIOD:
        out.append(Violation("sor-limit", "kind", f"{period} already has {MAX_SOR_PER_PERIOD} SOR in this subject"))
    if any(w.day == day and {w.kind, kind} == {"SOR", "SOCH"} for w in mine):
        out.append(Violation("sor-and-soch-same-day", "date", "a SOR and a SOCH of one subject on the same day"))
    if kind == "SOCH":
        term = calendar.term_of(day)
        if term and day >= calendar.last_teaching_day(term):
            out.append(Violation("soch-on-last-day", "date", "no SOCH on the last teaching day of the term"))
        if class_soch_that_day >= MAX_SOCH_PER_DAY:
            out.append(Violation("soch-daily-limit", "date",
                                 f"the class already writes {MAX_SOCH_PER_DAY} SOCH on {day}"))
    return out


def _common(entries: Sequence[Mapping[str, Any]], pupils: frozenset[str], day: date, today: date,
            out: list[Violation]) -> None:
    """Rules every entry batch shares: the pupil is in the class, once; nothing recorded ahead of time."""
    if day > today:
        out.append(Violation("future-date", "entries", f"nothing is recorded ahead of the date {day}"))
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        pupil = entry["student_id"]
        if pupil not in pupils:
            out.append(Violation("pupil-not-in-class", f"entries[{i}].student_id", "not a pupil of this class"))
        elif pupil in seen:
            out.append(Violation("duplicate-pupil", f"entries[{i}].student_id", "listed twice"))
        seen.add(pupil)
        if entry.get("version") is not None and entry["version"] < 0:
            out.append(Violation("invalid-value", f"entries[{i}].version", "a version read from the grid"))


def _feedback(entry: Mapping[str, Any], i: int, known: frozenset[str], out: list[Violation]) -> None:
    _text(entry.get("feedback"), MAX_FEEDBACK, f"entries[{i}].feedback", out)
    notes = entry.get("objectives") or []
    _objectives([n["code"] for n in notes], known, f"entries[{i}].objectives", out)
    for j, note in enumerate(notes):
        _text(note.get("feedback"), MAX_FEEDBACK, f"entries[{i}].objectives[{j}].feedback", out)


def check_attendance(entries: Sequence[Mapping[str, Any]], pupils: frozenset[str], day: date,
                     today: date) -> list[Violation]:
    out: list[Violation] = []
    _common(entries, pupils, day, today, out)
    for i, entry in enumerate(entries):
        if entry["status"] not in ATTENDANCE:
            out.append(Violation("invalid-value", f"entries[{i}].status", f"one of {', '.join(ATTENDANCE)}"))
        _text(entry.get("comment"), MAX_COMMENT, f"entries[{i}].comment", out)
    return out


def check_formative(entries: Sequence[Mapping[str, Any]], pupils: frozenset[str], day: date, today: date,
                    marking: Marking, known_objectives: frozenset[str],
                    scale: FormativeScale = FormativeScale()) -> list[Violation]:
    out: list[Violation] = []
    _common(entries, pupils, day, today, out)
    for i, entry in enumerate(entries):
        points = entry.get("points")
        if points is not None:
            refused = marking.points_refused(f"entries[{i}].points")
            if refused:
                out.append(refused)
            elif not scale.low <= points <= scale.high:
                out.append(Violation("points-out-of-range", f"entries[{i}].points",
                                     f"formative points are {scale.low}..{scale.high}"))
        _feedback(entry, i, known_objectives, out)
    return out


def result_points(entry: Mapping[str, Any], descriptors: Mapping[str, Descriptor]) -> int | None:
    """The points of a result: as given, or the sum of the descriptors met."""
    if entry.get("points") is not None:
        return int(entry["points"])
    met = entry.get("descriptors_met")
    if met and all(d in descriptors for d in met):
        return sum(descriptors[d].points for d in set(met))
    return None


def check_results(entries: Sequence[Mapping[str, Any]], pupils: frozenset[str], day: date, today: date,
                  marking: Marking, max_points: int, descriptors: Mapping[str, Descriptor],
                  known_objectives: frozenset[str]) -> list[Violation]:
    out: list[Violation] = []
    _common(entries, pupils, day, today, out)
    for i, entry in enumerate(entries):
        where = f"entries[{i}]"
        met = entry.get("descriptors_met") or []
        unknown = [d for d in met if d not in descriptors]
        if unknown:
            out.append(Violation("unknown-descriptor", f"{where}.descriptors_met",
                                 f"not descriptors of this work: {', '.join(unknown)}"))
        points = entry.get("points")
        if points is not None:
            refused = marking.points_refused(f"{where}.points")
            if refused:
                out.append(refused)
            elif points > max_points:
                out.append(Violation("points-above-maximum", f"{where}.points", f"the maximum is {max_points}"))
            elif points < 0:
                out.append(Violation("points-out-of-range", f"{where}.points", f"0..{max_points}"))
            elif met and not unknown and points != result_points({"descriptors_met": met}, descriptors):
                out.append(Violation("points-mismatch", f"{where}.points",
                                     "must equal the sum of the descriptors met"))
        _feedback(entry, i, known_objectives, out)
    return out


def is_removal(entry: Mapping[str, Any], *fields: str) -> bool:
    """An entry that sets none of `fields` removes what was recorded."""
    return all(entry.get(name) in (None, "", []) for name in fields)
