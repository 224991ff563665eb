import datetime as dt

import pytest
from django.utils import timezone

from congvu.planning import rollups
from congvu.planning.models import Assignment, AssignmentRollup, Plan, Task


@pytest.fixture
def plan(province):
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )


def make(task, org, period, due, completed=None, progress=Assignment.Progress.NOT_STARTED):
    return Assignment.objects.create(
        task=task,
        organisation=org,
        period=period,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        original_due_on=due,
        due_on=due,
        completed_on=completed,
        progress=progress,
    )


def test_rollups_count_each_government_status_and_match_a_rebuild(plan, province):
    today = timezone.localdate()
    task = Task.objects.create(plan=plan, code="1", content="Quán triệt", starts_on=today)
    dept = province["dept_justice"]
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    make(task, dept, "a", yesterday)  # overdue
    make(task, dept, "b", tomorrow)  # not started
    make(task, dept, "c", tomorrow, progress=Assignment.Progress.IN_PROGRESS)
    make(task, dept, "d", today, completed=today)  # on time
    make(task, dept, "e", yesterday, completed=today)  # late
    rollups.refresh(plan_id=plan.pk, organisation_ids=[dept.pk])
    counts = {
        r.period: (r.overdue, r.not_started, r.in_progress, r.done_on_time, r.done_late)
        for r in AssignmentRollup.objects.all()
    }
    assert counts == {
        "a": (1, 0, 0, 0, 0),
        "b": (0, 1, 0, 0, 0),
        "c": (0, 0, 1, 0, 0),
        "d": (0, 0, 0, 1, 0),
        "e": (0, 0, 0, 0, 1),
    }
    before = sorted(AssignmentRollup.objects.values_list("period", "total", "overdue"))
    rollups.rebuild_all()
    assert sorted(AssignmentRollup.objects.values_list("period", "total", "overdue")) == before


def test_a_passing_day_turns_open_work_overdue_in_the_daily_refresh(plan, province):
    today = timezone.localdate()
    task = Task.objects.create(plan=plan, code="1", content="Báo cáo", starts_on=today)
    make(task, province["commune"], "2026", today)
    rollups.refresh(plan_id=plan.pk, organisation_ids=[province["commune"].pk])
    assert AssignmentRollup.objects.get().overdue == 0
    rollups.refresh_stale(today + dt.timedelta(days=1))
    row = AssignmentRollup.objects.get()
    assert (row.overdue, row.not_started) == (1, 0)
