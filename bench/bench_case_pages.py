"""Median time and query count of the case pages, the cases export and the conduct record,
in process (the test client), on an existing scale database.

    CONGVU_SQLITE_PATH=/path/scale.sqlite3 CONGVU_VAR_DIR=/path/var DJANGO_DEBUG=0 \\
        .venv/bin/python bench/bench_case_pages.py [--repeat 3] [--root /work/main]

The database is the scale walk's (`scale.build_scale(2000, 40000)`, `plan_scale`,
`rating_scale`, `worklist_scale`: 29,837 cases, 40k staff, the `bench.*` users; the focal
point `bench.daumoi` is the walk's own). Use a copy: logging in writes sessions. `--root`
measures another checkout (main's code, for *before*) on the same data. Static files must
be collected in `CONGVU_VAR_DIR` (`manage.py collectstatic`). `--only export` measures
the export's lines alone.

Where the export goes to the background worker (`cases.export_jobs`, over
`CASES_EXPORT_INLINE_MAX_ROWS` rows) the request answers 302 to the status page; the
bench then also times, for each run, the worker writing the file (`export_jobs.make`,
in this process), the status page once it is done, and the download of the file, on
extra lines ("worker", "status page", "download").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PAGES = (
    ("bench.noivu", "/cases/dashboard/"),
    ("bench.kiemtra", "/cases/dashboard/"),
    ("bench.noivu", "/cases/"),
    ("bench.kiemtra", "/cases/"),
    ("bench.noivu", "/cases/export/"),
    ("bench.xuly", "/cases/export/"),
    ("bench.daumoi", "/org/21/conduct-record.xlsx?subtree=1"),
    ("bench.noivu", "/org/21/conduct-record.xlsx?subtree=1"),
    ("bench.noivu", "/org/1/conduct-record/?subtree=1&attention=1"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--only", default="", help="measure only the paths containing this")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="a background export's request only: its export is deleted unmade after each run",
    )
    args = parser.parse_args()
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from congvu.accounts.models import User

    clients: dict[str, Client] = {}
    for username, path in PAGES:
        if args.only and args.only not in path:
            continue
        if username not in clients:
            user = User.objects.filter(username=username).first()
            if user is None:
                print(f"{username:14} {path:48} (no such user)")
                continue
            client = Client()
            client.force_login(user)
            session = client.session
            session["congvu_2fa"] = True
            session.save()
            clients[username] = client
        times, queries, size, status = [], 0, 0, 0
        after: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as seen:
                start = time.perf_counter()
                response = clients[username].get(path)
                streamed = getattr(response, "streaming", False)
                body = b"".join(response.streaming_content) if streamed else response.content  # type: ignore[attr-defined]
                times.append((time.perf_counter() - start) * 1000)
            queries, size, status = len(seen), len(body), response.status_code
            if status == 302 and "/cases/exports/" in response.get("Location", ""):
                if args.no_worker:
                    forget(response["Location"])
                    continue
                for step, took in background(clients[username], response["Location"]).items():
                    after.setdefault(step, []).append(took)
        print(
            f"{username:14} {path:48} {status} median {statistics.median(times):7.0f} ms "
            f"(runs {', '.join(f'{t:.0f}' for t in times)}) {queries} queries {size} B",
            flush=True,
        )
        for step, runs in after.items():
            print(
                f"{'':14} {'  ' + step:48}     median {statistics.median(runs):7.0f} ms "
                f"(runs {', '.join(f'{t:.0f}' for t in runs)})",
                flush=True,
            )


def forget(status_url: str) -> None:
    """Delete a background export unmade, so that the next run asks afresh."""
    from congvu.cases.models import CaseExport

    CaseExport.objects.filter(pk=int(status_url.rstrip("/").rsplit("/", 1)[1])).delete()


def background(client: Any, status_url: str) -> dict[str, float]:
    """The rest of a background export: the worker, the finished page, the download (ms)."""
    from congvu.cases import export_jobs
    from congvu.cases.models import CaseExport

    export_id = int(status_url.rstrip("/").rsplit("/", 1)[1])
    taken: dict[str, float] = {}
    start = time.perf_counter()
    assert export_jobs.make(export_id, export_jobs.web_cases) == "done"
    taken["worker"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    page = client.get(status_url)
    assert page.status_code == 200
    taken["status page"] = (time.perf_counter() - start) * 1000
    export = CaseExport.objects.get(pk=export_id)
    start = time.perf_counter()
    file = client.get(f"{status_url}file/")
    size = len(b"".join(file.streaming_content))
    taken["download"] = (time.perf_counter() - start) * 1000
    assert file.status_code == 200 and size > 0, export
    return taken


if __name__ == "__main__":
    main()
