"""Where one rating submission's time goes, in-process (no HTTP), part by part.

    .venv/bin/python bench/bench_rating_parts.py                   # temp SQLite file
    .venv/bin/python bench/bench_rating_parts.py --processes 2     # two writers at once
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_ratings \\
        .venv/bin/python bench/bench_rating_parts.py               # PostgreSQL (flushed first)

Data: `build_scale(2000, 40000, catalogue=True)` plus `--base-ratings` ratings
(the same set as `bench_ratings_submit.py`). Each part runs `--count` times on
badge ratings of random staff members; medians in microseconds:

* `reads`: the badge lookup (`services.submission_target`) and the device and
  address checks (`detection.check_submission`) — everything a submission reads;
* `insert`: the rating's INSERT and COMMIT alone (`services._insert` in
  `rawdb.write_transaction`, SQLite's writers' lock taken as in production);
* `rollups`: the rating's three rollup upserts and COMMIT alone
  (`rollups.statements`), on the rating just inserted;
* `submit`: the whole `services.submit_rating` (the sum of the above and the
  validation, the model instance and the parameters).

With `--processes N` the parts run in N processes at once (what two gunicorn
workers do), each reporting its own medians. Results: stdout and
bench/results/rating_parts.json (merged by vendor and process count).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rating_scale import build_rating_scale
from scale import build_scale, refuse_shared_database, setup_django

RESULTS = Path(__file__).resolve().parent / "results" / "rating_parts.json"


def _median_us(run: Callable[[int], Any], count: int) -> float:
    times = []
    for n in range(count):
        began = time.perf_counter()
        run(n)
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1e6, 1)


def measure(tokens: list[str], count: int, seed: int) -> dict[str, float]:
    """The medians of each part, in this process."""
    from django.utils import timezone

    from congvu.core import rawdb
    from congvu.feedback import detection, rollups, services

    rng = random.Random(seed)
    tag = uuid.uuid4().hex[:8]
    targets = [services.submission_target("badge", rng.choice(tokens)) for _ in range(count)]
    criteria = services.criteria_for(targets[0])
    answers = {c.clause_id: rng.choice(["yes", "no", "unknown"]) for c in criteria}

    def device(n: int) -> str:
        return f"{tag}{n // 10:06d}"  # ten ratings a device: under the limits

    def address(n: int) -> str:
        return f"{tag}a{n // 50:05d}"  # fifty ratings an address: under its ceiling

    def reads(n: int) -> None:
        target = services.submission_target("badge", rng.choice(tokens))
        assert target is not None
        detection.check_submission(
            target,
            level=5,
            device_hash=device(n),
            address_hash=address(n),
            now=timezone.now(),
        )

    stored: list[Any] = []

    def submit(n: int) -> None:
        stored.append(
            services.submit_rating(
                targets[n],
                level=rng.randint(1, 5),
                answers=answers,
                device_hash=device(n),
                address_hash=address(n),
                submission_id=uuid.uuid4(),
            )
        )
        rawdb.checkpoint_if_due()

    def insert(n: int) -> None:
        rating = stored[n]
        rating.pk, rating.submission_id = None, uuid.uuid4()
        params = services._insert_params(rating)
        with rawdb.writers_take_turns(), rawdb.write_transaction():
            services._insert(rating, params)
        rawdb.wrote()
        rawdb.checkpoint_if_due()

    def rollup(n: int) -> None:
        statements = rollups.statements(stored[n])
        with rawdb.writers_take_turns(), rawdb.write_transaction():
            for sql, values in statements:
                rawdb.execute(sql, values)
        rawdb.wrote()
        rawdb.checkpoint_if_due()

    rawdb.no_checkpoint_in_commit()
    result = {"reads": _median_us(reads, count), "submit": _median_us(submit, count)}
    result["insert"] = _median_us(insert, count)
    result["rollups"] = _median_us(rollup, count)
    return result


def _child(tokens: list[str], count: int, seed: int, out: Any) -> None:
    from django.db import connection

    connection.close()  # a connection of its own, not the parent's
    out.put(measure(tokens, count, seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--base-ratings", type=int, default=100_000)
    args = parser.parse_args()
    refuse_shared_database()
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    database = setup_django("rating-parts")
    vendor = database.split(" ")[0]
    from django.db import connection

    from congvu.organisations.models import StaffMember

    build_scale(2000, 40000, catalogue=True)
    build_rating_scale(args.base_ratings, verbose=False)
    tokens = list(
        StaffMember.objects.filter(is_active=True, user__isnull=True).values_list(
            "badge_token", flat=True
        )
    )
    connection.close()
    if args.processes == 1:
        runs = [measure(tokens, args.count, seed=1)]
    else:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        children = [
            context.Process(target=_child, args=(tokens, args.count, seed, queue))
            for seed in range(args.processes)
        ]
        for child in children:
            child.start()
        runs = [queue.get() for _ in children]
        for child in children:
            child.join()
    for number, run in enumerate(runs, 1):
        print(
            f"{database}, process {number}/{len(runs)}: "
            + ", ".join(f"{part} {us:,.0f} µs" for part, us in run.items())
        )
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[f"{vendor}, {args.processes} process(es)"] = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "count": args.count,
        "median_us_by_process": runs,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
