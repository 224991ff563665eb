import datetime as dt
from types import SimpleNamespace

import pytest

from congvu.planning.models import Schedule
from congvu.planning.periods import clamp_day, label_for, periods

D = dt.date


def task(schedule, starts_on, ends_on=None, **due):
    fields = {"due_on": None, "due_month": None, "due_day": None, "due_working_days": None}
    fields.update(due)
    return SimpleNamespace(schedule=schedule, starts_on=starts_on, ends_on=ends_on, **fields)


def test_a_one_off_task_has_one_unlabelled_period_due_on_its_date():
    (only,) = periods(task(Schedule.ONCE, D(2026, 1, 5), due_on=D(2026, 3, 31)))
    assert (only.label, only.start, only.due_on) == ("", D(2026, 1, 5), D(2026, 3, 31))


def test_a_one_off_task_without_a_deadline_is_refused():
    with pytest.raises(ValueError):
        periods(task(Schedule.ONCE, D(2026, 1, 5)))


def test_a_yearly_report_is_due_on_15_november_each_year():
    result = periods(
        task(Schedule.YEARLY, D(2024, 3, 1), D(2026, 12, 31), due_month=11, due_day=15)
    )
    assert [(p.label, p.start, p.end, p.due_on) for p in result] == [
        ("2024", D(2024, 1, 1), D(2024, 12, 31), D(2024, 11, 15)),
        ("2025", D(2025, 1, 1), D(2025, 12, 31), D(2025, 11, 15)),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), D(2026, 11, 15)),
    ]


def test_a_yearly_task_due_29_february_falls_on_28_february_outside_leap_years():
    result = periods(task(Schedule.YEARLY, D(2024, 1, 1), D(2025, 12, 31), due_month=2, due_day=29))
    assert [p.due_on for p in result] == [D(2024, 2, 29), D(2025, 2, 28)]


def test_half_years_quarters_and_months_are_labelled_and_end_on_their_last_day():
    halves = periods(task(Schedule.HALF_YEARLY, D(2026, 2, 1), D(2026, 12, 31)))
    assert [(p.label, p.end) for p in halves] == [
        ("2026-H1", D(2026, 6, 30)),
        ("2026-H2", D(2026, 12, 31)),
    ]
    quarters = periods(task(Schedule.QUARTERLY, D(2026, 8, 1), D(2027, 1, 10)))
    assert [(p.label, p.start, p.due_on) for p in quarters] == [
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31)),
        ("2027-Q1", D(2027, 1, 1), D(2027, 3, 31)),
    ]
    months = periods(task(Schedule.MONTHLY, D(2026, 11, 20), D(2027, 1, 1)))
    assert [p.label for p in months] == ["2026-11", "2026-12", "2027-01"]


def test_day_31_of_a_monthly_task_is_clamped_in_february_of_leap_and_common_years():
    result = periods(task(Schedule.MONTHLY, D(2024, 1, 1), D(2025, 2, 28), due_day=31))
    due = {p.label: p.due_on for p in result}
    assert due["2024-02"] == D(2024, 2, 29)
    assert due["2025-02"] == D(2025, 2, 28)
    assert due["2024-04"] == D(2024, 4, 30)
    assert due["2024-01"] == D(2024, 1, 31)


def test_a_quarterly_due_day_falls_in_the_last_month_of_the_quarter():
    result = periods(task(Schedule.QUARTERLY, D(2026, 1, 1), D(2026, 6, 30), due_day=25))
    assert [p.due_on for p in result] == [D(2026, 3, 25), D(2026, 6, 25)]


def test_working_day_deadlines_skip_weekends_and_tet(db):
    # Tết 2026 closes offices from Saturday 14 to Sunday 22 February.
    (only,) = periods(task(Schedule.ONCE, D(2026, 2, 9), due_working_days=10))
    assert only.due_on == D(2026, 2, 27)  # 9–13 February, then 23–27 February
    months = periods(task(Schedule.MONTHLY, D(2026, 3, 1), D(2026, 3, 31), due_working_days=5))
    assert months[0].due_on == D(2026, 3, 6)  # Mon 2 … Fri 6 March


def test_an_open_ended_recurring_task_runs_to_the_period_after_today():
    result = periods(task(Schedule.QUARTERLY, D(2026, 1, 1)), today=D(2026, 5, 10))
    assert [p.label for p in result] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    yearly = periods(task(Schedule.YEARLY, D(2025, 6, 1)), today=D(2026, 12, 31))
    assert [p.label for p in yearly] == ["2025", "2026", "2027"]


def test_a_future_open_ended_task_shows_its_first_two_periods():
    result = periods(task(Schedule.MONTHLY, D(2027, 3, 15)), today=D(2026, 11, 1))
    assert [p.label for p in result] == ["2027-03", "2027-04"]


def test_labels_and_clamping_helpers():
    assert label_for(Schedule.HALF_YEARLY, D(2026, 7, 1)) == "2026-H2"
    assert label_for(Schedule.ONCE, D(2026, 7, 1)) == ""
    assert clamp_day(2023, 2, 31) == D(2023, 2, 28)


def test_a_period_whose_deadline_passed_before_the_task_began_is_skipped():
    # A yearly task due 28/02, given on 28/11/2026: its first deadline is 28/02/2027, not
    # a 2026 one already past (it was overdue the day it was given).
    late = periods(
        task(Schedule.YEARLY, D(2026, 11, 28), due_month=2, due_day=28), today=D(2026, 11, 28)
    )
    assert [(p.label, p.due_on) for p in late] == [("2027", D(2027, 2, 28))]
    quarterly = periods(task(Schedule.QUARTERLY, D(2026, 9, 20), D(2026, 12, 31), due_day=15))
    assert [(p.label, p.due_on) for p in quarterly] == [("2026-Q4", D(2026, 12, 15))]
