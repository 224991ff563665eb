"""The heavy planning and reporting pages at provincial scale, in process (test Client).

Data: `build_scale(2000, 40000, catalogue=True)`, `plan_scale.build_plan_scale()`
(~500,000 assignments) and last year's report period with every organisation's report
in a state (the shares of `worklist_scale`'s first period). For the Department of Home
Affairs at the province root, in process, the median of `--repeat` runs (3 for the badge
sheets), the queries and the bytes of:

- `/plans/<id>/` (50 tasks, their assignments counted by state);
- the report period's page (unfiltered; not submitted) and its .xlsx export;
- the badge sheet of the organisation with the most staff, and file 1 of Sở GD&ĐT's
  subtree; when the sheet went to the background, the worker's rendering of it.

    .venv/bin/python bench/bench_plans.py --keep /tmp/var-x/plans.sqlite3 --build-only
    .venv/bin/python bench/bench_plans.py --reuse /tmp/var-x/plans.sqlite3 --label after
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/bench_plans.py
    DATABASE_URL=… .venv/bin/python bench/bench_plans.py --reuse-database --label after

Run it with `PYTHONPATH` at another checkout to time that checkout's code on the same data.
Results: stdout and bench/results/plans.json (keyed by database vendor and label).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from plan_scale import build_plan_scale
from rating_scale import open_page_database
from scale import build_scale, refuse_shared_database

RESULTS = Path(__file__).resolve().parent / "results" / "plans.json"


def timed(client: Any, path: str, repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    response = None
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(path)
            body = b"".join(response) if response.streaming else response.content
            times.append((time.perf_counter() - began) * 1000)
        queries = len(captured.captured_queries)
    assert response is not None
    return {
        "status": response.status_code,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": queries,
        "bytes": len(body),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the SQLite database at this path")
    parser.add_argument("--reuse", type=Path, help="an SQLite file made with --keep")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="measure DATABASE_URL's data of an earlier run again (not flushed; migrated)",
    )
    parser.add_argument("--build-only", action="store_true", help="make the data, measure nothing")
    parser.add_argument("--label", default="", help="added to the results' key")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    args = parser.parse_args()
    refuse_shared_database()
    database = open_page_database(
        "plans", keep=args.keep, reuse=args.reuse, reuse_database=args.reuse_database
    )

    from django.db import connection

    data: dict[str, Any] = {}
    if not (args.reuse or args.reuse_database):
        began = time.perf_counter()
        build_scale(args.organisations, args.staff, catalogue=True)
        data["scale_seconds"] = round(time.perf_counter() - began, 1)
        plan = build_plan_scale()
        data["assignments"] = plan.assignments
    from congvu.reporting.models import ReportPeriod

    if not ReportPeriod.objects.exists():  # also a file whose build stopped after the plan
        data["reports"] = build_report_period()
        print(f"{database}: data {data}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    if args.build_only:
        return
    results = measure(args.repeat, args.only)

    vendor = database.split(" ")[0]
    key = f"{vendor}, {args.label}" if args.label else vendor
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[key] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "server": "in process (django.test.Client), DEBUG=False",
        "pages": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


def build_report_period(seed: int = 86) -> int:
    """Last year's report, due 20 days ago, with every organisation's report in a state
    (the shares of `worklist_scale`'s first period); the Home Affairs officer."""
    import datetime as dt
    import random

    from django.utils import timezone

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation, OrganisationKind
    from congvu.reporting.models import OrganisationReport, ReportPeriod

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    officer, _ = User.objects.get_or_create(username="bench.noivu")
    RoleGrant.objects.get_or_create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    period = ReportPeriod.objects.create(
        name=f"Báo cáo văn hóa công vụ năm {today.year - 1}",
        issuing_organisation=root,
        compiling_organisation=Organisation.objects.get(name="Sở Nội vụ", valid_to__isnull=True),
        covers_from=dt.date(today.year - 1, 1, 1),
        covers_to=dt.date(today.year - 1, 12, 31),
        due_on=today - dt.timedelta(days=20),
    )
    period.reporting_kinds.set(OrganisationKind.objects.filter(is_division=False))
    S = OrganisationReport.Status
    reports = []
    for org in Organisation.objects.filter(valid_to__isnull=True, kind__is_division=False):
        roll = rng.random()
        status = (
            S.ACCEPTED
            if roll < 0.55
            else S.SUBMITTED
            if roll < 0.85
            else S.RETURNED
            if roll < 0.88
            else S.DRAFT
            if roll < 0.93
            else None
        )
        if status is None:
            continue
        filed = status != S.DRAFT
        at = now - dt.timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 9))
        reports.append(
            OrganisationReport(
                period=period,
                organisation=org,
                organisation_name=org.name,
                status=status,
                results="Đã triển khai kế hoạch thực hiện văn hóa công vụ.",
                first_submitted_at=at if filed else None,
                submitted_at=at if filed else None,
                is_late=filed and at.date() > period.due_on,
            )
        )
    OrganisationReport.objects.bulk_create(reports, batch_size=2000)
    return len(reports)


def measure(repeat: int, only: str = "") -> dict[str, Any]:
    from django.conf import settings
    from django.db.models import Count, Q
    from django.test import Client, override_settings
    from http_bench import session_cookie

    from congvu.accounts.models import User
    from congvu.organisations.models import Organisation
    from congvu.planning.models import Plan
    from congvu.reporting.models import ReportPeriod

    officer = User.objects.get(username="bench.noivu")
    plan = Plan.objects.order_by("-pk").first()
    assert plan is not None
    period = ReportPeriod.objects.order_by("pk").first()
    assert period is not None
    department = Organisation.objects.get(name="Sở Giáo dục và Đào tạo", valid_to__isnull=True)
    largest = (
        Organisation.objects.filter(valid_to__isnull=True)
        .annotate(n=Count("staff", filter=Q(staff__is_active=True)))
        .order_by("-n", "pk")
        .first()
    )
    assert largest is not None
    paths = {
        "plan detail (50 tasks, ~500k assignments)": f"/plans/{plan.pk}/",
        "report period": f"/reports/periods/{period.pk}/",
        "report period, not filed": f"/reports/periods/{period.pk}/?state=not_filed",
        "report period, export .xlsx": f"/reports/periods/{period.pk}/export.xlsx",
        f"badge sheet, largest organisation ({largest.n} cards)": f"/org/{largest.pk}/badges.pdf",
        "badge sheet, Sở GD&ĐT subtree, file 1": (
            f"/org/{department.pk}/badges.pdf?subtree=1&part=1"
        ),
    }
    results: dict[str, Any] = {}
    with override_settings(
        DEBUG=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        client = Client()
        client.cookies["sessionid"] = session_cookie(officer).split("=", 1)[1]
        for name, path in paths.items():
            if only not in name:
                continue
            badges = "badges.pdf" in path
            results[name] = {"path": path, **timed(client, path, 3 if badges else repeat)}
            row = results[name]
            print(
                f"{name:52} {row['status']} median {row['median_ms']:8.1f} ms "
                f"(slowest {row['max_ms']:8.1f})  "
                f"{row['queries']:3} queries {row['bytes']:>10,} B",
                flush=True,
            )
            if badges and row["status"] == 302:
                row["worker_ms"] = render_in_background()
                print(f"{'  ... the worker rendering it':52}     {row['worker_ms']:8.1f} ms")
    return results


def render_in_background() -> float:
    """The queued badge sheet rendered as the worker does (`badge_exports.make`), in ms."""
    from congvu.organisations import badge_exports
    from congvu.organisations.models import BadgeExport

    export = BadgeExport.objects.order_by("-pk").first()
    assert export is not None
    BadgeExport.objects.filter(pk=export.pk).update(status=BadgeExport.Status.QUEUED)
    began = time.perf_counter()
    assert badge_exports.make(export.pk) == "done"
    return round((time.perf_counter() - began) * 1000, 1)


if __name__ == "__main__":
    main()
