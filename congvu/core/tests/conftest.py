"""The small demo province the core tests share: built once per module that asks."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

SMALL = ["--staff", "300", "--communes", "10", "--units", "10"]
ROW = re.compile(r"^(\S+)\s{2,}.*\s{2,}(\S{12})$")


def run_demo(tmp_path: Path, *args: str) -> tuple[str, dict[str, str]]:
    out = io.StringIO()
    call_command("demo", *SMALL, "--logins-file", str(tmp_path / "logins.txt"), *args, stdout=out)
    text = out.getvalue()
    passwords = {}
    for line in text.splitlines():
        match = ROW.match(line)
        if match and match.group(1) not in {"Tài", "-" * len(match.group(1))}:
            passwords[match.group(1)] = match.group(2)
    return text, passwords


@pytest.fixture(scope="module")
def built(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[tuple[Path, dict[str, str]]]:
    """One small demo for the whole module, rolled back at the end (keeps the suite fast)."""
    folder = tmp_path_factory.mktemp("demo")
    # The demo stores an inspection's evidence photo: under the test's folder, not var/.
    with (
        override_settings(MEDIA_ROOT=folder / "media"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        _, passwords = run_demo(folder)
        yield folder, passwords
        transaction.set_rollback(True)


@pytest.fixture
def demo(built: tuple[Path, dict[str, str]], db: Any) -> dict[str, str]:
    return built[1]
