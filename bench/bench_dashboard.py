"""The monitoring dashboards over HTTP on the planning scale data set (production settings).

    .venv/bin/python bench/bench_dashboard.py            # fresh temporary SQLite file
    createdb -h 127.0.0.1 -U postgres bench_congvu_dash  # once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_dash \\
        .venv/bin/python bench/bench_dashboard.py        # PostgreSQL (database is flushed)

Data: `build_scale(2000, 40000)` plus `plan_scale.build_plan_scale()` (one plan of
50 yearly tasks over 5 years for every current organisation: ~500,000
assignments, ~1,000,000 progress updates), rollups rebuilt. Requests are
sequential (one client) with a Home Affairs officer's session cookie, so the
numbers are latencies. Targets: median < 150 ms, p95 < 300 ms for the province
dashboard. Also measured through the ORM: the per-task count with its cache
empty (the one figure not read from rollups). Merges the numbers into
bench/results/dashboard.json under the database vendor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from http_bench import gunicorn, session_cookie, stats, time_page
from plan_scale import build_plan_scale
from scale import build_scale, refuse_shared_database, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"
TARGET_MEDIAN_MS, TARGET_P95_MS = 150.0, 300.0
# The overdue list of one period walks the (completed_on, due_on) index through
# every older period's open work. SQLite takes the first index below (it treats
# IS NULL as an equality); PostgreSQL does not order by an index after an
# IS NULL condition, so it needs the second one, partial on open work.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    refuse_shared_database()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = setup_django("dashboard")
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation, OrganisationKind
    from congvu.planning import dashboard_selectors as selectors

    started = time.perf_counter()
    build_scale(args.organisations, args.staff, catalogue=True)
    scale_seconds = time.perf_counter() - started
    data = build_plan_scale()
    print(
        f"{database}: scale data set {scale_seconds:.1f} s; {data.assignments:,} assignments, "
        f"{data.updates:,} progress updates, {data.rollups:,} rollup rows; {data.seconds}"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    call_command("collectstatic", interactive=False, verbosity=0)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    kind = OrganisationKind.objects.get(code="public_service_unit")
    unit = Organisation.objects.filter(kind=kind, valid_to__isnull=True).order_by("pk")[10]
    officer = User.objects.create_user(username="bench.noivu", password=None)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    cookie = session_cookie(officer)
    period = str(timezone.localdate().year)

    # The per-task count straight from the database (cache emptied each time).
    from congvu.accounts import access

    access.forget(officer)
    plan = selectors.plans_for(officer)[0]
    cold: dict[str, Any] = {}
    for name, filters in {
        "by_task, whole province": selectors.Filters(plan=plan, period=period),
        "by_task, public service units": selectors.Filters(plan=plan, period=period, kind=kind),
    }.items():
        times = []
        for _ in range(7):
            cache.clear()
            begun = time.perf_counter()
            selectors.by_task(officer, filters, fingerprint=selectors.Counts())
            times.append((time.perf_counter() - begun) * 1000)
        cold[name] = stats(times[2:])
    connection.close()

    pages = {
        "province dashboard, default filters": "/dashboard/",
        "province dashboard, plan + period + kind": (
            f"/dashboard/?plan={plan.pk}&period={period}&kind={kind.pk}"
        ),
        "province dashboard, page 20 of organisations": f"/dashboard/?plan={plan.pk}&page=20",
        "organisation page (public service unit)": f"/dashboard/organisation/{unit.pk}/",
    }
    results: dict[str, Any] = {}
    with gunicorn(cookie) as base:
        for name, path in pages.items():
            results[name] = time_page(base, path, cookie, args.repeat)
            met = (
                results[name]["median_ms"] < TARGET_MEDIAN_MS
                and results[name]["p95_ms"] < TARGET_P95_MS
            )
            print(
                f"{name:46} median {results[name]['median_ms']:7.1f} ms   "
                f"p95 {results[name]['p95_ms']:7.1f} ms   {results[name]['bytes']:>9,} B   "
                f"{'ok' if met else 'MISSED'}"
            )
    for name, numbers in cold.items():
        print(
            f"ORM {name:42} median {numbers['median_ms']:7.1f} ms   p95 {numbers['p95_ms']:7.1f} ms"
        )

    vendor = database.split(" ")[0]
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[vendor] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "server": "gunicorn, 2 sync workers, DJANGO_DEBUG=0",
        "targets": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS},
        "data": {
            "organisations": data.organisations,
            "tasks": data.tasks,
            "assignments": data.assignments,
            "progress_updates": data.updates,
            "rollup_rows": data.rollups,
            "scale_seconds": round(scale_seconds, 1),
            "plan_seconds": data.seconds,
        },
        "pages": results,
        "orm_uncached": cold,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
