"""The ratings dashboards over HTTP at 10 million ratings, and the same pages at 100,000.

    .venv/bin/python bench/rating_scale.py --keep var/bench/ratings-10m.sqlite3   # once, ~10 min
    .venv/bin/python bench/bench_ratings_pages.py --reuse var/bench/ratings-10m.sqlite3
    .venv/bin/python bench/bench_ratings_pages.py --ratings 100000   # fresh temporary SQLite file
    .venv/bin/python bench/bench_ratings_pages.py --ratings 10000000 # generates first (slow)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_ratings \\
        .venv/bin/python bench/bench_ratings_pages.py --ratings 100000  # PostgreSQL (flushed)

Pages: the province dashboard (`/ratings/`, a Home Affairs officer's session)
with its default period (last 12 months), with three years, filtered by a kind
of organisation and at page 20 of the organisation table; an organisation's
page; the public transparency page (`/transparency/`, no session) and its JSON
download. Sequential requests (one client), so the numbers are latencies.
gunicorn with 2 sync workers, production settings.

Targets (issue 4): median < 100 ms and p95 < 200 ms at 10 M ratings; at
100,000 ratings the same pages at most 1.3× faster (their cost follows
organisations × months, not ratings). Results merge into
bench/results/ratings_pages.json under "<vendor> <ratings>".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from http_bench import gunicorn, session_cookie, time_page
from rating_scale import build_rating_scale, prepare_django
from scale import build_scale, refuse_shared_database

RESULTS = Path(__file__).resolve().parent / "results" / "ratings_pages.json"
TARGET_MEDIAN_MS, TARGET_P95_MS = 100.0, 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=100_000)
    parser.add_argument("--reuse", type=Path, help="an SQLite file made by rating_scale.py --keep")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    refuse_shared_database()
    if args.reuse and not args.reuse.exists():
        sys.exit(f"{args.reuse} does not exist: make it with rating_scale.py --keep")

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = prepare_django("ratings-pages", args.reuse)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.feedback.models import OrganisationMonthRollup, Rating
    from congvu.organisations.models import Organisation

    generated: dict[str, Any] = {}
    if not args.reuse:
        began = time.perf_counter()
        build_scale(2000, 40000, catalogue=True)
        generated = build_rating_scale(args.ratings).__dict__
        generated["total_seconds"] = round(time.perf_counter() - began, 1)
    ratings = Rating.objects.count()
    print(f"{database}: {ratings:,} ratings", flush=True)
    call_command("collectstatic", interactive=False, verbosity=0)

    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    officer = User.objects.filter(username="bench.noivu").first()
    if officer is None:
        officer = User.objects.create_user(username="bench.noivu", password=None)
        RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    cookie = session_cookie(officer)
    busiest = (
        OrganisationMonthRollup.objects.values("organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation_id")
        .first()
    )
    assert busiest, "no rollups: nothing to show"
    kind = Organisation.objects.get(pk=busiest["organisation_id"]).kind.code
    today = timezone.localdate()
    # 36 months ending this month (the dashboards' longest period).
    months = today.year * 12 + today.month - 1 - 35
    three_years = f"from={months % 12 + 1:02d}/{months // 12}&to={today:%m/%Y}"
    rollup_rows = OrganisationMonthRollup.objects.count()
    connection.close()

    pages = {
        "province dashboard, last 12 months": ("/ratings/", cookie),
        "province dashboard, 3 years": (f"/ratings/?{three_years}", cookie),
        "province dashboard, one kind": (f"/ratings/?kind={kind}", cookie),
        "province dashboard, page 20 of organisations": ("/ratings/?page=20", cookie),
        "organisation page (the busiest)": (f"/ratings/org/{busiest['organisation_id']}/", cookie),
        "public transparency page": ("/transparency/", ""),
        "public transparency page, 3 years": (f"/transparency/?{three_years}", ""),
        "public open data (JSON)": ("/transparency/data.json", ""),
    }
    results: dict[str, Any] = {}
    with gunicorn(cookie) as base:
        for name, (path, session) in pages.items():
            results[name] = time_page(base, path, session, args.repeat)
            met = (
                results[name]["median_ms"] < TARGET_MEDIAN_MS
                and results[name]["p95_ms"] < TARGET_P95_MS
            )
            print(
                f"{name:46} median {results[name]['median_ms']:7.1f} ms   "
                f"p95 {results[name]['p95_ms']:7.1f} ms   {results[name]['bytes']:>9,} B   "
                f"{'ok' if met else 'MISSED'}",
                flush=True,
            )

    vendor = database.split(" ")[0]
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[f"{vendor} {ratings}"] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "server": "gunicorn, 2 sync workers, DJANGO_DEBUG=0",
        "targets": {"median_ms": TARGET_MEDIAN_MS, "p95_ms": TARGET_P95_MS},
        "ratings": ratings,
        "organisation_month_rollups": rollup_rows,
        "generated": generated,
        "pages": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
