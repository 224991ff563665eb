"""The ratings scale data set: millions of citizens' ratings over the scale province, fast.

On top of `build_scale(2000, 40000, catalogue=True)` it writes `--ratings` ratings
(default 10,000,000) spread over the last `--years` years (default 3), then
builds the three rollup tables. Rows are generated *inside the database*
(SQLite: a recursive CTE and `random()`; PostgreSQL: `generate_series` and a
seeded `random()`), one million per transaction, with the rating table's
secondary indexes dropped during the load and rebuilt afterwards (building an
index from sorted data is several times faster than maintaining it row by row).

The shape of the data, so that dashboards have something real to show:
- volume grows over time (density ∝ days since start: the service was adopted
  gradually), ratings fall in office hours (07:00–17:30 local);
- every active staff member is rated; each organisation has its own quality
  (the satisfaction share varies between ~60 % and ~97 %), and everyone gets a
  little better over the three years;
- channels: badge QR, dossier receipts (a `Dossier` row per rating, verified),
  counter QR and kiosk where the organisation has a counter (a quarter of them do);
- the nine rateable clauses of the seed catalogue are answered kept / breached /
  don't remember (breaches more frequent where quality is low);
- ~2.5 % of older ratings were flagged and reviewed (included or excluded), ~2 %
  of the last 30 days' ratings are flagged and waiting for review.

The rollups come from `rollup_sql()`: three `INSERT … SELECT … GROUP BY`
statements that give exactly the rows `congvu.feedback.rollups.rebuild()`
gives (checked by `--check-rebuild`, cheap at 100,000 ratings).

    .venv/bin/python bench/rating_scale.py                        # 10 M ratings, temp SQLite file
    .venv/bin/python bench/rating_scale.py --ratings 100000 --check-rebuild
    .venv/bin/python bench/rating_scale.py --keep var/bench/ratings-10m.sqlite3
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_congvu_ratings \\
        .venv/bin/python bench/rating_scale.py                    # PostgreSQL (flushed first)

`--keep PATH` writes the SQLite file at PATH so `bench_ratings_pages.py --reuse PATH`
can measure pages without generating again.
"""

# The SQL below is assembled from constants and numbers computed here; no input reaches it.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scale import ROOT, build_scale, refuse_shared_database, setup_django

CHUNK = 1_000_000
COUNTER_SHARE = 0.25  # organisations with a one-stop counter
RESULTS = Path(__file__).resolve().parent / "results" / "rating_scale.json"
COMMENTS = (
    "Cán bộ nhiệt tình, hướng dẫn rõ ràng.",
    "Phải chờ lâu, cần bố trí thêm người tiếp nhận.",
    "Thái độ chưa niềm nở.",
    "Rất hài lòng, cảm ơn anh chị.",
)


@dataclass
class RatingScaleResult:
    ratings: int
    dossiers: int
    counters: int
    staff: int
    organisations: int
    first_day: str
    last_day: str
    rollups: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def prepare_django(label: str, reuse: Path | None = None) -> str:
    """Set Django up: on an existing SQLite file (`reuse`, nothing flushed) or a fresh database."""
    if reuse is None:
        return setup_django(label)
    os.environ["CONGVU_SQLITE_PATH"] = str(reuse.resolve())
    os.environ["CONGVU_VAR_DIR"] = str(reuse.resolve().parent)
    os.environ.pop("DATABASE_URL", None)
    return _setup_without_flush()


def keep_database_at(path: Path) -> None:
    """Write the data set's SQLite database at `path` (not if it exists), for a later --reuse."""
    if path.exists():
        sys.exit(f"{path} exists; delete it first")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["CONGVU_SQLITE_PATH"] = str(path.resolve())
    os.environ["CONGVU_VAR_DIR"] = str(path.resolve().parent)
    os.environ.pop("DATABASE_URL", None)


def open_page_database(
    label: str, *, keep: Path | None, reuse: Path | None, reuse_database: bool
) -> str:
    """The database of an in-process page benchmark: a new one (kept at `keep`), an earlier
    run's SQLite file (`reuse`), or DATABASE_URL's data as they are (`reuse_database`)."""
    if reuse and not reuse.exists():
        sys.exit(f"{reuse} does not exist: make it with --keep")
    if keep:
        keep_database_at(keep)
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    if reuse_database:
        if not os.environ.get("DATABASE_URL"):
            sys.exit("--reuse-database needs DATABASE_URL (an SQLite file: --reuse)")
        return _setup_without_flush()
    return prepare_django(label, reuse)


def _setup_without_flush() -> str:
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
    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def ensure_scales() -> None:
    """The default rating scales, which `flush` (a reused PostgreSQL database) deleted."""
    import importlib

    from django.apps import apps

    from congvu.feedback import services

    migration = importlib.import_module("congvu.feedback.migrations.0002_default_scales")
    migration.create_scales(apps, None)
    services.clear_caches()


# --- The load ----------------------------------------------------------------------------------


def _level_thresholds(share: float, levels: list[tuple[int, bool]]) -> list[int]:
    """Cumulative thresholds (out of 1,000,000) for levels 1..n-1 given the satisfied share."""
    good = [value for value, satisfied in levels if satisfied]
    bad = [value for value, satisfied in levels if not satisfied]
    weights: dict[int, float] = {}
    # Among the satisfied, the best level a little more often; among the rest, the
    # middle level ("bình thường") most often and the worst least.
    good_weights = [0.55, 0.45, 0.3][: len(good)]
    bad_weights = [0.55, 0.3, 0.15, 0.1][: len(bad)]
    for value, weight in zip(good, good_weights, strict=True):
        weights[value] = share * weight / sum(good_weights)
    for value, weight in zip(bad, bad_weights, strict=True):
        weights[value] = (1 - share) * weight / sum(bad_weights)
    cumulative, thresholds = 0.0, []
    for value, _satisfied in levels[:-1]:
        cumulative += weights[value]
        thresholds.append(round(cumulative * 1_000_000))
    return thresholds


def _plan_staff(rng: random.Random, levels: list[tuple[int, bool]]) -> tuple[list[tuple], int]:
    """The staff map (one row per active staff member) and the number of counters made."""
    from congvu.feedback.models import Counter
    from congvu.organisations.models import StaffMember

    staff = list(
        StaffMember.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "organisation_id")
    )
    by_org: dict[int, list[int]] = {}
    for pk, org in staff:
        by_org.setdefault(org, []).append(pk)
    quality = {org: min(0.97, max(0.6, rng.gauss(0.84, 0.08))) for org in sorted(by_org)}
    with_counter = sorted(
        org for org, members in by_org.items() if len(members) >= 5 and rng.random() < COUNTER_SHARE
    )
    counters = Counter.objects.bulk_create(
        [Counter(organisation_id=org, name="Quầy tiếp nhận và trả kết quả") for org in with_counter]
    )
    counter_of = {c.organisation_id: c.pk for c in counters}
    through = Counter.staff.through
    through.objects.bulk_create(
        [
            through(counter_id=counter_of[org], staffmember_id=pk)
            for org in with_counter
            for pk in by_org[org][:4]
        ]
    )
    rows = []
    order = list(range(len(staff)))
    rng.shuffle(order)
    for idx, position in enumerate(order):
        pk, org = staff[position]
        share = quality[org]
        thresholds = _level_thresholds(share, levels)
        # Out of 64: where service is poor, behaviours are breached more often.
        breach = max(1, min(16, round(64 * (0.03 + (0.9 - share) * 0.5))))
        rows.append((idx, pk, org, counter_of.get(org), breach, *thresholds))
    return rows, len(counters)


def _sqlite_chunk_sql(
    *, levels: list[tuple[int, bool]], clauses: list[int], days: int, total: int, scale_id: int
) -> str:
    n = len(levels)
    level_case = " ".join(f"WHEN ul < t{k} THEN {k}" for k in range(1, n)) + f" ELSE {n}"
    satisfied = ", ".join(str(value) for value, good in levels if good) or "0"
    answers = " || ',' || ".join(
        f"'\"{clause}\":\"' || CASE WHEN ((bits >> {6 * k}) & 63) < b THEN 'n' "
        f"WHEN ((bits >> {6 * k}) & 63) < b + 3 THEN 'u' ELSE 'y' END || '\"'"
        for k, clause in enumerate(clauses[:10])
    )
    answers_sql = f"'{{' || {answers} || '}}'" if clauses else "'{}'"
    comments = " ".join(f"WHEN {k} THEN '{text}'" for k, text in enumerate(COMMENTS))
    thresholds = ", ".join(f"m.t{k}" for k in range(1, n))
    return f"""
    INSERT INTO feedback_rating (
        id, created_at, rated_on, channel, organisation_id, staff_id, counter_id, dossier_id,
        verified, scale_id, level, satisfied, answers, comment, state, flag_reasons,
        device_hash, submission_id, reviewed_by_id, reviewed_at, review_reason)
    WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq WHERE i < %s),
    draw AS MATERIALIZED (
        SELECT i,
               MIN({days - 1}, CAST({days} * sqrt((i - 0.5) / {total}.0) AS INTEGER)) AS day,
               abs(random() %% 37800) AS secs,
               abs(random() %% %s) AS idx,
               abs(random() %% 1000000) AS ul0,
               abs(random() %% 1000000) AS uc,
               abs(random() %% 1000000) AS us,
               random() AS bits
        FROM seq
    ),
    pick AS MATERIALIZED (
        SELECT d.i, d.day, d.secs, d.uc, d.us, d.bits, m.staff_id, m.org_id, m.counter_id, m.b,
               {thresholds},
               -- Everyone gets a little better over the years.
               CAST(d.ul0 * (1.06 - 0.12 * d.day / {days}.0) AS INTEGER) AS ul
        FROM draw d JOIN bench_staff_map m ON m.idx = d.idx
    ),
    shaped AS MATERIALIZED (
        SELECT i, day, secs, bits, b, org_id, us,
               CASE {level_case} END AS level,
               CASE
                   WHEN counter_id IS NOT NULL AND uc < 50000 THEN 'counter-only'
                   WHEN counter_id IS NOT NULL AND uc < 250000 THEN 'counter'
                   WHEN counter_id IS NOT NULL AND uc < 300000 THEN 'kiosk'
                   WHEN uc < CASE WHEN counter_id IS NULL THEN 250000 ELSE 500000 END
                       THEN 'dossier'
                   ELSE 'badge'
               END AS how,
               staff_id, counter_id
        FROM pick
    )
    SELECT i,
           strftime('%%Y-%%m-%%d %%H:%%M:%%S', julianday('{{start}}') + day + secs / 86400.0),
           date(julianday('{{start}}') + day),
           CASE how WHEN 'counter-only' THEN 'counter' ELSE how END,
           org_id,
           CASE how WHEN 'counter-only' THEN NULL ELSE staff_id END,
           CASE WHEN how IN ('counter-only', 'counter', 'kiosk') THEN counter_id END,
           CASE how WHEN 'dossier' THEN i END,
           how = 'dossier',
           {scale_id},
           level,
           level IN ({satisfied}),
           {answers_sql},
           CASE WHEN us %% 20 = 0 THEN CASE (us / 20) %% {len(COMMENTS)} {comments} END ELSE '' END,
           CASE
               WHEN day >= {days - 30} AND us < 20000 THEN 'flagged'
               WHEN day < {days - 30} AND us < 15000 THEN 'included'
               WHEN day < {days - 30} AND us < 25000 THEN 'excluded'
               ELSE 'counted'
           END,
           CASE WHEN us < 25000 THEN 'burst' ELSE '' END,
           CASE WHEN how = 'kiosk' THEN '' ELSE lower(hex(randomblob(16))) END,
           NULL,
           NULL,
           CASE WHEN day < {days - 30} AND us < 25000
                THEN strftime('%%Y-%%m-%%d %%H:%%M:%%S', julianday('{{start}}') + day + 1) END,
           CASE WHEN day < {days - 30} AND us < 25000 THEN 'Đã xem xét (dữ liệu thử)' ELSE '' END
    FROM shaped
    """


def _postgres_chunk_sql(
    *, levels: list[tuple[int, bool]], clauses: list[int], days: int, total: int, scale_id: int
) -> str:
    n = len(levels)
    level_case = " ".join(f"WHEN ul < t{k} THEN {k}" for k in range(1, n)) + f" ELSE {n}"
    satisfied = ", ".join(str(value) for value, good in levels if good) or "0"
    answers = " || ',' || ".join(
        f"'\"{clause}\":\"' || CASE WHEN ((bits >> {6 * k}) & 63) < b THEN 'n' "
        f"WHEN ((bits >> {6 * k}) & 63) < b + 3 THEN 'u' ELSE 'y' END || '\"'"
        for k, clause in enumerate(clauses[:10])
    )
    answers_sql = f"('{{' || {answers} || '}}')::jsonb" if clauses else "'{}'::jsonb"
    comments = " ".join(f"WHEN {k} THEN '{text}'" for k, text in enumerate(COMMENTS))
    thresholds = ", ".join(f"m.t{k}" for k in range(1, n))
    return f"""
    INSERT INTO feedback_rating (
        id, created_at, rated_on, channel, organisation_id, staff_id, counter_id, dossier_id,
        verified, scale_id, level, satisfied, answers, comment, state, flag_reasons,
        device_hash, submission_id, reviewed_by_id, reviewed_at, review_reason)
    WITH draw AS MATERIALIZED (
        SELECT i,
               LEAST({days - 1}, floor({days} * sqrt((i - 0.5) / {total}.0))::int) AS day,
               floor(random() * 37800)::int AS secs,
               floor(random() * %s)::int AS idx,
               floor(random() * 1000000)::int AS ul0,
               floor(random() * 1000000)::int AS uc,
               floor(random() * 1000000)::int AS us,
               ((floor(random() * 1073741824)::bigint << 30)
                | floor(random() * 1073741824)::bigint) AS bits
        FROM generate_series(%s::bigint, %s::bigint) AS i
    ),
    pick AS MATERIALIZED (
        SELECT d.i, d.day, d.secs, d.uc, d.us, d.bits, m.staff_id, m.org_id, m.counter_id, m.b,
               {thresholds},
               floor(d.ul0 * (1.06 - 0.12 * d.day / {days}.0))::int AS ul
        FROM draw d JOIN bench_staff_map m ON m.idx = d.idx
    ),
    shaped AS MATERIALIZED (
        SELECT i, day, secs, bits, b, org_id, us,
               CASE {level_case} END AS level,
               CASE
                   WHEN counter_id IS NOT NULL AND uc < 50000 THEN 'counter-only'
                   WHEN counter_id IS NOT NULL AND uc < 250000 THEN 'counter'
                   WHEN counter_id IS NOT NULL AND uc < 300000 THEN 'kiosk'
                   WHEN uc < CASE WHEN counter_id IS NULL THEN 250000 ELSE 500000 END
                       THEN 'dossier'
                   ELSE 'badge'
               END AS how,
               staff_id, counter_id
        FROM pick
    )
    SELECT i,
           timestamptz '{{start}} 00:00:00+00' + make_interval(days => day, secs => secs),
           date '{{start}}' + day,
           CASE how WHEN 'counter-only' THEN 'counter' ELSE how END,
           org_id,
           CASE how WHEN 'counter-only' THEN NULL ELSE staff_id END,
           CASE WHEN how IN ('counter-only', 'counter', 'kiosk') THEN counter_id END,
           CASE how WHEN 'dossier' THEN i END,
           how = 'dossier',
           {scale_id},
           level,
           level IN ({satisfied}),
           {answers_sql},
           CASE WHEN us %% 20 = 0 THEN CASE (us / 20) %% {len(COMMENTS)} {comments} END ELSE '' END,
           CASE
               WHEN day >= {days - 30} AND us < 20000 THEN 'flagged'
               WHEN day < {days - 30} AND us < 15000 THEN 'included'
               WHEN day < {days - 30} AND us < 25000 THEN 'excluded'
               ELSE 'counted'
           END,
           CASE WHEN us < 25000 THEN 'burst' ELSE '' END,
           CASE WHEN how = 'kiosk' THEN '' ELSE md5(i::text || random()::text) END,
           NULL,
           NULL,
           CASE WHEN day < {days - 30} AND us < 25000
                THEN timestamptz '{{start}} 00:00:00+00' + make_interval(days => day + 1) END,
           CASE WHEN day < {days - 30} AND us < 25000 THEN 'Đã xem xét (dữ liệu thử)' ELSE '' END
    FROM shaped
    """


def _dossier_sql(vendor: str) -> str:
    token = (
        "lower(hex(randomblob(16)))" if vendor == "sqlite" else "md5(id::text || random()::text)"
    )
    return f"""
    INSERT INTO feedback_dossier (
        id, code, organisation_id, counter_id, staff_id, procedure, received_on,
        rating_token, source, registered_at, registered_by_id)
    SELECT id, 'HS-BENCH-' || id, organisation_id, NULL, staff_id, 'Chứng thực bản sao',
           rated_on, {token}, 'api', created_at, NULL
    FROM feedback_rating WHERE channel = 'dossier' AND id BETWEEN %s AND %s
    """


def _secondary_indexes(cursor: Any, vendor: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the rating table's droppable indexes."""
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'feedback_rating' AND sql IS NOT NULL"
        )
        return [(name, sql) for name, sql in cursor.fetchall()]
    # PostgreSQL: indexes that do not back a constraint (primary key, unique, one-to-one).
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "WHERE i.tablename = 'feedback_rating' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
    )
    return [(name, sql) for name, sql in cursor.fetchall()]


def build_rating_scale(
    ratings: int = 10_000_000,
    *,
    years: int = 3,
    seed: int = 86,
    today: dt.date | None = None,
    verbose: bool = True,
) -> RatingScaleResult:
    """Write the ratings (and their counters and dossiers) and the rollups; see the module doc.

    Call after `build_scale(..., catalogue=True)` in a database without ratings.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from congvu.conduct.selectors import rateable_items
    from congvu.feedback.models import Rating, ScaleLevel
    from congvu.feedback.services import active_scale
    from congvu.organisations.models import Organisation

    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    ensure_scales()
    vendor = connection.vendor
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    today = today or timezone.localdate()
    days = 365 * years
    start = today - dt.timedelta(days=days - 1)
    scale, levels_objs = active_scale()
    levels = [(level.value, level.satisfied) for level in levels_objs]
    assert ScaleLevel.objects.filter(scale=scale).count() == len(levels)
    root = Organisation.objects.get(parent__isnull=True, valid_to__isnull=True)
    clauses = list(rateable_items(root).order_by("pk").values_list("pk", flat=True))
    if len(clauses) > 10:  # 6 random bits per clause out of one 64-bit number
        clauses = clauses[:10]
    assert not Rating.objects.exists(), "the ratings scale data set needs an empty rating table"

    began = time.perf_counter()
    with transaction.atomic():
        staff_map, counters = _plan_staff(rng, levels)
    seconds["counters_and_staff_map"] = round(time.perf_counter() - began, 1)

    sql_args = {
        "levels": levels,
        "clauses": clauses,
        "days": days,
        "total": ratings,
        "scale_id": scale.pk,
    }
    chunk_sql = (_sqlite_chunk_sql if vendor == "sqlite" else _postgres_chunk_sql)(**sql_args)
    chunk_sql = chunk_sql.replace("{start}", start.isoformat())
    thresholds = len(levels) - 1
    threshold_columns = ", ".join(f"t{k} integer" for k in range(1, thresholds + 1))
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            # A benchmark database: a crash during the load may lose it, which is fine.
            # (Changing temp_store drops temporary tables: set it before making one.)
            cursor.execute("PRAGMA journal_mode=MEMORY")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute("PRAGMA temp_store=MEMORY")
        else:
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS bench_staff_map")
        cursor.execute(
            f"CREATE {'TEMP ' if vendor == 'sqlite' else 'UNLOGGED '}TABLE bench_staff_map ("
            "idx integer PRIMARY KEY, staff_id integer, org_id integer, counter_id integer, "
            f"b integer, {threshold_columns})"
        )
        marks = ", ".join(["%s"] * (5 + thresholds))
        cursor.executemany(f"INSERT INTO bench_staff_map VALUES ({marks})", staff_map)
        indexes = _secondary_indexes(cursor, vendor)
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    began = time.perf_counter()
    dossiers = 0
    for low in range(1, ratings + 1, CHUNK):
        high = min(ratings, low + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            if vendor == "sqlite":
                cursor.execute(chunk_sql, [low, high, len(staff_map)])
            else:
                cursor.execute(chunk_sql, [len(staff_map), low, high])
            cursor.execute(_dossier_sql(vendor), [low, high])
            dossiers += cursor.rowcount
        say(f"  {high:>12,} ratings  {time.perf_counter() - began:7.1f} s")
    seconds["insert_ratings_and_dossiers"] = round(time.perf_counter() - began, 1)

    began = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)
        cursor.execute("DROP TABLE bench_staff_map")
    seconds["rebuild_indexes"] = round(time.perf_counter() - began, 1)
    say(f"  indexes rebuilt in {seconds['rebuild_indexes']} s")

    began = time.perf_counter()
    rollups = rollup_sql()
    seconds["rollups"] = round(time.perf_counter() - began, 1)
    say(f"  rollups in {seconds['rollups']} s: {rollups}")

    began = time.perf_counter()
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
            if vendor == "postgresql":
                # The explicit ids bypassed the sequences.
                for table in ("feedback_rating", "feedback_dossier"):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                    )
    seconds["analyze"] = round(time.perf_counter() - began, 1)
    return RatingScaleResult(
        ratings=ratings,
        dossiers=dossiers,
        counters=counters,
        staff=len(staff_map),
        organisations=len({row[2] for row in staff_map}),
        first_day=start.isoformat(),
        last_day=today.isoformat(),
        rollups=rollups,
        seconds=seconds,
    )


# --- Rollups in SQL ----------------------------------------------------------------------------

_COUNTED = "state IN ('counted', 'included')"


def _count_columns() -> str:
    sums = [
        "COUNT(*)",
        f"SUM(CASE WHEN {_COUNTED} THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN {_COUNTED} AND satisfied THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN state = 'flagged' THEN 1 ELSE 0 END)",
        f"SUM(CASE WHEN {_COUNTED} AND verified THEN 1 ELSE 0 END)",
        *(f"SUM(CASE WHEN {_COUNTED} AND level = {n} THEN 1 ELSE 0 END)" for n in range(1, 6)),
    ]
    return ", ".join(sums)


def _month(vendor: str) -> str:
    return (
        "date(rated_on, 'start of month')"
        if vendor == "sqlite"
        else "date_trunc('month', rated_on)::date"
    )


def rollup_sql() -> dict[str, int]:
    """Rebuild the three rollup tables with INSERT … SELECT … GROUP BY (same rows as
    `congvu.feedback.rollups.rebuild()`, which walks the answers in Python)."""
    from django.db import connection, transaction

    vendor = connection.vendor
    month = _month(vendor)
    columns = (
        "total, counted, satisfied, flagged, verified, level_1, level_2, level_3, level_4, level_5"
    )
    if vendor == "sqlite":
        answers = "json_each(r.answers) AS a"
        key, value = "CAST(a.key AS INTEGER)", "a.value"
    else:
        answers = "jsonb_each_text(r.answers) AS a"
        key, value = "CAST(a.key AS INTEGER)", "a.value"
    result: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "feedback_organisationmonthrollup",
            "feedback_staffmonthrollup",
            "feedback_criterionmonthrollup",
        ):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO feedback_organisationmonthrollup (organisation_id, month, {columns}) "
            f"SELECT organisation_id, {month}, {_count_columns()} "
            f"FROM feedback_rating GROUP BY organisation_id, {month}"
        )
        result["organisation_months"] = cursor.rowcount
        cursor.execute(
            f"INSERT INTO feedback_staffmonthrollup (staff_id, organisation_id, month, {columns}) "
            f"SELECT staff_id, organisation_id, {month}, {_count_columns()} "
            f"FROM feedback_rating WHERE staff_id IS NOT NULL "
            f"GROUP BY staff_id, organisation_id, {month}"
        )
        result["staff_months"] = cursor.rowcount
        cursor.execute(
            "INSERT INTO feedback_criterionmonthrollup "
            "(organisation_id, month, clause_id, kept, breached, unknown) "
            f"SELECT r.organisation_id, {month.replace('rated_on', 'r.rated_on')}, {key}, "
            f"SUM(CASE WHEN {value} = 'y' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {value} = 'n' THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {value} = 'u' THEN 1 ELSE 0 END) "
            f"FROM feedback_rating r, {answers} "
            f"WHERE r.{_COUNTED} AND {value} IN ('y', 'n', 'u') "
            f"AND {key} IN (SELECT id FROM conduct_clause) "
            f"GROUP BY r.organisation_id, {month.replace('rated_on', 'r.rated_on')}, {key}"
        )
        result["criterion_months"] = cursor.rowcount
        cursor.execute("SELECT COALESCE(SUM(total), 0) FROM feedback_organisationmonthrollup")
        result["ratings"] = int(cursor.fetchone()[0])
    return result


def rollup_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup row, sorted, without ids: equal snapshots mean equal rollups."""
    from congvu.feedback.models import (
        CriterionMonthRollup,
        OrganisationMonthRollup,
        StaffMonthRollup,
    )

    counts = (
        "total", "counted", "satisfied", "flagged", "verified",
        "level_1", "level_2", "level_3", "level_4", "level_5",
    )  # fmt: skip
    return {
        "organisation": sorted(
            OrganisationMonthRollup.objects.values_list("organisation_id", "month", *counts)
        ),
        "staff": sorted(
            StaffMonthRollup.objects.values_list("staff_id", "organisation_id", "month", *counts)
        ),
        "criterion": sorted(
            CriterionMonthRollup.objects.values_list(
                "organisation_id", "month", "clause_id", "kept", "breached", "unknown"
            )
        ),
    }


# --- The naive design, for comparison ----------------------------------------------------------


def naive_aggregation_seconds(repeat: int = 3) -> dict[str, float]:
    """Times of GROUP BY over the raw rating table (what the rollups save the dashboards)."""
    import statistics

    from django.db import connection

    month = _month(connection.vendor)
    queries = {
        "index per organisation, last 12 months": (
            "SELECT organisation_id, COUNT(*), "
            "SUM(CASE WHEN satisfied THEN 1 ELSE 0 END) FROM feedback_rating "
            f"WHERE {_COUNTED} AND rated_on >= %s GROUP BY organisation_id"
        ),
        "index per organisation and month, all ratings": (
            f"SELECT organisation_id, {month}, COUNT(*), "
            "SUM(CASE WHEN satisfied THEN 1 ELSE 0 END) FROM feedback_rating "
            f"WHERE {_COUNTED} GROUP BY organisation_id, {month}"
        ),
    }
    from django.utils import timezone

    since = (timezone.localdate() - dt.timedelta(days=365)).isoformat()
    times: dict[str, float] = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            runs = []
            for _ in range(repeat):
                began = time.perf_counter()
                cursor.execute(sql, [since] if "%s" in sql else [])
                cursor.fetchall()
                runs.append(time.perf_counter() - began)
            times[name] = round(statistics.median(runs), 2)
    return times


def rollup_read_ms(repeat: int = 20) -> float:
    """Median time of the same 12-month per-organisation figure read from the rollup table."""
    import statistics

    from django.db import connection
    from django.utils import timezone

    since = timezone.localdate().replace(day=1) - dt.timedelta(days=335)
    sql = (
        "SELECT organisation_id, SUM(counted), SUM(satisfied) "
        "FROM feedback_organisationmonthrollup WHERE month >= %s GROUP BY organisation_id"
    )
    runs = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            began = time.perf_counter()
            cursor.execute(sql, [since.replace(day=1).isoformat()])
            cursor.fetchall()
            runs.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(runs), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=10_000_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=86)
    parser.add_argument("--keep", type=Path, help="write the SQLite database at this path")
    parser.add_argument(
        "--check-rebuild",
        action="store_true",
        help="also run rollups.rebuild() and check it gives the same rows (slow at 10 M)",
    )
    parser.add_argument("--naive", action="store_true", help="time GROUP BY over raw ratings")
    args = parser.parse_args()
    refuse_shared_database()
    if args.keep:
        keep_database_at(args.keep)
    database = setup_django("ratings")

    began = time.perf_counter()
    build_scale(args.organisations, args.staff, args.seed, catalogue=True)
    scale_seconds = round(time.perf_counter() - began, 1)
    print(f"{database}: scale data set in {scale_seconds} s", flush=True)
    began = time.perf_counter()
    result = build_rating_scale(args.ratings, years=args.years, seed=args.seed)
    total = round(time.perf_counter() - began, 1)
    print(
        f"{result.ratings:,} ratings ({result.dossiers:,} dossiers, {result.counters} counters) "
        f"in {total} s: {result.seconds}; rollups {result.rollups}"
    )
    report: dict[str, Any] = {
        "database": database,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "scale_seconds": scale_seconds,
        "ratings_seconds": total,
        **result.__dict__,
    }
    if args.naive:
        report["naive_group_by_seconds"] = naive_aggregation_seconds()
        report["rollup_read_ms"] = rollup_read_ms()
        print(f"naive GROUP BY: {report['naive_group_by_seconds']} s; "
              f"from the rollups: {report['rollup_read_ms']} ms")  # fmt: skip
    if args.check_rebuild:
        from congvu.feedback import rollups

        ours = rollup_snapshot()
        began = time.perf_counter()
        rollups.rebuild()
        report["python_rebuild_seconds"] = round(time.perf_counter() - began, 1)
        same = rollup_snapshot() == ours
        report["rebuild_identical"] = same
        print(f"rollups.rebuild() in {report['python_rebuild_seconds']} s; identical: {same}")
        if not same:
            sys.exit("rollup_sql() and rollups.rebuild() differ")
    vendor = database.split(" ")[0]
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    saved[f"{vendor} {args.ratings}"] = report
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1, ensure_ascii=False, default=str) + "\n")
    print(f"saved to {RESULTS}")


if __name__ == "__main__":
    main()
