"""Shared steps for the browser tests: a dated history, logging in, an Excel file, axe-core."""

from __future__ import annotations

import datetime as dt
import gettext
import io
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.test import Client

from congvu.core.seeds import (  # noqa: F401 — the tests import them from here
    clear_process_caches,
    restore_case_rules,
    restore_default_kinds,
    restore_default_scales,
)
from congvu.organisations import restructuring
from congvu.organisations import services as org_services
from congvu.organisations.importing.columns import STAFF_COLUMNS
from congvu.organisations.models import Organisation, OrganisationKind

PASSWORD = "pw-for-tests-123"  # noqa: S105 — the personas' password in congvu/conftest.py
BEFORE_MERGER = dt.date(2025, 2, 15)
MERGED_ON = dt.date(2025, 3, 1)
RENAMED_ON = dt.date(2025, 7, 1)
LABOUR = "Sở Lao động - Thương binh và Xã hội"
COMMUNE_OLD = "Ủy ban nhân dân xã An Bình"
COMMUNE_NEW = "Ủy ban nhân dân xã Tân An"
PHONE = {"width": 360, "height": 740}
#: The smallest phone still in use.
NARROWEST = {"width": 320, "height": 640}
SERIOUS = frozenset({"critical", "serious"})
MO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
#: axe-core from the npm registry (`npm pack axe-core@4.14.1`, MPL-2.0), for the tests only.
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def sideways(page: Any) -> int:
    """How many pixels the page scrolls sideways (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def build_history(province: dict[str, Organisation]) -> None:
    """Labour merges into Home Affairs on 01/03/2025; the commune is renamed on 01/07/2025."""
    labour = org_services.create_organisation(
        actor=None,
        code="H56.03",
        name=LABOUR,
        kind=OrganisationKind.objects.get(code="department"),
        parent=province["root"],
        valid_from=dt.date(2025, 1, 1),
    )
    restructuring.merge_organisations(
        [labour], actor=None, effective=MERGED_ON, into=province["dept_home"]
    )
    restructuring.rename_organisation(
        province["commune"], actor=None, name=COMMUNE_NEW, effective=RENAMED_ON
    )


def log_in(page: Any, base_url: str, username: str) -> None:
    """Through the login form, as a user would."""
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(base_url + "/")


def share_session(page: Any, base_url: str, user: Any) -> None:
    """A logged-in browser without the form (the form itself is covered by the journey)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def staff_workbook(rows: list[dict[str, str]]) -> bytes:
    """A staff sheet with the header row of the downloadable template."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([column.label for column in STAFF_COLUMNS])
    for row in rows:
        ws.append([row.get(column.key, "") for column in STAFF_COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def english_for(message: str) -> str | None:
    """The compiled English translation of `message`, if the catalogue has one yet."""
    if not MO_FILE.exists():
        return None
    with MO_FILE.open("rb") as handle:
        translated = gettext.GNUTranslations(handle).gettext(message)
    return translated if translated and translated != message else None


def serious_violations(page: Any, impacts: frozenset[str] = SERIOUS) -> list[str]:
    """axe-core's critical and serious violations on the current page, one line per element
    (or those of other `impacts`: the dashboards' test asks for every one)."""
    blocked: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", on_console)
    try:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern
        # (`add_script_tag` writes an inline <script>, which it rightly refuses); the
        # page itself keeps its real policy.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        results = page.evaluate("() => axe.run(document)")
    finally:
        page.remove_listener("console", on_console)
    # axe ran on this very page, with its own scripts under the real CSP, none refused.
    assert blocked == [], blocked
    assert results["testEngine"]["name"] == "axe-core"
    assert results["passes"], "axe-core evaluated no rule on the page"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        f"{', '.join(map(str, node['target']))}: {node['html'][:160]}"
        for violation in results["violations"]
        if violation["impact"] in impacts
        for node in violation["nodes"]
    ]
