"""What the HTTP benchmarks share: a session cookie, gunicorn with production settings,
and timing a page over loopback."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scale import ROOT


def session_cookie(user: Any) -> str:
    """A Cookie header for a logged-in session of `user` (Django must be set up) that has
    passed two-step sign-in: production settings require it of Home Affairs, case
    handlers and administrators, who would otherwise be sent to set it up."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from congvu.accounts import two_factor

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[two_factor.VERIFIED] = True
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        # A redirect (to sign in, to two-step sign-in) would time another page than the
        # one named: the request fails (HTTPError 302) instead.
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, cookie: str) -> tuple[int, bytes]:
    """GET `url` with `cookie`, never following a redirect."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    # Only the http://127.0.0.1 URLs of `gunicorn()` reach here.
    with _opener.open(request, timeout=30) as response:
        return response.status, response.read()


def get(url: str, cookie: str) -> tuple[int, int]:
    status, body = fetch(url, cookie)
    return status, len(body)


def stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
    }


@contextmanager
def gunicorn(cookie: str, settings: str | None = None) -> Iterator[str]:
    """Serve the app with 2 sync workers on a free loopback port; yields the base URL.
    `settings`: another settings module for the server (default: the environment's)."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **({"DJANGO_SETTINGS_MODULE": settings} if settings else {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                get(base + "/healthz", cookie)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def time_page(base: str, path: str, cookie: str, repeat: int) -> dict[str, Any]:
    """Median and p95 of `repeat` sequential requests after 3 warm-ups."""
    for _ in range(3):
        get(base + path, cookie)
    times = []
    size = 0
    for _ in range(repeat):
        begun = time.perf_counter()
        status, size = get(base + path, cookie)
        times.append((time.perf_counter() - begun) * 1000)
        assert status == 200, (path, status)
    return {"path": path, **stats(times), "bytes": size, "repeat": repeat}
