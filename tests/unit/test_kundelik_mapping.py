"""The v2 view of the journal (chalicelib.domain.kundelik): date forms, ids and their twins, marks, works,
attendance and periods as Kundelik clients read them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import kundelik as v2
from chalicelib.domain.ids import MAX_ID

DAY = date(2026, 9, 29)
LESSON = v2.Lesson("1001", "2001", "3001", "4001", DAY, 2, "T1", topic="Бөлшектер", homework="№ 3")
OTHER = v2.Lesson("1002", "2001", "3001", "4001", DAY, 1, "T1")
SOR = v2.Work("5001", "2001", "3001", "4001", DAY, "SOR", "T1", "БЖБ №1", 20)
SOCH_ALONE = v2.Work("5002", "2009", "3001", "4009", DAY, "SOCH", "T1", "ТЖБ", 25)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_every_date_form_names_its_day(moment: datetime) -> None:
    forms = [moment.date().isoformat(), moment.isoformat(timespec="seconds"), str(moment.replace(microsecond=0)),
             moment.isoformat(timespec="microseconds"), moment.isoformat(" ", timespec="microseconds"),
             moment.isoformat(timespec="milliseconds")]
    assert {v2.parse_day(form) for form in forms} == {moment.date()}


@pytest.mark.parametrize("text", ["", "2026-9-1", "01.09.2026", "2026-02-30", "2026-09-01T25:00:00",
                                  "2026-09-01T10:00", "2026-09-01X10:00:00", "2026-09-01T10:00:00+05:00", "now"])
def test_other_texts_are_not_dates(text: str) -> None:
    with pytest.raises(v2.BadDate):
        v2.parse_day(text)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 400))
def test_a_range_holds_both_whole_days_up_to_its_limit(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    if length < v2.GROUP_DAYS:
        assert v2.day_range(f"{first}T23:59:59", f"{last} 00:00:00", v2.GROUP_DAYS) == (first, last)
        assert len(v2.days_between(first, last)) == length + 1
    else:
        with pytest.raises(v2.BadDate):
            v2.day_range(first.isoformat(), last.isoformat(), v2.GROUP_DAYS)
    if length:
        with pytest.raises(v2.BadDate):
            v2.day_range(last.isoformat(), first.isoformat(), v2.GROUP_DAYS)


@given(st.lists(st.text(max_size=20), min_size=1, max_size=4))
def test_derived_ids_are_stable_positive_63_bit_integers(parts: list[str]) -> None:
    made = v2.derived_id(*parts)
    assert made == v2.derived_id(*parts) and 0 < int(made) <= MAX_ID


def test_ids_come_with_string_twins() -> None:
    assert v2.twin("id", "192650548345539807") == {"id": 192650548345539807, "id_str": "192650548345539807"}
    assert v2.twin("lesson", None) == {"lesson": None, "lesson_str": None}


def test_a_formative_entry_is_a_mark_of_the_lessons_formative_work() -> None:
    entry = v2.Entry("F", LESSON.lesson_id, "9001", DAY, points=7)
    mark = v2.mark_of(entry, {LESSON.lesson_id: LESSON}, {})
    work = v2.formative_work(LESSON)
    assert (mark["value"], mark["textValue"], mark["type"], mark["mood"]) == ("7", "7", "mark10", "Good")
    assert (mark["work"], mark["lesson_str"], mark["person_str"]) == (work["id"], "1001", "9001")
    assert (work["type"], work["markType"], work["lesson_str"], work["eduGroup_str"]) == (
        "Formative", "mark10", "1001", "3001")
    assert mark["date"] == work["targetDate"] == "2026-09-29T00:00:00"


def test_a_result_is_a_mark_of_its_work_on_the_journals_first_lesson_of_the_day() -> None:
    lessons = {x.lesson_id: x for x in (LESSON, OTHER)}
    works = {w.work_id: w for w in (SOR, SOCH_ALONE)}
    result = v2.mark_of(v2.Entry("R", SOR.work_id, "9001", DAY, points=6), lessons, works)
    assert (result["value"], result["type"], result["work_str"], result["lesson_str"], result["mood"]) == (
        "6", "points", "5001", "1002", "Bad")
    alone = v2.mark_of(v2.Entry("R", SOCH_ALONE.work_id, "9001", DAY, points=15), lessons, works)
    assert (alone["lesson"], alone["mood"], alone["workType"]) == (None, "Average", 3)
    assert v2.summative_work(SOR, "1002")["periodType"] == "Quarter"


def test_what_is_not_a_mark() -> None:
    lessons, works = {LESSON.lesson_id: LESSON}, {SOR.work_id: SOR}
    assert v2.mark_of(v2.Entry("F", LESSON.lesson_id, "9001", DAY, points=None), lessons, works) is None
    assert v2.mark_of(v2.Entry("A", LESSON.lesson_id, "9001", DAY, status="present"), lessons, works) is None
    assert v2.mark_of(v2.Entry("F", "404", "9001", DAY, points=5), lessons, works) is None


def test_marks_of_a_pupil_are_distinct_and_ordered_by_date() -> None:
    later = v2.Lesson("1003", "2001", "3001", "4001", DAY + timedelta(days=2), 1, "T1")
    lessons = {x.lesson_id: x for x in (LESSON, later)}
    entries = [v2.Entry("F", "1003", "9001", later.day, points=9), v2.Entry("F", "1001", "9002", DAY, points=4),
               v2.Entry("F", "1001", "9001", DAY, points=8)]
    marks = v2.marks_of(entries, lessons, {})
    assert [(m["person_str"], m["value"]) for m in marks] == [("9001", "8"), ("9002", "4"), ("9001", "9")]
    assert len({m["id"] for m in marks}) == 3


@pytest.mark.parametrize("status, shown", [("present", "Attend"), ("absent", "Absent"), ("ill", "Ill"),
                                           ("late", "Late"), ("excused", "Pass")])
def test_attendance_is_a_lesson_log_entry(status: str, shown: str) -> None:
    entry = v2.Entry("A", "1001", "9001", DAY, status=status, comment="ауырды", at="2026-09-29T15:30:00.000+05:00")
    assert v2.log_entry(entry) == {"person": 9001, "person_str": "9001", "lesson": 1001, "lesson_str": "1001",
                                   "comment": "ауырды", "status": shown, "createdDate": "2026-09-29T15:30:00"}
    assert shown in v2.ATTENDANCE_STATUSES


def test_homework_is_a_work_of_the_lesson() -> None:
    homework = v2.homework_work(LESSON)
    assert (homework["type"], homework["text"], homework["lesson_str"], homework["markType"]) == (
        "Homework", "№ 3", "1001", None)
    assert homework["id"] != v2.formative_work(LESSON)["id"]
    assert v2.homework_work(OTHER) is None


def test_a_lesson_with_its_works_and_as_a_brief() -> None:
    subject = v2.Subject("4001", "Математика", "math")
    shown = v2.lesson_shape(LESSON, subject, [v2.formative_work(LESSON)], ["7001"])
    assert (shown["title"], shown["number"], shown["group_str"], shown["teachers"]) == ("Бөлшектер", 2, "3001", [7001])
    assert shown["subject"] == {"id": 4001, "id_str": "4001", "name": "Математика"}
    brief = v2.lesson_brief(LESSON, ["1", "2"], ["7001"])
    assert (brief["works"], brief["subjectId_str"]) == ([1, 2], "4001")


def test_reporting_periods_in_the_classs_language() -> None:
    periods = [v2.Period("Y", date(2026, 9, 1), date(2027, 5, 25)), v2.Period("T2", date(2026, 11, 3),
                                                                              date(2026, 12, 26)),
               v2.Period("H1", date(2026, 9, 1), date(2026, 12, 26)), v2.Period("T1", date(2026, 9, 1),
                                                                                date(2026, 10, 24))]
    kk = v2.period_shapes("3001", 2026, periods, "kk")
    assert [(p["type"], p["number"], p["name"]) for p in kk] == [
        ("Quarter", 1, "1-тоқсан"), ("Quarter", 2, "2-тоқсан"), ("HalfYear", 1, "1-жартыжылдық"),
        ("Year", 1, "Оқу жылы")]
    assert kk[0]["start"] == "2026-09-01T00:00:00" and kk[0]["finish"] == "2026-10-24T00:00:00"
    assert [p["name"] for p in v2.period_shapes("3001", 2026, periods, "ru")][:1] == ["1 четверть"]
    assert kk[0]["id"] == v2.period_shapes("3001", 2026, periods, "ru")[0]["id"]


def test_a_final_mark_names_its_reporting_period() -> None:
    final = v2.final_mark(v2.FinalMark("9001", "3001", "4001", "H1", "pass", "2026-12-26T17:00:00.000+05:00"))
    period = v2.period_shapes("3001", 2026, [v2.Period("H1", date(2026, 9, 1), date(2026, 12, 26))], "kk")[0]
    assert (final["value"], final["periodType"], final["periodNumber"], final["date"]) == (
        "pass", "HalfYear", 1, "2026-12-26T17:00:00")
    assert final["reportingPeriod"] == period["id"] and final["subjectId_str"] == "4001"


def test_terms_within_a_range() -> None:
    periods = {"T1": (date(2026, 9, 1), date(2026, 10, 24)), "T2": (date(2026, 11, 3), date(2026, 12, 26))}
    assert v2.terms_within(periods, date(2026, 10, 20), date(2026, 11, 5)) == ("T1", "T2")
    assert v2.terms_within(periods, date(2026, 10, 26), date(2026, 11, 1)) == ()


def test_people_and_groups() -> None:
    person = v2.person_shape(v2.Person("9001", "Сейтқали", "Нұрислам", "Ержанұлы"))
    assert (person["shortName"], person["userId_str"], person["id"]) == ("Сейтқали Н.Е.", "9001", 9001)
    group = v2.group_shape(v2.Group("3001", 5, "Ә", 2026), [v2.Subject("4001", "Математика", "math")])
    assert (group["name"], group["parallel"], group["studyyear"], group["type"]) == ("5Ә", 5, 2026, "Group")
    assert v2.locale_of("kk") == "kk-KZ" and v2.locale_of("ru") == "ru-RU"
