"""Working days: deadlines in Vietnamese administration count only working days.

A day is a working day when it is Monday–Friday, not a public holiday of the
`holidays` package's Vietnam calendar (which includes Tết and the official
swapped days), unless an official override in `WorkingDayOverride` says
otherwise (make-up Saturdays, provincial days off).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from .models import WorkingDayOverride


@lru_cache(maxsize=64)
def _package_calendar(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    calendar = holidays.country_holidays("VN", years=year)
    days_off = frozenset(calendar.keys())
    make_up = frozenset(
        day for day in getattr(calendar, "weekend_workdays", set()) if day.year == year
    )
    return days_off, make_up


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    return dict(
        WorkingDayOverride.objects.filter(date__range=(start, end)).values_list(
            "date", "is_working_day"
        )
    )


class WorkingCalendar:
    """A calendar over a date range with the overrides loaded once."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self._overrides = _overrides(start, end)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        days_off, make_up = _package_calendar(day.year)
        if day in make_up:
            return True
        if day.weekday() >= 5:
            return False
        return day not in days_off


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar(day, day).is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (before it when `days` is negative).

    The start day itself is not counted: a request received on a Friday with a
    5-working-day deadline is due the following Friday.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    # Tết can add up to nine days off in a row; a generous window keeps one query.
    span = dt.timedelta(days=remaining * 2 + 30)
    calendar = WorkingCalendar(start - span, start + span)
    day = start
    while remaining:
        day += dt.timedelta(days=step)
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if `end` is earlier)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    calendar = WorkingCalendar(low, high)
    count = 0
    day = low
    while day < high:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return sign * count
