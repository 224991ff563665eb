"""On a phone the cases list shows cases, not screens of filters ({% morefilters %}).

The list's twelve filter fields came before the first case: a head or an inspector
scrolled through several screens of selects. The search box and the button stay; the
rest fold into "Thêm bộ lọc", which still filters with the same button.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from congvu.accounts.models import User
from congvu.cases.tests.office_helpers import file_report, move
from congvu.organisations.models import StaffMember

from .helpers import restore_default_kinds, restore_default_scales, share_session

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


def first_row_top(page: Any) -> float:
    box = page.get_by_test_id("case-table").locator("tbody tr").first.bounding_box()
    assert box is not None
    return float(box["y"]) + float(page.evaluate("window.scrollY"))


def test_on_a_phone_the_first_case_comes_soon_and_the_folded_filters_still_filter(
    live_server: Any,
    page: Any,
    officer: User,
    head: User,
    staff_member: StaffMember,
) -> None:
    accepted = move(file_report(staff=staff_member), "accepted", actor=head)
    received = file_report(staff=staff_member)
    share_session(page, live_server.url, officer)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/cases/")

    # The search box and the button in view; the first case within a screen and a half.
    search = page.locator("form.case-filter")
    expect(search.get_by_label("Tìm vụ việc")).to_be_visible()
    expect(search.get_by_role("button", name="Lọc")).to_be_visible()
    expect(search.get_by_label("Trạng thái")).to_be_hidden()
    assert first_row_top(page) < 1.5 * PHONE["height"]

    # The summary is a 44 px target the keyboard reaches, with a visible ring.
    more = search.locator("summary", has_text="Thêm bộ lọc")
    box = more.bounding_box()
    assert box is not None and box["height"] >= 44
    more.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    # Opened, the folded filters take part in the one submission.
    page.keyboard.press("Enter")
    search.get_by_label("Trạng thái").select_option("accepted")
    search.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**status=accepted**")
    table = page.get_by_test_id("case-table")
    expect(table).to_contain_text(accepted.code)
    expect(table).not_to_contain_text(received.code)
    # The filter in use is not hidden: the details is open and says so.
    expect(page.locator("details.more-filters")).to_have_attribute("open", "")
    expect(page.locator("details.more-filters > summary")).to_have_text("Thêm bộ lọc (1 đang dùng)")
    expect(search.get_by_label("Trạng thái")).to_have_value("accepted")


def test_on_a_wide_screen_the_folded_filters_are_open_from_the_start(
    live_server: Any, page: Any, officer: User, staff_member: StaffMember
) -> None:
    file_report(staff=staff_member)
    share_session(page, live_server.url, officer)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/cases/")

    search = page.locator("form.case-filter")
    expect(page.locator("details.more-filters")).to_have_attribute("open", "")
    expect(search.get_by_label("Trạng thái")).to_be_visible()
    expect(search.get_by_label("Thời hạn")).to_be_visible()
    # The summary says nothing is in use: opened by the screen's width, not by a filter.
    expect(page.locator("details.more-filters > summary")).to_have_text("Thêm bộ lọc")
