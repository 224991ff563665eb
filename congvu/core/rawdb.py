"""A few hot, constant statements on the default connection's DB-API cursor.

Django's cursor wrapper costs about 20 µs a statement on SQLite: it rewrites
"%s" into "?" with a regular expression at every call, and wraps timing and
thread checks around it. The citizens' rating submission runs five or six
statements thousands of times a second, so it runs them here instead: SQL
written for Django's cursor (%s placeholders, no literal "%"), converted once
per text, on the connection Django opened, with database errors still raised
as Django's (`IntegrityError` and the others). With `CONN_HEALTH_CHECKS`
(PostgreSQL), a request's first read checks the kept connection itself
instead of a `SELECT 1` before it (`_checking`).

While queries are logged (DEBUG, `CaptureQueriesContext`) the statements go
through Django's cursor as usual, so they are counted and shown. Use this
only where a benchmark shows the wrapper matters.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.dispatch import receiver

logger = logging.getLogger(__name__)

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
    db: Any = connections[DEFAULT_DB_ALIAS]  # the stubs lack the health-check attributes
    if db.queries_logged:
        cursor = db.cursor()
        cursor.execute(sql, params)
        return cursor
    text = _text(sql, db.vendor)
    if db.connection is not None and db.health_check_enabled and not db.health_check_done:
        if text.lstrip()[:6].upper() == "SELECT" and not db.in_atomic_block:
            return _checking(db, text, params)
        # A write might have been carried out before the connection broke: check first.
        db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        return db.connection.execute(text, params)


def _checking(db: Any, text: str, params: Sequence[Any]) -> Any:
    """A request's first read on a kept connection, standing in for Django's health
    check (`CONN_HEALTH_CHECKS`: a `SELECT 1` round trip before it).

    The read runs at once; if it fails and the connection turns out to be dead
    (it died while idle: the server restarted, a proxy dropped it), it is
    closed and the read runs again on a new one — what the health check would
    have done, one round trip cheaper.
    """
    try:
        cursor = db.connection.execute(text, params)
    except db.Database.Error:
        if db.is_usable():
            with db.wrap_database_errors:
                raise  # the statement's own error, as Django's
        db.close()
        db.ensure_connection()
        with db.wrap_database_errors:
            cursor = db.connection.execute(text, params)
    db.health_check_done = True
    return cursor


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
        execute("COMMIT")
    except BaseException:
        if connection.connection is not None and connection.connection.in_transaction:
            execute("ROLLBACK")
        raise


_turns: dict[str, tuple[int, int]] = {}
_turns_lock = threading.Lock()


@contextmanager
def writers_take_turns() -> Iterator[None]:
    """On a SQLite file, hot writers of all processes queue on an OS lock first.

    Two gunicorn workers writing ratings collide on SQLite's write lock, and
    SQLite's busy handler then *sleeps* (1 ms, 2 ms, 5 ms, …) instead of waking
    when the lock is free: two workers stored fewer ratings a second than one.
    `flock` wakes the next writer as soon as the previous one commits (threads
    of one process queue on a `threading.Lock` first: they share the
    descriptor). Only taken outside any transaction: a caller's open
    transaction may hold SQLite's lock already, and waiting here then would
    stall the others. The kernel releases the lock when a process dies, even
    by SIGKILL. PostgreSQL needs none of this.
    """
    sqlite: Any = connection
    if sqlite.vendor != "sqlite" or sqlite.in_atomic_block or sqlite.is_in_memory_db():
        yield
        return
    path = f"{sqlite.settings_dict['NAME']}-ratings.lock"
    with _turns_lock:
        # One descriptor per process: a lock inherited through fork would be shared.
        opened = _turns.get(path)
        if opened is None or opened[0] != os.getpid():
            opened = _turns[path] = (os.getpid(), os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        fcntl.flock(opened[1], fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(opened[1], fcntl.LOCK_UN)


# --- SQLite: WAL checkpoints after the response, not inside a writer's commit ------------------

#: A process that writes through `no_checkpoint_in_commit` checkpoints the WAL once every
#: this many of those writes (each rating adds about ten pages to the WAL).
CHECKPOINT_EVERY: Final = 100
_writes_since_checkpoint = 0


def no_checkpoint_in_commit() -> None:
    """Before a hot write on SQLite: this connection stops checkpointing inside COMMIT.

    SQLite checkpoints the WAL (copies its pages into the database file and
    syncs it) in the commit that takes the WAL past 1,000 pages, and the
    writers queued behind that commit wait for it: measured with two
    processes, ~120 µs of every rating's time under the write lock. The
    connection's automatic checkpoint is turned off instead, and
    `checkpoint_if_due` runs a PASSIVE one (which waits for nobody and blocks
    nobody) every `CHECKPOINT_EVERY` writes, after the response has been sent.
    A new connection (`CONN_MAX_AGE`) starts with the automatic checkpoint on.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite":
        return
    db.ensure_connection()
    if getattr(db, "_congvu_manual_checkpoints", None) is not db.connection:
        db.connection.execute("PRAGMA wal_autocheckpoint=0")
        db._congvu_manual_checkpoints = db.connection  # type: ignore[attr-defined]


def wrote() -> None:
    """After a write that followed `no_checkpoint_in_commit`."""
    global _writes_since_checkpoint
    _writes_since_checkpoint += 1
    if _writes_since_checkpoint >= 2 * CHECKPOINT_EVERY:
        # Outside requests (commands, the demo loader) nothing else would run it.
        checkpoint_if_due()


@receiver(request_finished, dispatch_uid="congvu-rawdb-checkpoint")
def checkpoint_if_due(**kwargs: Any) -> None:
    """PASSIVE checkpoint once `CHECKPOINT_EVERY` writes are waiting (request_finished:
    gunicorn sends the whole response before closing it, so no client waits)."""
    global _writes_since_checkpoint
    if _writes_since_checkpoint < CHECKPOINT_EVERY:
        return
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite" or db.connection is None or db.in_atomic_block:
        return
    try:
        _checkpoint(db)
    except DatabaseError:
        # The next request tries again; SQLite's own checkpoints still run on
        # other connections. Nothing is lost: the WAL holds every commit.
        logger.warning("WAL checkpoint failed", exc_info=True)
        return
    _writes_since_checkpoint = 0


def _checkpoint(db: Any) -> None:
    with db.wrap_database_errors:
        db.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
