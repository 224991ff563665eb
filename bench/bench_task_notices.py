"""The cost of assigning a task to every organisation, with the notices it sends.

On the scale data set (`build_scale`, 2,000 organisations) every current organisation
gets a head and a focal point (accounts with an address, granted on the organisation
and its subtree, as the demo grants them); then one task is created for all of them
(`planning.services.create_task`, named organisations) and timed, the commit included:
the assignments, the rollups and the notices with their queued e-mails.

    .venv/bin/python bench/bench_task_notices.py [--organisations 2000] [--staff 4000]

Run it with `PYTHONPATH` at another checkout to time that checkout's code on the same
data (the script prints the notices made, 0 before the notices existed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from scale import build_scale, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    database = setup_django("task-notices")
    build_scale(args.organisations, args.staff)

    from django.db import connection, transaction

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.core.models import Notification
    from congvu.organisations.models import Organisation
    from congvu.planning import services
    from congvu.planning.models import Plan

    orgs = list(Organisation.objects.filter(valid_to__isnull=True).order_by("path"))
    root = next(o for o in orgs if o.parent_id is None)
    users = User.objects.bulk_create(
        User(username=f"bench.{role}.{org.pk}", email=f"{role}.{org.pk}@example.org")
        for org in orgs
        for role in ("head", "focal")
    )
    RoleGrant.objects.bulk_create(
        RoleGrant(user=user, role=Role.HEAD if i % 2 == 0 else Role.FOCAL_POINT, organisation=org)
        for i, (user, org) in enumerate(zip(users, [o for o in orgs for _ in (0, 1)], strict=True))
    )
    planner = User.objects.create_user(username="bench.planner", password=None)
    RoleGrant.objects.create(user=planner, role=Role.HOME_AFFAIRS, organisation=root)
    plan = Plan.objects.create(
        number="99/KH-BENCH",
        title="Bench",
        issuing_organisation=root,
        issued_on=dt.date(2026, 1, 5),
    )
    times = []
    for run in range(args.repeat):
        before = Notification.objects.count()
        started = time.perf_counter()
        with transaction.atomic():
            services.create_task(
                plan,
                actor=planner,
                code=f"B{run}",
                content="Quán triệt Quyết định số 1847/QĐ-TTg đến toàn thể cán bộ",
                assignees=orgs,
                due_on=dt.date(2026, 12, 31),
            )
        times.append(time.perf_counter() - started)
        made = Notification.objects.count() - before
    print(
        f"{database} ({connection.vendor}): a task to {len(orgs)} organisations, "
        f"{made} notices: " + ", ".join(f"{t:.2f} s" for t in times)
    )


if __name__ == "__main__":
    main()
