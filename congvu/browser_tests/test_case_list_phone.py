"""The case list on a 360 px phone: cases, not a table scrolling sideways.

Walked as a head at 360 px, the list's actions wrapped with "·" and brackets alone on a
line, the status tabs took five rows before the search box, and the table scrolled
sideways with only "Chọn / Mã / Tiếp nhận" in view, ~90 px a row. On a phone each case is
now a compact block (still a table for a screen reader), the tabs one row that scrolls;
at 1280 px the table is as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from congvu.accounts.models import User
from congvu.cases import tags
from congvu.cases.models import Case, CaseTag
from congvu.cases.tests.office_helpers import file_report, move
from congvu.organisations.models import Organisation, StaffMember

from .helpers import (
    restore_default_kinds,
    restore_default_scales,
    serious_violations,
    share_session,
    sideways,
)

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
OVERDUE_PINK = "rgb(253, 236, 234)"


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


@pytest.fixture
def cases(head: User, staff_member: StaffMember, province: dict[str, Organisation]) -> list[Case]:
    """Eight cases in four states, the newest overdue and tagged (the list's first row)."""
    made = [file_report(staff=staff_member) for _n in range(4)]
    made += [move(file_report(staff=staff_member), "accepted", actor=head) for _n in range(2)]
    made.append(move(file_report(staff=staff_member), "rejected", actor=head))
    late = file_report(staff=staff_member)
    Case.objects.filter(pk=late.pk).update(
        acknowledge_due=timezone.localdate() - dt.timedelta(days=2)
    )
    urgent = CaseTag.objects.create(
        province=province["root"], name="Khẩn", name_folded="khan", colour=CaseTag.Colour.RED
    )
    tags.set_tags(late, tag_ids=[urgent.pk], actor=head)
    return [*made, late]


def row_boxes(page: Any) -> list[dict[str, float]]:
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('[data-testid=case-table] tbody tr')]
            .map(row => {
                const box = row.getBoundingClientRect();
                return {top: box.top + scrollY, bottom: box.bottom + scrollY, height: box.height};
            })"""
        )
    )


def test_on_a_phone_each_case_is_a_compact_block_and_several_fit_a_screen(
    live_server: Any, page: Any, head: User, cases: list[Case]
) -> None:
    share_session(page, live_server.url, head)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/cases/")

    assert sideways(page) == 0
    rows = row_boxes(page)
    assert len(rows) == len(cases)
    assert rows[0]["top"] < PHONE["height"]
    assert sum(1 for row in rows if row["bottom"] <= 1.5 * PHONE["height"]) >= 3
    # Six lines at most (a tagged, overdue case with a long organisation name).
    assert max(row["height"] for row in rows) < 180

    table = page.get_by_test_id("case-table")
    first = table.locator("tbody tr").first
    late = cases[-1]
    # Its code and tag, status, deadline and the flag, subject, date received: in view.
    for cell, text in (
        ("c-code", late.code),
        ("c-code", "Khẩn"),
        ("c-status", "Mới tiếp nhận"),
        ("c-due", "Quá hạn"),
        ("c-subject", "Nguyễn Văn Đức"),
        ("c-received", timezone.localdate().strftime("%d/%m/%Y")),
    ):
        expect(first.locator(f"td.{cell}")).to_be_visible()
        expect(first.locator(f"td.{cell}")).to_contain_text(text)
    # The eye reads the column's name before a date (the header row is hidden from it).
    label = "el => getComputedStyle(el, '::before').content"
    assert '"Tiếp nhận: "' in first.locator("td.c-received").evaluate(label)
    assert '"Hạn: "' in first.locator("td.c-due").evaluate(label)
    expect(table.locator("thead th").first).not_to_be_in_viewport()
    # The overdue colour stays, with a bar of the error colour.
    style = first.evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderLeftWidth]"
    )
    assert style == [OVERDUE_PINK, "4px"]
    # The tick box is a 44 px target and ticks its case.
    pick = first.locator("label.pick")
    box = pick.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    pick.click()
    expect(first.get_by_role("checkbox", name=f"Chọn vụ việc {late.code}")).to_be_checked()

    # Still a table for a screen reader: Chrome's own accessibility tree.
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    roles = [node.get("role", {}).get("value") for node in nodes]
    assert "table" in roles
    assert roles.count("row") == len(cases) + 1
    headers = {
        node.get("name", {}).get("value")
        for node in nodes
        if node.get("role", {}).get("value") == "columnheader"
    }
    assert {"Mã", "Trạng thái", "Hạn", "Tiếp nhận"} <= headers

    assert serious_violations(page) == []


def test_on_a_phone_the_actions_wrap_whole_and_the_tabs_are_one_row(
    live_server: Any, page: Any, head: User, cases: list[Case]
) -> None:
    share_session(page, live_server.url, head)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/cases/?status=rejected")

    # Every action a 44 px target, the export links' note beside them.
    links = page.locator(".case-links a")
    assert links.count() >= 4
    for n in range(links.count()):
        box = links.nth(n).bounding_box()
        assert box is not None and box["height"] >= 44
    expect(page.get_by_role("link", name="Excel")).to_have_accessible_description(
        "Tải các vụ việc đang lọc:"
    )

    # The tabs: one row, scrolling within itself, the current one (the 5th) in view.
    tabs = page.get_by_test_id("status-counts")
    tops = tabs.locator("li").evaluate_all("lis => lis.map(li => li.getBoundingClientRect().top)")
    assert len(set(tops)) == 1
    tab_box = tabs.bounding_box()
    assert tab_box is not None and tab_box["height"] < 70
    assert tabs.evaluate("ul => ul.scrollWidth > ul.clientWidth")
    current = tabs.locator("[aria-current=true]")
    expect(current).to_contain_text("Không thụ lý")
    expect(current).to_be_in_viewport(ratio=1)
    assert sideways(page) == 0
    for n in range(tabs.locator("a").count()):
        box = tabs.locator("a").nth(n).bounding_box()
        assert box is not None and box["height"] >= 44

    # The keyboard reaches the last tab, and the row scrolls to it.
    last = tabs.locator("a").last
    tabs.locator("a").first.focus()
    for _n in range(tabs.locator("a").count() - 1):
        page.keyboard.press("Tab")
    expect(last).to_be_focused()
    expect(last).to_be_in_viewport(ratio=1)
    assert sideways(page) == 0


def test_on_a_wide_screen_the_table_is_as_before(
    live_server: Any, page: Any, head: User, cases: list[Case]
) -> None:
    share_session(page, live_server.url, head)
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/cases/")

    table = page.get_by_test_id("case-table")
    assert table.evaluate("el => getComputedStyle(el).display") == "table"
    headers = table.locator("thead th")
    expect(headers).to_have_count(9)
    expect(headers.first).to_be_visible()
    header_tops = headers.evaluate_all("cells => cells.map(c => c.getBoundingClientRect().top)")
    assert len(set(header_tops)) == 1
    cell_tops = (
        table.locator("tbody tr")
        .first.locator("td")
        .evaluate_all("cells => cells.map(c => c.getBoundingClientRect().top)")
    )
    assert len(cell_tops) == 9 and len(set(cell_tops)) == 1
    # No labels before the values: the header row says it.
    first_date = table.locator("tbody tr").first.locator("td.c-received")
    assert first_date.evaluate("el => getComputedStyle(el, '::before').content") == "none"
    # The tabs wrap as they did.
    assert (
        page.get_by_test_id("status-counts").evaluate("ul => getComputedStyle(ul).flexWrap")
        == "wrap"
    )
    assert sideways(page) == 0
