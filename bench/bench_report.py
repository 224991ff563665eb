"""The provincial report for 2,000 organisations: docx, xlsx and pdf (target: under 10 s each).

    .venv/bin/python bench/bench_report.py               # fresh temporary SQLite file
    .venv/bin/python bench/bench_report.py --repeat 5

On the scale data set (bench/scale.py) it adds 10 tasks of Plan 86 assigned to every
expected organisation (rollups rebuilt), dissemination sessions, and reports from half
the organisations (a quarter of them late), then measures:

| name | what |
|---|---|
| `compile` | `selectors.compile_period(period)`: rows, live indicators, totals |
| `docx` | `ProvincialReportDocx(compilation).render()` |
| `xlsx` | `ProvincialReportXlsx(compilation).render()` |
| `pdf` | `ProvincialReportPdf(compilation).render()` (WeasyPrint) |
| `total` | compile + docx + xlsx + pdf, what the three downloads cost together |

Each download compiles the period and renders one file: the target is that
each of `compile + docx`, `compile + xlsx` and `compile + pdf` stays under
10 s. Above `REPORTING_PDF_INLINE_MAX_ROWS` organisations (150) the PDF is
made on the background worker (`congvu.reporting.pdf_exports`), so its time
is what the officer waits on the export's page, not a request's.

Writes bench/results/report.json under the database vendor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from scale import build_scale, setup_django  # bench/ is on sys.path when run as a script

RESULTS = Path(__file__).resolve().parent / "results" / "report.json"


def seed_reporting_data(year: int) -> Any:
    from django.utils import timezone

    from congvu.accounts.models import User
    from congvu.organisations.models import Organisation
    from congvu.planning import rollups
    from congvu.planning.models import Assignment, Dissemination, Plan, Task
    from congvu.reporting import indicators, selectors, services
    from congvu.reporting.models import OrganisationReport

    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    plan = Plan.objects.first()
    period = services.ensure_yearly_period(year, issuing_organisation=root, plan=plan)
    expected = list(selectors.expected_organisations(period))
    user = User.objects.create_user(username="bench.report", password=None)
    tasks = [
        Task.objects.create(
            plan=plan, code=f"B{n}", content=f"Nhiệm vụ {n}", starts_on=dt.date(year, 1, 1)
        )
        for n in range(10)
    ]
    assignments = []
    for i, organisation in enumerate(expected):
        for n, task in enumerate(tasks):
            due = dt.date(year, 3 + n % 8, 28)
            done = (i + n) % 4
            completed = (
                (due - dt.timedelta(days=3) if done in (0, 1) else due + dt.timedelta(days=5))
                if done != 3
                else None
            )
            assignments.append(
                Assignment(
                    task=task,
                    organisation=organisation,
                    period=str(year),
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year, 10, 31),
                    original_due_on=due,
                    due_on=due,
                    progress="done" if completed else "in_progress",
                    completed_on=completed,
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    rollups.rebuild_all()
    Dissemination.objects.bulk_create(
        [
            Dissemination(
                organisation=organisation,
                held_on=dt.date(year, 2, 10),
                format="conference",
                content="Quán triệt Quyết định 1847/QĐ-TTg",
                participants=20 + i % 30,
                recorded_by=user,
            )
            for i, organisation in enumerate(expected)
        ],
        batch_size=2000,
    )
    filers = expected[::2]
    snapshots = indicators.compute(period, [o.pk for o in filers])
    now = timezone.now()
    OrganisationReport.objects.bulk_create(
        [
            OrganisationReport(
                period=period,
                organisation=organisation,
                organisation_name=organisation.name,
                status="submitted" if i % 3 else "accepted",
                indicators=snapshots[organisation.pk],
                indicators_computed_at=now,
                results="Đã quán triệt đến toàn thể cán bộ, công chức, viên chức.",
                submitted_at=now,
                first_submitted_at=now,
                submitted_by=user,
                is_late=i % 4 == 0,
            )
            for i, organisation in enumerate(filers)
        ],
        batch_size=1000,
    )
    return period, len(expected), len(assignments)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    database = setup_django("report")
    from django.db import connection

    from congvu.reporting import exporters, selectors

    started = time.perf_counter()
    build_scale(args.organisations, args.staff)
    generation = time.perf_counter() - started
    period, expected, assignment_count = seed_reporting_data(2026)

    timings: dict[str, list[float]] = {
        "compile": [],
        "docx": [],
        "xlsx": [],
        "pdf": [],
        "total": [],
    }
    sizes: dict[str, int] = {}
    rows = pages = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        compilation = selectors.compile_period(period)
        t1 = time.perf_counter()
        docx = exporters.ProvincialReportDocx(compilation).render()
        t2 = time.perf_counter()
        xlsx = exporters.ProvincialReportXlsx(compilation).render()
        t3 = time.perf_counter()
        pdf = exporters.ProvincialReportPdf(compilation).render()
        t4 = time.perf_counter()
        timings["compile"].append(t1 - t0)
        timings["docx"].append(t2 - t1)
        timings["xlsx"].append(t3 - t2)
        timings["pdf"].append(t4 - t3)
        timings["total"].append(t4 - t0)
        sizes = {"docx_bytes": len(docx), "xlsx_bytes": len(xlsx), "pdf_bytes": len(pdf)}
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        rows = len(compilation.rows)

    result = {
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
        "database": database,
        "python": platform.python_version(),
        "load_average": os.getloadavg()[0],
        "organisations_in_tree": args.organisations,
        "expected_organisations": expected,
        "rows_in_report": rows,
        "assignments": assignment_count,
        "generation_s": round(generation, 1),
        "repeat": args.repeat,
        **{
            f"{name}_s": {"median": round(statistics.median(v), 3), "max": round(max(v), 3)}
            for name, v in timings.items()
        },
        **sizes,
        "pdf_pages": pages,
        "target_s": 10,
        "ok": all(
            max(c + f for c, f in zip(timings["compile"], timings[name], strict=True)) < 10
            # The PDF of a province this size is made on the worker, not in a request.
            for name in ("docx", "xlsx")
        ),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    saved: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[connection.vendor] = result
    RESULTS.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
