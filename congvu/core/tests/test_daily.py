"""Daily jobs: each runs at most once a day, however many processes try."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from congvu.core import daily
from congvu.core.management.commands import run_daily
from congvu.core.management.commands.run_daily import Command
from congvu.core.models import DailyJobRun
from congvu.core.tasks import run_daily_jobs

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 3, 5)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dt.date]]:
    """Replace the registry with two recording jobs."""
    seen: list[tuple[str, dt.date]] = []
    monkeypatch.setattr(daily, "_registry", {})
    monkeypatch.setattr(daily, "DAILY_JOB_MODULES", ())
    daily.register("first", lambda day: seen.append(("first", day)) or 1)
    daily.register("second", lambda day: seen.append(("second", day)) or {"sent": 2})
    return seen


def test_run_due_runs_each_job_once_per_day(calls: list[tuple[str, dt.date]]) -> None:
    daily.run_due(THURSDAY)
    daily.run_due(THURSDAY)
    assert calls == [("first", THURSDAY), ("second", THURSDAY)]
    friday = THURSDAY + dt.timedelta(days=1)
    daily.run_due(friday)
    assert calls[2:] == [("first", friday), ("second", friday)]
    runs = DailyJobRun.objects.filter(day=THURSDAY).order_by("name")
    assert [(r.name, r.result) for r in runs] == [
        ("first", {"ok": True, "value": 1}),
        ("second", {"ok": True, "value": {"sent": 2}}),
    ]
    assert all(r.finished_at is not None for r in runs)


def test_a_job_another_process_has_claimed_is_not_run_again(
    calls: list[tuple[str, dt.date]],
) -> None:
    DailyJobRun.objects.create(name="first", day=THURSDAY, started_at=dt.datetime.now(tz=HCM))
    ran = daily.run_due(THURSDAY)
    assert list(ran) == ["second"]
    assert calls == [("second", THURSDAY)]


def test_a_failing_job_is_recorded_and_the_others_still_run(
    calls: list[tuple[str, dt.date]],
) -> None:
    def broken(day: dt.date) -> None:
        raise RuntimeError("SMTP down")

    daily.register("broken", broken)
    ran = daily.run_due(THURSDAY)
    assert ran["broken"] == {"ok": False, "error": "RuntimeError: SMTP down"}
    assert [name for name, _ in calls] == ["first", "second"]
    # Not retried the same day: a broken digest must not mail everyone every minute.
    assert daily.run_due(THURSDAY) == {}


def test_the_planning_jobs_are_registered() -> None:
    names = list(daily.registered())
    assert "planning.rollups_refresh_stale" in names
    assert "planning.reminder_digest" in names
    # The rollups are refreshed before the digest reads the day's state.
    assert names.index("planning.rollups_refresh_stale") < names.index("planning.reminder_digest")


def test_the_run_daily_command_runs_the_due_jobs_once(
    calls: list[tuple[str, dt.date]], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("run_daily", "--day", "2026-03-05")
    call_command("run_daily", "--day", "2026-03-05")
    assert len(calls) == 2
    out = capsys.readouterr().out
    assert "first: {'ok': True, 'value': 1}" in out
    assert "Nothing to run" in out


def test_the_task_runs_the_jobs_of_the_given_day(calls: list[tuple[str, dt.date]]) -> None:
    result = run_daily_jobs.enqueue("2026-03-05")
    assert result.return_value == {
        "first": {"ok": True, "value": 1},
        "second": {"ok": True, "value": {"sent": 2}},
    }
    assert calls == [("first", THURSDAY), ("second", THURSDAY)]


def test_the_loop_starts_the_jobs_once_after_six_in_the_morning(
    calls: list[tuple[str, dt.date]],
) -> None:
    command = Command()
    early = dt.datetime(2026, 3, 5, 5, 59, tzinfo=HCM)
    assert command.tick(early, None) is None
    assert calls == []
    six = dt.datetime(2026, 3, 5, 6, 0, tzinfo=HCM)
    last = command.tick(six, None)
    assert last == six
    assert len(calls) == 2
    for minutes in (1, 30, 600):
        assert command.tick(six + dt.timedelta(minutes=minutes), last) == last
    assert len(calls) == 2
    next_day = dt.datetime(2026, 3, 6, 6, 1, tzinfo=HCM)
    assert command.tick(next_day, last) == next_day
    assert [day for _, day in calls[2:]] == [next_day.date()] * 2


def test_the_loop_enqueues_again_when_the_worker_left_jobs_unrun(
    calls: list[tuple[str, dt.date]], monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueued: list[Any] = []

    class Unrun:  # the worker is down: nothing happens to what is enqueued
        @staticmethod
        def enqueue(day: str) -> None:
            enqueued.append(day)

    monkeypatch.setattr(run_daily, "run_daily_jobs", Unrun)
    command = Command()
    six = dt.datetime(2026, 3, 5, 6, 5, tzinfo=HCM)
    last = command.tick(six, None)
    assert command.tick(six + dt.timedelta(minutes=5), last) == last
    command.tick(six + dt.timedelta(minutes=20), last)
    assert enqueued == ["2026-03-05", "2026-03-05"]


def test_the_loop_keeps_going_when_the_database_is_briefly_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError

    class Stop(Exception):
        pass

    ticks: list[int] = []

    def tick(self: Command, now: dt.datetime, last: Any) -> None:
        ticks.append(1)
        if len(ticks) == 1:
            raise OperationalError("database is restarting")

    sleeps: list[int] = []

    def sleep(seconds: int) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise Stop

    monkeypatch.setattr(Command, "tick", tick)
    monkeypatch.setattr(run_daily.time, "sleep", sleep)
    with pytest.raises(Stop):
        call_command("run_daily", "--loop")
    assert len(ticks) == 2 and sleeps == [60, 60]
