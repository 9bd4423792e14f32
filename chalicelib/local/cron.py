"""EventBridge schedule expressions, `rate(...)` and `cron(...)`, and the next time each one fires.

Times are UTC, as in AWS. `cron(minutes hours day-of-month month day-of-week year)` accepts what EventBridge
accepts: `*`, lists `a,b`, ranges `a-b`, steps `a/n`, `a-b/n`, `*/n`, month names JAN-DEC, weekday names SUN-SAT
(1 = SUN ... 7 = SAT), `?` in exactly one of the two day fields, `L` (last day of the month), `nW` (the weekday
nearest to day n) and `LW` in the day of the month, `L` (Saturday), `nL` (the last n-day of the month) and `n#k`
(the k-th n-day) in the day of the week.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

__all__ = ["Cron", "InvalidSchedule", "Rate", "Schedule", "parse_schedule"]

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_LAST_YEAR = 2199
_RATE = re.compile(r"rate\((\d+) (minutes?|hours?|days?)\)")
_CRON = re.compile(r"cron\(([^()]*)\)")
_STEP = re.compile(r"(\*|\w+)(?:-(\w+))?(?:/(\d+))?")

DayRule = Callable[[date], bool]


class InvalidSchedule(ValueError):
    """The expression is not one EventBridge would accept."""


@dataclass(frozen=True, slots=True)
class Rate:
    """`rate(n unit)`: every `every`, counted from when the schedule starts."""

    every: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.every


@dataclass(frozen=True, slots=True)
class Cron:
    """`cron(...)`: the minutes whose UTC time matches every field."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: frozenset[int]
    day_rules: tuple[DayRule, ...]  # a day matches when any rule does

    def next_after(self, moment: datetime) -> datetime | None:
        """The first matching minute strictly after `moment` (naive means UTC); None when there is none left."""
        moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= _LAST_YEAR:
            if day.year not in self.years:
                day = date(day.year + 1, 1, 1)
            elif day.month not in self.months:
                day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            elif any(rule(day) for rule in self.day_rules):
                found = self._time_on(day, start)
                if found is not None:
                    return found
                day += timedelta(days=1)
            else:
                day += timedelta(days=1)
        return None

    def _time_on(self, day: date, start: datetime) -> datetime | None:
        for hour in self.hours:
            for minute in self.minutes:
                candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                if candidate >= start:
                    return candidate
        return None


Schedule = Rate | Cron


def parse_schedule(expression: str) -> Schedule:
    """Read `rate(...)` or `cron(...)`; raises InvalidSchedule saying what is wrong."""
    text = expression.strip()
    if rate := _RATE.fullmatch(text):
        return _rate(int(rate[1]), rate[2])
    if cron := _CRON.fullmatch(text):
        return _cron(cron[1].split())
    raise InvalidSchedule(f"not a rate(...) or cron(...) expression: {expression!r}")


def _rate(value: int, unit: str) -> Rate:
    if value < 1:
        raise InvalidSchedule("a rate needs a positive value")
    if (value == 1) != (not unit.endswith("s")):
        raise InvalidSchedule("a rate of 1 takes a singular unit, any other value a plural one")
    return Rate(timedelta(**{unit.rstrip("s") + "s": value}))


def _cron(fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise InvalidSchedule("cron(...) takes six fields: minutes hours day-of-month month day-of-week year")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise InvalidSchedule("exactly one of day-of-month and day-of-week must be '?'")
    day_rules = _day_of_month(day_of_month) if day_of_week == "?" else _day_of_week(day_of_week)
    return Cron(minutes=tuple(sorted(_values(minutes, 0, 59, "minutes"))),
                hours=tuple(sorted(_values(hours, 0, 23, "hours"))),
                months=frozenset(_values(month, 1, 12, "month", _MONTHS)),
                years=frozenset(_values(year, 1970, _LAST_YEAR, "year")),
                day_rules=day_rules)


def _values(field: str, low: int, high: int, name: str, names: tuple[str, ...] = ()) -> set[int]:
    """The numbers a plain field (no L, W or #) selects."""
    chosen: set[int] = set()
    for item in field.split(","):
        match = _STEP.fullmatch(item.upper())
        if not match:
            raise InvalidSchedule(f"{name}: cannot read {item!r}")
        first, last, step = match.groups()
        if first == "*":
            if last is not None:
                raise InvalidSchedule(f"{name}: '*' cannot start a range")
            start, end = low, high
        else:
            start = _number(first, low, high, name, names)
            end = _number(last, low, high, name, names) if last else (high if step else start)
        if start > end:
            raise InvalidSchedule(f"{name}: the range {item!r} runs backwards")
        if step is not None and int(step) < 1:
            raise InvalidSchedule(f"{name}: a step must be positive")
        chosen.update(range(start, end + 1, int(step) if step else 1))
    return chosen


def _number(token: str, low: int, high: int, name: str, names: tuple[str, ...]) -> int:
    if token in names:
        return names.index(token) + low
    if not token.isdigit() or not low <= int(token) <= high:
        raise InvalidSchedule(f"{name}: {token!r} is not in {low}..{high}")
    return int(token)


def _day_of_month(field: str) -> tuple[DayRule, ...]:
    rules: list[DayRule] = []
    plain: list[str] = []
    for item in field.upper().split(","):
        if item == "L":
            rules.append(lambda d: d.day == _month_length(d))
        elif item == "LW":
            rules.append(lambda d: d == _nearest_weekday(d.replace(day=_month_length(d))))
        elif item.endswith("W"):
            day = _number(item[:-1], 1, 31, "day-of-month", ())
            rules.append(lambda d, n=day: n <= _month_length(d) and d == _nearest_weekday(d.replace(day=n)))
        else:
            plain.append(item)
    if plain:
        days = frozenset(_values(",".join(plain), 1, 31, "day-of-month"))
        rules.append(lambda d: d.day in days)
    return tuple(rules)


def _day_of_week(field: str) -> tuple[DayRule, ...]:
    rules: list[DayRule] = []
    plain: list[str] = []
    for item in field.upper().split(","):
        if item == "L":
            plain.append("7")
        elif item.endswith("L"):
            weekday = _number(item[:-1], 1, 7, "day-of-week", _WEEKDAYS)
            rules.append(lambda d, w=weekday: _weekday(d) == w and d.day + 7 > _month_length(d))
        elif "#" in item:
            day, _, nth = item.partition("#")
            weekday = _number(day, 1, 7, "day-of-week", _WEEKDAYS)
            k = _number(nth, 1, 5, "day-of-week", ())
            rules.append(lambda d, w=weekday, k=k: _weekday(d) == w and (d.day - 1) // 7 + 1 == k)
        else:
            plain.append(item)
    if plain:
        weekdays = frozenset(_values(",".join(plain), 1, 7, "day-of-week", _WEEKDAYS))
        rules.append(lambda d: _weekday(d) in weekdays)
    return tuple(rules)


def _weekday(day: date) -> int:
    """EventBridge numbering: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _month_length(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: date) -> date:
    """The Monday-to-Friday day nearest to `day` without leaving its month."""
    if day.weekday() == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return day - timedelta(days=1) if day.day > 1 else day + timedelta(days=2)
    if day.weekday() == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return day + timedelta(days=1) if day.day < _month_length(day) else day - timedelta(days=2)
    return day
