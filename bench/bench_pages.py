"""Main pages and API reads over HTTP on the scale data set, production settings, gunicorn.

    .venv/bin/python bench/bench_pages.py                # fresh temporary SQLite file
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu \\
        .venv/bin/python bench/bench_pages.py            # PostgreSQL (database is flushed)

Requests are sequential (one client), so the numbers are latencies, not throughput.
Prints a table and merges the numbers into bench/results/pages.json under the
database vendor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from http_bench import gunicorn, session_cookie, time_page
from scale import build_scale, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "pages.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    database = setup_django("pages")
    from django.core.management import call_command
    from django.db import connection

    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.organisations.models import Organisation, StaffMember

    build_scale(args.organisations, args.staff, catalogue=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    dept = Organisation.objects.get(name="Sở Giáo dục và Đào tạo", valid_to__isnull=True)
    officer = User.objects.create_user(username="bench.noivu", password=None)
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    cookie = session_cookie(officer)
    token = StaffMember.objects.filter(is_active=True).values_list("badge_token", flat=True)[0]
    connection.close()

    pages = {
        "tree (2,000 organisations)": "/org/",
        "organisation detail (department)": f"/org/{dept.pk}/",
        "staff list, first page": "/org/staff/",
        "staff search 'nguyen van'": "/org/staff/?q=nguyen+van",
        "badge card (public)": f"/r/{token}",
        "standards search 'voi vinh' (public)": "/standards/?q=voi+vinh",
        "API tree": "/api/v1/organisations/tree",
        "API staff search 'duc'": "/api/v1/staff?q=duc",
    }
    results: dict[str, Any] = {}
    with gunicorn(cookie) as base:
        for name, path in pages.items():
            results[name] = time_page(base, path, cookie, args.repeat)
            print(
                f"{name:42} median {results[name]['median_ms']:7.1f} ms   "
                f"p95 {results[name]['p95_ms']:7.1f} ms   {results[name]['bytes']:>9,} B"
            )

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
        "pages": results,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
