"""Rating submission under load: POST /api/v1/ratings against the trivial view, in one run.

    .venv/bin/python bench/bench_ratings_submit.py                  # fresh temporary SQLite file
    createdb -h 127.0.0.1 -U postgres bench_congvu_ratings          # once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_ratings \\
        .venv/bin/python bench/bench_ratings_submit.py              # PostgreSQL (flushed first)
    .venv/bin/python bench/bench_ratings_submit.py --profile        # + in-process cProfile
    .venv/bin/python bench/bench_ratings_submit.py --client wrk     # load from wrk (apt)

Data: `build_scale(2000, 40000, catalogue=True)` plus 100,000 ratings from
`rating_scale.build_rating_scale` (the table is not empty, its indexes are
real). Server: gunicorn, 2 sync workers, production settings
(`http_bench.gunicorn`). Client: `rating_load.run_load`, several processes
keeping `--connections` requests in flight (one TCP connection per request:
sync workers do not keep connections alive).

Each round measures, back to back: the trivial view `/healthz` (no database),
then POST /api/v1/ratings for `--seconds` (badge ratings of every staff member
of the province, realistic answers, a fresh submission id each, ten ratings
per simulated device so the per-device limits are never reached), and with
`--form` the HTML form POST of the badge page (`/r/<token>`, CSRF and all).
Afterwards it checks that every 201 (and 302 for the form) is one stored
rating, that nothing else was stored, and that the rollups kept current by the
submissions equal `rollups.rebuild()` from the raw ratings.

With `--floor` each round also measures `/bench/insert-one-row`
(`floor_urls.py`): one small row INSERTed in autocommit, the issue's
reference "view inserting one row" — the least a view that stores something
before it answers can cost here, under the same server and middlewares.

Targets (issue 4): ≥ 2,000 ratings/s SQLite, ≥ 1,500/s PostgreSQL, p99 < 50 ms,
zero errors, ≥ 0.6 × the trivial view. Results merge into
bench/results/ratings_submit.json under the database vendor.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from http_bench import gunicorn
from rating_load import FormSpec, RatingSpec, RequestSpec, run_load
from rating_scale import build_rating_scale, rollup_snapshot
from scale import build_scale, refuse_shared_database, setup_django
from wrk_load import available as wrk_available
from wrk_load import run_wrk

RESULTS = Path(__file__).resolve().parent / "results" / "ratings_submit.json"
TARGETS = {"sqlite": 2000, "postgresql": 1500}
TARGET_P99_MS, TARGET_RATIO = 50.0, 0.6
FLOOR = RequestSpec(path="/bench/insert-one-row")


def csrf_for(base: str, token: str) -> tuple[str, str]:
    """(csrftoken cookie, form token) from one GET of a badge page."""
    # Only the http://127.0.0.1 URL of `gunicorn()` reaches here.
    with urllib.request.urlopen(f"{base}/r/{token}", timeout=30) as response:  # noqa: S310
        page = response.read().decode()
        cookies = response.headers.get_all("Set-Cookie") or []
    cookie = next(c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert field, "no CSRF field on the badge page"
    return cookie, field.group(1)


def check_stored(keys: list[str], before: int) -> dict[str, Any]:
    """Every acknowledged submission id is stored once, and nothing else was stored."""
    from congvu.feedback.models import Rating

    stored = Rating.objects.filter(submission_id__isnull=False).count() - before
    found = 0
    for start in range(0, len(keys), 900):
        found += Rating.objects.filter(submission_id__in=keys[start : start + 900]).count()
    return {
        "acknowledged": len(keys),
        "acknowledged_and_stored": found,
        "stored_with_submission_id": stored,
        "ok": found == len(keys) == stored,
    }


def check_counted(acknowledged: int, before: int, in_flight: int) -> dict[str, Any]:
    """wrk: the ratings stored are the 201s counted, plus at most the requests in flight
    when wrk stopped (stored, their responses never read); submission ids are unique."""
    from congvu.feedback.models import Rating

    stored = Rating.objects.filter(submission_id__isnull=False).count() - before
    return {
        "acknowledged": acknowledged,
        "stored_with_submission_id": stored,
        "in_flight_at_stop_max": in_flight,
        "ok": acknowledged <= stored <= acknowledged + in_flight,
    }


def check_rollups() -> dict[str, Any]:
    from congvu.feedback import rollups

    live = rollup_snapshot()
    began = time.perf_counter()
    rollups.rebuild()
    seconds = time.perf_counter() - began
    rebuilt = rollup_snapshot()
    return {
        "identical_to_rebuild": live == rebuilt,
        "rebuild_seconds": round(seconds, 1),
        "organisation_month_rows": len(live["organisation"]),
    }


def profile(tokens: list[str], criteria: list[tuple[int, bool]], count: int) -> dict[str, Any]:
    """Queries per request and a cProfile of `count` API submissions in this process."""
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    spec = RatingSpec(tokens=tokens, criteria=criteria, offset=900_000)
    client = Client()

    def send(n: int) -> int:
        raw, _key = spec.build(0, n)
        head, body = raw.split(b"\r\n\r\n", 1)
        agent = re.search(rb"User-Agent: ([^\r]+)", head)
        response = client.post(
            "/api/v1/ratings",
            body,
            content_type="application/json",
            HTTP_USER_AGENT=agent.group(1).decode() if agent else "",
            HTTP_HOST="127.0.0.1",
        )
        return response.status_code

    send(0)
    with CaptureQueriesContext(connection) as queries:
        status = send(1)
    listed = [q["sql"][:160] for q in queries.captured_queries]
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for n in range(2, count + 2):
        send(n)
    profiler.disable()
    per_request_ms = (time.perf_counter() - began) / count * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    return {
        "status": status,
        "queries_per_request": len(listed),
        "queries": listed,
        "in_process_ms_per_request_profiled": round(per_request_ms, 3),
        "cprofile_top": out.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--trivial-seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--base-ratings", type=int, default=100_000)
    parser.add_argument(
        "--spread",
        type=int,
        default=0,
        help="rate only the staff of this many organisations (0: all of them)",
    )
    parser.add_argument("--form", action="store_true", help="also time the HTML form POST")
    parser.add_argument(
        "--floor", action="store_true", help="also time a view inserting one row (floor_urls)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile submissions in-process")
    parser.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="load generator: rating_load (Python, checks every 201 by its key) or wrk "
        "(apt install wrk: a few percent of the CPU instead of a third; checks counts)",
    )
    args = parser.parse_args()
    if args.client == "wrk" and not wrk_available():
        sys.exit("wrk is not installed (apt install wrk)")
    if args.form and args.client == "wrk":
        sys.exit("--form needs the Python client")
    refuse_shared_database()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = setup_django("ratings-submit")
    vendor = database.split(" ")[0]
    from django.core.management import call_command
    from django.db import connection

    from congvu.feedback import services
    from congvu.feedback.models import Rating
    from congvu.organisations.models import StaffMember

    began = time.perf_counter()
    build_scale(2000, 40000, catalogue=True)
    data = build_rating_scale(args.base_ratings, verbose=False)
    print(
        f"{database}: scale data set + {data.ratings:,} ratings in "
        f"{time.perf_counter() - began:.1f} s",
        flush=True,
    )
    call_command("collectstatic", interactive=False, verbosity=0)
    members = list(
        StaffMember.objects.filter(is_active=True, user__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if args.spread:
        chosen = sorted({m.organisation_id for m in members})[: args.spread]
        members = [m for m in members if m.organisation_id in set(chosen)]
    tokens = [m.badge_token for m in members]
    target = services.RatingTarget(Rating.Channel.BADGE, members[0].organisation, staff=members[0])
    criteria = [(c.clause_id, c.yes_is_breach) for c in services.criteria_for(target)]
    before = Rating.objects.filter(submission_id__isnull=False).count()
    if args.floor:
        from bench.floor_urls import create_table

        create_table()
    connection.close()

    rounds: list[dict[str, Any]] = []
    acknowledged: list[str] = []
    counted = 0
    # As in production behind nginx, the client's address is X-Forwarded-For (the load
    # gives each simulated device its own): one address for all would meet the
    # per-address limit (60 ratings an hour) within the first second.
    os.environ["CONGVU_TRUST_X_FORWARDED_FOR"] = "1"
    with gunicorn("", settings="bench.floor_settings" if args.floor else None) as base:
        port = int(base.rsplit(":", 1)[1])
        if args.client == "wrk":  # the Python client leaves out its first 2 s; wrk cannot
            run_wrk(port, RequestSpec(), seconds=2, connections=args.connections)
        for number in range(args.rounds):
            spec = RatingSpec(tokens=tokens, criteria=criteria, offset=number * 1000)
            if args.client == "wrk":
                wrk = {"connections": args.connections, "threads": args.processes}
                trivial = run_wrk(port, RequestSpec(), seconds=args.trivial_seconds, **wrk)
                api = run_wrk(port, spec, seconds=args.seconds, ok=201, **wrk)
                counted += api.statuses.get(201, 0)
                if args.floor:
                    one_row = run_wrk(port, FLOOR, seconds=args.trivial_seconds, **wrk)
            else:
                load = {"connections": args.connections, "processes": args.processes}
                trivial = run_load(port, RequestSpec(), seconds=args.trivial_seconds, **load)
                api = run_load(port, spec, seconds=args.seconds, ok=201, **load)
                acknowledged += api.keys_by_status.get(201, [])
                if args.floor:
                    one_row = run_load(port, FLOOR, seconds=args.trivial_seconds, **load)
            row: dict[str, Any] = {
                "trivial": trivial.summary(),
                "api": api.summary(),
                "ratio": round(api.per_second / trivial.per_second, 2),
                "load_average_1min": round(os.getloadavg()[0], 2),
            }
            if args.floor:
                row["one_row_insert"] = one_row.summary()
                row["one_row_ratio"] = round(one_row.per_second / trivial.per_second, 2)
            if args.form:
                form_spec = FormSpec(
                    tokens=tokens,
                    criteria=criteria,
                    offset=500_000 + number * 1000,
                    csrf=csrf_for(base, tokens[0]),
                )
                form = run_load(port, form_spec, seconds=args.seconds, ok=302, **load)
                acknowledged += form.keys_by_status.get(302, [])
                row["form"] = form.summary()
            rounds.append(row)
            print(
                f"round {number + 1}: trivial {trivial.per_second:,.0f}/s "
                f"(p99 {trivial.p99_ms:.1f} ms, "
                f"client CPU {trivial.summary()['client_cpu_share']}); "
                f"API {api.per_second:,.0f} ratings/s, p50 {api.median_ms:.1f} ms, "
                f"p99 {api.p99_ms:.1f} ms, errors {api.errors} {dict(api.statuses)}; "
                f"ratio {row['ratio']}"
                + (
                    f"; one-row insert {one_row.per_second:,.0f}/s, p99 {one_row.p99_ms:.1f} ms, "
                    f"errors {one_row.errors}, ratio {row['one_row_ratio']}"
                    if args.floor
                    else ""
                )
                + (
                    f"; form {row['form']['per_second']}/s p99 {row['form']['p99_ms']} ms "
                    f"errors {row['form']['errors']}"
                    if args.form
                    else ""
                ),
                flush=True,
            )

    stored = (
        check_counted(counted, before, args.connections * args.rounds)
        if args.client == "wrk"
        else check_stored(acknowledged, before)
    )
    rollups = check_rollups()
    print(f"stored: {stored}; rollups: {rollups}")
    result: dict[str, Any] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
        "server": "gunicorn, 2 sync workers, DJANGO_DEBUG=0",
        "client": f"{args.client}: {args.processes} processes or threads, "
        f"{args.connections} connections in flight",
        "base_ratings": data.ratings,
        "rated_staff": len(tokens),
        "rated_organisations": len({m.organisation_id for m in members}),
        "seconds": args.seconds,
        "rounds": rounds,
        "median": {
            "trivial_per_second": round(
                statistics.median(r["trivial"]["per_second"] for r in rounds)
            ),
            "api_per_second": round(statistics.median(r["api"]["per_second"] for r in rounds)),
            "api_p50_ms": statistics.median(r["api"]["median_ms"] for r in rounds),
            "api_p99_ms": statistics.median(r["api"]["p99_ms"] for r in rounds),
            "ratio": statistics.median(r["ratio"] for r in rounds),
            **(
                {"one_row_ratio": statistics.median(r["one_row_ratio"] for r in rounds)}
                if args.floor
                else {}
            ),
        },
        "stored": stored,
        "rollups": rollups,
        "targets": {
            "per_second": TARGETS.get(vendor),
            "p99_ms": TARGET_P99_MS,
            "ratio": TARGET_RATIO,
        },
    }
    if args.profile:
        result["profile"] = profile(tokens, criteria, 2000)
        print(result["profile"]["cprofile_top"])
        print(f"queries per request: {result['profile']['queries_per_request']}")
        for sql in result["profile"]["queries"]:
            print("   ", sql)
    median = result["median"]
    met = (
        median["api_per_second"] >= (TARGETS.get(vendor) or 0)
        and median["api_p99_ms"] < TARGET_P99_MS
        and median["ratio"] >= TARGET_RATIO
        and all(r["api"]["errors"] == 0 for r in rounds)
        and stored["ok"]
        and rollups["identical_to_rebuild"]
    )
    print(f"median: {median}; {'targets met' if met else 'TARGETS MISSED'}")
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    key = vendor if args.client == "python" else f"{vendor} (wrk)"
    saved[key + (", with the one-row floor" if args.floor else "")] = result
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
