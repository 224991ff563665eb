"""Benchmark: import 40,000 staff members from Excel (validate + commit) on a fresh SQLite file.

Not a test. Run from the repository root:

    .venv/bin/python bench/bench_import.py [--rows 40000] [--runs 3]

It builds a province of 2,000 organisations (bench/scale.py's build_scale with no
staff; without it, through congvu.organisations.services), writes a staff
workbook, then for each run restores the freshly built database, validates and
commits the file through the same functions the background task calls, and
imports the same file again (everything unchanged). The median goes to
bench/results/import.json. The requirement is under 60 s for validate + commit.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "import.json"
LIMIT_SECONDS = 60.0


def setup_django(workdir: Path) -> Path:
    db_path = workdir / "bench.sqlite3"
    os.environ["CONGVU_SQLITE_PATH"] = str(db_path)
    os.environ["CONGVU_VAR_DIR"] = str(workdir)  # media (uploaded files) stay in the temp dir
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SECRET_KEY"] = "bench"  # noqa: S105
    os.environ["CONGVU_TESTING"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("CONGVU_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return db_path


def build_organisations(total: int = 2_000) -> None:
    """A province of `total` organisations, from bench/scale.py when it is there (no staff)."""
    try:
        from bench.scale import build_scale
    except ImportError:
        _build_own(total)
        return
    print("organisations from bench/scale.py:build_scale(staff=0)")
    build_scale(organisations=total, staff=0)


def scope_and_targets() -> tuple[Any, list[Any]]:
    """The open root with the largest subtree, and the open non-division organisations in it."""
    from congvu.organisations.models import Organisation

    roots = Organisation.objects.filter(depth=0, valid_to__isnull=True)
    scope = max(
        roots, key=lambda root: Organisation.objects.filter(path__startswith=root.path).count()
    )
    targets = list(
        Organisation.objects.filter(
            path__startswith=scope.path,
            depth__gte=1,
            valid_to__isnull=True,
            kind__is_division=False,
        ).order_by("path")
    )
    return scope, targets


def _build_own(total: int) -> None:
    import datetime as dt

    from congvu.organisations.models import OrganisationKind
    from congvu.organisations.services import create_organisation

    kinds = {k.code: k for k in OrganisationKind.objects.all()}
    start = dt.date(2025, 7, 1)

    def make(code: str, name: str, kind: str, parent: Any) -> Any:
        return create_organisation(
            actor=None,
            code=code,
            name=name,
            kind=kinds[kind],
            parent=parent,
            valid_from=start,
            audit=False,
        )

    root = make("B01", "Ủy ban nhân dân tỉnh Bench", "province_pc", None)
    count = 1
    departments = []
    for i in range(1, 101):
        departments.append(make(f"B01.{i:03d}", f"Sở số {i}", "department", root))
        count += 1
    for i in range(1, 151):
        make(f"B01.X{i:03d}", f"Ủy ban nhân dân xã số {i}", "commune_pc", root)
        count += 1
    i = 0
    while count < total:
        department = departments[i % len(departments)]
        if i % 2:
            make(f"{department.code}.P{i:04d}", f"Phòng {i}", "division", department)
        else:
            make(
                f"{department.code}.D{i:04d}",
                f"Đơn vị sự nghiệp {i}",
                "public_service_unit",
                department,
            )
        count += 1
        i += 1


def staff_workbook(rows: int, organisations: list[Any]) -> bytes:
    import openpyxl

    from congvu.organisations.importing.columns import STAFF_COLUMNS
    from congvu.organisations.models import Organisation

    divisions: dict[int, list[str]] = {}
    for code, parent_id in Organisation.objects.filter(
        kind__is_division=True, valid_to__isnull=True
    ).values_list("code", "parent_id"):
        divisions.setdefault(parent_id, []).append(code)
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
    middles = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc", "Quốc", "Thanh"]
    givens = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Lan", "Mai", "Sơn", "Tú"]
    categories = ["Cán bộ", "Công chức", "Viên chức", "Người lao động"]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Cán bộ")
    ws.append([c.label for c in STAFF_COLUMNS])
    for n in range(rows):
        org = organisations[n % len(organisations)]
        own_divisions = divisions.get(org.pk, [])
        ws.append(
            [
                f"CB{n:06d}",
                f"{families[n % 10]} {middles[n % 8]} {givens[n % 11]}",
                categories[n % 4],
                "Chuyên viên" if n % 7 else "Trưởng phòng",
                "Có" if n % 7 == 0 else "Không",
                org.code,
                own_divisions[n % len(own_divisions)] if own_divisions and n % 2 else "",
                f"cb{n:06d}@example.gov.vn",
                f"09{n:08d}",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one_run(content: bytes, actor: Any, scope: Any, rows: int) -> dict[str, float]:
    from django.core.files.base import ContentFile

    from congvu.organisations.import_models import ImportJob
    from congvu.organisations.importing.jobs import commit_job, request_commit, validate_job

    def import_once() -> tuple[ImportJob, float, float]:
        job = ImportJob(kind=ImportJob.Kind.STAFF, scope=scope, uploaded_by=actor)
        job.original_name = "bench.xlsx"
        job.file.save("bench.xlsx", ContentFile(content), save=False)
        job.save()
        started = time.perf_counter()
        validate_job(job)
        validated = time.perf_counter()
        assert job.error_count == 0, job.row_errors[:5]
        assert request_commit(job, actor=actor)
        job = ImportJob.objects.select_related("scope", "committed_by").get(pk=job.pk)
        commit_job(job)
        committed = time.perf_counter()
        assert job.status == ImportJob.Status.DONE, job.message
        return job, validated - started, committed - validated

    job, validate_s, commit_s = import_once()
    assert job.created_count == rows, job.created_count
    again, revalidate_s, recommit_s = import_once()
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, rows)
    return {
        "validate_s": round(validate_s, 2),
        "commit_s": round(commit_s, 2),
        "total_s": round(validate_s + commit_s, 2),
        "reimport_unchanged_total_s": round(revalidate_s + recommit_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--organisations", type=int, default=2_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="congvu-bench-import-") as tmp:
        workdir = Path(tmp)
        db_path = setup_django(workdir)
        from django.core.management import call_command
        from django.db import connections

        from congvu.accounts.models import Role, RoleGrant, User
        from congvu.organisations.models import Organisation

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        build_organisations(args.organisations)
        scope, organisations = scope_and_targets()
        actor = User.objects.create_user(username="bench", password="bench-password-123")  # noqa: S106
        RoleGrant.objects.create(user=actor, role=Role.HOME_AFFAIRS, organisation=scope)
        setup_s = time.perf_counter() - started
        print(f"setup: {Organisation.objects.count()} organisations in {setup_s:.1f} s")

        started = time.perf_counter()
        content = staff_workbook(args.rows, organisations)
        print(
            f"workbook: {args.rows} rows, {len(content) / 1e6:.1f} MB "
            f"in {time.perf_counter() - started:.1f} s"
        )

        connections.close_all()
        snapshot = workdir / "snapshot.sqlite3"
        with sqlite3.connect(db_path) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(db_path, snapshot)

        runs = []
        for n in range(1, args.runs + 1):
            connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(snapshot, db_path)
            actor = User.objects.get(username="bench")
            scope = Organisation.objects.get(pk=scope.pk)
            result = one_run(content, actor, scope, args.rows)
            runs.append(result)
            print(f"run {n}: {result}")

    median = statistics.median(r["total_s"] for r in runs)
    summary = {
        "benchmark": "staff Excel import, validate + commit, fresh SQLite file per run",
        "rows": args.rows,
        "organisations": args.organisations,
        "runs": runs,
        "median_validate_s": statistics.median(r["validate_s"] for r in runs),
        "median_commit_s": statistics.median(r["commit_s"] for r in runs),
        "median_total_s": median,
        "median_reimport_unchanged_total_s": statistics.median(
            r["reimport_unchanged_total_s"] for r in runs
        ),
        "limit_s": LIMIT_SECONDS,
        "ok": median < LIMIT_SECONDS,
        "machine": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "python bench/bench_import.py --rows 40000 --runs 3",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"median validate + commit: {median:.2f} s (limit {LIMIT_SECONDS:.0f} s) → {RESULTS}")
    if median >= LIMIT_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
