"""The unattended cases in process, on the case search's data: Home Affairs' work list
(its cases provider, `/` and `GET /api/v1/me/work`), the list filter and the daily job.

    .venv/bin/python bench/bench_case_search.py --build     # once: a fresh SQLite file
    cp …/bench.sqlite3 /tmp/unattended.sqlite3
    CONGVU_SQLITE_PATH=/tmp/unattended.sqlite3 .venv/bin/python bench/bench_unattended.py --seed
    cp /tmp/unattended.sqlite3 /tmp/before.sqlite3          # one copy per checkout measured
    CONGVU_SQLITE_PATH=/tmp/before.sqlite3 .venv/bin/python bench/bench_unattended.py \\
        [--repeat 7] [--root /path/to/main]                 # measure (the job writes)

`--seed` (run with this checkout: it migrates) adds a Home Affairs officer at the province
root and, for 70 % of the organisations with cases, a head granted there alone (not the
subtree) whose account is linked to the staff member of that organisation's first open
case: a head reported on, the case the subject rule is about. A smaller and quicker stand-in
for `bench_home.py`'s scale data (2,000 organisations, 40,000 staff, 25,785 cases of which
~5,000 open, no assignments or ratings), which takes far longer to build.

Measured, median of `--repeat`: the unattended cases counted (`unattended.only`), the
cases provider of the work list for the officer (with its queries), the officer's `/` and
`/api/v1/me/work` through the test client (with their queries), and the daily job once it
has told everything (its steady state: what it costs every day).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def seed() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from congvu.accounts.models import Role, RoleGrant, User
    from congvu.cases.models import Case
    from congvu.organisations.models import Organisation, StaffMember

    rng = random.Random(86)
    root = Organisation.objects.filter(parent__isnull=True).order_by("pk").first()
    assert root is not None
    officer = User.objects.create_user(username="bench.noivu", password=None, full_name="Nội vụ")
    RoleGrant.objects.create(user=officer, role=Role.HOME_AFFAIRS, organisation=root)
    first_open: dict[int, int] = {}
    open_cases = Case.objects.filter(status=Case.Status.RECEIVED).order_by("received_at")
    for org_id, staff_id in open_cases.values_list("handling_organisation_id", "subject_staff_id"):
        first_open.setdefault(org_id, staff_id)
    heads = 0
    for org_id, staff_id in sorted(first_open.items()):
        if rng.random() >= 0.7:
            continue
        user = User.objects.create_user(
            username=f"bench.head.{org_id}", password=None, full_name=f"Head {org_id}"
        )
        RoleGrant.objects.create(
            user=user, role=Role.HEAD, organisation_id=org_id, include_subtree=False
        )
        StaffMember.objects.filter(pk=staff_id).update(user=user)
        heads += 1
    print(f"seeded: the officer, {heads} heads of {len(first_open)} organisations with open cases")


def measure(repeat: int) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from congvu.accounts import access
    from congvu.accounts.models import User
    from congvu.cases import unattended
    from congvu.cases.models import Case
    from congvu.core import daily, worklist

    def timed(work: Any) -> tuple[float, int, Any]:
        times, result, count = [], None, 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                result = work()
                times.append((time.perf_counter() - begun) * 1000)
            count = len(captured.captured_queries)
        return statistics.median(times), count, result

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages' manifest
    officer = User.objects.get(username="bench.noivu")
    today = timezone.localdate()
    print(f"{connection.vendor}, {Case.objects.count()} cases")

    ms, queries, n = timed(lambda: unattended.only(Case.objects.all()).count())
    print(f"unattended.only count          {ms:8.1f} ms  {queries:3} q  ({n} cases)")

    def provider() -> list[Any]:
        fresh = User.objects.get(pk=officer.pk)
        access.forget(fresh)
        return list(worklist.providers()["cases"](fresh, today))

    ms, queries, items = timed(provider)
    counts = {item.key: item.count for item in items if item.count}
    print(f"cases provider (officer)       {ms:8.1f} ms  {queries:3} q  {counts}")
    client = Client()
    client.force_login(officer)
    session = client.session
    session["congvu_2fa"] = True
    session.save()
    for path in ("/", "/api/v1/me/work", "/cases/?unattended=yes"):
        client.get(path, secure=True)  # warm the caches
        ms, queries, response = timed(lambda path=path: client.get(path, secure=True))
        assert response.status_code == 200, (path, response.status_code)
        print(f"{path:30} {ms:8.1f} ms  {queries:3} q")
    job = daily.registered()["cases.unattended_notice"]
    begun = time.perf_counter()
    first = job(today)
    print(f"daily job, first run           {(time.perf_counter() - begun) * 1000:8.1f} ms  {first}")
    ms, queries, result = timed(lambda: job(today))
    print(f"daily job, every day after     {ms:8.1f} ms  {queries:3} q  {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    os.chdir(root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,testserver")
    import django

    django.setup()
    if args.seed:
        seed()
    else:
        measure(args.repeat)


if __name__ == "__main__":
    main()
