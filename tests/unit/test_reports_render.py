"""Report files: CSV as the contract says, formula-like text escaped in CSV and XLSX, PDFs whose Kazakh letters
are real text in an embedded font, PNG charts."""
from __future__ import annotations

import io
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from chalicelib.domain.notices import Names
from chalicelib.domain.reports import (
    SUPPRESSED, Chart, Column, Kind, LiveResult, Pupil, Report, Row, Series, SheetHeading, SubjectResults, Table,
    class_sheet,
)
from chalicelib.jobs.reports.render import as_csv, as_pdf, as_xlsx, render  # noqa: F401  (libraries load here)
from chalicelib.jobs.reports.render.charts import HEIGHT, WIDTH, chart_png

KAZAKH_LETTERS = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
PUPILS = [Pupil("1", "Әбілқасымова", "Ғалия"), Pupil("2", "Қасымов", "Ңұрлан"), Pupil("3", "Өмірзақ", "Ұлжан"),
          Pupil("4", "Үсенов", "Һақназар"), Pupil("5", "Іскаков", "Ілияс"), Pupil("6", "=HYPERLINK(1)", "-2+3"),
          Pupil("7", "һәм", "өңүұқғі")]
MATH = SubjectResults("math", Names("Математика", "Математика"), {
    "1": LiveResult(Fraction(6449, 100), 3), "2": LiveResult(Fraction(200, 3), 4), "3": LiveResult(None, "exempt"),
    "4": LiveResult(Fraction(39), 2), "6": LiveResult(None, "not_assessed")})
ART = SubjectResults("@art", Names("Бейнелеу өнері", "ИЗО"), {"1": LiveResult(None, "pass")})


def sheet(language: str = "kk") -> Report:
    heading = SheetHeading(Names("Һ. Қожахметов атындағы мектеп", "Школа имени Һ. Кожахметова"), "7Ә", 2026, "T1",
                           None, final=True)
    return class_sheet(language, heading, PUPILS, [MATH, ART], {"1": {"absent": 1}})


def test_the_class_sheet_csv_is_utf8_comma_separated_with_point_decimals_and_escaped_formulas() -> None:
    text = render(sheet(), "csv").data.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "last_name,first_name,math_percent,math_mark,'@art_percent,'@art_mark"
    assert "'=HYPERLINK(1),'-2+3,,not_assessed,," in lines
    assert "Әбілқасымова,Ғалия,64.49,3,,pass" in lines
    assert "Қасымов,Ңұрлан,66.666666,4,," in lines  # unrounded, cut to 6 decimals, never rounded up
    assert "Үсенов,Һақназар,39,2,," in lines and text.endswith("\r\n")


def test_xlsx_keeps_formula_like_text_as_text_and_figures_as_numbers() -> None:
    book = load_workbook(io.BytesIO(render(sheet("ru"), "xlsx").data))
    rows = {row[1].value: row for row in book["sheet"].iter_rows()}
    escaped, plain = rows["-2+3"], rows["Ғалия"]
    assert (escaped[0].value, escaped[0].data_type, escaped[0].quotePrefix) == ("=HYPERLINK(1)", "s", True)
    assert escaped[3].value == "н/а"
    assert plain[2].value == 64.49 and plain[2].number_format == "0.00" and plain[3].value == 3
    assert plain[5].value == "зач."
    assert book["sheet"]["A1"].value == "Сводная ведомость"


@pytest.fixture(scope="module")
def reader() -> PdfReader:
    """The class sheet's pupils and marks as a PDF, read back (rendered once; the whole class sheet, with its
    statistics and chart, is read back in tests/integration/test_reports.py)."""
    whole = sheet()
    return PdfReader(io.BytesIO(render(Report("class_sheet", "kk", whole.title, whole.lines, whole.tables[:1]),
                                       "pdf").data))


def test_a_pdf_holds_every_kazakh_letter_as_text(reader: PdfReader) -> None:
    text = "".join(page.extract_text() for page in reader.pages)
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter
    assert "\ufffd" not in text and "□" not in text
    assert reader.metadata.title == "Жиынтық ведомость"


def test_a_pdf_embeds_its_font(reader: PdfReader) -> None:
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    descriptors = [f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object() for f in fonts]
    assert descriptors and all("/FontFile2" in d for d in descriptors)  # TrueType, embedded


def test_suppressed_cells_read_n_less_than_5_everywhere() -> None:
    report = Report("region", "ru", "Региональный отчёт", (), (Table("schools", "Школы", (
        Column("school", "Школа"), Column("pupils", "Учащиеся", Kind.COUNT),
        Column("quality", "Качество знаний, %", Kind.PERCENT)), (Row(("Школа №1", SUPPRESSED, SUPPRESSED)),)),))
    assert render(report, "csv").data.decode().split("\r\n")[1] == "Школа №1,n<5,n<5"
    book = load_workbook(io.BytesIO(render(report, "xlsx").data))
    assert [c.value for c in list(book["schools"].iter_rows())[-1]] == ["Школа №1", "n<5", "n<5"]
    assert "n<5" in PdfReader(io.BytesIO(render(report, "pdf").data)).pages[0].extract_text()


@pytest.mark.parametrize("lines, stacked", [(False, True), (False, False), (True, False)])
def test_charts_are_png_pictures(lines: bool, stacked: bool) -> None:
    chart = Chart("Бағалардың бөлінуі, %", ("Математика", "Қазақ тілі", "Ағылшын тілі өте ұзын атау"),
                  (Series("5", (40.0, None, 10.0)), Series("4", (60.0, 20.0, 90.0))), lines=lines, stacked=stacked)
    picture = Image.open(io.BytesIO(chart_png(chart)))
    assert picture.format == "PNG" and picture.size == (WIDTH, HEIGHT)


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(ValueError):
        render(sheet(), "docx")
