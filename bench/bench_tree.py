"""Tree and scoping queries on the scale data set (2,000 organisations, 40,000 staff).

    .venv/bin/python bench/bench_tree.py                 # fresh temporary SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu \\
        .venv/bin/python bench/bench_tree.py             # PostgreSQL (database is flushed)

Prints a table and merges the numbers into bench/results/tree.json under the
database vendor ("sqlite" / "postgresql").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scale import build_scale, setup_django  # bench/ is on sys.path when run as a script

RESULTS = Path(__file__).resolve().parent / "results" / "tree.json"


def measure(fn: Callable[[], Any], repeat: int, warmup: int = 2) -> dict[str, Any]:
    for _ in range(warmup):
        fn()
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(p95, 3),
        "min_ms": round(times[0], 3),
        "repeat": repeat,
        "result": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    database = setup_django("tree")
    from django.db import connection
    from django.utils import timezone

    from congvu.accounts import access
    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation, StaffMember
    from congvu.organisations.selectors import tree_as_of

    started = time.perf_counter()
    built = build_scale(args.organisations, args.staff)
    generation = time.perf_counter() - started

    dept = Organisation.objects.get(name="Sở Giáo dục và Đào tạo", valid_to__isnull=True)
    commune = Organisation.objects.filter(kind__code="commune_pc", valid_to__isnull=True).first()
    assert commune is not None
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    officer = User.objects.create_user(username="bench.noivu", password=None)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    commune_head = User.objects.create_user(username="bench.chutich", password=None)
    RoleGrant.objects.create(user=commune_head, role=Role.HEAD, organisation=commune)
    today = timezone.localdate()

    def visible(user: Any) -> int:
        access.forget(user)  # each request reads the grants afresh
        return access.visible_organisations(user).count()

    def tree_size(day: dt.date) -> int:
        return sum(len(root.walk()) for root in tree_as_of(day))

    cases: dict[str, tuple[Callable[[], Any], int]] = {
        "subtree_orgs_count": (lambda: Organisation.objects.subtree_of(dept).count(), args.repeat),
        "subtree_staff_count": (
            lambda: StaffMember.objects.filter(organisation__path__startswith=dept.path).count(),
            args.repeat,
        ),
        "subtree_staff_page": (
            lambda: len(
                StaffMember.objects.filter(organisation__path__startswith=dept.path)
                .order_by("sort_name")
                .values_list("full_name", "position_title")[:50]
            ),
            args.repeat,
        ),
        "visible_orgs_home_affairs": (lambda: visible(officer), args.repeat),
        "visible_orgs_commune_head": (lambda: visible(commune_head), args.repeat),
        "tree_as_of_today": (lambda: tree_size(today), max(10, args.repeat // 3)),
        "tree_as_of_2025_01_01": (
            lambda: tree_size(dt.date(2025, 1, 1)),
            max(10, args.repeat // 3),
        ),
    }
    results = {name: measure(fn, repeat) for name, (fn, repeat) in cases.items()}
    report = {
        "database": database,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "organisations": built.organisations,
        "staff": built.staff,
        "generation_s": round(generation, 2),
        "subtree_root": f"{dept.name} ({Organisation.objects.subtree_of(dept).count()} orgs)",
        "queries": results,
    }
    print(f"{database}: {built.organisations} organisations, {built.staff} staff")
    print(f"generation: {generation:.1f} s")
    print(f"{'query':32} {'median ms':>10} {'p95 ms':>10}  result")
    for name, row in results.items():
        print(f"{name:32} {row['median_ms']:10.2f} {row['p95_ms']:10.2f}  {row['result']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    saved[connection.vendor] = report
    RESULTS.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
