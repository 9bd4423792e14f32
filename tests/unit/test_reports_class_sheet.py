"""The class sheet and the school report as data: hand-computed figures, edge cases, both languages."""
from __future__ import annotations

from fractions import Fraction

from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    ClassResults, LiveResult, Pupil, SheetHeading, SubjectResults, class_sheet, school_report, school_tally,
)

SCHOOL = Names("№1 мектеп", "Школа №1")
PUPILS = [Pupil("p1", "Әлиев", "Нұрлан"), Pupil("p2", "Абаев", "Ерлан"), Pupil("p3", "Бекова", "Айша"),
          Pupil("p4", "Ғалымова", "Аружан"), Pupil("p5", "Іскаков", "Мирас")]
MATH = SubjectResults("math", Names("Математика", "Математика"), {
    "p1": LiveResult(Fraction(8449, 100), 4), "p2": LiveResult(Fraction(95), 5), "p3": LiveResult(None, "exempt"),
    "p4": LiveResult(Fraction(30), 2), "p5": LiveResult(None, "not_assessed")})
KAZAKH = SubjectResults("kaz", Names("Қазақ тілі", "Казахский язык"), {
    "p1": LiveResult(Fraction(70), 4), "p2": LiveResult(Fraction(86), 5), "p4": LiveResult(Fraction(50), 3)})


def heading(final: bool = False) -> SheetHeading:
    return SheetHeading(SCHOOL, "7Ә", 2026, "T1", "2026-10-05T09:30:00.000+05:00", final)


def test_the_sheet_lists_pupils_alphabetically_with_each_subjects_percent_and_mark() -> None:
    report = class_sheet("kk", heading(), PUPILS, [MATH, KAZAKH], {"p2": {"absent": 1, "ill": 2, "late": 3}})
    sheet = report.table("sheet")
    assert [c.key for c in sheet.columns if c.in_csv] == ["last_name", "first_name", "math_percent", "math_mark",
                                                          "kaz_percent", "kaz_mark"]
    assert sheet.column("last_name") == ["Абаев", "Әлиев", "Бекова", "Ғалымова", "Іскаков"]  # А Ә Б Ғ І
    assert sheet.column("math_percent") == [95, Fraction(8449, 100), None, 30, None]
    assert sheet.column("math_mark") == [5, 4, "exempt", 2, "not_assessed"]
    assert sheet.column("average") == [5, 4, None, Fraction(5, 2), None]
    assert sheet.column("missed") == [3, 0, 0, 0, 0]  # absent + ill; late is not missed


def test_subject_statistics_follow_section_8_with_exempt_out_and_not_assessed_in() -> None:
    report = class_sheet("ru", heading(), PUPILS, [MATH, KAZAKH], {})
    stats = {row.cells[0]: row.cells[1:] for row in report.table("statistics").rows}
    # maths: N = 4 (5, 4, 2, not assessed; the exempt pupil is outside N)
    assert stats["Математика"] == (4, 1, 1, 0, 1, 1, 50, 50, Fraction(100 + 64 + 16 + 7, 4), Fraction(11, 3))
    assert stats["Казахский язык"] == (3, 1, 1, 1, 0, 0, 100, Fraction(200, 3), Fraction(200, 3), 4)
    assert stats["Итого"][0] == 7 and stats["Итого"][6] == Fraction(500, 7)  # no 2, no n/a: 5 of 7


def test_an_empty_class_and_a_subject_without_marks_give_no_figures() -> None:
    report = class_sheet("kk", heading(), [], [SubjectResults("art", Names("Бейнелеу", "ИЗО"), {})], {})
    assert report.table("sheet").rows == ()
    assert report.table("statistics").rows[0].cells == ("Бейнелеу", 0, 0, 0, 0, 0, 0, None, None, None, None)
    assert report.charts[0].series[0].values == (None,)


def test_headings_are_in_the_language_asked_and_say_when_marks_are_live() -> None:
    kk = class_sheet("kk", heading(), PUPILS, [MATH], {})
    ru = class_sheet("ru", heading(final=True), PUPILS, [MATH], {})
    assert kk.title == "Жиынтық ведомость" and ru.title == "Сводная ведомость"
    assert kk.lines == ("Мектеп: №1 мектеп", "Сынып: 7Ә", "Кезең: 1-тоқсан, 2026–2027 оқу жылы",
                        "Деректер уақыты: 05.10.2026 09:30", "Кезең әлі жабылмаған: бағалар ағымдағы (алдын ала).")
    assert ru.lines[-1] == "Данные на: 05.10.2026 09:30"  # final marks: no "live" line
    assert [c.title for c in ru.table("statistics").columns][7:] == ["Успеваемость, %", "Качество знаний, %",
                                                                      "СОУ, %", "Средний балл"]


def test_the_school_report_adds_classes_into_grades_and_lists_pupils_with_a_2() -> None:
    seventh = ClassResults("c1", 7, "Ә", PUPILS, {"p1": {"math": 4, "kaz": 4}, "p2": {"math": 5, "kaz": 5},
                                                  "p3": {"math": "exempt"}, "p4": {"math": 2, "kaz": 3},
                                                  "p5": {"math": "not_assessed"}}, {"p1": {"absent": 2}})
    other = ClassResults("c2", 7, "А", [Pupil("q1", "Жанова", "Томирис")], {"q1": {"math": 5}}, {})
    first = ClassResults("c3", 1, "А", [Pupil("r1", "Омаров", "Али")], {"r1": {}}, {})
    subjects = {"math": Names("Математика", "Математика"), "kaz": Names("Қазақ тілі", "Казахский язык")}
    report = school_report("kk", heading(), [seventh, other, first], subjects)
    rows = {row.cells[0]: row.cells[1:12] for row in report.table("classes").rows}
    assert list(rows) == ["1А", "1-сыныптар", "7А", "7Ә", "7-сыныптар", "Барлығы"]
    # 7Ә: 5 pupils, N 4 (the exempt pupil has no mark): excellent p2, good p1, with a 2 p4, not assessed p5
    assert rows["7Ә"] == (5, 4, 1, 1, 0, 1, 1, 50, 50, Fraction(2 * 64 + 2 * 100 + 36 + 16 + 7, 7),
                          Fraction(4 + 4 + 5 + 5 + 2 + 3, 6))
    assert rows["7-сыныптар"][:3] == (6, 5, 2) and rows["Барлығы"][:2] == (7, 5)
    failing = [row.cells for row in report.table("failing").rows]
    assert failing == [("7Ә", "Ғалымова", "Аружан", "Математика", ""), ("7Ә", "Іскаков", "Мирас", "", "Математика")]
    assert school_tally([seventh, other, first]).missed == 2
