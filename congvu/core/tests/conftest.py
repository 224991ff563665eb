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

from congvu.cases.models import Case
from congvu.cases.tests.office_helpers import file_report
from congvu.conftest import make_staff
from congvu.organisations.models import Organisation, StaffMember

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


# --- My exports (test_my_exports.py, test_my_exports_delete.py) ---------------------------


@pytest.fixture
def background_exports(settings: Any, tmp_path: Path) -> None:
    """Every cases export and every sheet of more than two badges goes to the worker."""
    settings.MEDIA_ROOT = tmp_path
    settings.CASES_EXPORT_INLINE_MAX_ROWS = 0
    settings.ORGANISATIONS_BADGE_INLINE_MAX_CARDS = 2


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    """A case about a staff member of the Department of Justice (one row to export)."""
    return file_report(staff=staff_member)


@pytest.fixture
def justice_staff(
    province: dict[str, Organisation], staff_member: StaffMember
) -> list[StaffMember]:
    """Three staff members of the Department of Justice: more than a sheet made inline."""
    return [staff_member] + [
        make_staff(province["dept_justice"], f"Lê Văn Số {n}", f"STP-B{n}") for n in range(2)
    ]
