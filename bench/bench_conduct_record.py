"""The conduct record (year-end rating) on the scale data set: a department of ~500 staff
and a department with its whole subtree.

    .venv/bin/python bench/bench_conduct_record.py       # fresh temporary SQLite file

Each listed staff member gets twelve monthly rollup rows for the year (as if rated every
month), so the index reads real rows. The provincial catalogue is in force and two staff
members in three confirmed it, so the "Cần lưu ý" (attention) filter over the whole
province finds low indexes and missing confirmations; it is measured `--attention-repeat`
times (it computed every one of the 40k rows before the SQL pre-filter). Prints a table
and merges the numbers into bench/results/conduct_record.json under the database vendor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from bench_tree import measure  # bench/ is on sys.path when run as a script
from scale import build_scale, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "conduct_record.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--attention-repeat", type=int, default=5)
    args = parser.parse_args()

    database = setup_django("conduct")
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from congvu.accounts import access
    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.feedback.models import StaffMonthRollup
    from congvu.organisations import conduct_record
    from congvu.organisations.models import Organisation, StaffMember
    from congvu.planning.models import Acknowledgement

    started = time.perf_counter()
    built = build_scale(args.organisations, args.staff, catalogue=True)
    generation = time.perf_counter() - started

    # The department whose staff with its units' is closest to 500.
    departments = Organisation.objects.filter(kind__code="department", valid_to__isnull=True)
    sizes = {
        d: StaffMember.objects.filter(organisation__path__startswith=d.path).count()
        for d in departments
    }
    dept = min(sizes, key=lambda d: abs(sizes[d] - 500))
    own = {"n": StaffMember.objects.filter(organisation=dept).count()}
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    officer = User.objects.create_user(username="bench.noivu", password=None)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    today = timezone.localdate()
    period = conduct_record.Period(today.year, today)

    large = max(sizes, key=lambda d: sizes[d])
    listed = list(
        StaffMember.objects.filter(organisation__path__startswith=dept.path).values_list(
            "pk", "organisation_id"
        )
    )
    listed += list(
        StaffMember.objects.filter(organisation__path__startswith=large.path).values_list(
            "pk", "organisation_id"
        )
    )
    StaffMonthRollup.objects.bulk_create(
        [
            StaffMonthRollup(
                staff_id=pk,
                organisation_id=organisation_id,
                month=dt.date(today.year, month, 1),
                total=12,
                counted=10 + pk % 3,
                satisfied=7 + pk % 4,
                level_1=5,
                level_2=2 + pk % 4,
            )
            for pk, organisation_id in listed
            for month in range(1, 13)
        ],
        batch_size=2000,
    )

    # Two staff members in three confirmed the code in force (the rest are flagged).
    version = conduct_record._versions_in_force(period)[0]
    Acknowledgement.objects.bulk_create(
        [
            Acknowledgement(
                staff_id=pk,
                code_version_id=version.pk,
                method=Acknowledgement.Method.SELF,
                recorded_by=officer,
            )
            for pk in StaffMember.objects.values_list("pk", flat=True)
            if pk % 3
        ],
        batch_size=2000,
    )

    def page(subtree: bool, sort: str, where: Organisation = dept, attention: bool = False) -> int:
        access.forget(officer)  # each request reads the grants afresh
        record = conduct_record.record(
            officer, where, period, subtree=subtree, sort=sort, attention=attention
        )
        return len(record.rows(record.order[:100])) and record.count

    def export_all(subtree: bool) -> int:
        access.forget(officer)
        record = conduct_record.record(officer, dept, period, subtree=subtree)
        return sum(1 for _ in record.all_rows())

    cases = {
        "department_by_name_first_100": lambda: page(False, "name"),
        "department_by_index_first_100": lambda: page(False, "index"),
        "department_all_rows": lambda: export_all(False),
        "subtree_by_name_first_100": lambda: page(True, "name"),
        "subtree_by_index_first_100": lambda: page(True, "index"),
        "subtree_all_rows": lambda: export_all(True),
        "large_subtree_by_name_first_100": lambda: page(True, "name", large),
        "large_subtree_by_index_first_100": lambda: page(True, "index", large),
    }
    results = {name: measure(fn, args.repeat) for name, fn in cases.items()}
    attention = {
        "province_attention_by_name_first_100": lambda: page(True, "name", root, True),
        "province_attention_by_index_first_100": lambda: page(True, "index", root, True),
        "large_subtree_attention_by_name_first_100": lambda: page(True, "name", large, True),
    }
    for name, fn in attention.items():
        results[name] = measure(fn, args.attention_repeat, warmup=1)
    report = {
        "database": database,
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "organisations": built.organisations,
        "staff": built.staff,
        "generation_s": round(generation, 2),
        "department": f"{dept.name} ({own['n']} own staff, {sizes[dept]} with its subtree)",
        "large": f"{large.name} ({sizes[large]} staff with its subtree)",
        "queries": results,
    }
    print(f"{database}: {built.organisations} organisations, {built.staff} staff")
    print(report["department"], "·", report["large"])
    print(f"{'query':34} {'median ms':>10} {'p95 ms':>10}  result")
    for name, row in results.items():
        print(f"{name:34} {row['median_ms']:10.2f} {row['p95_ms']:10.2f}  {row['result']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    saved = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    saved[connection.vendor] = report
    RESULTS.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
