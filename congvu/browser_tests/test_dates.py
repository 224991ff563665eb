"""The date box in Chromium: dd/mm/yyyy whatever the browser's language, and its calendar.

The browser runs in American English on purpose: a native `<input type="date">` would
show mm/dd/yyyy there, which is what the product's own text box replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from congvu.planning import services as planning
from congvu.planning.models import Plan

from .conftest import ARTIFACTS
from .helpers import restore_default_kinds, share_session

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    # An earlier live-server test flushed the kinds a data migration made.
    restore_default_kinds()


@pytest.fixture
def plan(province: dict[str, Any]) -> Plan:
    return planning.create_plan(
        actor=None,
        number="12/KH-STP",
        title="Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=dt.date(2026, 3, 2),
    )


@pytest.fixture
def us_page(browser: Any) -> Any:
    context = browser.new_context(locale="en-US", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.csp_errors = []  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text)  # type: ignore[attr-defined]
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


def _edit_url(live_server: Any, plan: Plan) -> str:
    return f"{live_server.url}/plans/{plan.pk}/edit/"


def _plan_date_box(page: Any, live_server: Any, officer: Any, plan: Plan) -> Any:
    """The officer on the plan's edit page: its date box (issued on)."""
    share_session(page, live_server.url, officer)
    page.goto(_edit_url(live_server, plan))
    return page.locator("#id_issued_on")


def _day(page: Any, number: int) -> Any:
    """A day of the month shown (not the greyed days of the months around it)."""
    cells = page.locator(".date-picker-popup .datepicker-cell.day:not(.prev):not(.next)")
    return cells.nth(number - 1)


def test_the_calendar_fills_the_box_in_day_month_year_with_vietnamese_then_english_names(
    live_server: Any, us_page: Any, officer: Any, plan: Plan
) -> None:

    page = us_page
    box = _plan_date_box(page, live_server, officer, plan)
    assert box.get_attribute("type") == "text"
    assert box.input_value() == "02/03/2026"

    page.get_by_role("button", name="Chọn ngày trên lịch").click()
    popup = page.locator(".date-picker-popup")
    popup.locator(".datepicker-picker").wait_for()
    assert popup.is_visible()
    assert popup.locator(".view-switch").inner_text() == "Tháng 3 2026"
    weekdays = popup.locator(".days-of-week .dow").all_inner_texts()
    assert weekdays[0] == "T2" and weekdays[-1] == "CN"  # weeks start on Monday
    assert popup.locator(".datepicker-cell.selected").inner_text() == "2"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "date-picker-vi.png"))  # for a person to look at

    _day(page, 15).click()
    assert box.input_value() == "15/03/2026"
    assert popup.is_hidden()
    page.locator("main").get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 3, 15)

    # The site's switch, not the browser, decides the calendar's language.
    page.goto(_edit_url(live_server, plan))
    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state()
    page.goto(_edit_url(live_server, plan))
    page.get_by_role("button", name="Pick the date on a calendar").click()
    popup.locator(".datepicker-picker").wait_for()
    assert popup.locator(".view-switch").inner_text() == "March 2026"
    weekdays = popup.locator(".days-of-week .dow").all_inner_texts()
    assert weekdays[0] == "Mo" and weekdays[-1] == "Su"
    _day(page, 20).click()
    assert box.input_value() == "20/03/2026"

    assert page.csp_errors == []


def test_the_calendar_shows_a_typed_iso_date_without_rewriting_it_and_escape_closes_it(
    live_server: Any, us_page: Any, officer: Any, plan: Plan
) -> None:
    page = us_page
    box = _plan_date_box(page, live_server, officer, plan)
    box.fill("2026-05-07")
    toggle = page.get_by_role("button", name="Chọn ngày trên lịch")
    toggle.click()
    popup = page.locator(".date-picker-popup")
    popup.locator(".datepicker-picker").wait_for()
    assert popup.locator(".view-switch").inner_text() == "Tháng 5 2026"
    assert popup.locator(".datepicker-cell.selected").inner_text() == "7"
    assert box.input_value() == "2026-05-07"
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Escape")
    assert popup.is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"

    # The browser compiles the box's pattern (with the `v` flag) and applies it.
    mismatch = "el => el.validity.patternMismatch"
    box.fill("2026/05/07")
    assert box.evaluate(mismatch) is True
    box.fill("7/5/2026")
    assert box.evaluate(mismatch) is False

    # A date that does not exist stays as typed for the server to explain.
    box.fill("31/02/2026")
    toggle.click()
    popup.locator(".datepicker-picker").wait_for()
    page.locator("h1").click()
    assert popup.is_hidden()
    assert box.input_value() == "31/02/2026"
    page.locator("main").get_by_role("button", name="Lưu").click()
    assert page.get_by_text("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.").is_visible()
    assert box.input_value() == "31/02/2026"


def test_without_javascript_the_text_box_alone_takes_a_day_month_year_date(
    live_server: Any, browser: Any, officer: Any, plan: Plan
) -> None:
    context = browser.new_context(locale="en-US", java_script_enabled=False)
    page = context.new_page()
    share_session(page, live_server.url, officer)
    page.goto(_edit_url(live_server, plan))
    assert page.locator(".date-picker-toggle").count() == 0
    page.locator("#id_issued_on").fill("09/04/2026")
    page.locator("main").get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 4, 9)
    context.close()


def test_a_page_without_a_date_box_does_not_fetch_the_calendar(
    live_server: Any, us_page: Any, officer: Any, plan: Plan
) -> None:
    page = us_page
    share_session(page, live_server.url, officer)
    fetched: list[str] = []
    page.on("request", lambda req: fetched.append(req.url))
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.wait_for_load_state("networkidle")
    assert any("/static/js/dates.js" in url for url in fetched)
    assert not any("vanillajs-datepicker" in url for url in fetched)


def test_clicking_the_day_already_chosen_fills_the_box_and_closes_the_calendar(
    live_server: Any, us_page: Any, officer: Any, plan: Plan
) -> None:
    page = us_page
    box = _plan_date_box(page, live_server, officer, plan)
    box.fill("2026-05-07")
    page.get_by_role("button", name="Chọn ngày trên lịch").click()
    popup = page.locator(".date-picker-popup")
    popup.locator(".datepicker-picker").wait_for()
    popup.locator(".datepicker-cell.selected").click()
    assert box.input_value() == "07/05/2026"
    assert popup.is_hidden()
    assert page.csp_errors == []


def test_the_calendar_opens_moves_and_fills_the_box_from_the_keyboard_alone(
    live_server: Any, us_page: Any, officer: Any, plan: Plan
) -> None:
    page = us_page
    box = _plan_date_box(page, live_server, officer, plan)
    popup = page.locator(".date-picker-popup")
    status = page.locator(".date-field [role=status]")
    box.focus()
    # A screen reader hears the label, then the format and the calendar's keys.
    assert page.get_by_label("Ngày ban hành").get_attribute("id") == "id_issued_on"
    hint_ids = (box.get_attribute("aria-describedby") or "").split()
    hint = " ".join(page.locator(f"[id='{i}']").inner_text() for i in hint_ids)
    assert "dd/mm/yyyy" in hint and "Alt+Mũi tên xuống mở lịch" in hint

    page.keyboard.press("Alt+ArrowDown")
    popup.locator(".datepicker-picker").wait_for()
    assert popup.is_visible()
    assert page.evaluate("document.activeElement.id") == "id_issued_on"
    assert status.inner_text() == "Thứ hai, 02/03/2026"
    page.keyboard.press("ArrowRight")  # Tuesday 3
    page.keyboard.press("ArrowDown")  # a week later
    assert popup.locator(".datepicker-cell.focused").inner_text() == "10"
    assert status.inner_text() == "Thứ ba, 10/03/2026"
    assert box.input_value() == "02/03/2026"  # moving is not choosing
    page.keyboard.press("Enter")
    assert box.input_value() == "10/03/2026"
    assert popup.is_hidden()
    assert page.url == _edit_url(live_server, plan)  # Enter picked; it did not submit

    # Escape closes without changing the box, wherever the arrows went.
    page.keyboard.press("ArrowDown")
    popup.locator(".datepicker-picker").wait_for()
    page.keyboard.press("PageDown")
    page.keyboard.press("ArrowLeft")
    assert status.inner_text() == "Thứ năm, 09/04/2026"
    page.keyboard.press("Escape")
    assert popup.is_hidden()
    assert box.input_value() == "10/03/2026"
    assert page.evaluate("document.activeElement.id") == "id_issued_on"

    # Typing while it is open closes it and goes on in the box.
    box.fill("")
    page.keyboard.press("ArrowDown")
    popup.locator(".datepicker-picker").wait_for()
    page.keyboard.type("2026-05-07")
    assert popup.is_hidden()
    assert box.input_value() == "2026-05-07"

    # From the button: Enter opens, the arrows move, Enter fills the box.
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name="Chọn ngày trên lịch")
    assert page.evaluate("document.activeElement.dataset.testid") == "date-picker-toggle"
    page.keyboard.press("Enter")
    popup.locator(".datepicker-picker").wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert popup.locator(".datepicker-cell.selected").inner_text() == "7"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert box.input_value() == "30/04/2026"
    assert toggle.get_attribute("aria-expanded") == "false"

    page.locator("main").get_by_role("button", name="Lưu").click()
    page.wait_for_url(f"**/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 4, 30)
    assert page.csp_errors == []
