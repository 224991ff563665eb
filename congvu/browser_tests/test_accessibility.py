"""axe-core in Chromium on the main pages: no critical or serious violation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from congvu.cases import services as case_services
from congvu.conduct import services as conduct_services
from congvu.planning import services as planning

from .helpers import (
    PHONE,
    restore_case_rules,
    restore_default_kinds,
    restore_default_scales,
    serious_violations,
    share_session,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()  # the badge card carries the rating form
    restore_case_rules()  # the citizen's report form lists the kinds of conduct


PAGES = [
    pytest.param("/", None, id="public-home"),
    pytest.param("/accounts/login/", None, id="login"),
    pytest.param("/standards/?q=rượu bia", None, id="public-standards"),
    pytest.param("/r/{token}", None, id="badge-card"),
    pytest.param("/report/", None, id="misconduct-report-form"),
    pytest.param("/transparency/", None, id="public-transparency"),
    pytest.param("/rankings/", None, id="public-rankings"),
    pytest.param("/org/", "officer", id="organisation-tree"),
    pytest.param("/org/staff/", "officer", id="staff-list"),
    pytest.param("/", "head", id="head-home"),
    pytest.param("/dashboard/", "head", id="head-dashboard"),
    pytest.param("/cases/", "head", id="head-case-list"),
    pytest.param("/cases/dashboard/", "head", id="head-cases-dashboard"),
    pytest.param("/cases/bulk/filtered/", "head", id="head-cases-bulk-confirmation"),
    pytest.param("/cases/default-handlers/", "head", id="head-default-handlers"),
]


@pytest.mark.parametrize(("path", "persona"), PAGES)
def test_the_page_has_no_critical_or_serious_accessibility_violation(
    request: pytest.FixtureRequest,
    live_server: Any,
    page: Any,
    province: Any,
    staff_member: Any,
    path: str,
    persona: str | None,
) -> None:
    if path.startswith("/standards/"):
        conduct_services.load_seed_catalogue(scope=province["root"], actor=None)
    if path.startswith("/cases/"):
        # A row in the list, a figure on the dashboard: the tables and charts get checked too.
        case_services.submit_report(
            case_services.ReportInput(
                subject_staff=staff_member,
                description="Cán bộ hẹn trả hồ sơ ba lần mà không trả, không nói lý do.",
            )
        )
    if persona:
        share_session(page, live_server.url, request.getfixturevalue(persona))
    if path.startswith(("/r/", "/report/")):
        page.set_viewport_size(PHONE)  # what a citizen scanning a badge holds
    response = page.goto(live_server.url + path.format(token=staff_member.badge_token))
    assert response is not None and response.ok
    # axe-core is injected under the real policy, which forbids inline and foreign scripts.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("h1").first.wait_for()

    violations = serious_violations(page)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)


def test_the_open_calendar_of_a_date_box_has_no_critical_or_serious_violation(
    live_server: Any, page: Any, officer: Any, province: Any
) -> None:
    plan = planning.create_plan(
        actor=None,
        number="12/KH-STP",
        title="Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=dt.date(2026, 3, 2),
    )
    share_session(page, live_server.url, officer)
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")
    page.locator("#id_issued_on").focus()
    page.keyboard.press("Alt+ArrowDown")
    page.locator(".date-picker-popup .datepicker-picker").wait_for()
    page.keyboard.press("ArrowRight")

    violations = serious_violations(page)
    # An empty box opens on this month, with today marked.
    page.keyboard.press("Escape")
    page.locator("#id_issued_on").fill("")
    page.keyboard.press("Alt+ArrowDown")
    page.locator(".date-picker-popup .datepicker-cell.today").wait_for()
    violations += serious_violations(page)

    assert violations == [], "axe-core on the open calendar:\n" + "\n".join(violations)


def test_the_check_reports_a_serious_violation_when_a_page_has_one(
    live_server: Any, page: Any
) -> None:
    page.goto(live_server.url + "/accounts/login/")
    # A button with no name, as a careless template would leave it.
    page.evaluate(
        "() => document.querySelector('main').appendChild(document.createElement('button'))"
    )

    violations = serious_violations(page)

    assert any(line.startswith("button-name (critical)") for line in violations), violations
