"""The assignment and dossier lists at provincial scale, in process (test Client).

Times the pages and API calls of the scale walk's findings 1 and 5 (the assignment list,
one assignment, the extension requests, the dossiers at their last offset) for the walk's
users, median of 3, with the number of queries. It needs the walk's database (503,740
assignments, 238,265 dossiers) and its `prep.json` (user ids), and writes sessions into
the database: run it on a copy.

    cp /tmp/walk-scale/scale.sqlite3 /tmp/copy.sqlite3
    .venv/bin/python bench/bench_assignment_lists.py /tmp/copy.sqlite3 \\
        [--prep /tmp/walk-scale/prep.json]

Run it with `PYTHONPATH` at another checkout to time that checkout's code on the same data
(apply that checkout's migrations to its copy first).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--prep", default="/tmp/walk-scale/prep.json")
    parser.add_argument("--only", default="", help="only the paths or users containing this")
    args = parser.parse_args()
    os.environ["CONGVU_SQLITE_PATH"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    os.environ.setdefault("CONGVU_TESTING", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(os.environ.get("PYTHONPATH", ROOT)).resolve()))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from http_bench import session_cookie

    from congvu.accounts.models import User

    ids = json.loads(Path(args.prep).read_text())["ids"]
    last_page = "?page=10075"  # 503,740 assignments, 50 a page
    calls = [
        ("home_affairs", "/assignments/"),
        ("home_affairs", f"/assignments/{last_page}"),
        ("inspector", f"/assignments/{last_page}"),
        ("commune_head", "/assignments/"),
        ("home_affairs", f"/assignments/{ids['assignment_commune']}/"),
        ("commune_head", f"/assignments/{ids['assignment_commune']}/"),
        ("home_affairs", "/api/v1/assignments"),
        ("home_affairs", "/api/v1/assignments?offset=LAST"),
        ("department_head", "/api/v1/assignments"),
        ("home_affairs", "/api/v1/extension-requests"),
        ("home_affairs", f"/api/v1/assignments/{ids['assignment_dept']}"),
        ("home_affairs", "/api/v1/dossiers"),
        ("home_affairs", "/api/v1/dossiers?offset=LAST"),
        ("focal_point", "/api/v1/dossiers?offset=LAST"),
    ]
    with override_settings(
        DEBUG=False,
        STORAGES={
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        },
    ):
        for persona, path in calls:
            if args.only not in path and args.only not in persona:
                continue
            client = Client()
            cookie = session_cookie(User.objects.get(pk=ids[f"user_{persona}"]))
            client.cookies["sessionid"] = cookie.split("=", 1)[1]
            if "LAST" in path:
                count = client.get(path.split("?")[0]).json()["count"]
                path = path.replace("LAST", str(max(count - 50, 0)))
            times = []
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - start)
            median = statistics.median(times) * 1000
            print(
                f"{persona:16} {response.status_code} {median:8.0f} ms "
                f"{len(queries):3} queries  {path}",
                flush=True,
            )


if __name__ == "__main__":
    main()
