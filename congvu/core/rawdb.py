"""A few hot, constant statements on the default connection's DB-API cursor.

Django's cursor wrapper costs about 20 µs a statement on SQLite: it rewrites
"%s" into "?" with a regular expression at every call, and wraps timing and
thread checks around it. The citizens' rating submission runs five or six
statements thousands of times a second, so it runs them here instead: SQL
written for Django's cursor (%s placeholders, no literal "%"), converted once
per text, on the connection Django opened (and health-checked), with
database errors still raised as Django's (`IntegrityError` and the others).

While queries are logged (DEBUG, `CaptureQueriesContext`) the statements go
through Django's cursor as usual, so they are counted and shown. Use this
only where a benchmark shows the wrapper matters.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

_converted: dict[tuple[str, str], str] = {}


def _text(sql: str, vendor: str) -> str:
    """`sql` for the DB-API module: SQLite takes "?", psycopg "%s" as Django's cursor."""
    key = (vendor, sql)
    converted = _converted.get(key)
    if converted is None:
        if "%" in sql.replace("%s", ""):
            raise ValueError("rawdb takes SQL without literal '%' characters")
        converted = _converted[key] = sql.replace("%s", "?") if vendor == "sqlite" else sql
    return converted


def execute(sql: str, params: Sequence[Any] = ()) -> Any:
    """Run `sql` with `params`; returns the DB-API cursor (for `fetchone`)."""
    # One lookup of the connection: each attribute of the `connection` proxy is one.
    db = connections[DEFAULT_DB_ALIAS]
    if db.queries_logged:
        cursor = db.cursor()
        cursor.execute(sql, params)
        return cursor
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db.connection.execute(_text(sql, db.vendor), params)


@contextmanager
def write_transaction() -> Iterator[None]:
    """All or nothing, as `transaction.atomic()`, with SQLite's BEGIN IMMEDIATE and
    COMMIT sent straight to the DB-API connection when no transaction is open
    (inside a caller's `atomic` block, or on PostgreSQL, it is `atomic()`)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block or connection.queries_logged:
        with transaction.atomic():
            yield
        return
    if not connection.get_autocommit():  # pragma: no cover - the project never turns it off
        raise RuntimeError("write_transaction needs autocommit")
    execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if connection.connection.in_transaction:
            execute("ROLLBACK")
        raise
    execute("COMMIT")
