"""The planning scale data set: one plan of 50 yearly tasks over 5 years for every organisation.

On top of `build_scale(2000, 40000)` it writes ~500,000 assignments (50 tasks ×
5 yearly periods × every current organisation, divisions included) and two progress
updates each (~1,000,000), with states distributed like a real programme:
earlier years mostly done on time or late with a few left overdue, the current
year mixed (done, in progress, not started, overdue). Then it rebuilds the
rollups. Deterministic for a given seed. Import after `django.setup()`:

    from plan_scale import build_plan_scale
    stats = build_plan_scale()

Or run it on a fresh temporary SQLite file (or on DATABASE_URL) and see the times:

    .venv/bin/python bench/plan_scale.py [--organisations 2000] [--staff 40000]
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from scale import build_scale, setup_django

TASKS = 50
YEARS = 5
BATCH = 5000


@dataclass
class PlanScaleResult:
    plan_id: int
    organisations: int
    tasks: int
    assignments: int
    updates: int
    rollups: int
    seconds: dict[str, float] = field(default_factory=dict)


def _due(year: int, index: int) -> dt.date:
    # Deadlines spread over the year (the seed plan's tasks fall due in every quarter).
    month = index % 12 + 1
    day = min(15 + index % 16, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def build_plan_scale(
    *, seed: int = 86, today: dt.date | None = None, user: Any = None
) -> PlanScaleResult:
    """Write the plan, its tasks, assignments and progress updates; rebuild the rollups."""
    from django.db import connection, transaction
    from django.utils import timezone

    from congvu.accounts.models import User
    from congvu.organisations.models import Organisation
    from congvu.planning import rollups
    from congvu.planning.models import Assignment, Plan, ProgressUpdate, Schedule, Task

    rng = random.Random(seed)
    today = today or timezone.localdate()
    years = list(range(today.year - YEARS + 1, today.year + 1))
    seconds: dict[str, float] = {}
    author = user or User.objects.create_user(username="bench.planner", password=None)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    org_ids = list(
        Organisation.objects.filter(valid_to__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # Some organisations are simply weaker: a per-organisation skill makes the
    # heat map and the standings show a spread instead of noise around one mean.
    skill = {pk: rng.uniform(-0.25, 0.15) for pk in org_ids}

    started = time.perf_counter()
    with transaction.atomic():
        plan = Plan.objects.create(
            number="99/KH-UBND",
            title="Kế hoạch thực hiện văn hóa công vụ giai đoạn "
            f"{years[0]}–{years[-1]} (dữ liệu đo hiệu năng)",
            issuing_organisation=root,
            issued_on=dt.date(years[0], 1, 10),
        )
        tasks = Task.objects.bulk_create(
            Task(
                plan=plan,
                code=str(i + 1),
                content=f"Nhiệm vụ {i + 1}: tổ chức thực hiện chuẩn mực văn hóa công vụ",
                deliverable="Báo cáo kết quả",
                assign_to=Task.AssignTo.KINDS,
                schedule=Schedule.YEARLY,
                due_month=_due(2026, i).month,
                due_day=_due(2026, i).day,
                starts_on=dt.date(years[0], 1, 1),
                order=i + 1,
            )
            for i in range(TASKS)
        )
    seconds["plan_and_tasks"] = time.perf_counter() - started

    P = Assignment.Progress
    now = timezone.now()
    started = time.perf_counter()
    rows: list[Assignment] = []
    count = 0
    with transaction.atomic():
        for year in years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            for index, task in enumerate(tasks):
                due = _due(year, index)
                for org in org_ids:
                    roll = rng.random() - skill[org]
                    completed: dt.date | None = None
                    progress, percent = P.NOT_STARTED, 0
                    if due < today:
                        # Past deadline: ~75 % on time, ~19 % late, the rest still open.
                        overdue_share = 0.06 if year < today.year else 0.25
                        if roll < 0.75 - overdue_share / 2:
                            completed = due - dt.timedelta(days=rng.randint(0, 40))
                        elif roll < 1 - overdue_share:
                            completed = due + dt.timedelta(days=rng.randint(1, 60))
                            completed = min(completed, today)
                        else:
                            progress, percent = P.IN_PROGRESS, rng.choice((20, 40, 60, 80))
                    elif roll < 0.25:
                        completed = min(today, due) - dt.timedelta(days=rng.randint(0, 30))
                    elif roll < 0.7:
                        progress, percent = P.IN_PROGRESS, rng.choice((10, 30, 50, 70, 90))
                    if completed is not None:
                        completed = max(completed, start)
                        progress, percent = P.DONE, 100
                    rows.append(
                        Assignment(
                            task_id=task.pk,
                            organisation_id=org,
                            period=str(year),
                            period_start=start,
                            period_end=end,
                            original_due_on=due,
                            due_on=due,
                            progress=progress,
                            percent=percent,
                            completed_on=completed,
                            last_update_at=now,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    if len(rows) >= BATCH:
                        Assignment.objects.bulk_create(rows, batch_size=BATCH)
                        count += len(rows)
                        rows = []
        Assignment.objects.bulk_create(rows, batch_size=BATCH)
        count += len(rows)
    seconds["assignments"] = time.perf_counter() - started

    # Two updates each: "started" and the latest state. Raw executemany keeps a
    # million rows to seconds; model instances would triple the time.
    started = time.perf_counter()
    table = ProgressUpdate._meta.db_table
    sql = (
        f"INSERT INTO {table} (assignment_id, progress, percent, note, completed_on, "  # noqa: S608
        "author_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    updates = 0
    with transaction.atomic(), connection.cursor() as cursor:
        batch: list[tuple[Any, ...]] = []
        query = Assignment.objects.filter(task__plan=plan).values_list(
            "pk", "progress", "percent", "completed_on", "period_start"
        )
        for pk, progress, percent, completed, period_start in query.iterator(chunk_size=BATCH):
            first = timezone.make_aware(dt.datetime.combine(period_start, dt.time(9)))
            batch.append(
                (pk, P.IN_PROGRESS, min(percent, 10), "Đã triển khai", None, author.pk, first)
            )
            latest = first + dt.timedelta(days=rng.randint(30, 300))
            batch.append((pk, progress, percent, "Cập nhật kết quả", completed, author.pk, latest))
            if len(batch) >= BATCH * 2:
                cursor.executemany(sql, batch)
                updates += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            updates += len(batch)
    seconds["progress_updates"] = time.perf_counter() - started

    started = time.perf_counter()
    rollup_rows = rollups.rebuild_all(today)
    seconds["rollups"] = time.perf_counter() - started
    return PlanScaleResult(
        plan_id=plan.pk,
        organisations=len(org_ids),
        tasks=len(tasks),
        assignments=count,
        updates=updates,
        rollups=rollup_rows,
        seconds={k: round(v, 1) for k, v in seconds.items()},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=86)
    args = parser.parse_args()
    database = setup_django("plan-scale")
    started = time.perf_counter()
    build_scale(args.organisations, args.staff, args.seed)
    scale_seconds = time.perf_counter() - started
    result = build_plan_scale(seed=args.seed)
    print(
        f"{database}: scale data set in {scale_seconds:.1f} s; {result.organisations} "
        f"organisations, {result.tasks} tasks, {result.assignments:,} assignments, "
        f"{result.updates:,} progress updates, {result.rollups:,} rollup rows; "
        f"seconds: {result.seconds}"
    )


if __name__ == "__main__":
    main()
