"""Dates and timestamps at Kazakhstan's single offset, UTC+5."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.dates import (
    KZ_TZ,
    InvalidDate,
    now_kz,
    parse_date,
    parse_timestamp,
    school_year_of,
    to_rfc3339,
    today_kz,
)


def test_the_country_is_at_a_fixed_plus_five_offset_all_year():
    for moment in (datetime(2026, 1, 15), datetime(2026, 7, 15)):
        assert moment.replace(tzinfo=KZ_TZ).utcoffset() == timedelta(hours=5)


def test_now_and_today_are_at_plus_five():
    before = datetime.now(UTC)
    now = now_kz()
    after = datetime.now(UTC)
    assert now.utcoffset() == timedelta(hours=5)
    assert before <= now <= after
    assert today_kz() in {before.astimezone(KZ_TZ).date(), after.astimezone(KZ_TZ).date()}


def test_a_moment_is_written_at_plus_five_whatever_zone_it_came_in():
    assert to_rfc3339(datetime(2026, 9, 1, 3, 0, tzinfo=UTC)) == "2026-09-01T08:00:00.000+05:00"
    assert to_rfc3339(datetime(2026, 12, 31, 21, 30, 15, 123456, tzinfo=UTC)) == (
        "2027-01-01T02:30:15.123+05:00"
    )


def test_precision_can_be_chosen():
    moment = datetime(2026, 9, 1, 8, 0, 0, 500_000, tzinfo=KZ_TZ)
    assert to_rfc3339(moment, timespec="seconds") == "2026-09-01T08:00:00+05:00"


def test_a_moment_without_a_zone_is_refused():
    with pytest.raises(InvalidDate, match="time zone"):
        to_rfc3339(datetime(2026, 9, 1, 8, 0))


def test_a_calendar_date_is_read_strictly():
    assert parse_date("2026-09-01") == date(2026, 9, 1)
    assert parse_date("2028-02-29") == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "2026-9-1",
        "01.09.2026",
        "2026-09-01T00:00:00",
        " 2026-09-01",
        "2026-09-01\n",
        "２０２６-09-01",  # full-width digits
        "20260901",
        "",
    ],
)
def test_anything_but_yyyy_mm_dd_is_refused_with_a_clear_message(text):
    with pytest.raises(InvalidDate, match="YYYY-MM-DD"):
        parse_date(text)


@pytest.mark.parametrize("text", ["2026-02-29", "2026-13-01", "2026-04-31", "2026-00-10"])
def test_a_date_that_does_not_exist_is_refused(text):
    with pytest.raises(InvalidDate, match="no such calendar date"):
        parse_date(text)


@pytest.mark.parametrize("value", [None, 20260901, date(2026, 9, 1)])
def test_a_value_that_is_not_text_is_refused_as_a_bad_date(value):
    with pytest.raises(InvalidDate):
        parse_date(value)


def test_a_bad_date_is_a_value_error():
    assert issubclass(InvalidDate, ValueError)


def test_a_timestamp_with_an_offset_is_read_at_plus_five():
    assert parse_timestamp("2026-09-01T03:00:00Z") == datetime(2026, 9, 1, 8, 0, tzinfo=KZ_TZ)
    parsed = parse_timestamp("2026-09-01T08:00:00.250+05:00")
    assert parsed.utcoffset() == timedelta(hours=5)
    assert parsed.microsecond == 250_000


@pytest.mark.parametrize(
    "text", ["2026-09-01T08:00:00", "2026-09-01", "2026-09-01 08:00:00+05:00", "2026-09-01T25:00:00Z"]
)
def test_a_timestamp_without_offset_or_out_of_range_is_refused(text):
    with pytest.raises(InvalidDate):
        parse_timestamp(text)


_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))


@given(_MOMENTS)
def test_a_written_timestamp_reads_back_to_the_same_millisecond(moment):
    text = to_rfc3339(moment)
    assert text.endswith("+05:00")
    assert parse_timestamp(text) == moment


@given(_MOMENTS, _MOMENTS)
def test_written_timestamps_sort_like_the_moments(a, b):
    assert (to_rfc3339(a) < to_rfc3339(b)) == (a < b)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 9, 1), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 8, 31), 2026),
        (date(2026, 8, 31), 2025),
    ],
)
def test_a_school_year_is_named_by_the_year_it_starts_in(day, year):
    assert school_year_of(day) == year


@given(st.dates(min_value=date(1901, 1, 1)))
def test_every_day_lies_between_its_school_years_first_of_september_and_next_31_august(day):
    year = school_year_of(day)
    assert date(year, 9, 1) <= day <= date(year + 1, 8, 31)
