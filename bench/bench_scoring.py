"""Scorecard computation and the ranking pages on the scale data set.

    .venv/bin/python bench/bench_scoring.py              # fresh temporary SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu \\
        .venv/bin/python bench/bench_scoring.py          # PostgreSQL (database is flushed)

On `build_scale(2000, 40000)` plus the planning scale data set (~500,000
assignments, `plan_scale.py`; skip it with `--no-plan`), a scorecard with the
seven default criteria over every organisation kind that is not a division
(~2,000 organisations) is computed `--compute-repeat` times (each run deletes
and rewrites every score, as a recompute does); the number of SQL queries of
one computation is counted, to show it does not grow with the organisations.
Then the ranking pages are timed over HTTP (gunicorn, production settings,
one sequential client), and the ranking's PDF, DOCX and XLSX rendered once
in-process; the PDF's request is timed while it is being made (no worker runs:
a redirect to its status page), the worker's task is run once, and the
finished file's download timed. Prints a table and merges the numbers into
bench/results/scoring.json under the database vendor.
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

from http_bench import gunicorn, session_cookie, time_page
from scale import build_scale, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "scoring.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--compute-repeat", type=int, default=5)
    parser.add_argument("--no-plan", action="store_true", help="without the 500,000 assignments")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = setup_django("scoring")
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation, OrganisationKind
    from congvu.scoring import services
    from congvu.scoring.metrics import DEFAULT_WEIGHTS

    build_scale(args.organisations, args.staff, catalogue=True)
    officer = User.objects.create_user(username="bench.noivu", password=None)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    if not args.no_plan:
        from plan_scale import build_plan_scale

        build_plan_scale(user=officer)
    call_command("collectstatic", interactive=False, verbosity=0)

    today = timezone.localdate()
    scorecard = services.create_scorecard(
        root,
        actor=officer,
        name="Bench",
        period_start=dt.date(today.year - 1, 1, 1),
        period_end=dt.date(today.year - 1, 12, 31),
        kinds=list(OrganisationKind.objects.filter(is_division=False)),
        criteria=[services.CriterionIn(code, weight) for code, weight in DEFAULT_WEIGHTS],
    )
    times: list[float] = []
    queries = 0
    scored = 0
    for run in range(args.compute_repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            scored = services.compute(scorecard, actor=officer)
            times.append(time.perf_counter() - started)
        if run == 0:
            queries = len(captured.captured_queries)
    compute = {
        "organisations": scored,
        "queries": queries,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "runs": len(times),
    }
    print(
        f"compute {scored} organisations: median {compute['median_s']:.3f} s, "
        f"max {compute['max_s']:.3f} s, {queries} queries"
    )
    services.publish(scorecard, actor=officer)
    # The ranking's documents, rendered in-process (a computed scorecard's PDF is rendered
    # in the request; a published one's is cached after its first rendering).
    from congvu.scoring import documents

    rendered: dict[str, Any] = {}
    for label, exporter in (
        ("pdf", lambda: documents.RankingPdf(scorecard).render_now()),
        ("docx", lambda: documents.RankingDocx(scorecard).render()),
        ("xlsx", lambda: documents.RankingXlsx(scorecard).render()),
    ):
        started = time.perf_counter()
        size = len(exporter())
        rendered[label] = {"seconds": round(time.perf_counter() - started, 2), "bytes": size}
        print(f"ranking {label:4}: {rendered[label]['seconds']:.2f} s, {size:,} B")
    cookie = session_cookie(officer)
    pk = scorecard.pk
    some = scorecard.scores.filter(total__isnull=False).order_by("pk").first()
    example = some.organisation_id if some is not None else root.pk
    connection.close()

    pages = {
        "ranking (officer), first page": f"/scoring/{pk}/",
        "ranking sorted by total": f"/scoring/{pk}/?sort=-total",
        "ranking search 'xa an'": f"/scoring/{pk}/?q=xa+an",
        "breakdown of one organisation": f"/scoring/{pk}/org/{example}/",
        "public ranking": f"/rankings/{pk}/",
        "public CSV (all organisations)": f"/rankings/{pk}.csv",
        "API ranking, 200 rows": f"/api/v1/scorecards/{pk}/ranking?limit=200",
    }
    # The ranking's PDF over HTTP: no worker runs beside this server, so the first
    # requests find it being made (hash of the HTML, a redirect, the status page); then
    # the worker's task is run here and the finished file is downloaded.
    being_made = {
        "ranking PDF asked, being made (officer)": f"/scoring/{pk}/ranking.pdf",
        "ranking PDF asked, being made (public)": f"/rankings/{pk}.pdf",
    }
    finished = {
        "ranking PDF, finished (officer)": f"/scoring/{pk}/ranking.pdf",
        "ranking PDF, finished (public)": f"/rankings/{pk}.pdf",
    }
    results: dict[str, Any] = {}

    def timed(base: str, name: str, path: str) -> None:
        results[name] = time_page(base, path, cookie, args.repeat)
        print(
            f"{name:40} median {results[name]['median_ms']:7.1f} ms   "
            f"p95 {results[name]['p95_ms']:7.1f} ms   {results[name]['bytes']:>9,} B"
        )

    from congvu.scoring import pdf_exports
    from congvu.scoring.models import RankingPdfExport

    with gunicorn(cookie) as base:
        for name, path in {**pages, **being_made}.items():
            timed(base, name, path)
        export = RankingPdfExport.objects.get(scorecard=scorecard)
        started = time.perf_counter()
        outcome = pdf_exports.make(export.pk)
        rendered["pdf on the worker"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "outcome": outcome,
        }
        print(f"ranking pdf on the worker (task): {rendered['pdf on the worker']['seconds']} s")
        connection.close()
        for name, path in finished.items():
            timed(base, name, path)

    vendor = database.split(" ")[0]
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[vendor] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "server": "gunicorn, 2 sync workers, DJANGO_DEBUG=0",
        "organisations": args.organisations,
        "staff": args.staff,
        "assignments": not args.no_plan,
        "compute": compute,
        "documents": rendered,
        "pages": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
