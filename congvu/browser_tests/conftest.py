"""Playwright on Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CONGVU_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser_tests" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
        elif "browser_name" in getattr(getattr(item, "callspec", None), "params", {}):
            # pytest-playwright then moves it, and the browser tests with it, among the
            # first tests run; their flushes empty the database under every later test
            # (hundreds of "OrganisationKind matching query does not exist").
            raise pytest.UsageError(
                f"{item.nodeid} asks for a Playwright fixture outside congvu/browser_tests "
                "(a parameter named `page`, `browser` or `context`?): rename it."
            )


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL for Playwright's pages: every test goes to `live_server.url` itself.

    Defined here, it also stands in for pytest-playwright 0.10's fallback fixture,
    a session fixture written as a method, which pytest 9 warns about."""
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot(page: Any) -> Any:
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
