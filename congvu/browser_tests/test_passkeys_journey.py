"""Passkeys in Chromium, with its virtual authenticator (DevTools' WebAuthn domain) in
place of a security key: an officer adds one on the two-step page, then signs in with
the password and the passkey instead of the code, ticking "remember this browser"."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import LazySettings
from django.utils import timezone
from playwright.sync_api import expect

from .helpers import PASSWORD, log_in, restore_default_kinds, serious_violations

pytestmark = pytest.mark.django_db(transaction=True)

KEY_NAME = "Khóa USB phòng Một cửa"


@pytest.fixture(autouse=True)
def default_kinds(transactional_db: Any) -> None:
    restore_default_kinds()


@pytest.fixture
def origin(live_server: Any, settings: LazySettings) -> str:
    """The live server's origin is the one passkeys are bound to (RP ID: localhost)."""
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return str(live_server.url)


def virtual_authenticator(page: Any) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def password_step(page: Any, base: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("officer")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()


def test_an_officer_adds_a_passkey_and_signs_in_with_it(
    origin: str, page: Any, officer: Any
) -> None:
    base = origin
    virtual_authenticator(page)
    log_in(page, base, "officer")
    page.goto(base + "/accounts/two-factor/")
    passkeys = page.get_by_test_id("passkeys")
    expect(passkeys).to_contain_text("Chưa có khóa truy cập nào.")
    # The library's script strings come in Vietnamese (locale/vi/LC_MESSAGES/djangojs.po).
    # Not wait_for_function: when its first check fails it polls with a function built
    # from the string, which the page's CSP (no 'unsafe-eval') refuses. After "load"
    # every script of the page, the catalogue's included, has run.
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.gettext") == "function"
    assert page.evaluate("gettext('Registration successful!')") == "Đã thêm khóa!"
    assert serious_violations(page) == []

    page.get_by_label("Tên khóa").fill(KEY_NAME)
    page.get_by_role("button", name="Thêm khóa truy cập").click()
    expect(page.get_by_role("status").filter(has_text="Đã thêm khóa truy cập")).to_contain_text(
        KEY_NAME
    )
    today = timezone.localdate().strftime("%d/%m/%Y")
    row = passkeys.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(KEY_NAME)
    expect(row).to_contain_text(today)
    expect(page.locator("main")).to_contain_text("Đã bật")
    assert serious_violations(page) == []
    # The removal's confirmation (the last method: the password is asked), then back.
    row.get_by_role("link", name="Gỡ").click()
    expect(page.locator("h1")).to_have_text("Gỡ khóa truy cập")
    expect(page.get_by_label("Mật khẩu")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Hủy").click()

    # Signed out; the password, then the passkey instead of the code.
    page.context.clear_cookies()
    password_step(page, base)
    expect(page.locator("h1")).to_have_text("Đăng nhập hai bước")
    button = page.get_by_role("button", name="Dùng khóa truy cập (passkey)")
    expect(button).to_be_visible()
    expect(page.get_by_label("Mã xác thực")).to_be_visible()  # the code form stays usable
    assert serious_violations(page) == []
    page.get_by_test_id("remember-browser").check()
    button.click()
    page.wait_for_url(base + "/")
    page.goto(base + "/accounts/two-factor/")
    row = page.get_by_test_id("passkeys").locator("tbody tr")
    expect(row.locator("td").nth(2)).to_have_text(today)  # last used
    expect(page.get_by_test_id("trusted-browsers").locator("tbody tr")).to_have_count(1)

    # The remembered browser (its cookie kept, the session's gone): the password is enough.
    page.context.clear_cookies(name="sessionid")
    password_step(page, base)
    page.wait_for_url(base + "/")


def test_the_second_step_in_english_offers_the_passkey_and_the_code(
    origin: str, page: Any, officer: Any
) -> None:
    base = origin
    virtual_authenticator(page)
    log_in(page, base, "officer")
    page.goto(base + "/accounts/two-factor/")
    page.get_by_label("Tên khóa").fill("YubiKey")
    page.get_by_role("button", name="Thêm khóa truy cập").click()
    expect(page.get_by_test_id("passkeys").locator("tbody tr")).to_have_count(1)

    page.context.clear_cookies()
    page.context.add_cookies([{"name": "congvu_lang", "value": "en", "url": base}])
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Two-step sign-in")
    # Not wait_for_function: when its first check fails it polls with a function built
    # from the string, which the page's CSP (no 'unsafe-eval') refuses. After "load"
    # every script of the page, the catalogue's included, has run.
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.gettext") == "function"
    assert page.evaluate("gettext('Verification successful!')") == "Verification successful!"
    assert serious_violations(page) == []
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(base + "/")
