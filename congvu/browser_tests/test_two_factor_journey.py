"""Two-step sign-in in Chromium: an officer turns it on from the page (typing the secret
shown under the QR code into "their app"), then signs in with the password and the code."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from .helpers import log_in, restore_default_kinds, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()


def app_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret typed from the page."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def wait_for_a_fresh_code() -> None:
    """Wait, if the app's code is about to change, until it has: a code typed in the last
    seconds of its 30 is checked in the next step, and django-otp then records a drift of
    -1 for the device, after which "the next code" is two steps ahead of its window."""
    left = 30 - time.time() % 30
    if left < 8:
        time.sleep(left + 0.2)


def test_an_officer_turns_two_step_sign_in_on_and_signs_in_with_a_code(
    live_server: Any, page: Any, officer: Any
) -> None:
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(base + "/accounts/settings/")
    page.get_by_role("link", name="Đăng nhập hai bước").click()
    page.get_by_role("button", name="Bắt đầu bật đăng nhập hai bước").click()
    expect(page.locator(".totp-qr svg")).to_be_visible()
    assert serious_violations(page) == []
    secret = page.get_by_test_id("totp-secret").inner_text()
    wait_for_a_fresh_code()
    page.get_by_label("Mã 6 chữ số trong ứng dụng").fill(app_code(secret))
    page.get_by_role("button", name="Bật đăng nhập hai bước").click()
    codes = page.get_by_test_id("recovery-codes").locator("code")
    expect(codes).to_have_count(10)

    # Sign out, sign in again: the password, then the code.
    page.context.clear_cookies()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("officer")
    page.get_by_label("Mật khẩu").fill("pw-for-tests-123")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("h1")).to_have_text("Đăng nhập hai bước")
    page.get_by_label("Mã xác thực").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã không đúng")
    time.sleep(1.1)  # a wrong code makes the next try wait a second
    page.get_by_label("Mã xác thực").fill(app_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(base + "/")
    page.goto(base + "/accounts/settings/")
    expect(page.locator("main")).to_contain_text("đã bật")
