"""On a phone the header's menus fold under "Menu", so that a page starts near the top.

Before, an officer's header took about 290 px of a 360 × 800 phone on every page: eight
menus, the name, the account links and the language switch, each a 44 px row. The
language switch stays in the row (a citizen may need it first); the rest drops down as
a panel when "Menu" is tapped. A wider screen shows everything in the row, as before,
with or without JavaScript.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from congvu.accounts.models import User
from congvu.core.models import Notification

from .helpers import PHONE, restore_default_kinds, restore_default_scales, share_session

# The live server reads committed data, so every test here runs on a flushed database.
pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()
    restore_default_scales()


def header_height(page: Any) -> int:
    return int(page.evaluate("() => document.querySelector('.site-header').offsetHeight"))


def test_on_a_phone_the_menus_fold_under_one_button_and_still_take_the_officer_anywhere(
    live_server: Any, page: Any, officer: User
) -> None:
    share_session(page, live_server.url, officer)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")

    # One row: the name of the product, the language switch and "Menu".
    nav = page.locator("nav.main-nav")
    menu = page.locator("details.site-menu > summary")
    expect(nav).to_be_hidden()
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    expect(menu).to_have_text("Menu")
    assert header_height(page) <= 64
    assert page.locator("main h1").bounding_box()["y"] < 100

    # "Menu" opens the panel over the page; a menu in it opens in place; a link goes there.
    menu.click()
    expect(nav).to_be_visible()
    expect(page.locator(".header-tools").get_by_role("button", name="Đăng xuất")).to_be_visible()
    nav.locator("summary", has_text="Vụ việc").click()
    nav.get_by_role("link", name="Thống kê vụ việc", exact=True).click()
    page.wait_for_url(live_server.url + "/cases/dashboard/")
    expect(nav).to_be_hidden()  # the next page starts folded again

    # Escape closes an open menu first, then the panel, and gives the keyboard back to "Menu".
    menu.click()
    nav.locator("summary", has_text="Tổ chức").click()
    page.keyboard.press("Escape")
    expect(nav).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    assert page.evaluate("() => document.activeElement.closest('details.site-menu') !== null")

    # A tap on the page below the panel closes it.
    menu.click()
    expect(nav).to_be_visible()
    page.mouse.click(PHONE["width"] // 2, PHONE["height"] - 10)
    expect(nav).to_be_hidden()


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_a_wide_screen_shows_every_menu_in_the_row_without_a_menu_button(
    live_server: Any, browser: Any, officer: User, scripts: bool
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", java_script_enabled=scripts)
    screen = context.new_page()
    share_session(screen, live_server.url, officer)
    screen.goto(live_server.url + "/")

    expect(screen.locator("details.site-menu > summary")).to_be_hidden()
    nav = screen.locator("nav.main-nav")
    expect(nav.locator("summary", has_text="Vụ việc")).to_be_visible()
    expect(screen.locator(".header-tools").get_by_role("link", name="Tài khoản")).to_be_visible()
    assert header_height(screen) < 60
    if scripts:
        # Narrowed to a phone's width the row folds; widened again it is back.
        screen.set_viewport_size(PHONE)
        expect(nav).to_be_hidden()
        screen.set_viewport_size(DESKTOP)
        expect(nav).to_be_visible()
    else:
        # Without JavaScript a phone still has the menu: <details> opens by itself.
        screen.set_viewport_size(PHONE)
        screen.locator("details.site-menu > summary").click()
        expect(nav).to_be_visible()
    context.close()


def test_the_narrowest_phone_in_english_keeps_one_row_with_the_unread_count(
    live_server: Any, page: Any, officer: User
) -> None:
    # English has the longer language button ("Tiếng Việt"), the count makes "Menu" wider.
    for title in ("Một", "Hai"):
        Notification.objects.create(user=officer, kind="digest", title=title)
    share_session(page, live_server.url, officer)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + "/")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("lang-vi")).to_be_visible()
    menu = page.locator("details.site-menu > summary")
    expect(menu).to_have_text("Menu 2(2 unread notifications)")
    assert header_height(page) <= 64
    assert page.evaluate("document.documentElement.scrollWidth") == 320
