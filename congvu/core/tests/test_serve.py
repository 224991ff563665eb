"""`manage.py serve` (what `make run` starts): web server, worker and daily jobs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from congvu.core.management.commands import serve


class FakePopen:
    started: list[FakePopen] = []

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args = args
        self.pid = 1000 + len(FakePopen.started)
        self.terminated = False
        self.waited = False
        FakePopen.started.append(self)

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        self.waited = True
        return 0


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    FakePopen.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", FakePopen)
    runs: list[tuple[Any, ...]] = []

    def fake_call_command(name: str, *args: Any, **kwargs: Any) -> None:
        runs.append((name, *args))

    monkeypatch.setattr(serve, "call_command", fake_call_command)
    return runs


def test_serve_starts_the_worker_and_the_daily_jobs_beside_the_web_server(
    servers: list[tuple[Any, ...]], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("serve")
    assert servers == [("runserver", "127.0.0.1:8000")]
    assert [child.args[2:] for child in FakePopen.started] == [
        ["db_worker", "--interval", "1"],
        ["run_daily", "--loop"],
    ]
    assert all(child.terminated and child.waited for child in FakePopen.started)
    out = capsys.readouterr().out
    assert "Background worker started (pid 1000)" in out
    assert "Daily jobs started (pid 1001)" in out


def test_serve_stops_its_children_when_the_web_server_is_interrupted(
    monkeypatch: pytest.MonkeyPatch, servers: list[tuple[Any, ...]]
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(serve, "call_command", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "0.0.0.0:9000")
    assert len(FakePopen.started) == 2
    assert all(child.terminated for child in FakePopen.started)


def test_serve_without_worker_starts_the_web_server_only(
    servers: list[tuple[Any, ...]],
) -> None:
    call_command("serve", "--no-worker")
    assert FakePopen.started == []
    assert servers == [("runserver", "127.0.0.1:8000")]
