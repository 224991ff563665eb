"""The audit log's page, its API and its CSV export over 1 million audit events.

    .venv/bin/python bench/bench_audit.py                   # fresh temporary SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu \\
        .venv/bin/python bench/bench_audit.py               # PostgreSQL (database is flushed)
    .venv/bin/python bench/bench_audit.py --events 200000 --repeat 10

On a scale tree (`build_scale`, 2,000 organisations by default), `--events` audit events
are bulk-inserted straight into the table (raw multi-row INSERTs: about two minutes for
1 M rows on SQLite, indexes included), spread over the last 400 days, over every
organisation (2 % with none), over the labelled actions and a dozen actors, with a few
summaries (one event in 10,000 says "vòi vĩnh") and their folded `search_text`. Their hashes
are unique stand-ins, so **the hash chain is not valid**: the timing of the list and the
export does not depend on it (the chain's verification, which would stop at the first
stand-in, is not timed here). Then, through the Django test client (in-process, no HTTP
server), each page is requested `--repeat` times after 2 warm-ups (the CSV exports
`--csv-repeat` times after 1, each read to the end). The query plans of the list's
queries are printed and saved. The "search, …" pages time the "Nội dung" filter
(`--only search` runs them alone). Prints a table and merges the numbers into
bench/results/audit.json (or `--results`) under the database vendor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from scale import build_scale, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "audit.json"
#: Summaries of the events, for the "Nội dung" search: common words, and a phrase that
#: one event in RARE_EVERY carries.
COMMON = [
    "Cập nhật tiến độ nhiệm vụ tuyên truyền",
    "Nguyễn Văn Đức nộp báo cáo định kỳ",
    "Tiếp nhận phản ánh về thái độ phục vụ",
    "Sửa thông tin cán bộ Trần Thị Mai",
]
RARE = "Phản ánh cán bộ vòi vĩnh tiền"
RARE_EVERY = 10_000


def insert_events(count: int, organisation_ids: list[int], actor_ids: list[int]) -> float:
    """Bulk-insert `count` events with stand-in hashes; returns the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from congvu.audit.labels import ACTIONS
    from congvu.audit.models import search_text_of

    actions = list(ACTIONS)
    rng = random.Random(86)
    now = timezone.now()
    start = now - dt.timedelta(days=400)
    step = dt.timedelta(days=400) / count
    columns = (
        "at, actor_id, action, object_type, object_id, organisation_id, summary, data, "
        "prev_hash, hash, search_text"
    )
    batch = 2000 if connection.vendor == "postgresql" else 90  # SQLite: 999 variables
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        rows: list[Any] = []
        for n in range(count):
            org = None if rng.random() < 0.02 else rng.choice(organisation_ids)
            object_id = str(rng.randrange(1, 50_000))
            summary = f"{RARE if n % RARE_EVERY == 0 else COMMON[n % len(COMMON)]} {n}"
            rows.extend(
                [
                    start + step * n,
                    rng.choice(actor_ids),
                    rng.choice(actions),
                    "planning.task",
                    object_id,
                    org,
                    summary,
                    "{}",
                    f"{n:064x}",
                    f"{n + 1:064x}",
                    search_text_of(summary, object_id),
                ]
            )
            if len(rows) == batch * 11 or n == count - 1:
                row = "(" + ", ".join(["%s"] * 11) + ")"
                values = ", ".join([row] * (len(rows) // 11))
                # Only placeholders are joined in; the values go as parameters.
                sql = f"INSERT INTO audit_auditevent ({columns}) VALUES {values}"  # noqa: S608
                cursor.execute(sql, rows)
                rows = []
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "ANALYZE audit_auditevent")
    return time.perf_counter() - began


def timed(
    client: Any, path: str, params: dict[str, Any], repeat: int, warm: int = 2
) -> dict[str, Any]:
    times: list[float] = []
    size = 0
    for run in range(repeat + warm):
        began = time.perf_counter()
        response = client.get(path, params)
        if getattr(response, "streaming", False):
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, (path, params, response.status_code)
        if run >= warm:
            times.append(elapsed)
    times.sort()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))] * 1000, 1),
        "runs": len(times),
        "bytes": size,
    }


def plans(user: Any) -> dict[str, list[str]]:
    """The query plans of the list's main queries (do they use the indexes?)."""
    from django.db import connection

    from congvu.audit import selectors

    found: dict[str, list[str]] = {}
    month = dt.date.today() - dt.timedelta(days=30)
    cases = {
        "first page, province-wide": selectors.Filters(),
        "one organisation (search)": selectors.Filters(organisation="xa 1"),
        "one action": selectors.Filters(action="case.closed"),
        "last 30 days": selectors.Filters(date_from=month),
        "words on many events": selectors.Filters(q="nguyen van duc"),
        "rare words, everything": selectors.Filters(q="voi vinh"),
        "rare words, last 30 days": selectors.Filters(q="voi vinh", date_from=month),
        "words in no event, last 30 days": selectors.Filters(q="khong co", date_from=month),
    }
    for name, filters in cases.items():
        qs = selectors.filter_events(user, filters)[:51]
        sql, params = qs.query.sql_with_params()
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            found[name] = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--csv-repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="only the pages whose label has this")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the JSON to merge into")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,localhost"
    # The bench signs in with force_login: no second step (DJANGO_DEBUG=0 would ask
    # Home Affairs for one, and every page would redirect to the enrolment).
    os.environ.setdefault("CONGVU_TWO_FACTOR_ROLES", "")
    database = setup_django("audit")
    from django.core.management import call_command
    from django.test import Client

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation

    build_scale(args.organisations, args.staff)
    call_command("collectstatic", interactive=False, verbosity=0)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    officer = User.objects.create_user(username="bench.noivu", password=None)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    commune = Organisation.objects.filter(kind__code="commune_pc").order_by("pk").first()
    assert commune is not None
    local = User.objects.create_user(username="bench.xa", password=None)
    RoleGrant.objects.create(user=local, role=Role.HOME_AFFAIRS, organisation=commune)
    actors = [officer.pk, local.pk] + [
        User.objects.create_user(username=f"bench.u{n}", password=None).pk for n in range(10)
    ]
    organisation_ids = list(Organisation.objects.values_list("pk", flat=True))
    seconds = insert_events(args.events, organisation_ids, actors)
    print(f"{args.events:,} events inserted in {seconds:.1f} s ({database})")

    as_officer, as_local = Client(), Client()
    as_officer.force_login(officer)
    as_local.force_login(local)
    from congvu.audit.models import AuditEvent

    middle = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[args.events // 2]
    month = (dt.date.today() - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    day = (dt.date.today() - dt.timedelta(days=100)).strftime("%d/%m/%Y")
    name = commune.name
    pages: dict[str, tuple[Any, str, dict[str, Any], int]] = {
        "list, first page (province-wide)": (as_officer, "/audit/", {}, args.repeat),
        "list, a page halfway down (keyset)": (
            as_officer,
            "/audit/",
            {"after": middle},
            args.repeat,
        ),
        "list, one organisation by name": (
            as_officer,
            "/audit/",
            {"organisation": name},
            args.repeat,
        ),
        "list, one action": (as_officer, "/audit/", {"action": "case.closed"}, args.repeat),
        "list, last 30 days": (as_officer, "/audit/", {"date_from": month}, args.repeat),
        "list, one day 100 days ago": (
            as_officer,
            "/audit/",
            {"date_from": day, "date_to": day},
            args.repeat,
        ),
        "list, a commune's own holder": (as_local, "/audit/", {}, args.repeat),
        "API, first page of 50": (as_officer, "/api/v1/audit-events", {}, args.repeat),
        "CSV, one day 100 days ago": (
            as_officer,
            "/audit/export.csv",
            {"date_from": day, "date_to": day},
            args.repeat,
        ),
        "CSV, last 30 days": (
            as_officer,
            "/audit/export.csv",
            {"date_from": month},
            args.csv_repeat,
        ),
        "CSV, everything": (as_officer, "/audit/export.csv", {}, args.csv_repeat),
        "search, words on many events": (
            as_officer,
            "/audit/",
            {"q": "nguyen van duc"},
            args.repeat,
        ),
        "search, rare words (1 in 10,000)": (as_officer, "/audit/", {"q": "voi vinh"}, args.repeat),
        "search, rare words, last 30 days": (
            as_officer,
            "/audit/",
            {"q": "voi vinh", "date_from": month},
            args.repeat,
        ),
        "search, rare words, one day": (
            as_officer,
            "/audit/",
            {"q": "voi vinh", "date_from": day, "date_to": day},
            args.repeat,
        ),
        "search, words in no event, last 30 days": (
            as_officer,
            "/audit/",
            {"q": "khong co", "date_from": month},
            args.repeat,
        ),
        "search, words in no event, everything": (
            as_officer,
            "/audit/",
            {"q": "khong co"},
            args.csv_repeat,
        ),
        "search, rare words, one action": (
            as_officer,
            "/audit/",
            {"q": "voi vinh", "action": "case.closed"},
            args.repeat,
        ),
        "search, a commune's own holder": (as_local, "/audit/", {"q": "voi vinh"}, args.repeat),
        "API, rare words": (as_officer, "/api/v1/audit-events", {"q": "voi vinh"}, args.repeat),
    }
    if args.only:
        pages = {label: page for label, page in pages.items() if args.only in label}
    results: dict[str, Any] = {}
    for label, (client, path, params, repeat) in pages.items():
        results[label] = timed(client, path, params, repeat, warm=1 if "CSV" in label else 2)
        r = results[label]
        print(
            f"{label:40} median {r['median_ms']:>9.1f} ms  p95 {r['p95_ms']:>9.1f} ms  "
            f"{r['bytes'] / 1024:>10.0f} KB"
        )
    found = plans(officer)
    for label, lines in found.items():
        print(f"plan, {label}:")
        for line in lines:
            print(f"    {line}")

    from django.db import connection

    saved = json.loads(args.results.read_text()) if args.results.exists() else {}
    saved[connection.vendor] = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": database,
        "events": args.events,
        "insert_seconds": round(seconds, 1),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "pages": results,
        "plans": found,
    }
    args.results.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")
    print(f"saved to {args.results}")


if __name__ == "__main__":
    main()
