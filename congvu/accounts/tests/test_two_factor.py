"""Two-step sign-in: turning it on, signing in with the app's code or a recovery code,
the roles that must have it, turning it off, and the reset of a lost phone."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from congvu.accounts import two_factor
from congvu.accounts.models import RecoveryCode, Role, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def turn_on(client: Client, user: User) -> list[str]:
    """What the page does: start, scan (read the secret), type the code back."""
    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor_confirm"), {"code": code_for(device)})
    assert response.status_code == 200
    return re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())


def password_step(username: str, next_page: str = "") -> tuple[Client, Any]:
    client = Client()
    data = {"username": username, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return client, client.post(reverse("accounts:login"), data)


def signed_in(client: Client) -> bool:
    return bool(client.get(reverse("core:home")).context["user"].is_authenticated)


@pytest.fixture
def on(officer: User) -> list[str]:
    """The officer has it on; their recovery codes."""
    return turn_on(client_for(officer), officer)


# --- turning it on --------------------------------------------------------------------


def test_turning_it_on_shows_a_qr_code_and_the_secret_then_ten_recovery_codes_once(
    as_officer: Client, officer: User
) -> None:
    page = as_officer.get(reverse("accounts:two_factor")).content.decode()
    assert "Bắt đầu bật đăng nhập hai bước" in page
    as_officer.post(reverse("accounts:two_factor_start"))
    page = as_officer.get(reverse("accounts:two_factor")).content.decode()
    device = TOTPDevice.objects.get(user=officer)
    assert "<svg" in page
    assert two_factor.secret_text(device) in page
    assert not device.confirmed  # scanning alone turns nothing on
    response = as_officer.post(reverse("accounts:two_factor_confirm"), {"code": code_for(device)})
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())
    assert len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    # Only hashes are kept, and the codes are not shown again.
    stored = set(RecoveryCode.objects.filter(user=officer).values_list("digest", flat=True))
    assert len(stored) == 10 and not any(c in stored for c in codes)
    again = as_officer.get(reverse("accounts:two_factor")).content.decode()
    assert codes[0] not in again
    assert "Còn 10 mã dự phòng" in again
    assert AuditEvent.objects.filter(action="accounts.two_factor_on").exists()


def test_a_wrong_code_does_not_turn_it_on_and_says_why(as_officer: Client, officer: User) -> None:
    as_officer.post(reverse("accounts:two_factor_start"))
    response = as_officer.post(reverse("accounts:two_factor_confirm"), {"code": "000000x"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Mã không đúng hoặc đã hết hạn" in content
    assert "The code is wrong" in content
    assert "<svg" in content  # the QR code is still there to scan
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()
    empty = as_officer.post(reverse("accounts:two_factor_confirm"), {})
    assert empty.status_code == 400
    assert "Hãy nhập mã" in empty.content.decode()


# --- signing in -----------------------------------------------------------------------


def test_the_password_alone_no_longer_signs_in(officer: User, on: list[str]) -> None:
    client, response = password_step("officer", next_page="/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert not signed_in(client)
    # The half-way session reaches nothing.
    assert client.get("/cases/").status_code == 302
    assert client.get("/api/v1/organisations").status_code in (401, 403)


def test_the_apps_code_completes_the_sign_in_and_goes_where_it_was_going(
    officer: User, on: list[str]
) -> None:
    client, first = password_step("officer", next_page="/cases/")
    device = two_factor.device_of(officer)
    assert device is not None
    # The next 30-second step's code: the one that turned it on was just used.
    code = code_for(device, steps_ahead=1)
    response = client.post(first["Location"], {"code": code, "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert signed_in(client)
    assert client.get("/cases/").status_code == 200


def test_a_next_that_is_no_page_of_the_site_goes_home(
    officer: User, on: list[str], head: User
) -> None:
    # "²" or "?x=1" passed for a page of this site, then `redirect()` took it for a view's
    # name (NoReverseMatch, a 500): for a signed-in user coming back to the code page, and
    # for the code that completes the sign-in.
    client = client_for(head)
    for next_page in ("²", "?x=1"):
        response = client.get(reverse("accounts:login_code"), {"next": next_page})
        assert response.status_code == 302
        assert response["Location"] == "/"
    client, first = password_step("officer")
    device = two_factor.device_of(officer)
    assert device is not None
    response = client.post(
        first["Location"], {"code": code_for(device, steps_ahead=1), "next": "²"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)


def test_a_wrong_code_is_refused_in_both_languages_and_a_used_code_cannot_be_replayed(
    officer: User, on: list[str]
) -> None:
    client, _ = password_step("officer")
    wrong = client.post(reverse("accounts:login_code"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    assert not signed_in(client)
    device = two_factor.device_of(officer)
    assert device is not None
    device.throttle_reset()  # the second wrong try would have to wait a second
    code = code_for(device, steps_ahead=1)
    assert client.post(reverse("accounts:login_code"), {"code": code}).status_code == 302
    # Someone who saw that code cannot use it again.
    other, _ = password_step("officer")
    replay = other.post(reverse("accounts:login_code"), {"code": code})
    assert replay.status_code == 200
    assert not signed_in(other)


def test_wrong_codes_in_a_row_must_wait_and_five_send_back_to_the_password(
    officer: User, on: list[str]
) -> None:
    client, _ = password_step("officer")
    client.post(reverse("accounts:login_code"), {"code": "111111"})
    device = two_factor.device_of(officer)
    assert device is not None
    # The right code right after a wrong one: the device makes it wait.
    waiting = client.post(reverse("accounts:login_code"), {"code": code_for(device)})
    assert "hãy thử lại sau" in waiting.content.decode()
    assert not signed_in(client)
    for _ in range(3):
        client.post(reverse("accounts:login_code"), {"code": "111111"})
    response = client.post(reverse("accounts:login_code"), {"code": "111111"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:login_code")).status_code == 302


def test_a_recovery_code_signs_in_once(officer: User, on: list[str]) -> None:
    client, _ = password_step("officer")
    typed = on[0].lower().replace("-", " ")  # as read off paper
    assert client.post(reverse("accounts:login_code"), {"code": typed}).status_code == 302
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="accounts.recovery_code_used").exists()
    again, _ = password_step("officer")
    refused = again.post(reverse("accounts:login_code"), {"code": on[0]})
    assert refused.status_code == 200
    assert not signed_in(again)
    assert two_factor.recovery_codes_left(officer) == 9


def test_a_recovery_code_of_digits_only_is_still_a_recovery_code(
    officer: User, on: list[str]
) -> None:
    # One code in ~800,000 draws only digits from the alphabet: it must not be taken
    # for the app's six digits.
    RecoveryCode.objects.create(user=officer, digest=two_factor._digest(officer, "23456-78923"))
    client, _ = password_step("officer")
    assert client.post(reverse("accounts:login_code"), {"code": "23456 78923"}).status_code == 302
    assert signed_in(client)


def test_the_half_way_sign_in_expires(officer: User, on: list[str]) -> None:
    client, _ = password_step("officer")
    session = client.session
    pending = session[two_factor.PENDING]
    pending["since"] -= two_factor.PENDING_SECONDS + 1
    session[two_factor.PENDING] = pending
    session.save()
    device = two_factor.device_of(officer)
    assert device is not None
    response = client.post(reverse("accounts:login_code"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not signed_in(client)


def test_a_session_that_skipped_the_code_is_signed_out(officer: User, on: list[str]) -> None:
    # force_login stands for any other door (Django's admin login page, say).
    client = client_for(officer)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not signed_in(client)
    api = client_for(officer).get("/api/v1/organisations")
    assert api.status_code == 401
    assert api.json()["code"] == "two_factor_needed"


# --- who must -------------------------------------------------------------------------


def test_a_role_that_requires_it_leads_every_page_to_turning_it_on(
    officer: User, settings: Any
) -> None:
    settings.TWO_FACTOR_ROLES = ["home_affairs"]
    client = client_for(officer)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor"))
    api = client.get("/api/v1/organisations")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "bắt buộc đăng nhập hai bước" in page
    turn_on(client, officer)
    assert client.get("/cases/").status_code == 200
    # …and it cannot be turned off while the role requires it.
    off = client.post(reverse("accounts:two_factor_off"), {"password": PASSWORD, "code": "000000"})
    assert off.status_code == 400
    assert "bắt buộc đăng nhập hai bước nên không thể tắt" in off.content.decode()
    assert two_factor.is_on(officer)


def test_other_roles_are_not_asked(head: User, settings: Any) -> None:
    settings.TWO_FACTOR_ROLES = ["home_affairs"]
    assert client_for(head).get("/cases/").status_code == 200


def test_production_requires_it_of_administrators_home_affairs_and_case_handlers() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "congvu.example.vn",
    }
    env.pop("CONGVU_TWO_FACTOR_ROLES", None)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings as s; print(s.TWO_FACTOR_ROLES, s.TWO_FACTOR_SUPERUSERS)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "['admin', 'home_affairs', 'case_handler'] True"


# --- turning it off, lost phones --------------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_code(officer: User, on: list[str]) -> None:
    client, _ = password_step("officer")
    device = two_factor.device_of(officer)
    assert device is not None
    client.post(reverse("accounts:login_code"), {"code": on[1]})
    wrong = client.post(reverse("accounts:two_factor_off"), {"password": "sai", "code": on[2]})
    assert wrong.status_code == 400
    assert "Mật khẩu không đúng" in wrong.content.decode()
    assert two_factor.is_on(officer)
    done = client.post(reverse("accounts:two_factor_off"), {"password": PASSWORD, "code": on[2]})
    assert done.status_code == 302
    assert not two_factor.is_on(officer)
    assert not RecoveryCode.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="accounts.two_factor_off").exists()
    # The password alone signs in again.
    other, response = password_step("officer")
    assert response["Location"] != reverse("accounts:login_code")
    assert signed_in(other)


def test_new_recovery_codes_replace_the_old_ones(officer: User, on: list[str]) -> None:
    client, _ = password_step("officer")
    client.post(reverse("accounts:login_code"), {"code": on[0]})
    response = client.post(reverse("accounts:two_factor_codes"))
    fresh = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", response.content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(on)
    old, _ = password_step("officer")
    assert old.post(reverse("accounts:login_code"), {"code": on[3]}).status_code == 200
    device = two_factor.device_of(officer)
    assert device is not None
    device.throttle_reset()  # after a wrong code the next try waits a second
    new, _ = password_step("officer")
    assert new.post(reverse("accounts:login_code"), {"code": fresh[0]}).status_code == 302


@pytest.fixture
def clerk(province: dict[str, Organisation]) -> User:
    return make_user("clerk", Role.FOCAL_POINT, province["dept_justice"])


def test_an_account_manager_resets_a_lost_phone_and_the_user_is_told(
    as_head: Client, clerk: User, head: User
) -> None:
    turn_on(client_for(clerk), clerk)
    page = as_head.get(reverse("accounts:user_detail", args=[clerk.pk])).content.decode()
    assert "Đặt lại đăng nhập hai bước" in page
    response = as_head.post(reverse("accounts:user_reset_two_factor", args=[clerk.pk]))
    assert response.status_code == 302
    assert not two_factor.is_on(clerk)
    event = AuditEvent.objects.get(action="accounts.two_factor_reset")
    assert event.actor_id == head.pk
    notice = Notification.objects.get(user=clerk, key="accounts.two_factor_reset")
    assert "đặt lại" in notice.title
    _, signed = password_step("clerk")
    assert signed["Location"] != reverse("accounts:login_code")


def test_resetting_someone_elses_phone_is_404_outside_and_403_without_the_permission(
    as_outsider: Client, as_viewer: Client, clerk: User
) -> None:
    turn_on(client_for(clerk), clerk)
    url = reverse("accounts:user_reset_two_factor", args=[clerk.pk])
    assert as_outsider.post(url).status_code == 404
    assert as_viewer.post(url).status_code == 403
    assert two_factor.is_on(clerk)


def test_the_two_factor_pages_need_a_login(province: dict[str, Organisation]) -> None:
    client = Client()
    for name in ("two_factor", "two_factor_start", "two_factor_confirm", "two_factor_off"):
        response = client.post(reverse(f"accounts:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


# --- the API ------------------------------------------------------------------------------


def test_the_api_says_who_has_it_and_resets_a_lost_phone(
    head: User, clerk: User, viewer: User, outsider: User, settings: Any
) -> None:
    from congvu.accounts.services import create_api_token

    turn_on(client_for(clerk), clerk)

    def api(user: User) -> Client:
        _, key = create_api_token(user, name="api")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    as_head = api(head)
    assert as_head.get(f"/api/v1/users/{clerk.pk}").json()["two_factor"] is True
    url = f"/api/v1/users/{clerk.pk}/two-factor/reset"
    assert api(outsider).post(url).status_code == 404
    assert api(viewer).post(url).status_code == 403
    assert as_head.post(url).status_code == 204
    assert as_head.get(f"/api/v1/users/{clerk.pk}").json()["two_factor"] is False
    again = as_head.post(url)
    assert again.status_code == 422
    assert "chưa bật đăng nhập hai bước" in again.json()["detail"][0]["msg"]
    settings.TWO_FACTOR_ROLES = ["focal_point"]
    me = api(clerk).get("/api/v1/me").json()
    assert (me["two_factor"], me["two_factor_required"]) == (False, True)
