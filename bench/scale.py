"""The scale data set: up to 2,000 organisations and 40,000 staff, for benchmarks.

It is the demo generator (`congvu.core.demo`) with bigger sizes, not a second
generator. Import after `django.setup()`:

    from bench.scale import build_scale
    result = build_scale(organisations=2000, staff=40000, seed=86)

Or run it on a fresh temporary SQLite file (or on DATABASE_URL) and see the time:

    .venv/bin/python bench/scale.py [--organisations 2000] [--staff 40000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def build_scale(
    organisations: int = 2000,
    staff: int = 40000,
    seed: int = 86,
    *,
    users: bool = False,
    catalogue: bool = False,
) -> Any:
    """Build the scale data set in the current database; returns the demo's result.

    Without `users` no demo accounts are made: their Argon2 hashing (~0.6 s each
    here) would dominate a benchmark of the data generation.
    """
    from congvu.core.demo import Size, build

    size = Size.scale(organisations=organisations, staff=staff)
    return build(size, seed=seed, users=users, catalogue=catalogue, plan=True, activity=False)


def refuse_shared_database() -> None:
    """Exit when DATABASE_URL names the database `test`: the test suite and CI use it, and
    a benchmark flushes the database it is given."""
    if os.environ.get("DATABASE_URL", "").rstrip("/").endswith("/test"):
        sys.exit("refusing to flush the database named 'test'")


def setup_django(label: str = "bench") -> str:
    """Point Django at a fresh temporary SQLite file unless DATABASE_URL is set; migrate.

    Returns a description of the database used.
    """
    refuse_shared_database()
    if not os.environ.get("DATABASE_URL"):
        folder = Path(tempfile.mkdtemp(prefix=f"congvu-{label}-"))
        os.environ.setdefault("CONGVU_SQLITE_PATH", str(folder / "bench.sqlite3"))
        os.environ.setdefault("CONGVU_VAR_DIR", str(folder))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("CONGVU_TESTING", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    from congvu.organisations.models import Organisation

    if Organisation.objects.exists():  # a reused PostgreSQL database: start clean
        from congvu.core.management.commands.demo import restore_default_kinds

        call_command("flush", interactive=False, verbosity=0)
        restore_default_kinds()
    settings = connection.settings_dict
    return f"{connection.vendor} {settings['NAME']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=86)
    args = parser.parse_args()
    database = setup_django("scale")
    started = time.perf_counter()
    result = build_scale(args.organisations, args.staff, args.seed)
    seconds = time.perf_counter() - started
    print(
        f"{database}: {result.organisations} organisations, {result.staff} staff in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
