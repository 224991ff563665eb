"""The DB-API fast path keeps Django's guarantees: errors, all-or-nothing, query logging."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from congvu.core import rawdb
from congvu.feedback.models import DeviceSalt

TABLE = DeviceSalt._meta.db_table
INSERT = f"INSERT INTO {TABLE} (day, salt) VALUES (%s, %s)"  # noqa: S608


def salts() -> list[tuple[str, str]]:
    return [(str(day), salt) for day, salt in DeviceSalt.objects.values_list("day", "salt")]


def test_a_statement_written_for_djangos_cursor_runs_and_reads_back(db: Any) -> None:
    rawdb.execute(INSERT, ["2026-11-26", "a"])
    row = rawdb.execute(f"SELECT salt FROM {TABLE} WHERE day = %s", ["2026-11-26"]).fetchone()  # noqa: S608
    assert row == ("a",)


def test_sql_with_a_literal_percent_sign_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="literal"):
        rawdb.execute(f"SELECT 1 FROM {TABLE} WHERE salt LIKE 'a%'")  # noqa: S608


def test_a_unique_violation_is_djangos_integrity_error(db: Any) -> None:
    rawdb.execute(INSERT, ["2026-11-26", "a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        rawdb.execute(INSERT, ["2026-11-26", "b"])
    assert salts() == [("2026-11-26", "a")]


@pytest.mark.django_db(transaction=True)
def test_a_write_transaction_commits_everything_or_nothing() -> None:
    assert not connection.in_atomic_block  # no test transaction: the real BEGIN/COMMIT
    with rawdb.write_transaction():
        rawdb.execute(INSERT, ["2026-11-25", "a"])
        rawdb.execute(INSERT, ["2026-11-26", "b"])
    with pytest.raises(IntegrityError), rawdb.write_transaction():
        rawdb.execute(INSERT, ["2026-11-27", "c"])
        rawdb.execute(INSERT, ["2026-11-26", "d"])  # the same day again
    assert salts() == [("2026-11-25", "a"), ("2026-11-26", "b")]
    # The connection is back in autocommit and usable by the ORM.
    DeviceSalt.objects.create(day="2026-11-28", salt="e")
    assert DeviceSalt.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_exception_in_the_block_rolls_back() -> None:
    with pytest.raises(RuntimeError), rawdb.write_transaction():
        rawdb.execute(INSERT, ["2026-11-25", "a"])
        raise RuntimeError("stop")
    assert salts() == []


def test_logged_queries_still_see_the_statements(db: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        rawdb.execute(INSERT, ["2026-11-26", "a"])
    assert len(queries.captured_queries) == 1
    assert "INSERT INTO" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_a_hot_writer_checkpoints_after_the_response_not_in_its_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sqlite = connection.vendor == "sqlite"
    rawdb.no_checkpoint_in_commit()
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == 0  # SQLite no longer checkpoints inside COMMIT
    ran: list[Any] = []
    real = rawdb._checkpoint

    def spy(db: Any) -> None:
        ran.append(db)
        real(db)

    monkeypatch.setattr(rawdb, "_writes_since_checkpoint", 0)
    monkeypatch.setattr(rawdb, "_checkpoint", spy)
    for _ in range(rawdb.CHECKPOINT_EVERY - 1):
        rawdb.wrote()
    request_finished.send(sender=None)
    assert ran == []  # not due yet
    rawdb.wrote()
    assert ran == []  # never inside the request
    request_finished.send(sender=None)  # the response has been sent
    # One PASSIVE checkpoint, without error; PostgreSQL has no WAL file to manage.
    assert len(ran) == (1 if sqlite else 0)
    assert rawdb._writes_since_checkpoint == (0 if sqlite else rawdb.CHECKPOINT_EVERY)


def test_hot_writers_of_a_sqlite_file_take_turns_on_an_os_lock(
    db: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fcntl
    import os

    from django.db import connections

    wrapper = connections["default"]
    if wrapper.vendor != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setitem(wrapper.settings_dict, "NAME", str(tmp_path / "ratings.sqlite3"))
    # Set by hand and restored before the test's transaction ends: monkeypatch would
    # restore it after, leaving the connection marked in a transaction for later tests.
    was_in_atomic_block = wrapper.in_atomic_block
    wrapper.in_atomic_block = False
    other = os.open(tmp_path / "ratings.sqlite3-ratings.lock", os.O_RDWR | os.O_CREAT)
    try:
        # Another process would wait here.
        with rawdb.writers_take_turns(), pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the writes
        fcntl.flock(other, fcntl.LOCK_UN)
        wrapper.in_atomic_block = True
        with rawdb.writers_take_turns():  # inside a transaction: never waits
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        wrapper.in_atomic_block = was_in_atomic_block
        os.close(other)


@pytest.fixture
def checked_connection(transactional_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The default connection, kept between requests and health-checked (production on
    PostgreSQL), at the start of a request."""
    from django.db import connections

    wrapper = connections["default"]
    if wrapper.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the health checks are turned on for it")
    monkeypatch.setitem(wrapper.settings_dict, "CONN_HEALTH_CHECKS", True)
    wrapper.close()
    wrapper.ensure_connection()
    wrapper.health_check_done = False
    yield wrapper
    wrapper.close()


def _backend(wrapper: Any) -> int:
    return int(wrapper.connection.info.backend_pid)


def test_the_first_read_of_a_request_checks_the_connection_without_a_select_1(
    checked_connection: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[bool] = []
    real = checked_connection.is_usable
    monkeypatch.setattr(checked_connection, "is_usable", lambda: checks.append(True) or real())
    assert rawdb.execute("SELECT 1 + %s", [1]).fetchone() == (2,)
    assert checks == []  # no extra round trip
    assert checked_connection.health_check_done


def test_a_connection_that_died_while_idle_is_replaced_by_the_first_read(
    checked_connection: Any,
) -> None:
    import psycopg

    dead = _backend(checked_connection)
    settings = checked_connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dead])
    assert rawdb.execute("SELECT 1 + %s", [1]).fetchone() == (2,)  # no error reaches the user
    assert _backend(checked_connection) != dead


def test_a_failing_first_read_on_a_live_connection_raises_djangos_error(
    checked_connection: Any,
) -> None:
    from django.db import ProgrammingError

    alive = _backend(checked_connection)
    with pytest.raises(ProgrammingError):
        rawdb.execute("SELECT no_such_column FROM feedback_devicesalt")
    assert _backend(checked_connection) == alive  # kept: only the statement was wrong
