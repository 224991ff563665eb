"""The periods of a task's schedule and the deadline in each.

A one-off task has one period (label ""); a recurring task has one per
calendar year, half-year, quarter or month between `starts_on` and `ends_on`.
An open-ended recurring task runs up to the period after today's, so that
organisations see the next deadline before the current one passes; the daily
sync adds the following period when its turn comes.

Deadlines: a yearly task is due on `due_month`/`due_day` of its year (15/11
for the annual report); half-yearly, quarterly and monthly tasks on `due_day`
of the period's last month, or on the period's last day. When the task counts
working days (`due_working_days`), the deadline is that many working days
after the day before the period starts, on the official calendar (Tết,
swapped days and make-up Saturdays included). A day that the month does not
have (31 of a quarter ending in June) is moved back to the month's last day; a
yearly date that no year has (31/02, 31/04) is refused when the task is saved,
and 29/02 is the 28th in other years. A period whose deadline falls before the
task's start is skipped: the task's first deadline is never already past when it
begins.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone

from congvu.core.calendar import add_working_days

from .models import Schedule

MONTHS_PER_PERIOD = {
    Schedule.YEARLY: 12,
    Schedule.HALF_YEARLY: 6,
    Schedule.QUARTERLY: 3,
    Schedule.MONTHLY: 1,
}


class Scheduled(Protocol):
    """The schedule fields of a `Task` (an unsaved task or a form's data will do)."""

    schedule: str
    starts_on: dt.date
    ends_on: dt.date | None
    due_on: dt.date | None
    due_month: int | None
    due_day: int | None
    due_working_days: int | None


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date
    due_on: dt.date


def clamp_day(year: int, month: int, day: int) -> dt.date:
    """`day` of the month, or the month's last day when the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _label(schedule: str, start: dt.date) -> str:
    if schedule == Schedule.YEARLY:
        return str(start.year)
    if schedule == Schedule.HALF_YEARLY:
        return f"{start.year}-H{1 if start.month <= 6 else 2}"
    if schedule == Schedule.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def bounds(schedule: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the recurring period that contains `day`."""
    size = MONTHS_PER_PERIOD[Schedule(schedule)]
    first_month = (day.month - 1) // size * size + 1
    last_month = first_month + size - 1
    return dt.date(day.year, first_month, 1), month_end(day.year, last_month)


def label_for(schedule: str, day: dt.date) -> str:
    """The label of the period containing `day` ("" for a one-off task)."""
    if schedule == Schedule.ONCE:
        return ""
    return _label(schedule, bounds(schedule, day)[0])


def _due(task: Scheduled, start: dt.date, end: dt.date) -> dt.date:
    if task.due_working_days:
        return add_working_days(start - dt.timedelta(days=1), task.due_working_days)
    if task.schedule == Schedule.YEARLY:
        return clamp_day(start.year, task.due_month or 12, task.due_day or 31)
    if task.due_day:
        return clamp_day(end.year, end.month, task.due_day)
    return end


def _once(task: Scheduled) -> Period:
    start = task.starts_on
    if task.due_working_days:
        due = add_working_days(start - dt.timedelta(days=1), task.due_working_days)
    elif task.due_on is not None:
        due = task.due_on
    elif task.ends_on is not None:
        due = task.ends_on
    else:
        raise ValueError("a one-off task needs due_on, due_working_days or ends_on")
    return Period("", start, max(task.ends_on or due, due, start), due)


def _starts(schedule: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    size = MONTHS_PER_PERIOD[Schedule(schedule)]
    start = bounds(schedule, first)[0]
    while start <= last:
        yield start
        month = start.month - 1 + size
        start = dt.date(start.year + month // 12, month % 12 + 1, 1)


def periods(task: Scheduled, *, today: dt.date | None = None) -> list[Period]:
    """Every period of `task`'s schedule, oldest first."""
    if task.schedule == Schedule.ONCE:
        return [_once(task)]
    if task.ends_on is not None:
        last = task.ends_on
    else:
        # Up to the period after the current one (or after the first, for a future task).
        _start, current_end = bounds(
            task.schedule, max(today or timezone.localdate(), task.starts_on)
        )
        last = current_end + dt.timedelta(days=1)
    result = []
    for start in _starts(task.schedule, task.starts_on, last):
        end = bounds(task.schedule, start)[1]
        due = _due(task, start, end)
        if due < task.starts_on:
            # The period's deadline passed before the task began (a yearly task due 28/02
            # starting in November): its first deadline is the next period's.
            continue
        result.append(Period(_label(task.schedule, start), start, end, due))
    return result
