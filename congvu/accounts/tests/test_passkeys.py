"""Passkeys as the second sign-in step: adding one (signed in, verified), signing in with
it instead of the code (only half-way through signing in, only one's own), and the
list, rename and remove pages and API (one's own only; the last method's rules)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from congvu.accounts import passkeys, trusted_browsers, two_factor
from congvu.accounts.models import RecoveryCode, SignIn, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for

from .soft_authenticator import SoftKey, b64url
from .test_two_factor import PASSWORD, signed_in, turn_on

pytestmark = pytest.mark.django_db

REGISTER_BEGIN = reverse("otp_webauthn:credential-registration-begin")
REGISTER_COMPLETE = reverse("otp_webauthn:credential-registration-complete")
AUTH_BEGIN = reverse("otp_webauthn:credential-authentication-begin")
AUTH_COMPLETE = reverse("otp_webauthn:credential-authentication-complete")


def post_json(client: Client, url: str, data: Any = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def password_step(client: Client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response["Location"].startswith(reverse("accounts:login_code"))


def sign_in_with(client: Client, key: SoftKey) -> Any:
    """The page's script: options, the authenticator's answer, its check."""
    options = post_json(client, AUTH_BEGIN)
    assert options.status_code == 200, options.content
    return post_json(client, AUTH_COMPLETE, key.get(options.json()))


@pytest.fixture
def key() -> SoftKey:
    return SoftKey()


@pytest.fixture
def usb(officer: User, key: SoftKey) -> WebAuthnCredential:
    """The officer's passkey, their only second-step method."""
    return key.stored_for(officer, "Khóa USB phòng Một cửa")


@pytest.fixture
def required(settings: Any) -> None:
    """The officer's role (Home Affairs) must use two-step sign-in, as in production."""
    settings.TWO_FACTOR_ROLES = ["home_affairs"]


def verified(user: User) -> Client:
    client = client_for(user)
    session = client.session
    session[two_factor.VERIFIED] = True
    session.save()
    return client


# --- adding one -----------------------------------------------------------------------


def test_a_signed_in_officer_adds_a_passkey_which_turns_two_step_sign_in_on(
    as_officer: Client, officer: User, key: SoftKey
) -> None:
    options = post_json(as_officer, REGISTER_BEGIN)
    assert options.status_code == 200
    assert options.json()["rp"] == {"name": "Công vụ", "id": "localhost"}
    response = post_json(as_officer, REGISTER_COMPLETE, key.create(options.json()))
    assert response.status_code == 200, response.content
    credential = WebAuthnCredential.objects.get(user=officer)
    assert credential.name == passkeys.default_name()
    assert two_factor.is_on(officer)
    assert as_officer.session[two_factor.VERIFIED] is True  # not signed out next request
    assert as_officer.get(reverse("accounts:two_factor")).status_code == 200
    # The script then sends the name typed beside the button.
    named = as_officer.post(
        reverse("accounts:passkey_rename", args=[credential.pk]),
        {"name": "Khóa USB phòng Một cửa", "added": "1"},
        follow=True,
    )
    assert "Đã thêm khóa truy cập “Khóa USB phòng Một cửa”." in named.content.decode()
    event = AuditEvent.objects.get(action="accounts.passkey_add")
    recorded = json.dumps([event.summary, event.data])
    assert "officer" in event.summary
    for secret in (key.credential_id.hex(), b64url(key.credential_id), credential.public_key.hex()):
        assert secret not in recorded
    assert AuditEvent.objects.filter(action="accounts.two_factor_on").count() == 1


def test_adding_a_passkey_is_refused_without_a_signed_in_verified_session(
    client: Client, officer: User, usb: WebAuthnCredential
) -> None:
    for url in (REGISTER_BEGIN, REGISTER_COMPLETE):
        response = post_json(client, url)
        assert response.status_code == 403
        assert response.json()["detail"] == "Hãy đăng nhập trước. / Sign in first."
    # A session that has not passed the second step (checked before it was turned on).
    unverified = client_for(officer)
    session = unverified.session
    session[two_factor.CHECKED] = time.time()
    session.save()
    response = post_json(unverified, REGISTER_BEGIN)
    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"
    assert "bước thứ hai" in response.json()["detail"]
    assert WebAuthnCredential.objects.filter(user=officer).count() == 1


def test_completing_a_registration_that_was_not_begun_adds_nothing(
    officer: User, key: SoftKey
) -> None:
    client = verified(officer)
    response = post_json(client, REGISTER_COMPLETE, key.create({"challenge": b64url(b"x" * 32)}))
    assert response.status_code == 400
    assert not WebAuthnCredential.objects.filter(user=officer).exists()


# --- signing in with it ---------------------------------------------------------------------


def test_the_code_page_offers_the_passkey_beside_the_code_and_says_it_needs_javascript(
    client: Client, usb: WebAuthnCredential
) -> None:
    password_step(client, "officer")
    page = client.get(reverse("accounts:login_code")).content.decode()
    assert "Dùng khóa truy cập (passkey)" in page
    assert "Dùng khóa truy cập cần JavaScript" in page
    assert 'name="code"' in page  # the code form stays
    assert "<script>" not in page and "onclick" not in page  # the CSP allows no inline script
    assert 'id="otp_webauthn_config" type="application/json"' in page


def test_without_a_passkey_the_code_page_does_not_offer_one(client: Client, officer: User) -> None:
    turn_on(client_for(officer), officer)
    password_step(client, "officer")
    page = client.get(reverse("accounts:login_code")).content.decode()
    assert "Dùng khóa truy cập (passkey)" not in page


def test_a_passkey_signs_in_like_a_right_code_and_remembers_the_browser(
    client: Client, officer: User, usb: WebAuthnCredential, key: SoftKey
) -> None:
    password_step(client, "officer")
    response = sign_in_with(client, key)
    assert response.status_code == 200, response.content
    assert response.json() == {"id": usb.pk, "redirect_url": ""}
    assert not signed_in(client)  # not yet: the page posts the code form next
    done = client.post(
        reverse("accounts:login_code"), {"method": "passkey", "remember": "on", "next": "/cases/"}
    )
    assert done.status_code == 302 and done["Location"] == "/cases/"
    assert signed_in(client)
    assert client.session[two_factor.VERIFIED] is True
    assert trusted_browsers.COOKIE in done.cookies
    usb.refresh_from_db()
    assert usb.last_used_at is not None and usb.sign_count == 1
    assert client.get("/cases/").status_code == 200


def test_the_passkey_endpoints_refuse_anyone_not_half_way_through_signing_in(
    client: Client, officer: User, usb: WebAuthnCredential, key: SoftKey
) -> None:
    for url in (AUTH_BEGIN, AUTH_COMPLETE):
        response = post_json(client, url)
        assert response.status_code == 403
        assert response.json()["code"] == "not_at_this_step"
        assert response.json()["detail"].startswith("Phiên đăng nhập đã hết hạn")
    signed = verified(officer)
    assert post_json(signed, AUTH_BEGIN).json()["code"] == "signed_in"
    # Passwordless: no.
    assert not signed_in(client)


def test_posting_the_passkey_method_without_a_passkey_check_does_not_sign_in(
    client: Client, usb: WebAuthnCredential
) -> None:
    password_step(client, "officer")
    response = client.post(reverse("accounts:login_code"), {"method": "passkey"})
    assert response.status_code == 200
    assert "Khóa truy cập chưa được xác nhận" in response.content.decode()
    assert not signed_in(client)


def test_another_users_passkey_is_refused_and_counts_as_a_wrong_code(
    client: Client, officer: User, head: User, usb: WebAuthnCredential
) -> None:
    theirs = SoftKey()
    theirs.stored_for(head, "Khóa của người khác")
    password_step(client, "officer")
    for attempt in range(1, two_factor.PENDING_FAILURES):
        response = sign_in_with(client, theirs)
        assert response.status_code == 400
        assert response.json()["detail"].startswith("Không xác nhận được bằng khóa truy cập")
        assert client.session[two_factor.PENDING]["failures"] == attempt
    last = sign_in_with(client, theirs)
    assert last.status_code == 403 and last.json()["code"] == "too_many_failures"
    assert two_factor.PENDING not in client.session
    assert not signed_in(client)
    # The officer sees the tries in their history (repeats from one browser: one row).
    failed = SignIn.objects.get(user=officer)
    assert (failed.outcome, failed.method) == (SignIn.Outcome.WRONG_CODE, SignIn.Method.PASSKEY)
    assert failed.attempts == two_factor.PENDING_FAILURES


def test_a_tampered_answer_is_refused_and_the_code_still_works(
    client: Client, officer: User, usb: WebAuthnCredential, key: SoftKey
) -> None:
    codes = turn_on(verified(officer), officer)
    password_step(client, "officer")
    options = post_json(client, AUTH_BEGIN).json()
    answer = key.get(options, origin="https://evil.example")
    response = post_json(client, AUTH_COMPLETE, answer)
    assert response.status_code == 400
    assert not signed_in(client)
    done = client.post(reverse("accounts:login_code"), {"code": codes[0]})
    assert done.status_code == 302 and signed_in(client)


def test_a_recovery_code_signs_in_a_user_with_passkeys_only(
    client: Client, officer: User, usb: WebAuthnCredential
) -> None:
    codes = two_factor.renew_recovery_codes(officer)
    password_step(client, "officer")
    done = client.post(reverse("accounts:login_code"), {"code": codes[0]})
    assert done.status_code == 302 and signed_in(client)


# --- the list, renaming, removing --------------------------------------------------------------


def test_the_two_step_page_lists_ones_passkeys_with_their_dates(
    officer: User, head: User, usb: WebAuthnCredential
) -> None:
    SoftKey().stored_for(head, "Khóa của người khác")
    WebAuthnCredential.objects.filter(pk=usb.pk).update(last_used_at=timezone.now())
    page = verified(officer).get(reverse("accounts:two_factor")).content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert "Khóa USB phòng Một cửa" in page
    assert page.count(today) >= 2  # added on, last used
    assert "Khóa của người khác" not in page
    assert "Đã bật" in page


def test_an_officer_renames_their_passkey(officer: User, usb: WebAuthnCredential) -> None:
    client = verified(officer)
    url = reverse("accounts:passkey_rename", args=[usb.pk])
    response = client.post(url, {"name": "  Điện thoại   Lan  "})
    assert response.status_code == 302
    usb.refresh_from_db()
    assert usb.name == "Điện thoại Lan"
    assert AuditEvent.objects.filter(action="accounts.passkey_rename").count() == 1
    empty = client.post(url, {"name": " "})
    assert empty.status_code == 400
    assert "Hãy đặt tên cho khóa" in empty.content.decode()
    too_long = client.post(url, {"name": "x" * 65})
    assert too_long.status_code == 400
    usb.refresh_from_db()
    assert usb.name == "Điện thoại Lan"
    assert client.get(url).status_code == 405


def test_another_users_passkey_cannot_be_renamed_or_removed(
    head: User, usb: WebAuthnCredential
) -> None:
    client = verified(head)
    assert (
        client.post(reverse("accounts:passkey_rename", args=[usb.pk]), {"name": "x"}).status_code
        == 404
    )
    assert client.get(reverse("accounts:passkey_remove", args=[usb.pk])).status_code == 404
    assert client.post(reverse("accounts:passkey_remove", args=[usb.pk])).status_code == 404
    usb.refresh_from_db()
    assert usb.name == "Khóa USB phòng Một cửa"


def test_removing_one_of_two_passkeys_asks_to_confirm_then_removes_it(
    officer: User, usb: WebAuthnCredential
) -> None:
    second = SoftKey().stored_for(officer, "Điện thoại")
    client = verified(officer)
    url = reverse("accounts:passkey_remove", args=[usb.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Khóa “Khóa USB phòng Một cửa” sẽ không dùng được" in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    response = client.post(url, follow=True)
    assert "Đã gỡ khóa truy cập “Khóa USB phòng Một cửa”." in response.content.decode()
    assert list(passkeys.of(officer)) == [second]
    event = AuditEvent.objects.get(action="accounts.passkey_remove")
    assert event.data == {"left": 1}
    assert two_factor.is_on(officer)


def test_removing_the_last_method_asks_the_password_and_turns_two_step_sign_in_off(
    officer: User, usb: WebAuthnCredential
) -> None:
    two_factor.renew_recovery_codes(officer)
    client = verified(officer)
    url = reverse("accounts:passkey_remove", args=[usb.pk])
    assert 'name="password"' in client.get(url).content.decode()
    wrong = client.post(url, {"password": "not-it"})
    assert wrong.status_code == 400
    assert "Mật khẩu không đúng" in wrong.content.decode()
    assert passkeys.has_any(officer)
    response = client.post(url, {"password": PASSWORD})
    assert response.status_code == 302
    assert not two_factor.is_on(officer)
    assert not RecoveryCode.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor_off").count() == 1


def test_the_last_method_of_a_role_that_requires_two_step_sign_in_cannot_be_removed(
    required: None, officer: User, usb: WebAuthnCredential
) -> None:
    client = verified(officer)
    url = reverse("accounts:passkey_remove", args=[usb.pk])
    page = client.get(url)
    assert page.status_code == 403
    assert "Vai trò của bạn bắt buộc đăng nhập hai bước" in page.content.decode()
    assert client.post(url, {"password": PASSWORD}).status_code == 403
    assert passkeys.has_any(officer)
    # With the app on as well, the passkey is no longer the last method.
    turn_on(client, officer)
    assert client.post(url).status_code == 302
    assert not passkeys.has_any(officer) and two_factor.is_on(officer)


def test_a_passkey_satisfies_a_role_that_requires_two_step_sign_in(
    required: None, officer: User, usb: WebAuthnCredential
) -> None:
    assert verified(officer).get("/cases/").status_code == 200


def test_turning_two_step_sign_in_off_removes_the_passkeys_too(
    officer: User, usb: WebAuthnCredential
) -> None:
    client = verified(officer)
    codes = turn_on(client, officer)
    response = client.post(
        reverse("accounts:two_factor_off"), {"password": PASSWORD, "code": codes[0]}
    )
    assert response.status_code == 302
    assert not passkeys.has_any(officer) and not two_factor.is_on(officer)


# --- API ----------------------------------------------------------------------------------


def api(user: User) -> Client:
    return verified(user)


def test_the_api_lists_the_callers_passkeys_only(
    officer: User, head: User, usb: WebAuthnCredential
) -> None:
    SoftKey().stored_for(head, "Khóa của người khác")
    response = api(officer).get("/api/v1/me/passkeys")
    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == usb.pk and item["name"] == "Khóa USB phòng Một cửa"
    assert set(item) == {"id", "name", "created_at", "last_used_at"}
    assert Client().get("/api/v1/me/passkeys").status_code == 401


def test_the_api_removes_ones_passkey_but_not_anothers_nor_the_last_method(
    officer: User, head: User, usb: WebAuthnCredential, settings: Any
) -> None:
    second = SoftKey().stored_for(officer, "Điện thoại")
    assert api(head).delete(f"/api/v1/me/passkeys/{usb.pk}").status_code == 404
    client = api(officer)
    assert client.delete(f"/api/v1/me/passkeys/{second.pk}").status_code == 204
    last = client.delete(f"/api/v1/me/passkeys/{usb.pk}")
    assert last.status_code == 422
    assert "mật khẩu" in last.json()["detail"][0]["msg"]
    settings.TWO_FACTOR_ROLES = ["home_affairs"]
    assert client.delete(f"/api/v1/me/passkeys/{usb.pk}").status_code == 403
    assert list(passkeys.of(officer)) == [usb]


def test_a_page_opened_at_another_address_says_where_passkeys_work(
    client: Client, officer: User, usb: WebAuthnCredential, settings: Any
) -> None:
    """A passkey is bound to its domain: a development site opened as 127.0.0.1 (RP ID
    localhost) is told where to open it, in both places a passkey is used."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = ["http://localhost:8000"]
    elsewhere = "Khóa truy cập chỉ dùng được khi mở trang tại http://localhost:8000."
    page = verified(officer).get(reverse("accounts:two_factor"), HTTP_HOST="127.0.0.1:8000")
    assert elsewhere in page.content.decode()
    at_home = verified(officer).get(reverse("accounts:two_factor"), HTTP_HOST="localhost:8000")
    assert "passkey-elsewhere" not in at_home.content.decode()
    password_step(client, "officer")
    code_page = client.get(reverse("accounts:login_code"), HTTP_HOST="127.0.0.1:8000")
    assert elsewhere in code_page.content.decode()
    assert 'name="code"' in code_page.content.decode()  # the code still works there


# --- a new phone: the app removed, the passkeys kept ----------------------------------------

APP_REMOVE = reverse("accounts:two_factor_app_remove")


@pytest.fixture
def app_and_usb(officer: User, usb: WebAuthnCredential) -> list[str]:
    """The officer has the authenticator app and a passkey; their recovery codes."""
    return turn_on(verified(officer), officer)


def test_a_new_phone_removes_the_app_and_keeps_two_step_sign_in_by_the_passkey(
    client: Client, officer: User, app_and_usb: list[str]
) -> None:
    mine = verified(officer)
    page = mine.get(reverse("accounts:two_factor")).content.decode()
    assert "Gỡ ứng dụng xác thực, giữ khóa truy cập" in page
    wrong = mine.post(APP_REMOVE, {"password": "not-my-password"})
    assert wrong.status_code == 400
    assert "Mật khẩu không đúng" in wrong.content.decode()
    assert two_factor.device_of(officer) is not None
    done = mine.post(APP_REMOVE, {"password": PASSWORD}, follow=True)
    assert "Đã gỡ ứng dụng xác thực; đăng nhập hai bước vẫn bật" in done.content.decode()
    assert two_factor.device_of(officer) is None
    assert two_factor.is_on(officer)  # by the passkey
    assert RecoveryCode.objects.filter(user=officer).count() == len(app_and_usb)
    assert AuditEvent.objects.filter(action="accounts.two_factor_app_remove").count() == 1
    # The next sign-in asks for the passkey (or a recovery code), no longer the app's code.
    password_step(client, "officer")
    code_page = client.get(reverse("accounts:login_code")).content.decode()
    assert "Dùng khóa truy cập (passkey)" in code_page
    assert "Mở ứng dụng xác thực trên điện thoại" not in code_page
    assert client.post(reverse("accounts:login_code"), {"code": app_and_usb[0]}).status_code == 302


def test_the_app_alone_cannot_be_removed_without_a_passkey_nor_outside_a_verified_session(
    officer: User, usb: WebAuthnCredential, app_and_usb: list[str]
) -> None:
    unverified = client_for(officer)  # signed in earlier, before the second step was on
    session = unverified.session
    session[two_factor.CHECKED] = time.time()
    session.save()
    refused = unverified.post(APP_REMOVE, {"password": PASSWORD})
    assert refused.status_code == 400
    assert "Hãy đăng nhập lại qua bước thứ hai trước khi gỡ ứng dụng." in refused.content.decode()
    assert two_factor.device_of(officer) is not None
    WebAuthnCredential.objects.filter(pk=usb.pk).delete()  # the app is now the only way
    mine = verified(officer)
    assert (
        "Gỡ ứng dụng xác thực, giữ khóa truy cập"
        not in mine.get(reverse("accounts:two_factor")).content.decode()
    )
    only = mine.post(APP_REMOVE, {"password": PASSWORD}, follow=True)
    assert "Ứng dụng xác thực là cách đăng nhập hai bước duy nhất" in only.content.decode()
    assert two_factor.device_of(officer) is not None
    assert (
        Client()
        .post(APP_REMOVE, {"password": PASSWORD})["Location"]
        .startswith(reverse("accounts:login"))
    )
    assert mine.get(APP_REMOVE).status_code == 405


def test_a_required_role_changes_phones_itself_when_it_has_a_passkey(
    officer: User, app_and_usb: list[str], required: None
) -> None:
    mine = verified(officer)
    page = mine.get(reverse("accounts:two_factor")).content.decode()
    assert "gỡ ứng dụng xác thực ở trên (khóa truy cập giữ đăng nhập hai bước)" in page
    assert mine.post(APP_REMOVE, {"password": PASSWORD}).status_code == 302
    assert two_factor.is_on(officer) and two_factor.device_of(officer) is None
    assert mine.get(reverse("accounts:two_factor")).status_code == 200  # not locked out


def test_the_api_removes_the_app_only_while_a_passkey_keeps_the_second_step(
    officer: User, usb: WebAuthnCredential, app_and_usb: list[str]
) -> None:
    client = api(officer)
    WebAuthnCredential.objects.filter(pk=usb.pk).update(confirmed=False)
    only = client.delete("/api/v1/me/two-factor/app")
    assert only.status_code == 422
    assert "cách đăng nhập hai bước duy nhất" in only.json()["detail"][0]["msg"]
    WebAuthnCredential.objects.filter(pk=usb.pk).update(confirmed=True)
    assert client.delete("/api/v1/me/two-factor/app").status_code == 204
    assert two_factor.device_of(officer) is None and two_factor.is_on(officer)
    assert client.delete("/api/v1/me/two-factor/app").status_code == 404
    assert Client().delete("/api/v1/me/two-factor/app").status_code == 401
