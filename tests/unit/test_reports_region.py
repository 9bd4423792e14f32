"""Region and national reports: aggregates only, small cells hidden, schools without figures named."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

from chalicelib.domain.notices import Names
from chalicelib.domain.reports import SUPPRESSED, Punctuality, SchoolRollup, SheetHeading, Tally
from chalicelib.domain.reports import national_report, region_report

HEADING = SheetHeading(None, "", 2026, "T2", "2026-12-20T03:00:00.000+05:00", final=False)
BIG = Tally(40, {"excellent": 6, "good": 14, "with_3": 15, "with_2": 3, "not_assessed": 0},
            {"5": 100, "4": 150, "3": 120, "2": 5}, {"absent": 30, "excused": 10, "late": 4})
SMALL = Tally(4, {"good": 2, "with_3": 2}, {"4": 8, "3": 6}, {"ill": 2})


def rollups() -> list[SchoolRollup]:
    return [SchoolRollup("s1", Names("Абай атындағы мектеп", "Школа имени Абая"), "abai", BIG,
                         Punctuality(date(2026, 12, 19), 200, 150)),
            SchoolRollup("s2", Names("Ауыл мектебі", "Сельская школа"), "abai", SMALL),
            SchoolRollup("s3", Names("Жаңа мектеп", "Новая школа"), "abai", None)]


def test_a_region_report_hides_what_stands_on_fewer_than_5_pupils() -> None:
    report = region_report("kk", HEADING, "abai", rollups())
    table = report.table("schools")
    rows = {row.cells[0]: dict(zip([c.key for c in table.columns], row.cells)) for row in table.rows}
    big = rows["Абай атындағы мектеп"]
    # 3 pupils with a "2" are hidden, and so is the smallest other count (6 excellent), or 38 - 14 - 15 - 0
    # would give the 3 away
    assert [big[k] for k in ("pupils", "assessed", "excellent", "good", "with_3", "with_2", "not_assessed")] == [
        40, 38, SUPPRESSED, 14, 15, SUPPRESSED, 0]
    assert big["pass_rate"] == Fraction(100 * 35, 38) and big["on_time"] == 75
    small = rows["Ауыл мектебі"]
    assert {small[k] for k in ("pupils", "assessed", "good", "with_3", "pass_rate", "quality", "sou", "average",
                               "missed_per_pupil")} == {SUPPRESSED}
    assert rows["Жаңа мектеп"]["pupils"] is None
    total = rows["Барлығы"]
    assert total["schools"] == 3 and total["pupils"] == 44 and total["assessed"] == 42
    assert report.lines[0] == "Өңір: Абай облысы"
    assert report.table("schools").notes[-1] == "Деректері жоқ мектептер: Жаңа мектеп."


def test_a_region_report_names_no_pupil() -> None:
    report = region_report("ru", HEADING, "abai", rollups())
    texts = {cell for table in report.tables for row in table.rows for cell in row.cells if isinstance(cell, str)}
    assert texts <= {"Школа имени Абая", "Сельская школа", "Новая школа", "Итого", "n<5"}


def test_the_national_report_has_a_row_per_region_and_the_country() -> None:
    report = national_report("ru", HEADING, {"abai": rollups(), "astana": [
        SchoolRollup("s9", Names("№9", "№9"), "astana", BIG)]})
    rows = [row.cells for row in report.table("regions").rows]
    assert [r[0] for r in rows] == ["Абайская область", "город Астана", "Итого"]
    assert rows[-1][1:4] == (4, 84, 80)
