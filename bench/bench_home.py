"""The home page's work list at scale: `/` and `GET /api/v1/me/work` for six kinds of user.

    .venv/bin/python bench/bench_home.py                  # fresh temporary SQLite file
    .venv/bin/python bench/bench_home.py --keep var/bench/home.sqlite3   # and keep it
    .venv/bin/python bench/bench_home.py --reuse var/bench/home.sqlite3  # measure again
    createdb -h 127.0.0.1 -U postgres bench_congvu_home  # once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_home \\
        .venv/bin/python bench/bench_home.py              # PostgreSQL (database is flushed)
    DATABASE_URL=… .venv/bin/python bench/bench_home.py --reuse-database  # measure it again

Data: `build_scale(2000, 40000, catalogue=True)`, `plan_scale.build_plan_scale()`
(~500,000 assignments), `rating_scale.build_rating_scale(--ratings)` (1,000,000
by default: ~2 % of the last 30 days flagged and waiting) and
`worklist_scale.build_worklist_scale()` (report periods, ~30,000 cases, ~2,000
inspections with their checklists and corrective actions, the handlers and
inspectors; see its docstring).

Who: the Department of Home Affairs officer (province root), the head of a large
department (Sở GD&ĐT and its schools), the head of a commune, a case handler of that
department, an inspector of the province, a staff member of the commune (with a
statement asked of them). The roles that must use two-step sign-in have a session
that passed it, as after a real sign-in.

Measured, per user: the number of SQL queries of each request and the time of each
provider (in process, `CaptureQueriesContext`, median of `--repeat` calls), then
median and p95 of `--repeat` sequential requests over HTTP (gunicorn, 2 sync workers,
DJANGO_DEBUG=0). Target: median < 100 ms, p95 < 200 ms. Merges the numbers into
bench/results/home.json under the database vendor (`--label` adds to the key, e.g.
"before").
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

from http_bench import fetch, gunicorn, session_cookie, stats
from plan_scale import build_plan_scale
from rating_scale import build_rating_scale, ensure_scales, open_page_database
from scale import build_scale, refuse_shared_database
from worklist_scale import build_worklist_scale

RESULTS = Path(__file__).resolve().parent / "results" / "home.json"
TARGET_MEDIAN_MS, TARGET_P95_MS = 100.0, 200.0
PERSONAS = {
    "home_affairs": ("bench.noivu", "Home Affairs officer (province root)"),
    "department_head": ("bench.giamdoc", "department head (Sở GD&ĐT)"),
    "commune_head": ("bench.chutich", "commune head"),
    "case_handler": ("bench.xuly", "case handler (department)"),
    "inspector": ("bench.kiemtra", "inspector (province)"),
    "staff": ("bench.canbo", "staff member (commune)"),
}
PATHS = {"page": "/", "api": "/api/v1/me/work"}


def time_path(base: str, path: str, cookie: str, repeat: int) -> dict[str, Any]:
    for _ in range(3):
        fetch(base + path, cookie)
    times = []
    body = b""
    for _ in range(repeat):
        begun = time.perf_counter()
        status, body = fetch(base + path, cookie)
        times.append((time.perf_counter() - begun) * 1000)
        assert status == 200, (path, status)
    return {"path": path, **stats(times), "bytes": len(body), "repeat": repeat}


def in_process(username: str, repeat: int) -> dict[str, Any]:
    """Queries of each request (test client) and each provider's median time (ORM)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from congvu.accounts import access
    from congvu.accounts.models import User
    from congvu.core import worklist

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    session = client.session
    session["congvu_2fa"] = True
    session.save()
    queries: dict[str, int] = {}
    for name, path in PATHS.items():
        client.get(path)  # warm caches (the catalogue, the clocks)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (username, path, response.status_code)
        queries[name] = len(captured.captured_queries)
    today = timezone.localdate()
    providers: dict[str, dict[str, Any]] = {}
    items: dict[str, int] = {}
    for name, provider in worklist.providers().items():
        times = []
        count = 0
        for _ in range(repeat):
            fresh = User.objects.get(pk=user.pk)  # grants read again, as in a request
            access.forget(fresh)
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                found = list(provider(fresh, today))
                times.append((time.perf_counter() - begun) * 1000)
            count = len(captured.captured_queries)
        items.update({item.key: item.count for item in found if item.count})
        providers[name] = {"median_ms": round(statistics.median(times), 1), "queries": count}
    return {"queries": queries, "providers": providers, "items": items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--ratings", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="write the SQLite database at this path")
    parser.add_argument("--reuse", type=Path, help="an SQLite file made with --keep")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="measure DATABASE_URL's data of an earlier run again (not flushed; migrated)",
    )
    parser.add_argument("--label", default="", help="added to the results' key")
    args = parser.parse_args()
    refuse_shared_database()
    database = open_page_database(
        "home", keep=args.keep, reuse=args.reuse, reuse_database=args.reuse_database
    )
    from django.core.management import call_command
    from django.db import connection

    from congvu.accounts.models import User

    data: dict[str, Any] = {}
    if not (args.reuse or args.reuse_database):
        began = time.perf_counter()
        build_scale(args.organisations, args.staff, catalogue=True)
        data["scale_seconds"] = round(time.perf_counter() - began, 1)
        plan = build_plan_scale()
        data["assignments"] = plan.assignments
        data["plan_seconds"] = plan.seconds
        ensure_scales()
        ratings = build_rating_scale(args.ratings, verbose=False)
        data["ratings"] = ratings.ratings
        data["ratings_seconds"] = ratings.seconds
        made = build_worklist_scale()
        data.update(made.counts)
        data["worklist_seconds"] = made.seconds
        print(f"{database}: data {data}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # also after a reused file's new migrations
    call_command("collectstatic", interactive=False, verbosity=0)

    counted: dict[str, Any] = {}
    for key, (username, label) in PERSONAS.items():
        counted[key] = in_process(username, max(5, args.repeat // 3))
        slow = sorted(counted[key]["providers"].items(), key=lambda kv: -kv[1]["median_ms"])
        print(
            f"{label:40} queries: page {counted[key]['queries']['page']:3}, "
            f"API {counted[key]['queries']['api']:3}; providers: "
            + ", ".join(f"{n} {v['median_ms']} ms/{v['queries']} q" for n, v in slow),
            flush=True,
        )
    cookies = {
        key: session_cookie(User.objects.get(username=username))
        for key, (username, _label) in PERSONAS.items()
    }
    connection.close()

    results: dict[str, Any] = {}
    with gunicorn(cookies["staff"]) as base:
        for key, (_username, label) in PERSONAS.items():
            results[key] = {"label": label, **counted[key]}
            for name, path in PATHS.items():
                numbers = time_path(base, path, cookies[key], args.repeat)
                met = numbers["median_ms"] < TARGET_MEDIAN_MS and numbers["p95_ms"] < TARGET_P95_MS
                results[key][name] = numbers
                print(
                    f"{label:40} {path:16} median {numbers['median_ms']:7.1f} ms   "
                    f"p95 {numbers['p95_ms']:7.1f} ms   {numbers['bytes']:>7,} B   "
                    f"{'ok' if met else 'MISSED'}",
                    flush=True,
                )

    vendor = database.split(" ")[0]
    key = f"{vendor}, {args.label}" if args.label else vendor
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous = saved.get(key, {})
    saved[key] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "server": "gunicorn, 2 sync workers, DJANGO_DEBUG=0",
        "targets": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS},
        "data": data or previous.get("data", {"reused": True}),
        "users": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
