"""Ids: decimal strings of positive 63-bit integers, ordered by creation time."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import ids
from chalicelib.domain.ids import EPOCH_MS, MAX_ID, InvalidId, id_time, is_id, new_id

HUNDRED_YEARS_MS = int(timedelta(days=366 * 100).total_seconds() * 1000)
MOMENTS_MS = st.integers(min_value=EPOCH_MS, max_value=EPOCH_MS + HUNDRED_YEARS_MS)


def test_a_new_id_is_a_positive_63_bit_decimal_string():
    id_ = new_id()
    assert is_id(id_)
    assert 0 < int(id_) <= MAX_ID == 2**63 - 1


def test_a_new_id_tells_when_it_was_made():
    before_ms = time.time_ns() // 1_000_000
    made = id_time(new_id())
    after_ms = time.time_ns() // 1_000_000
    assert made.utcoffset() == timedelta(hours=5)
    made_ms = (made - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert before_ms <= made_ms <= after_ms


def test_ids_keep_working_for_more_than_a_hundred_years():
    id_ = new_id(EPOCH_MS + HUNDRED_YEARS_MS)
    assert is_id(id_)
    assert id_time(id_).year == 2124


def test_the_first_millisecond_of_the_epoch_never_gives_id_zero(monkeypatch):
    monkeypatch.setattr(ids.secrets, "randbelow", lambda _: 0)
    assert new_id(EPOCH_MS) == "1"


def test_a_moment_before_the_epoch_is_refused():
    with pytest.raises(InvalidId):
        new_id(EPOCH_MS - 1)


def test_ids_made_in_the_same_millisecond_carry_random_low_bits():
    assert len({new_id(EPOCH_MS + 1) for _ in range(50)}) > 1


@given(MOMENTS_MS, MOMENTS_MS)
def test_an_id_from_a_later_millisecond_is_greater(a_ms, b_ms):
    if a_ms != b_ms:
        assert (int(new_id(a_ms)) < int(new_id(b_ms))) == (a_ms < b_ms)


@given(MOMENTS_MS)
def test_an_id_is_in_range_and_reads_back_to_its_millisecond(now_ms):
    id_ = new_id(now_ms)
    assert is_id(id_)
    assert 0 < int(id_) < 2**63
    assert str(int(id_)) == id_
    assert id_time(id_) == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=now_ms)


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_positive_63_bit_number_is_an_id(number):
    assert is_id(str(number))


@given(st.integers(min_value=-(2**70), max_value=0) | st.integers(min_value=2**63, max_value=2**70))
def test_numbers_outside_one_to_two_to_the_63_minus_one_are_not_ids(number):
    assert not is_id(str(number))


@pytest.mark.parametrize(
    "text",
    ["", "0", "007", "+7", "-7", " 7", "7 ", "7.0", "1e3", "٣", "７", "9223372036854775808", "abc"],
)
def test_texts_that_are_not_canonical_positive_decimals_are_not_ids(text):
    assert not is_id(text)


@pytest.mark.parametrize("value", [7, None, 7.0, b"7"])
def test_values_that_are_not_text_are_not_ids(value):
    assert not is_id(value)


def test_the_time_of_a_non_id_is_refused():
    with pytest.raises(InvalidId):
        id_time("0")
    assert issubclass(InvalidId, ValueError)
