"""Notices to guardians: what a journal change says (kk, ru), when a message may go out, and how several combine.

Pure. The stream consumer turns a journal change into a `NoticeEvent`; `render` words it for one guardian;
`due_at` says when an e-mail, SMS or push may leave (coalescing window, daily digest, quiet hours); `next_outbox`
decides what one pending message becomes after a change (queue, replace, cancel, or nothing for a duplicate);
`compose` turns the notices that leave together into one message.

Besides a journal entry, a notice may tell of a final period mark (`period_mark`, written by a close) or of a
threshold crossed (`mark_alert`: the live period mark entered or left the "2" band; `absence_alert`: the
week's third unexcused missed lesson); the alerts are decided in `chalicelib.domain.alerts`.

Decisions:
- A notice is about one source entry (journal item); its newest version wins. A version at or below the one
  already seen is a duplicate or late delivery and changes nothing, whatever order the stream used.
- A withdrawal (entry removed, attendance back to present) sends nothing: it cancels a pending message and hides
  the inbox item.
- A correction inside the coalescing window replaces the pending message and keeps its place in the window; a
  change back to the value last sent on that channel cancels the pending message.
- Quiet hours hold e-mail, SMS and push (digests too) until they end; the inbox is never held.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.domain.collation import name_sort_key
from chalicelib.domain.dates import KZ_TZ
from chalicelib.domain.errors import FieldError, RuleViolation

__all__ = [
    "KINDS", "ALERTS", "LANGUAGES", "CHANNELS", "MODES", "ATTENDANCE_NOTICED", "MARKS", "PERIODS", "DIGEST_AT",
    "DEFAULT_WINDOW", "FEEDBACK_LIMIT", "SHORT_LIMIT", "InvalidNotice", "Names", "NoticeEvent", "Notice",
    "QuietHours", "DEFAULT_QUIET", "Preferences", "Outbox", "Queued", "Message", "render", "due_at", "next_outbox",
    "compose", "updated_preferences",
]

KINDS = ("formative", "result", "attendance", "period_mark", "mark_alert", "absence_alert")
ALERTS = ("entered", "left")  # a mark alert: the live mark entered the "2" band, or left it
LANGUAGES = ("kk", "ru")
CHANNELS = ("inbox", "email", "sms", "push")
MODES = ("immediate", "daily", "off")
ATTENDANCE_NOTICED = ("absent", "excused", "ill", "late")
MARKS = (2, 3, 4, 5, "pass", "fail", "not_assessed", "exempt")
PERIODS = ("T1", "T2", "T3", "T4", "H1", "H2", "Y")
DIGEST_AT = time(19, 0)  # local time (UTC+5) of the daily digest
DEFAULT_WINDOW = timedelta(minutes=10)
FEEDBACK_LIMIT = 300  # characters of the teacher's feedback a notice quotes
SHORT_LIMIT = 300  # characters of an SMS or a push body

_DEFAULT_MODES = {"inbox": "immediate", "email": "daily", "sms": "off", "push": "immediate"}
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


class InvalidNotice(ValueError):
    """A notice event that cannot be worded (unknown kind, missing values, naive time)."""


@dataclass(frozen=True, slots=True)
class Names:
    """A name in both languages (a subject's)."""

    kk: str
    ru: str

    def in_(self, language: str) -> str:
        return self.kk if language == "kk" else self.ru


@dataclass(frozen=True, slots=True)
class NoticeEvent:
    """One version of one journal entry that guardians hear about.

    `source_key` names the entry (its journal item), `source_version` its version; `subject` may be left out
    when `subject_id` (or the journal) lets the reader find the names.
    """

    kind: str
    student_id: str
    journal_id: str
    source_key: str
    source_version: int
    occurred_at: datetime
    subject_id: str | None = None
    subject: Names | None = None
    points: int | None = None
    max_points: int | None = None
    status: str | None = None  # attendance
    mark: int | str | None = None  # period mark: 2..5, pass, fail, not_assessed, exempt
    work_kind: str | None = None  # SOR or SOCH
    work_title: str | None = None
    period: str | None = None  # T1..T4, H1, H2, Y
    lesson_date: date | None = None
    feedback: str | None = None
    alert: str | None = None  # a mark alert: entered | left
    count: int | None = None  # a mark alert: which crossing; an absence alert: lessons missed that week
    removed: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidNotice(f"kind is one of {', '.join(KINDS)}")
        if self.occurred_at.utcoffset() is None:
            raise InvalidNotice("occurred_at needs a time zone")
        if self.source_version < 1 or not self.source_key:
            raise InvalidNotice("a notice needs its source entry's key and a positive version")
        if self.removed:
            return
        if self.kind == "attendance" and self.status not in (*ATTENDANCE_NOTICED, "present"):
            raise InvalidNotice("attendance needs a status")
        if self.kind == "result" and self.work_kind not in ("SOR", "SOCH"):
            raise InvalidNotice("a result needs its work's kind, SOR or SOCH")
        if self.kind == "period_mark" and (self.period not in PERIODS or self.mark not in MARKS
                                           or isinstance(self.mark, bool)):
            raise InvalidNotice("a period mark needs its period (T1..T4, H1, H2, Y) and a mark")
        if self.kind == "mark_alert" and (self.period not in PERIODS or self.alert not in ALERTS):
            raise InvalidNotice("a mark alert needs its period and whether the mark entered or left the band")
        if self.kind == "absence_alert" and (self.lesson_date is None or not self.count or self.count < 1):
            raise InvalidNotice("an absence alert needs its week's Monday and how many lessons were missed")

    @property
    def names_subject(self) -> bool:
        """Whether the notice speaks of one subject (an absence alert counts every subject of the week)."""
        return self.kind != "absence_alert"

    @property
    def withdrawn(self) -> bool:
        """The entry is gone, or says nothing a guardian is told about (present)."""
        return self.removed or (self.kind == "attendance" and self.status == "present")

    @property
    def fingerprint(self) -> str:
        """What the entry says, names aside: equal fingerprints tell a guardian the same thing."""
        said = [self.kind, self.withdrawn, self.points, self.max_points, self.status, self.mark, self.work_kind,
                self.work_title, self.period, self.feedback, self.alert, self.count]
        return hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice worded for one guardian: `line` is the short form (no pupil, no feedback), `note` the feedback."""

    kind: str
    language: str
    pupil: str
    title: str
    line: str
    note: str | None

    @property
    def body(self) -> str:
        text = f"{self.pupil}, {self.line}."
        return f"{text}\n{self.note}" if self.note else text


_WORDS: dict[str, dict[str, str]] = {
    "kk": {
        "formative": "Қалыптастырушы бағалау: {subject}", "result": "{work} нәтижесі: {subject}",
        "attendance": "Сабаққа қатысу: {subject}", "period_mark": "Қорытынды баға: {subject}",
        "points": "{max} балдан {points} балл", "no_points": "мұғалімнің кері байланысы",
        "result_no_points": "нәтиже қойылды",
        "feedback": "Мұғалімнің кері байланысы: {text}", "comment": "Мұғалімнің түсініктемесі: {text}",
        "SOR": "БЖБ", "SOCH": "ТЖБ",
        "absent": "себепсіз келмеді", "excused": "дәлелді себеппен келмеді", "ill": "ауырып келмеді",
        "late": "сабаққа кешікті",
        "T": "{n}-тоқсан бағасы", "H": "{n}-жартыжылдық бағасы", "Y": "жылдық баға",
        "2": "2 (қанағаттанарлықсыз)", "3": "3 (қанағаттанарлық)", "4": "4 (жақсы)", "5": "5 (өте жақсы)",
        "pass": "есептелді", "fail": "есептелмеді", "not_assessed": "аттестатталмады", "exempt": "босатылған",
        "several": "{pupil}: {n} жаңа хабарлама", "digest": "Күнделікті хабарлама, {day}",
        "mark_alert": "Назар аударыңыз: {subject}", "absence_alert": "Себепсіз қалдырылған сабақтар",
        "span.T": "{n}-тоқсан", "span.H": "{n}-жартыжылдық", "span.Y": "оқу жылы",
        "entered": "ағымдағы баға «2»-ге түсті (40 %-дан төмен)", "left": "ағымдағы баға енді «2» емес",
        "now": ", қазір «{mark}»", "absences": "{day} басталған аптада {n} сабақ себепсіз қалдырылды",
    },
    "ru": {
        "formative": "Формативное оценивание: {subject}", "result": "Результат {work}: {subject}",
        "attendance": "Посещаемость: {subject}", "period_mark": "Итоговая оценка: {subject}",
        "points": "{points} из {max} {unit}", "no_points": "отзыв учителя", "result_no_points": "результат выставлен",
        "feedback": "Отзыв учителя: {text}", "comment": "Комментарий учителя: {text}",
        "SOR": "СОР", "SOCH": "СОЧ",
        "absent": "пропуск без уважительной причины", "excused": "пропуск по уважительной причине",
        "ill": "пропуск по болезни", "late": "опоздание",
        "T": "оценка за {n} четверть", "H": "оценка за {n} полугодие", "Y": "оценка за учебный год",
        "2": "2 (неудовлетворительно)", "3": "3 (удовлетворительно)", "4": "4 (хорошо)", "5": "5 (отлично)",
        "pass": "зачёт", "fail": "незачёт", "not_assessed": "не аттестован(а)", "exempt": "освобождён(а)",
        "several": "{pupil}: новых сообщений — {n}", "digest": "Ежедневная сводка, {day}",
        "mark_alert": "Внимание: {subject}", "absence_alert": "Пропуски без уважительной причины",
        "span.T": "{n} четверть", "span.H": "{n} полугодие", "span.Y": "учебный год",
        "entered": "текущая оценка снизилась до «2» (ниже 40 %)", "left": "текущая оценка больше не «2»",
        "now": ", сейчас «{mark}»",
        "absences": "на неделе с {day} пропущено уроков без уважительной причины: {n}",
    },
}


def _ru_points(n: int) -> str:
    """The genitive after "из N": из 1 балла, из 21 балла, из 10 баллов."""
    return "балла" if n % 10 == 1 and n % 100 != 11 else "баллов"


def _excerpt(text: str | None, limit: int) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _day(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def _alert_line(event: NoticeEvent, name: str, words: Mapping[str, str]) -> str:
    if event.kind == "absence_alert":
        return words["absences"].format(day=_day(event.lesson_date), n=event.count)  # type: ignore[arg-type]
    period = event.period or ""
    line = f"{name}, {words['span.' + period[0]].format(n=period[1:])}: {words[event.alert or '']}"
    if event.alert == "left" and event.mark is not None:
        mark = event.mark if isinstance(event.mark, int) else words.get(str(event.mark), str(event.mark))
        line += words["now"].format(mark=mark)
    return line


def render(event: NoticeEvent, pupil: str, subject: Names | None, language: str) -> Notice:
    """`event` worded in `language` for a guardian of `pupil` (names as the guardian reads them; `subject` may be
    None only for a notice that names none)."""
    if language not in LANGUAGES:
        raise InvalidNotice(f"notices are worded in {', '.join(LANGUAGES)}")
    if event.withdrawn:
        raise InvalidNotice("a withdrawal is not worded: it only cancels")
    if subject is None and event.names_subject:
        raise InvalidNotice("the notice needs its subject's names")
    words, name = _WORDS[language], subject.in_(language) if subject is not None else ""
    when = f"{_day(event.lesson_date)}, " if event.lesson_date else ""
    kind = event.kind
    if kind in ("mark_alert", "absence_alert"):
        line = _alert_line(event, name, words)
    elif kind == "attendance":
        line = f"{when}{name}: {words[event.status or '']}"
    elif kind == "period_mark":
        period = event.period or ""
        line = f"{name}, {words[period[0]].format(n=period[1:])}: {words[str(event.mark)]}"
    else:
        if event.points is not None and event.max_points is not None:
            value = words["points"].format(points=event.points, max=event.max_points,
                                           unit=_ru_points(event.max_points))
        else:
            value = words["no_points" if kind == "formative" else "result_no_points"]
        if kind == "formative":
            line = f"{when}{name}: {value}"
        else:
            title = f" «{event.work_title}»" if event.work_title else ""
            line = f"{name}, {words[event.work_kind or '']}{title}: {value}"
    feedback = _excerpt(event.feedback, FEEDBACK_LIMIT)
    note = words["comment" if kind == "attendance" else "feedback"].format(text=feedback) if feedback else None
    title = words[kind].format(subject=name, work=words.get(event.work_kind or "", ""))
    return Notice(kind, language, pupil, title, line, note)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local (UTC+5) hours when no e-mail, SMS or push leaves; `start` > `end` spans midnight."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        """From "HH:MM" texts; ValueError when malformed or empty (start equal to end)."""
        times = []
        for text in (start, end):
            match = _HHMM.fullmatch(text)
            if not match:
                raise ValueError("a time of day as HH:MM, 00:00..23:59")
            times.append(time(int(match[1]), int(match[2])))
        if times[0] == times[1]:
            raise ValueError("quiet hours must not start when they end")
        return cls(times[0], times[1])

    def shown(self) -> dict[str, str]:
        return {"from": self.start.strftime("%H:%M"), "to": self.end.strftime("%H:%M")}

    def holds(self, moment: datetime) -> bool:
        now = moment.astimezone(KZ_TZ).time()
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def release(self, moment: datetime) -> datetime:
        """`moment` itself outside quiet hours, else when they end."""
        if not self.holds(moment):
            return moment
        local = moment.astimezone(KZ_TZ)
        end = datetime.combine(local.date(), self.end, KZ_TZ)
        return end if end > local else end + timedelta(days=1)


DEFAULT_QUIET = QuietHours(time(22, 0), time(7, 0))


@dataclass(frozen=True, slots=True)
class Preferences:
    """A person's choices: a mode per channel (only those they chose; defaults fill the rest) and quiet hours."""

    chosen: Mapping[str, str] = field(default_factory=dict)
    quiet: QuietHours | None = DEFAULT_QUIET

    def mode(self, channel: str, reachable: bool = True) -> str:
        """The channel's mode; "off" when the person cannot be reached on it (no address, no device)."""
        if not reachable:
            return "off"
        return self.chosen.get(channel, _DEFAULT_MODES[channel])

    def shown(self, language: str, *, email_known: bool) -> dict[str, Any]:
        """The effective preferences, as the API shows them."""
        channels = {c: self.mode(c) for c in CHANNELS}
        if "email" not in self.chosen and not email_known:
            channels["email"] = "off"  # the default, daily, needs an address
        return {"language": language, "channels": channels,
                "quiet_hours": self.quiet.shown() if self.quiet else None}


def updated_preferences(current: Preferences, body: Mapping[str, Any]) -> tuple[Preferences, str | None]:
    """`current` with the fields of a well-shaped PUT body applied, and the language chosen (if any).

    Raises RuleViolation (422) listing every value that is not allowed.
    """
    errors: list[FieldError] = []
    language = body.get("language")
    if language is not None and language not in LANGUAGES:
        errors.append(FieldError("language", "kk or ru"))
    chosen = dict(current.chosen)
    for channel, mode in (body.get("channels") or {}).items():
        if channel == "inbox" and mode != "immediate":
            errors.append(FieldError("channels.inbox", "the inbox is always written at once: immediate"))
        elif mode not in MODES:
            errors.append(FieldError(f"channels.{channel}", "immediate, daily or off"))
        else:
            chosen[channel] = mode
    quiet = current.quiet
    if "quiet_hours" in body:
        hours = body["quiet_hours"]
        try:
            quiet = QuietHours.parse(hours["from"], hours["to"]) if hours is not None else None
        except ValueError as exc:
            errors.append(FieldError("quiet_hours", str(exc)))
    if errors:
        raise RuleViolation("Some preferences are not allowed.", errors)
    return Preferences(chosen, quiet), language


def due_at(mode: str, received: datetime, *, window: timedelta = DEFAULT_WINDOW,
           quiet: QuietHours | None = DEFAULT_QUIET) -> datetime:
    """When a message queued at `received` may leave: after the coalescing window ("immediate") or at the next
    digest ("daily"), moved past quiet hours."""
    if mode == "immediate":
        due = received + window
    elif mode == "daily":
        local = received.astimezone(KZ_TZ)
        due = datetime.combine(local.date(), DIGEST_AT, KZ_TZ)
        if local.time() >= DIGEST_AT:
            due += timedelta(days=1)
    else:
        raise InvalidNotice(f"nothing is queued for mode {mode!r}")
    return quiet.release(due) if quiet else due


@dataclass(frozen=True, slots=True)
class Outbox:
    """One guardian's message about one entry on one channel: the newest version seen, the fingerprint waiting
    to leave (None: nothing pending), the one last sent, and when the pending one may leave."""

    version: int
    pending: str | None
    sent: str | None
    due: datetime | None


def next_outbox(current: Outbox | None, event: NoticeEvent, due: datetime) -> Outbox | None:
    """The outbox after `event` (None: unchanged, a duplicate or an older version)."""
    if current is not None and event.source_version <= current.version:
        return None
    sent = current.sent if current else None
    if event.withdrawn or event.fingerprint == sent:
        return Outbox(event.source_version, None, sent, None)
    keep = current.due if current is not None and current.pending is not None else None
    return Outbox(event.source_version, event.fingerprint, sent, keep or due)


@dataclass(frozen=True, slots=True)
class Queued:
    """A notice waiting in the outbox, as it was worded when queued."""

    notice: Notice
    at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    """What leaves on a channel: `subject` and `text` for e-mail, `short` for SMS and push bodies."""

    subject: str
    text: str
    short: str


def _short(text: str) -> str:
    return _excerpt(text, SHORT_LIMIT) or ""


def compose(items: Sequence[Queued], language: str, *, digest: bool, day: date) -> Message:
    """One message for `items`: one pupil's notices coalesced, or a daily digest of every child's (by name)."""
    if not items:
        raise InvalidNotice("nothing to compose")
    words = _WORDS[language]
    ordered = sorted(items, key=lambda q: q.at)
    if not digest:
        pupil = ordered[0].notice.pupil
        if len(ordered) == 1:
            notice = ordered[0].notice
            return Message(notice.title, notice.body, _short(notice.body))
        subject = words["several"].format(pupil=pupil, n=len(ordered))
        return Message(subject, "\n\n".join(q.notice.body for q in ordered),
                       _short(f"{subject}: " + "; ".join(q.notice.line for q in ordered)))
    children: dict[str, list[Notice]] = {}
    for q in ordered:
        children.setdefault(q.notice.pupil, []).append(q.notice)
    sections, shorts = [], []
    for pupil in sorted(children, key=name_sort_key):
        lines = [f"• {n.line}" + (f"\n  {n.note}" if n.note else "") for n in children[pupil]]
        sections.append(f"{pupil}:\n" + "\n".join(lines))
        shorts.append(f"{pupil}: " + "; ".join(n.line for n in children[pupil]))
    subject = words["digest"].format(day=_day(day))
    return Message(subject, "\n\n".join(sections), _short(f"{subject}. " + " | ".join(shorts)))
