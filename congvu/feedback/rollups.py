"""Monthly rollups of ratings, kept current in the rating's own transaction.

A rating adds to three tables, keyed by the first day of the local month of
`rated_on`:

* `OrganisationMonthRollup` (organisation, month) and `StaffMonthRollup`
  (staff, organisation, month): `total` counts every rating, `flagged` those
  waiting for review, and `counted`, `satisfied`, `verified`, `level_N` only
  ratings that count (COUNTED or INCLUDED);
* `CriterionMonthRollup` (organisation, month, clause): kept / breached /
  unknown answers of counted ratings.

Writes are single `INSERT … ON CONFLICT (…) DO UPDATE SET c = c + excluded.c`
statements (SQLite ≥ 3.24 and PostgreSQL), so two processes adding to the
same row never lose an update and no row is read first: one per table, a
rating's criterion rows in one multi-row statement (`add`); on PostgreSQL the
three go with the rating's INSERT into one statement (`postgresql_members`,
one round trip instead of six). A change of state
(review, the daily jump check) applies the difference. `rebuild()` recomputes
everything from the raw ratings; it gives the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, Final

from django.db import connection, models, transaction
from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from congvu.conduct.models import Clause

from .models import (
    MAX_LEVELS,
    CriterionMonthRollup,
    OrganisationMonthRollup,
    Rating,
    StaffMonthRollup,
)

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
    sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in columns)
    conflict = ", ".join(qn(k) for k in keys)
    # Only model metadata goes into the text; every value is a parameter. Several rows
    # in one statement must have different keys (PostgreSQL refuses to update a row twice).
    return (
        f"INSERT INTO {table} ({names}) VALUES {values} "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}"
    )


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
    """Add a new rating to the rollups (call inside the rating's transaction)."""
    with connection.cursor() as cursor:
        for sql, params in statements(rating):
            cursor.execute(sql, params)


_pg_members_cache: dict[tuple[str, bool, bool], str] = {}


def _pg_members_sql(staff: bool, criteria: bool) -> str:
    # Only model metadata goes into the text; every value is a parameter.
    qn = connection.ops.quote_name
    counts = ", ".join(qn(c) for c in COUNT_COLUMNS)

    def member(
        name: str,
        model: type[models.Model],
        keys: tuple[str, ...],
        columns: tuple[str, ...],
        select: str,
    ) -> str:
        table = qn(model._meta.db_table)
        names = ", ".join(qn(c) for c in (*keys, *columns))
        sets = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in columns)
        conflict = ", ".join(qn(k) for k in keys)
        return (
            f"{name} AS (INSERT INTO {table} ({names}) {select} "
            f"ON CONFLICT ({conflict}) DO UPDATE SET {sets})"
        )

    casts = ", ".join(["%s::integer"] * len(COUNT_COLUMNS))
    members = [
        f"rollup_counts (organisation_id, month, {counts}) "
        f"AS (VALUES (%s::bigint, %s::date, {casts}))",
        member(
            "rollup_organisation",
            OrganisationMonthRollup,
            _ORG_KEYS,
            COUNT_COLUMNS,
            f"SELECT organisation_id, month, {counts} FROM rollup_counts",  # noqa: S608
        ),
    ]
    if staff:
        members.append(
            member(
                "rollup_staff",
                StaffMonthRollup,
                _STAFF_KEYS,
                COUNT_COLUMNS,
                f"SELECT %s::bigint, organisation_id, month, {counts} FROM rollup_counts",  # noqa: S608
            )
        )
    if criteria:
        members.append(
            member(
                "rollup_criteria",
                CriterionMonthRollup,
                _CRITERION_KEYS,
                CRITERION_COLUMNS,
                "SELECT v.organisation_id, v.month, c.clause_id, c.kept, c.breached, c.unknown "
                "FROM rollup_counts v, unnest(%s::bigint[], %s::integer[], %s::integer[], "
                "%s::integer[]) AS c (clause_id, kept, breached, unknown)",
            )
        )
    return ", ".join(members)


def postgresql_members(rating: Rating) -> tuple[str, list[Any]]:
    """`add(rating)` as members of a PostgreSQL WITH clause, and their parameters.

    `services` runs them in one statement with the rating's INSERT: one round
    trip and one implicit transaction instead of BEGIN, four statements and
    COMMIT. The criterion rows go as arrays, so the statement has the same text
    and few parameters whatever the number of questions (psycopg caches the
    parsing of a query only up to 50 parameters).
    """
    row = _counts_of(rating)
    staff = rating.staff_id is not None
    criteria = _criterion_rows(rating) if rating.state in Rating.COUNTED_STATES else []
    key = (connection.vendor, staff, bool(criteria))
    sql = _pg_members_cache.get(key)
    if sql is None:
        sql = _pg_members_cache[key] = _pg_members_sql(staff, bool(criteria))
    params: list[Any] = [
        rating.organisation_id,
        month_of(rating.rated_on),
        *(row[c] for c in COUNT_COLUMNS),
    ]
    if staff:
        params.append(rating.staff_id)
    if criteria:
        params.append([clause_id for clause_id, _ in criteria])
        params += [[counts[c] for _, counts in criteria] for c in CRITERION_COLUMNS]
    return sql, params


def change_state(rating: Rating, *, old_state: str) -> None:
    """Move a rating's contribution from `old_state` to its current state.

    The organisation and staff rows exist (the rating is in their `total`); the
    criterion rows may not when the rating starts counting, hence the upsert.
    """
    if old_state == rating.state:
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


def aggregates(*columns: str) -> dict[str, Any]:
    """The rollup columns (all, or those named) as aggregates over raw ratings: the one
    statement of which ratings count, for `rebuild` and for readers of part of a month
    (the periodic reports' first and last days), so the two never drift apart."""
    counted = Q(state__in=Rating.COUNTED_STATES)

    def count_if(condition: Q) -> Sum:
        return Sum(
            Case(When(condition, then=Value(1)), default=Value(0)), output_field=IntegerField()
        )

    every = {
        "total": Count("id"),
        "counted": count_if(counted),
        "satisfied": count_if(counted & Q(satisfied=True)),
        "flagged": count_if(Q(state=Rating.State.FLAGGED)),
        "verified": count_if(counted & Q(verified=True)),
        **{f"level_{n}": count_if(counted & Q(level=n)) for n in range(1, MAX_LEVELS + 1)},
    }
    return {c: every[c] for c in columns} if columns else every


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _grouped(keys: Iterable[str]) -> list[dict[str, Any]]:
    return list(
        Rating.objects.order_by()
        .annotate(m=TruncMonth("rated_on"))
        .values(*keys, "m")
        .annotate(**aggregates())
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
    """Recompute the three rollup tables from the raw ratings; returns what was written."""
    OrganisationMonthRollup.objects.all().delete()
    StaffMonthRollup.objects.all().delete()
    CriterionMonthRollup.objects.all().delete()
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
    OrganisationMonthRollup.objects.bulk_create(organisation_rows, batch_size=2000)
    StaffMonthRollup.objects.bulk_create(staff_rows, batch_size=2000)
    CriterionMonthRollup.objects.bulk_create(criterion_rows, batch_size=2000)
    return {
        "ratings": sum(row.total for row in organisation_rows),
        "organisation_months": len(organisation_rows),
        "staff_months": len(staff_rows),
        "criterion_months": len(criterion_rows),
    }
