"""The case list's search at provincial scale: median time of the list with a query.

    .venv/bin/python bench/bench_case_search.py --build          # fresh SQLite file (or
        DATABASE_URL), scale data + ~30,000 cases, then measure
    CONGVU_SQLITE_PATH=/path/bench.sqlite3 .venv/bin/python bench/bench_case_search.py \\
        [--repeat 7] [--root /work/main]                          # measure an existing one

`--build` makes `build_scale(2000, 40000)` and 15 cases per organisation that has staff
(~30,000: the scale walk's number, `worklist_scale`), each about a staff member, with a
description drawn from a few realistic ones (money asked for, the one-stop counter…).
The measure is what the list page reads for a query, as Home Affairs (every case): the
status counts, the total and the first page of 50 rows (`cases.selectors`). `--root`
measures another checkout (main's code, for *before*) on the same data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

DESCRIPTIONS = (
    "Cán bộ tại bộ phận một cửa của xã gợi ý nộp thêm tiền để hồ sơ được giải quyết nhanh.",
    "Cán bộ tiếp nhận hồ sơ có thái độ chưa đúng mực, lớn tiếng với người dân.",
    "Cán bộ bỏ quầy trong giờ tiếp dân, người dân phải chờ hơn một giờ.",
    "Hồ sơ đất đai bị trả lại nhiều lần, mỗi lần yêu cầu một giấy tờ khác.",
    "Cán bộ sử dụng điện thoại riêng trong khi tiếp công dân.",
    "Cán bộ hẹn trả kết quả nhưng đến hạn không có, không xin lỗi người dân.",
    "Người dân bị yêu cầu photo giấy tờ tại cửa hàng quen của cán bộ.",
    "Cán bộ uống rượu bia trong giờ làm việc tại trụ sở ủy ban.",
)
PLACES = ("Bộ phận một cửa", "Trụ sở UBND xã", "Phòng tiếp công dân", "")
QUERIES = (
    "",
    "{code}",
    "duc",
    "nguyen van duc",
    "tien",
    "mot cua tien",
    "xyzzy",
)


def build(seed: int = 86) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bench.scale import build_scale
    from congvu.cases.models import Case, Track
    from congvu.organisations.models import Organisation, StaffMember

    started = time.perf_counter()
    build_scale(2000, 40000, seed)
    print(f"scale data: {time.perf_counter() - started:.1f} s")
    rng = random.Random(seed)
    staff_of: dict[int, list[int]] = {}
    for pk, org_id in StaffMember.objects.values_list("pk", "organisation_id"):
        staff_of.setdefault(org_id, []).append(pk)
    now = timezone.now()
    cases = []
    for org in Organisation.objects.filter(pk__in=list(staff_of)).order_by("pk"):
        for _n in range(15):
            received = now - dt.timedelta(days=rng.randint(0, 3 * 365), hours=rng.randint(0, 23))
            case = Case(
                track=rng.choice(list(Track.values)),
                status=Case.Status.CLOSED if rng.random() < 0.8 else Case.Status.RECEIVED,
                channel=Case.Channel.WEB,
                subject_staff_id=rng.choice(staff_of[org.pk]),
                organisation=org,
                handling_organisation=org,
                occurred_place=rng.choice(PLACES),
                description=rng.choice(DESCRIPTIONS),
                received_at=received,
                acknowledge_due=received.date() + dt.timedelta(days=7),
                is_anonymous=True,
            )
            if hasattr(case, "refresh_search_text"):
                case.refresh_search_text()
            cases.append(case)
    started = time.perf_counter()
    Case.objects.bulk_create(cases, batch_size=1000)
    print(f"{len(cases)} cases: {time.perf_counter() - started:.1f} s")
    get_user_model().objects.create_superuser("bench.search", None, None)


def measure(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.utils import timezone

    from congvu.cases import selectors
    from congvu.cases.models import Case

    user = get_user_model().objects.get(username="bench.search")
    code = Case.objects.order_by("pk").values_list("code", flat=True)[15000].lower()
    print(f"{connection.vendor}, {Case.objects.count()} cases")
    for template in QUERIES:
        query = template.format(code=code)
        times = []
        for _run in range(repeat):
            reset_queries()
            started = time.perf_counter()
            filters = selectors.CaseFilters(q=query)
            base = selectors.filter_cases(
                selectors.handler_cases(user), filters, today=timezone.localdate()
            )
            selectors.status_counts(base)
            total = base.count()
            rows: Any = selectors.list_rows(base)
            if "query" in selectors.list_rows.__code__.co_varnames:
                rows = selectors.list_rows(base, query)
            first = [case.code for case in rows[:50]]
            times.append((time.perf_counter() - started) * 1000)
        lead = "exact first" if first and first[0].lower() == code else ""
        print(
            f"{query!r:24} {total:6} found  median {statistics.median(times):8.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}) {lead}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    root = str(Path(args.root).resolve())
    sys.path.insert(0, root)
    os.chdir(root)
    if args.build:
        from bench.scale import setup_django

        print(setup_django("casesearch"))
        build()
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("DJANGO_DEBUG", "0")
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
        os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
        import django

        django.setup()
    measure(args.repeat)


if __name__ == "__main__":
    main()
