"""Pupils moving between classes, leaving school, and the year's end, in the directory and journal tables.

A move changes the pupil (`class_id` and the class index; `classes` keeps each earlier class with its last day,
`left_on` the last day of one who left) and the `enrolment` of the journals of both classes (each pupil's
dates in them), so each journal shows the pupil only for their dates and keeps their entries. The guardians'
child cards follow the pupil. At the year's end the old year's journals are made read-only by adding "year"
to the closed periods of their term gates (`chalicelib.store.journal.writing` refuses every write then).
"""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain import movement
from chalicelib.store import journal as journals
from chalicelib.store import marks, people, schools
from chalicelib.store.directory import ClassItem, JournalItem, LinkItem, PersonItem
from chalicelib.store.membership import spans_in

__all__ = ["YEAR_CLOSED", "move", "class_on", "pupil_items", "annual_marks", "close_year", "year_closed"]

YEAR_CLOSED = "year"


def _set_spans(journal: JournalItem, pupil_id: str, spans: list[movement.Span]) -> None:
    """A pupil's dates in a journal; none left (they leave on the day they came): not in it at all."""
    enrolment = dict(journal.enrolment or {})
    if spans:
        enrolment[pupil_id] = movement.spans_json(spans)
    else:
        enrolment.pop(pupil_id, None)
    journal.update(actions=[JournalItem.enrolment.set(enrolment)])


def move(pupil: PersonItem, to: ClassItem | None, day: date) -> PersonItem:
    """Move a pupil out of their class on `day`: into `to`, or out of the school (None)."""
    pid, old = pupil.person_id, pupil.class_id
    if old:
        for journal in schools.journals_of_class(old):
            _set_spans(journal, pid, movement.closed(spans_in(journal, pid), day))
    if to is not None:
        for journal in schools.journals_of_class(to.class_id):
            _set_spans(journal, pid, movement.opened(spans_in(journal, pid), day))
    last = (day - timedelta(days=1)).isoformat()
    stayed = old and all(until < last for _, until in pupil.classes or [])  # not moved back on the day they came
    history = [*(pupil.classes or []), *([[old, last]] if stayed else [])]
    actions = [PersonItem.classes.set(history)]
    if to is not None:
        actions += [PersonItem.class_id.set(to.class_id), PersonItem.gsi2pk.set(f"CLS#{to.class_id}"),
                    PersonItem.gsi2sk.set(pid), PersonItem.left_on.remove()]
    else:
        actions += [PersonItem.class_id.remove(), PersonItem.gsi2pk.remove(), PersonItem.gsi2sk.remove(),
                    PersonItem.left_on.set((day - timedelta(days=1)).isoformat())]
    pupil.update(actions=actions)
    for link in LinkItem.query(people.person_key(pid), LinkItem.sk.startswith("GUARD#")):
        card = LinkItem(people.person_key(link.ref), f"CHILD#{pid}")
        card.update(actions=[LinkItem.class_id.set(to.class_id) if to is not None else LinkItem.class_id.remove()])
    return pupil


def class_on(pupil: PersonItem, day: date) -> str | None:
    """The class a pupil was in on `day` (their current one after their last move)."""
    for class_id, last in sorted(pupil.classes or [], key=lambda c: c[1]):
        if day <= date.fromisoformat(last):
            return class_id
    if pupil.left_on and day > date.fromisoformat(pupil.left_on):
        return None
    return pupil.class_id


def pupil_items(pupil: PersonItem, start: date, end: date) -> list[journals.Lesson | journals.Work]:
    """The lessons and works of the classes a pupil was in, each for their dates start..end: one Query per
    class (one for a pupil who did not move)."""
    found, cursor = [], start
    for class_id, last in sorted(pupil.classes or [], key=lambda c: c[1]):
        last_day = date.fromisoformat(last)
        if last_day < cursor:
            continue
        found += journals.class_items(class_id, cursor, min(last_day, end))
        cursor = last_day + timedelta(days=1)
        if cursor > end:
            return found
    if pupil.class_id:
        found += journals.class_items(pupil.class_id, cursor, end)
    return found


def annual_marks(pupil_id: str, year: int) -> list[int | str | None]:
    """A pupil's annual marks of a school year, one per subject closed for the year (one Query)."""
    records, _ = marks.pupil_year(pupil_id, year, "~")
    return [marks.mark_of(r.mark) for r in records if r.sk.split("#")[2] == "Y"]


def close_year(journal_ids: list[str]) -> None:
    """Make journals read-only: every term's gate closed for the year."""
    for journal_id in journal_ids:
        for term in ("T1", "T2", "T3", "T4"):
            journals.Gate(journals.journal_key(journal_id), f"G#{term}").update(
                actions=[journals.Gate.closed.add({YEAR_CLOSED})])


def year_closed(journal_id: str) -> bool:
    try:
        gate = journals.Gate.get(journals.journal_key(journal_id), "G#T1", consistent_read=True)
    except journals.Gate.DoesNotExist:
        return False
    return YEAR_CLOSED in (gate.closed or set())
