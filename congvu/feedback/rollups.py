"""Monthly rollups of ratings: what every dashboard reads instead of the raw ratings.

A rating adds to three tables, keyed by the first day of the local month of
`rated_on`:

* `OrganisationMonthRollup` (organisation, month) and `StaffMonthRollup`
  (staff, organisation, month): `total` counts every rating, `flagged` those
  waiting for review, and `counted`, `satisfied`, `verified`, `level_N` only
  ratings that count (COUNTED or INCLUDED);
* `CriterionMonthRollup` (organisation, month, clause): kept / breached /
  unknown answers of counted ratings.

A new rating does not touch them: its transaction queues it in
`PendingRollup` (one small row), and `fold()` adds everything queued in one
transaction — three `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE SET
c = c + excluded.c` statements over the queue, then the queue is emptied
(on PostgreSQL all of it is one statement that starts with `DELETE … RETURNING`,
so two folds never take the same rating). Adding ratings in batches costs a
fraction of adding each in its own transaction (on PostgreSQL a third of the
time of a rating's write was its three upserts; see docs/benchmarks.md).

When the queue is folded:

* a process that has queued `FOLD_EVERY` ratings folds after its response is
  sent (`request_finished`; outside requests, at twice that, inline);
* **before any read of a rollup**: the rollup models' manager calls
  `catch_up()`, which folds whatever is queued (one indexed `SELECT … LIMIT 1`
  when nothing is, once per request). No reader, dashboard or public page,
  ever misses a stored rating.

A change of state (review, the daily jump check) applies the difference, or,
for a rating still queued, takes it out of the queue and adds it as it now
is. `rebuild()` recomputes everything from the raw ratings and empties the
queue; it gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.dispatch import receiver

from congvu.conduct.models import Clause
from congvu.core import rawdb

from .models import (
    MAX_LEVELS,
    CriterionMonthRollup,
    OrganisationMonthRollup,
    PendingRollup,
    Rating,
    StaffMonthRollup,
)

logger = logging.getLogger(__name__)

COUNT_COLUMNS: Final = (
    "total",
    "counted",
    "satisfied",
    "flagged",
    "verified",
    *(f"level_{n}" for n in range(1, MAX_LEVELS + 1)),
)
ANSWER_COLUMNS: Final = {"y": "kept", "n": "breached", "u": "unknown"}
CRITERION_COLUMNS: Final = ("kept", "breached", "unknown")


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def counts(*, state: str, satisfied: bool, level: int, verified: bool) -> dict[str, int]:
    """What one rating in `state` adds to an organisation or staff row."""
    row = dict.fromkeys(COUNT_COLUMNS, 0)
    row["total"] = 1
    if state == Rating.State.FLAGGED:
        row["flagged"] = 1
    if state in Rating.COUNTED_STATES:
        row["counted"] = 1
        row["satisfied"] = int(satisfied)
        row["verified"] = int(verified)
        row[f"level_{level}"] = 1
    return row


def _counts_of(rating: Rating, state: str | None = None) -> dict[str, int]:
    return counts(
        state=state or rating.state,
        satisfied=rating.satisfied,
        level=rating.level,
        verified=rating.verified,
    )


def _criterion_rows(rating: Rating) -> list[tuple[int, dict[str, int]]]:
    """(clause id, counts) per clause answered, by clause id: concurrent transactions
    then lock the rows in the same order (PostgreSQL), and one statement never
    names a row twice."""
    rows: dict[int, dict[str, int]] = {}
    for clause_id, answer in rating.answers.items():
        column = ANSWER_COLUMNS.get(answer)
        if column is not None:
            row = rows.setdefault(int(clause_id), dict.fromkeys(CRITERION_COLUMNS, 0))
            row[column] += 1
    return sorted(rows.items())


# --- SQL ---------------------------------------------------------------------------------------


def _upsert_sql(
    model: type[models.Model], keys: tuple[str, ...], columns: tuple[str, ...], rows: int = 1
) -> str:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in (*keys, *columns))
    marks = ", ".join(["%s"] * (len(keys) + len(columns)))
    values = ", ".join([f"({marks})"] * rows)
    # Only model metadata goes into the text; every value is a parameter. Several rows
    # in one statement must have different keys (PostgreSQL refuses to update a row twice).
    return f"INSERT INTO {table} ({names}) VALUES {values} {_adding(model, keys, columns)}"  # noqa: S608


def _adding(model: type[models.Model], keys: tuple[str, ...], columns: tuple[str, ...]) -> str:
    """The ON CONFLICT clause that adds the new counts to a row that exists."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in columns)
    return f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {sets}"


def _update_sql(model: type[models.Model], keys: tuple[str, ...], columns: list[str]) -> str:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(c)} = {qn(c)} + %s" for c in columns)
    where = " AND ".join(f"{qn(k)} = %s" for k in keys)
    return f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {where}"  # noqa: S608


_ORG_KEYS: Final = ("organisation_id", "month")
_STAFF_KEYS: Final = ("staff_id", "organisation_id", "month")
_CRITERION_KEYS: Final = ("organisation_id", "month", "clause_id")
_sql_cache: dict[tuple[str, str, int], str] = {}


def _cached_upsert(
    model: type[models.Model], keys: tuple[str, ...], columns: tuple[str, ...], rows: int = 1
) -> str:
    cache_key = (connection.vendor, model._meta.label, rows)
    sql = _sql_cache.get(cache_key)
    if sql is None:
        sql = _sql_cache[cache_key] = _upsert_sql(model, keys, columns, rows)
    return sql


def _criteria_statement(rating: Rating, month: Any) -> tuple[str, list[Any]] | None:
    """All the rating's criterion rows in one statement (one round trip, one parse)."""
    criteria = _criterion_rows(rating)
    if not criteria:
        return None
    params: list[Any] = []
    for clause_id, row in criteria:
        params += [rating.organisation_id, month, clause_id, *(row[c] for c in CRITERION_COLUMNS)]
    return (
        _cached_upsert(CriterionMonthRollup, _CRITERION_KEYS, CRITERION_COLUMNS, len(criteria)),
        params,
    )


def statements(rating: Rating) -> list[tuple[str, list[Any]]]:
    """The statements (SQL with %s placeholders, parameters) that add a new rating to
    the rollups; `add` runs them, `services` runs them on the raw connection."""
    month = connection.ops.adapt_datefield_value(month_of(rating.rated_on))
    row = _counts_of(rating)
    values = [row[c] for c in COUNT_COLUMNS]
    out = [
        (
            _cached_upsert(OrganisationMonthRollup, _ORG_KEYS, COUNT_COLUMNS),
            [rating.organisation_id, month, *values],
        )
    ]
    if rating.staff_id is not None:
        out.append(
            (
                _cached_upsert(StaffMonthRollup, _STAFF_KEYS, COUNT_COLUMNS),
                [rating.staff_id, rating.organisation_id, month, *values],
            )
        )
    if rating.state in Rating.COUNTED_STATES:
        criteria = _criteria_statement(rating, month)
        if criteria is not None:
            out.append(criteria)
    return out


def add(rating: Rating) -> None:
    """Add one rating to the rollups at once (call inside a transaction; ratings that
    `services` stores are queued and folded instead)."""
    with connection.cursor() as cursor:
        for sql, params in statements(rating):
            cursor.execute(sql, params)


# --- The queue: ratings stored but not yet in the rollups ---------------------------------------

#: A process folds the queue after the response once it has queued this many ratings.
FOLD_EVERY: Final = 100
_queued_here = 0
#: Per thread: inside a request (`request_started`), and whether it has caught up yet.
_reader = threading.local()


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def queue_sql() -> str:
    """INSERT of a stored rating's id into the queue (one parameter: the rating's id)."""
    return f"INSERT INTO {_qn(PendingRollup._meta.db_table)} (rating_id) VALUES (%s)"  # noqa: S608


def queued() -> None:
    """A rating was queued by this process (after its transaction)."""
    global _queued_here
    _queued_here += 1
    _reader.caught_up = False  # this thread's next read must see it
    if _queued_here >= 2 * FOLD_EVERY:
        # Outside requests (commands, scripts) nothing else would fold it.
        fold_if_due()


def _states(states: Iterable[str]) -> str:
    """An SQL list of state values: model constants, never input."""
    values = list(states)
    assert all(v.isalpha() for v in values)
    return ", ".join(f"'{v}'" for v in values)


def _month_sql(column: str) -> str:
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS date)"


def _count_sums() -> str:
    """COUNT_COLUMNS of the ratings `r` as aggregates, in that order (as `counts()`)."""
    counted = f"r.state IN ({_states(Rating.COUNTED_STATES)})"

    def when(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    sums = {
        "total": "COUNT(*)",
        "counted": when(counted),
        "satisfied": when(f"{counted} AND r.satisfied"),
        "flagged": when(f"r.state = '{Rating.State.FLAGGED.value}'"),
        "verified": when(f"{counted} AND r.verified"),
        **{f"level_{n}": when(f"{counted} AND r.level = {n}") for n in range(1, MAX_LEVELS + 1)},
    }
    return ", ".join(sums[c] for c in COUNT_COLUMNS)


def _fold_statements(source: str, chosen: str) -> list[str]:
    """The three upserts that add the ratings `r` of `source` (SQL after FROM) that meet
    `chosen` (SQL after WHERE) to the rollups.

    Grouped by key, so one statement never names a row twice, and ordered by
    key, so two transactions lock rows in the same order (PostgreSQL).
    """
    qn = _qn
    month = _month_sql("r.rated_on")
    count_names = ", ".join(qn(c) for c in COUNT_COLUMNS)
    if connection.vendor == "sqlite":
        answers, key = "json_each(r.answers) AS a", "CAST(a.key AS INTEGER)"
    else:
        answers, key = "jsonb_each_text(r.answers) AS a", "CAST(a.key AS bigint)"
    letters = {column: letter for letter, column in ANSWER_COLUMNS.items()}
    kept_sums = ", ".join(
        f"SUM(CASE WHEN a.value = '{letters[c]}' THEN 1 ELSE 0 END)" for c in CRITERION_COLUMNS
    )
    clauses = qn(Clause._meta.db_table)
    # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (a parsing ambiguity).
    return [
        f"INSERT INTO {qn(OrganisationMonthRollup._meta.db_table)} "  # noqa: S608
        f"(organisation_id, month, {count_names}) "
        f"SELECT r.organisation_id, {month}, {_count_sums()} FROM {source} WHERE {chosen} "
        f"GROUP BY 1, 2 ORDER BY 1, 2 {_adding(OrganisationMonthRollup, _ORG_KEYS, COUNT_COLUMNS)}",
        f"INSERT INTO {qn(StaffMonthRollup._meta.db_table)} "  # noqa: S608
        f"(staff_id, organisation_id, month, {count_names}) "
        f"SELECT r.staff_id, r.organisation_id, {month}, {_count_sums()} FROM {source} "
        f"WHERE {chosen} AND r.staff_id IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
        f"{_adding(StaffMonthRollup, _STAFF_KEYS, COUNT_COLUMNS)}",
        # A deleted clause took its rollup rows with it (CASCADE), as in `rebuild`.
        f"INSERT INTO {qn(CriterionMonthRollup._meta.db_table)} "  # noqa: S608
        f"(organisation_id, month, clause_id, {', '.join(CRITERION_COLUMNS)}) "
        f"SELECT r.organisation_id, {month}, {key}, {kept_sums} FROM {source}, {answers} "
        f"WHERE {chosen} AND r.state IN ({_states(Rating.COUNTED_STATES)}) "
        f"AND a.value IN ({_states(ANSWER_COLUMNS)}) AND {key} IN (SELECT id FROM {clauses}) "
        f"GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 "
        f"{_adding(CriterionMonthRollup, _CRITERION_KEYS, CRITERION_COLUMNS)}",
    ]


_fold_cache: dict[str, list[str]] = {}


def _fold_sql() -> list[str]:
    """SQLite: count the queue, the three upserts, empty the queue (one transaction).
    PostgreSQL: one statement that empties the queue and upserts what it took."""
    vendor = connection.vendor
    cached = _fold_cache.get(vendor)
    if cached is not None:
        return cached
    qn = _qn
    ratings, queue = qn(Rating._meta.db_table), qn(PendingRollup._meta.db_table)
    if vendor == "postgresql":
        upserts = _fold_statements("r", "TRUE")
        members = ", ".join(f"u{n} AS ({sql})" for n, sql in enumerate(upserts))
        columns = "organisation_id, staff_id, rated_on, state, satisfied, verified, level, answers"
        statements = [
            f"WITH taken AS (DELETE FROM {queue} RETURNING rating_id), "  # noqa: S608
            # = ANY(ARRAY(…)): each taken rating looked up by its key; a join walked
            # the whole primary key index (a merge join, 60 ms at 100,000 ratings).
            f"r AS (SELECT {columns} FROM {ratings} "
            f"WHERE id = ANY(ARRAY(SELECT rating_id FROM taken))), {members} "
            "SELECT COUNT(*) FROM taken"
        ]
    else:
        # IN: SQLite's planner then looks each queued rating up by its id; a join
        # walked the whole ratings table (for the GROUP BY's order, or to build a
        # Bloom filter), 20 ms a statement at 100,000 ratings.
        chosen = f"r.id IN (SELECT rating_id FROM {queue})"  # noqa: S608
        statements = [
            f"SELECT COUNT(*) FROM {queue}",  # noqa: S608
            *_fold_statements(f"{ratings} r", chosen),
            f"DELETE FROM {queue}",  # noqa: S608
        ]
    _fold_cache[vendor] = statements
    return statements


def fold() -> int:
    """Add every queued rating to the rollups and empty the queue, all or nothing.

    Returns how many ratings it added. Safe to run from several processes at
    once: on SQLite folds take turns with the rating writers; on PostgreSQL a
    fold owns the queue rows its DELETE returned, and waits for a fold that
    holds some of them to finish.
    """
    statements = _fold_sql()
    if connection.vendor == "postgresql":
        return int(rawdb.execute(statements[0]).fetchone()[0])
    with rawdb.writers_take_turns(), rawdb.write_transaction():
        count = int(rawdb.execute(statements[0]).fetchone()[0])
        if count:
            for sql in statements[1:]:
                rawdb.execute(sql)
    if count:
        rawdb.wrote()
    return count


@receiver(request_started, dispatch_uid="congvu-rollups-request-started")
def _request_started(**kwargs: Any) -> None:
    _reader.in_request = True
    _reader.caught_up = False


@receiver(request_finished, dispatch_uid="congvu-rollups-fold")
def fold_if_due(**kwargs: Any) -> None:
    """Fold once this process has queued `FOLD_EVERY` ratings (after the response)."""
    global _queued_here
    _reader.in_request = False
    if _queued_here < FOLD_EVERY:
        return
    try:
        fold()
    except DatabaseError:
        # Nothing is lost: the queue keeps the ratings, and the next fold, or the
        # next reader, adds them.
        logger.warning("folding the rating rollups failed", exc_info=True)
        return
    _queued_here = 0


def catch_up() -> None:
    """Fold whatever is queued: every read of the rollups runs this first.

    One `SELECT … LIMIT 1` when the queue is empty, at most once per request.
    """
    if getattr(_reader, "caught_up", False):
        return
    queue = _qn(PendingRollup._meta.db_table)
    if rawdb.execute(f"SELECT 1 FROM {queue} LIMIT 1").fetchone() is not None:  # noqa: S608
        fold()
    if getattr(_reader, "in_request", False):
        _reader.caught_up = True


def _take_from_queue(rating: Rating) -> bool:
    """Take `rating` out of the queue; False if it is already in the rollups."""
    queue = _qn(PendingRollup._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {queue} WHERE rating_id = %s", [rating.pk])  # noqa: S608
        return cursor.rowcount == 1


def change_state(rating: Rating, *, old_state: str) -> None:
    """Move a rating's contribution from `old_state` to its current state.

    The organisation and staff rows exist (the rating is in their `total`); the
    criterion rows may not when the rating starts counting, hence the upsert.
    """
    if old_state == rating.state:
        return
    if _take_from_queue(rating):
        add(rating)  # it was not in the rollups yet: add it as it is now
        return
    month = month_of(rating.rated_on)
    before, after = _counts_of(rating, old_state), _counts_of(rating)
    delta = {c: after[c] - before[c] for c in COUNT_COLUMNS if after[c] != before[c]}
    adapted = connection.ops.adapt_datefield_value(month)
    with connection.cursor() as cursor:
        if delta:
            columns = list(delta)
            cursor.execute(
                _update_sql(OrganisationMonthRollup, _ORG_KEYS, columns),
                [*delta.values(), rating.organisation_id, adapted],
            )
            if rating.staff_id is not None:
                cursor.execute(
                    _update_sql(StaffMonthRollup, _STAFF_KEYS, columns),
                    [*delta.values(), rating.staff_id, rating.organisation_id, adapted],
                )
        was_counted = old_state in Rating.COUNTED_STATES
        is_counted = rating.state in Rating.COUNTED_STATES
        criteria = _criterion_rows(rating)
        if was_counted == is_counted or not criteria:
            return
        if is_counted:
            upsert = _criteria_statement(rating, adapted)
            if upsert is not None:
                cursor.execute(*upsert)
        else:
            for clause_id, r in criteria:
                columns = [c for c in CRITERION_COLUMNS if r[c]]
                cursor.execute(
                    _update_sql(CriterionMonthRollup, _CRITERION_KEYS, columns),
                    [*(-r[c] for c in columns), rating.organisation_id, adapted, clause_id],
                )


# --- Rebuild -----------------------------------------------------------------------------------


def _aggregates() -> dict[str, Any]:
    counted = Q(state__in=Rating.COUNTED_STATES)

    def count_if(condition: Q) -> Sum:
        return Sum(
            Case(When(condition, then=Value(1)), default=Value(0)), output_field=IntegerField()
        )

    return {
        "total": Count("id"),
        "counted": count_if(counted),
        "satisfied": count_if(counted & Q(satisfied=True)),
        "flagged": count_if(Q(state=Rating.State.FLAGGED)),
        "verified": count_if(counted & Q(verified=True)),
        **{f"level_{n}": count_if(counted & Q(level=n)) for n in range(1, MAX_LEVELS + 1)},
    }


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _grouped(keys: Iterable[str]) -> list[dict[str, Any]]:
    return list(
        Rating.objects.order_by()
        .annotate(m=TruncMonth("rated_on"))
        .values(*keys, "m")
        .annotate(**_aggregates())
    )


def _criterion_totals() -> Mapping[tuple[int, dt.date, int], dict[str, int]]:
    # A deleted clause took its rollup rows with it (CASCADE); leave it out here too.
    existing = set(Clause.objects.values_list("pk", flat=True))
    totals: dict[tuple[int, dt.date, int], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(CRITERION_COLUMNS, 0)
    )
    rows = (
        Rating.objects.counted()
        .exclude(answers={})
        .order_by()
        .values_list("organisation_id", "rated_on", "answers")
    )
    for organisation_id, rated_on, answers in rows.iterator(chunk_size=5000):
        month = month_of(rated_on)
        for clause_id, answer in answers.items():
            column = ANSWER_COLUMNS.get(answer)
            if column is not None and int(clause_id) in existing:
                totals[(organisation_id, month, int(clause_id))][column] += 1
    return totals


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute the three rollup tables from the raw ratings and empty the queue;
    returns what was written."""
    queue = _qn(PendingRollup._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No rating may be stored between emptying the queue and reading the
            # ratings: its rollups would be counted twice. (SQLite: the DELETE
            # takes the database's write lock.)
            cursor.execute(f"LOCK TABLE {queue} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {queue}")  # noqa: S608
    OrganisationMonthRollup._base_manager.all().delete()
    StaffMonthRollup._base_manager.all().delete()
    CriterionMonthRollup._base_manager.all().delete()
    organisation_rows = [
        OrganisationMonthRollup(
            organisation_id=row["organisation_id"],
            month=_as_date(row["m"]),
            **{c: row[c] for c in COUNT_COLUMNS},
        )
        for row in _grouped(["organisation_id"])
    ]
    staff_rows = [
        StaffMonthRollup(
            staff_id=row["staff_id"],
            organisation_id=row["organisation_id"],
            month=_as_date(row["m"]),
            **{c: row[c] for c in COUNT_COLUMNS},
        )
        for row in _grouped(["staff_id", "organisation_id"])
        if row["staff_id"] is not None
    ]
    criterion_rows = [
        CriterionMonthRollup(organisation_id=org, month=month, clause_id=clause, **values)
        for (org, month, clause), values in _criterion_totals().items()
    ]
    OrganisationMonthRollup._base_manager.bulk_create(organisation_rows, batch_size=2000)
    StaffMonthRollup._base_manager.bulk_create(staff_rows, batch_size=2000)
    CriterionMonthRollup._base_manager.bulk_create(criterion_rows, batch_size=2000)
    return {
        "ratings": sum(row.total for row in organisation_rows),
        "organisation_months": len(organisation_rows),
        "staff_months": len(staff_rows),
        "criterion_months": len(criterion_rows),
    }
