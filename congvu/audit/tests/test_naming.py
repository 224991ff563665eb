"""The audit log is called "Nhật ký hoạt động" in Vietnamese and "Audit log" in English.

"Kiểm toán" is a financial audit (the State Audit Office's word): the log of who did
what is a "nhật ký hoạt động" wherever it is named — menu, page, breadcrumbs, the
API's documentation and the admin.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvu.audit.models import AuditEvent

ROOT = Path(__file__).resolve().parents[3]
NAME_VI = "Nhật ký hoạt động"


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match is not None
    return " ".join(match.group(1).split())


def test_the_menu_and_the_page_name_the_log_nhat_ky_hoat_dong(as_officer: Client) -> None:
    home = as_officer.get(reverse("core:home")).content.decode()
    assert NAME_VI in home
    page = as_officer.get(reverse("audit:list")).content.decode()
    assert _title(page).startswith(NAME_VI)
    assert f'<h1 id="h-audit">{NAME_VI}</h1>' in page
    assert "kiểm toán" not in (home + page).lower()


def test_in_english_it_stays_the_audit_log(as_officer: Client) -> None:
    as_officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = as_officer.get(reverse("core:home")).content.decode()
    page = as_officer.get(reverse("audit:list")).content.decode()
    assert "Audit log" in home
    assert _title(page).startswith("Audit log")
    assert NAME_VI not in home + page


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for path in schema["paths"].values() for op in path.values()]


def test_the_model_and_the_api_documentation_use_the_same_name(as_officer: Client) -> None:
    assert str(AuditEvent._meta.verbose_name_plural) == NAME_VI.lower()
    schema = as_officer.get("/api/v1/openapi.json").json()
    tags = {tag for operation in _operations(schema) for tag in operation.get("tags", [])}
    assert f"{NAME_VI} / Audit log" in tags


def test_no_source_calls_the_log_an_audit_in_the_financial_sense() -> None:
    """Templates, code, messages and docs: none says "kiểm toán" (the migrations and the
    decisions' log keep their history)."""
    suffixes = {".py", ".html", ".txt", ".po", ".md", ".js"}
    wrong = [
        str(path.relative_to(ROOT))
        for folder in ("congvu", "locale", "docs", "config")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in suffixes
        and "migrations" not in path.parts
        and path.name not in {Path(__file__).name, "decisions.md"}
        and "kiểm toán" in path.read_text(encoding="utf-8", errors="ignore").lower()
    ]
    assert wrong == []
