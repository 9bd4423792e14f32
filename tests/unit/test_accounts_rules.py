"""Account rules: usernames, new passwords, one-time codes."""
from __future__ import annotations

from hypothesis import given, strategies as st

from chalicelib.domain.accounts import MAX_PASSWORD, MIN_PASSWORD, check_password, check_username, new_code


def test_usernames_follow_the_rosters_rule() -> None:
    assert check_username("ali.khan-2_b") == []
    for bad in ("ab", "Ali", "әли", "a b", "x" * 65, ""):
        assert [e.field for e in check_username(bad)] == ["username"], bad


@given(st.text(min_size=MIN_PASSWORD, max_size=MAX_PASSWORD).filter(lambda p: p.strip() and p.strip() != "teacher1"))
def test_any_long_enough_password_that_is_not_the_username_is_taken(password: str) -> None:
    assert check_password(password, "teacher1") == []


def test_refused_passwords_never_repeat_the_password() -> None:
    for bad in ("short", " " * 12, "x" * (MAX_PASSWORD + 1), "Teacher1", " teacher1 "):
        errors = check_password(bad, "teacher1", "new_password")
        assert [e.field for e in errors] == ["new_password"], bad
        assert bad.strip() not in errors[0].message or not bad.strip()


def test_one_time_codes_are_ten_unambiguous_characters_and_differ() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and not set(c) & set("01OIL") for c in codes)
