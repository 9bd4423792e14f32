"""Journal timeliness and the weekly parent report as data."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    LiveResult, Planned, SubjectStanding, TimelinessHeading, WeekAbsence, WeekCount, WeekHeading, WeekMark,
    gaps_by_teacher, reminder_text, timeliness_report, week_of, weekly_message, weekly_report,
)

MATH, KAZ = Names("Математика", "Математика"), Names("Қазақ тілі", "Казахский язык")
DAY = date(2026, 10, 5)
ITEMS = [
    Planned(date(2026, 10, 1), 1, "c1", "7Ә", MATH, ("t1",), topic=True, attendance=True),
    Planned(date(2026, 10, 2), 2, "c1", "7Ә", MATH, ("t1",), topic=False, attendance=True),
    Planned(date(2026, 10, 5), 1, "c2", "5А", KAZ, ("t2", "t1")),
    Planned(date(2026, 10, 2), None, "c1", "7Ә", MATH, ("t1",), work=True, results=20, pupils=25),
    Planned(date(2026, 10, 3), None, "c2", "5А", KAZ, ("t2",), work=True, results=22, pupils=22),
]
NAMES = {"t1": "Нұрланова Гүлнар", "t2": "Петров Иван"}
WEEKS = [date(2026, 9, 14), date(2026, 9, 21), date(2026, 9, 28), date(2026, 10, 5)]


def report(language: str = "kk"):
    trend = [WeekCount(WEEKS[2], "t1", 10, 9), WeekCount(WEEKS[3], "t1", 4, 1), WeekCount(WEEKS[3], "t2", 4, 4)]
    return timeliness_report(language, TimelinessHeading(Names("№1", "№1"), DAY, date(2026, 9, 28)), ITEMS, NAMES,
                             WEEKS, trend)


def test_what_each_planned_lesson_and_work_misses() -> None:
    assert [item.missing for item in ITEMS] == [(), ("no_topic",), ("unfilled",), ("no_results",), ()]


def test_gaps_count_for_every_teacher_of_the_journal() -> None:
    rows = {row.cells[0]: row.cells[1:] for row in report().table("teachers").rows}
    assert rows["Нұрланова Гүлнар"] == (4, 1, 1, 0, 1, 25)  # planned, unfilled, no topic, no attendance, works
    assert rows["Петров Иван"] == (2, 1, 0, 0, 0, 50)
    assert rows["Барлығы"] == (5, 1, 1, 0, 1, 40)
    classes = {row.cells[0]: row.cells[-1] for row in report().table("classes").rows}
    assert classes == {"5А": 50, "7Ә": Fraction(100, 3)}


def test_the_trend_is_the_share_of_lessons_with_a_topic_per_week() -> None:
    trend = {row.cells[0]: row.cells[1:] for row in report("ru").table("trend").rows}
    assert trend["Нұрланова Гүлнар"] == (None, None, 90, 25)
    assert trend["Итого"] == (None, None, 90, 62.5)
    assert report().charts[0].series[0].values == (None, None, 90.0, 62.5)


def test_a_reminder_lists_the_teachers_gaps_in_order() -> None:
    gaps = gaps_by_teacher(ITEMS)
    assert sorted(gaps) == ["t1", "t2"] and len(gaps["t1"]) == 3
    title, body = reminder_text("ru", "Нұрланова Гүлнар", gaps["t1"])
    assert title == "Заполните журнал: уроков — 3"
    assert body.splitlines()[1:] == ["• 02.10.2026, 2 — 7Ә, Математика: без темы",
                                     "• 02.10.2026 — 7Ә, Математика: нет результатов работы",
                                     "• 05.10.2026, 1 — 5А, Казахский язык: не заполнено"]


def test_the_weekly_report_and_message_in_the_guardians_language() -> None:
    heading = WeekHeading("Абаев Ерлан", "7Ә", Names("№1 мектеп", "Школа №1"), week_of(date(2026, 10, 1)), "T1")
    marks = [WeekMark(date(2026, 10, 2), MATH, 17, 20, None, "SOCH", "1-тоқсан"),
             WeekMark(date(2026, 10, 1), KAZ, 8, 10, "Жақсы, бірақ қателер бар")]
    absences = [WeekAbsence(date(2026, 9, 29), MATH, "ill"), WeekAbsence(date(2026, 9, 30), KAZ, "late")]
    standing = [SubjectStanding(MATH, LiveResult(Fraction(85), 5)),
                SubjectStanding(KAZ, LiveResult(Fraction(62), 3, provisional=True))]
    made = weekly_report("kk", heading, marks, absences, standing)
    assert made.lines[-1] == "Апта: 28.09.2026 – 04.10.2026"
    assert [row.cells[2] for row in made.table("marks").rows] == ["Қалыптастырушы бағалау", "ТЖБ «1-тоқсан»"]
    assert [row.cells[2] for row in made.table("absences").rows] == ["ауырып келмеді", "кешікті"]
    assert [row.cells[3] for row in made.table("standing").rows] == ["иә", "жоқ"]
    title, body = weekly_message("ru", heading, marks, absences, standing)
    assert title == "Недельный отчёт: Абаев Ерлан, 28.09 – 04.10"
    assert "• 02.10 Математика, СОЧ «1-тоқсан»: 17 / 20" in body
    assert "Пропущено уроков: 1" in body  # the late arrival is not a missed lesson
    assert "• Казахский язык: 3" in body and "• Математика: 5" in body
