"""Run every benchmark in turn on SQLite (and on PostgreSQL when BENCH_POSTGRES_URL is set).

    .venv/bin/python bench/run_all.py
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu \\
        .venv/bin/python bench/run_all.py

Each benchmark builds its own data in a fresh database and writes bench/results/*.json;
docs/benchmarks.md quotes those files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "bench_tree.py",
    "bench_pages.py",
    "bench_import.py",
    "bench_dashboard.py",
    "bench_report.py",
    "bench_badges.py",
    # Ratings (issue 4). The 10-million-rating pages generate their data set first
    # (about 10-20 minutes and 4 GB on SQLite): SQLite only.
    "rating_scale.py --ratings 100000 --check-rebuild --naive",
    "bench_ratings_submit.py --form",
    "bench_rating_parts.py",
    "bench_ratings_pages.py --ratings 100000",
    "bench_ratings_pages.py --ratings 10000000",
    "kill_ratings.py",
    # The audit log's page, API and CSV over 1 million events (about 10 minutes).
    "bench_audit.py",
    # The home page's work list for six kinds of user (about 5 minutes of data first).
    "bench_home.py",
]
SQLITE_ONLY = {
    "bench_badges.py",
    "bench_import.py",
    "bench_report.py",
    "bench_ratings_pages.py --ratings 10000000",
}


def run(script: str, database_url: str | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    label = "PostgreSQL" if database_url else "SQLite"
    print(f"=== {script} on {label} ===", flush=True)
    name, *arguments = script.split()
    subprocess.run([sys.executable, str(HERE / name), *arguments], env=env, check=True)


def main() -> None:
    postgres = os.environ.get("BENCH_POSTGRES_URL")
    for script in BENCHMARKS:
        run(script, None)
        if postgres and script not in SQLITE_ONLY:
            run(script, postgres)


if __name__ == "__main__":
    main()
