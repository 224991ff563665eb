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


def rollup_rows() -> list[tuple[object, ...]]:
    return sorted(
        AssignmentRollup.objects.values_list(
            "organisation_id",
            "plan_id",
            "period",
            "period_end",
            "total",
            "not_started",
            "in_progress",
            "overdue",
            "done_on_time",
            "done_late",
        )
    )


def test_one_off_tasks_get_a_row_per_day_they_end_the_same_incrementally_and_rebuilt(
    plan, province
):
    today = timezone.localdate()
    commune = province["commune"]
    ends = (dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 12, 15))
    for n, end in enumerate(ends, start=1):
        task = Task.objects.create(plan=plan, code=str(n), content=f"Việc {n}", starts_on=today)
        one_off = make(task, commune, "", end)
        Assignment.objects.filter(pk=one_off.pk).update(period_end=end)
        # Each write recounts its own organisation, as the services do.
        rollups.refresh(plan_id=plan.pk, organisation_ids=[commune.pk], periods=[""])
    yearly = Task.objects.create(plan=plan, code="Y", content="Báo cáo năm", starts_on=today)
    make(yearly, commune, "2026", dt.date(2026, 11, 15))
    rollups.refresh(plan_id=plan.pk, organisation_ids=[commune.pk], periods=["2026"])
    incremental = rollup_rows()
    assert [(row[2], row[3], row[4]) for row in incremental] == [
        ("", dt.date(2026, 3, 31), 1),
        ("", dt.date(2026, 6, 30), 1),
        ("", dt.date(2026, 12, 15), 1),
        ("2026", dt.date(2026, 12, 31), 1),
    ]
    rollups.rebuild_all()
    assert rollup_rows() == incremental
    rollups.refresh_stale(today + dt.timedelta(days=1))
    assert [row[:4] for row in rollup_rows()] == [row[:4] for row in incremental]


def test_a_one_off_task_re_dated_leaves_no_row_at_its_old_end(plan, province):
    today = timezone.localdate()
    commune = province["commune"]
    task = Task.objects.create(plan=plan, code="1", content="Niêm yết", starts_on=today)
    one_off = make(task, commune, "", dt.date(2026, 3, 31))
    Assignment.objects.filter(pk=one_off.pk).update(period_end=dt.date(2026, 3, 31))
    rollups.refresh(plan_id=plan.pk, organisation_ids=[commune.pk], periods=[""])
    Assignment.objects.filter(pk=one_off.pk).update(period_end=dt.date(2026, 5, 29))
    rollups.refresh(plan_id=plan.pk, organisation_ids=[commune.pk], periods=[""])
    assert list(AssignmentRollup.objects.values_list("period_end", "total")) == [
        (dt.date(2026, 5, 29), 1)
    ]


def test_the_migration_splits_the_old_single_one_off_row_as_a_rebuild_would(plan, province):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("congvu.planning.migrations.0005_rollup_per_period_end")
    today = timezone.localdate()
    commune = province["commune"]
    for n, end in enumerate((dt.date(2026, 1, 29), dt.date(2026, 6, 30)), start=1):
        task = Task.objects.create(plan=plan, code=str(n), content=f"Việc {n}", starts_on=today)
        one_off = make(task, commune, "", end, completed=end if n == 1 else None)
        Assignment.objects.filter(pk=one_off.pk).update(period_end=end)
    rollups.rebuild_all()
    rebuilt = rollup_rows()
    migration.merge_one_off_rows(apps, None)  # back to one row, as before the migration
    assert list(AssignmentRollup.objects.values_list("period_end", "total")) == [
        (dt.date(2026, 6, 30), 2)
    ]
    migration.split_one_off_rows(apps, None)
    assert rollup_rows() == rebuilt
