"""axe-core in Chromium on the main pages: no critical or serious violation."""

from __future__ import annotations

from typing import Any

import pytest

from congvu.conduct import services as conduct_services

from .helpers import (
    PHONE,
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


PAGES = [
    pytest.param("/", False, id="public-home"),
    pytest.param("/accounts/login/", False, id="login"),
    pytest.param("/standards/?q=rượu bia", False, id="public-standards"),
    pytest.param("/r/{token}", False, id="badge-card"),
    pytest.param("/org/", True, id="organisation-tree"),
    pytest.param("/org/staff/", True, id="staff-list"),
]


@pytest.mark.parametrize(("path", "logged_in"), PAGES)
def test_the_page_has_no_critical_or_serious_accessibility_violation(
    live_server: Any,
    page: Any,
    officer: Any,
    province: Any,
    staff_member: Any,
    path: str,
    logged_in: bool,
) -> None:
    if path.startswith("/standards/"):
        conduct_services.load_seed_catalogue(scope=province["root"], actor=None)
    if logged_in:
        share_session(page, live_server.url, officer)
    if path.startswith("/r/"):
        page.set_viewport_size(PHONE)
    response = page.goto(live_server.url + path.format(token=staff_member.badge_token))
    assert response is not None and response.ok
    # axe-core is injected under the real policy, which forbids inline and foreign scripts.
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator("h1").first.wait_for()

    violations = serious_violations(page)

    assert violations == [], f"axe-core on {path}:\n" + "\n".join(violations)
