"""The national school calendar, kept as data per school year."""

import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.calendar import (
    TERMS,
    CalendarUnknown,
    Holiday,
    Period,
    breaks,
    holidays,
    is_school_day,
    known_years,
    period_of,
    periods,
)

GRADES = range(1, 12)
DOMAIN_DIR = Path(__file__).resolve().parents[2] / "chalicelib" / "domain"


def test_2026_27_has_national_data():
    assert 2026 in known_years()


@pytest.mark.parametrize("grade", GRADES)
def test_the_2026_27_terms_half_years_and_year_follow_the_national_calendar(grade):
    assert periods(2026, grade) == [
        Period("T1", date(2026, 9, 1), date(2026, 10, 25)),
        Period("T2", date(2026, 11, 2), date(2026, 12, 27)),
        Period("T3", date(2027, 1, 11), date(2027, 3, 21)),
        Period("T4", date(2027, 3, 29), date(2027, 5, 25)),
        Period("H1", date(2026, 9, 1), date(2026, 12, 27)),
        Period("H2", date(2027, 1, 11), date(2027, 5, 25)),
        Period("Y", date(2026, 9, 1), date(2027, 5, 25)),
    ]


def test_grade_1_has_an_extra_february_break():
    common = [
        (date(2026, 10, 26), date(2026, 11, 1)),
        (date(2026, 12, 28), date(2027, 1, 10)),
        (date(2027, 3, 22), date(2027, 3, 28)),
    ]
    assert breaks(2026, 2) == common
    assert breaks(2026, 11) == common
    assert breaks(2026, 1) == sorted([*common, (date(2027, 2, 8), date(2027, 2, 14))])


def test_the_2026_27_public_holidays_with_kazakh_and_russian_names():
    found = holidays(2026)
    assert [h.date for h in found] == [
        date(2026, 10, 25),
        date(2026, 12, 16),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 7),
        date(2027, 3, 8),
        date(2027, 3, 21),
        date(2027, 3, 22),
        date(2027, 3, 23),
        date(2027, 5, 1),
        date(2027, 5, 7),
        date(2027, 5, 9),
        date(2027, 5, 16),
        date(2027, 7, 6),
        date(2027, 8, 30),
    ]
    by_date = {h.date: h for h in found}
    assert by_date[date(2026, 12, 16)].name == {"kk": "Тәуелсіздік күні", "ru": "День Независимости"}
    assert by_date[date(2027, 3, 22)].name["kk"] == "Наурыз мейрамы"


def test_kurban_ait_is_marked_as_an_estimate_until_the_decree():
    estimated = [h for h in holidays(2026) if h.estimate]
    assert estimated == [Holiday(date(2027, 5, 16), {"kk": "Құрбан айт", "ru": "Курбан айт"}, True)]


def test_changing_a_returned_holiday_does_not_change_the_national_list():
    holidays(2026)[0].name["kk"] = "changed"
    assert holidays(2026)[0].name["kk"] == "Республика күні"


@pytest.mark.parametrize(
    ("day", "grade", "school_day"),
    [
        (date(2026, 9, 1), 7, True),  # first day, a Tuesday
        (date(2026, 9, 5), 7, False),  # Saturday
        (date(2026, 9, 6), 7, False),  # Sunday
        (date(2026, 8, 31), 7, False),  # before the year
        (date(2026, 10, 28), 7, False),  # autumn break
        (date(2026, 12, 16), 7, False),  # Independence Day, a Wednesday
        (date(2027, 1, 11), 7, True),  # term 3 starts
        (date(2027, 2, 9), 1, False),  # grade 1's February break
        (date(2027, 2, 9), 2, True),
        (date(2027, 3, 8), 7, False),  # 8 March, a Monday
        (date(2027, 5, 7), 7, False),  # Defender of the Fatherland Day, a Friday
        (date(2027, 5, 25), 11, True),  # last day, a Tuesday
        (date(2027, 5, 26), 11, False),  # summer
    ],
)
def test_school_days(day, grade, school_day):
    assert is_school_day(day, 2026, grade) is school_day


def test_a_six_day_school_teaches_on_saturday_but_not_sunday():
    assert is_school_day(date(2026, 9, 5), 2026, 7, six_day_week=True)
    assert not is_school_day(date(2026, 9, 6), 2026, 7, six_day_week=True)
    assert not is_school_day(date(2026, 10, 31), 2026, 7, six_day_week=True)  # Saturday in a break


def test_a_schools_own_holiday_list_replaces_the_national_one():
    independence_day, extra_day_off = date(2026, 12, 16), date(2026, 12, 17)
    assert is_school_day(independence_day, 2026, 7, [])
    assert not is_school_day(extra_day_off, 2026, 7, [extra_day_off])
    assert not is_school_day(extra_day_off, 2026, 7, [Holiday(extra_day_off, {"kk": "", "ru": ""})])
    assert is_school_day(extra_day_off, 2026, 7, holidays(2026))


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2026, 8, 31), None),
        (date(2026, 9, 1), "T1"),
        (date(2026, 10, 25), "T1"),
        (date(2026, 10, 26), None),
        (date(2026, 11, 2), "T2"),
        (date(2027, 1, 5), None),
        (date(2027, 3, 21), "T3"),
        (date(2027, 3, 29), "T4"),
        (date(2027, 5, 25), "T4"),
        (date(2027, 6, 1), None),
    ],
)
def test_the_term_of_a_day(day, period):
    assert period_of(day, 2026, 7) == period


def test_grade_1s_february_break_lies_within_term_3():
    assert period_of(date(2027, 2, 10), 2026, 1) == "T3"


@pytest.mark.parametrize("year", [2019, 2099])
def test_a_year_without_data_is_unknown(year):
    with pytest.raises(CalendarUnknown, match=str(year)):
        periods(year, 7)
    with pytest.raises(CalendarUnknown):
        holidays(year)
    with pytest.raises(CalendarUnknown):
        is_school_day(date(year, 10, 1), year, 7)


@pytest.mark.parametrize("grade", [0, 12, -1])
def test_a_grade_outside_1_to_11_is_unknown(grade):
    with pytest.raises(CalendarUnknown, match="grade"):
        periods(2026, grade)
    with pytest.raises(CalendarUnknown):
        breaks(2026, grade)
    with pytest.raises(CalendarUnknown):
        period_of(date(2026, 9, 1), 2026, grade)


@pytest.mark.parametrize("year", known_years())
def test_every_year_file_is_consistent(year):
    """Terms in order; each gap between terms is exactly a break; holidays inside the school year."""
    for grade in GRADES:
        found = periods(year, grade)
        terms = found[:4]
        assert [p.code for p in terms] == list(TERMS)
        assert terms[0].start >= date(year, 9, 1) and terms[-1].end <= date(year + 1, 8, 31)
        assert all(t.start <= t.end for t in terms)
        between = [(a.end + timedelta(days=1), b.start - timedelta(days=1)) for a, b in zip(terms, terms[1:])]
        in_terms = [b for b in breaks(year, grade) if any(b[0] in t and b[1] in t for t in terms)]
        assert sorted([*between, *in_terms]) == breaks(year, grade)
    for holiday in holidays(year):
        assert date(year, 9, 1) <= holiday.date <= date(year + 1, 8, 31)
        assert set(holiday.name) == {"kk", "ru"} and all(holiday.name.values())


@given(st.dates(min_value=date(2026, 8, 1), max_value=date(2027, 9, 30)), st.sampled_from(GRADES))
def test_a_school_day_is_a_weekday_in_a_term_that_is_no_holiday(day, grade):
    five_day = is_school_day(day, 2026, grade)
    six_day = is_school_day(day, 2026, grade, six_day_week=True)
    assert not five_day or six_day
    if six_day:
        assert day.weekday() < 6
        assert period_of(day, 2026, grade) is not None
        assert day not in {h.date for h in holidays(2026)}
        assert not any(start <= day <= end for start, end in breaks(2026, grade))


def test_the_calendar_loads_from_inside_a_zip(tmp_path):
    """A Lambda package is a zip: the data must be read as package resources, not from the file system."""
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("chalicelib/__init__.py", "")
        for path in DOMAIN_DIR.rglob("*"):
            if path.is_file() and path.suffix in {".py", ".json"}:
                zipped.write(path, f"chalicelib/domain/{path.relative_to(DOMAIN_DIR).as_posix()}")
    script = (
        "from chalicelib.domain import calendar; "
        "assert calendar.__file__.startswith(%r); "
        "print(2026 in calendar.known_years(), calendar.periods(2026, 1)[0].end)" % str(archive)
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(archive)!r}); {script}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 2026-10-25"
