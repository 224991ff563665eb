"""Each user's sign-in history: every way of signing in recorded through the real views
(password only, the app's code, a recovery code, a passkey, a remembered browser), nothing
for a failed try, only the newest N kept, and the page that shows one's own only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts import sign_ins, two_factor
from congvu.accounts.models import SignIn, User
from congvu.conftest import client_for

from .soft_authenticator import SoftKey
from .test_passkeys import password_step, sign_in_with
from .test_trusted_browsers import CHROME_WINDOWS, browser, sign_in, with_code
from .test_two_factor import PASSWORD, code_for, signed_in, turn_on

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
PAGE = reverse("accounts:sign_ins")


def methods(user: User) -> list[str]:
    """The user's recorded methods, newest first."""
    return list(sign_ins.of(user).values_list("method", flat=True))


@pytest.fixture
def codes(officer: User) -> list[str]:
    """The officer has the app on; their recovery codes. (Turning it on signed them in
    once, by `force_login`: that row is removed so each test sees only its own.)"""
    recovery = turn_on(client_for(officer), officer)
    SignIn.objects.filter(user=officer).delete()
    return recovery


# --- what is recorded --------------------------------------------------------------------


def test_a_password_only_sign_in_is_recorded_with_the_browsers_coarse_names(
    officer: User,
) -> None:
    client = browser()
    assert sign_in(client, "officer").status_code == 302
    row = SignIn.objects.get(user=officer)
    assert row.method == SignIn.Method.PASSWORD
    assert (row.browser, row.platform) == ("Chrome", "Windows")
    # Privacy by default: nothing of the user agent beyond those names, no address.
    stored = " ".join(str(value) for value in SignIn.objects.values().get().values())
    assert "Mozilla" not in stored and "127.0.0.1" not in stored
    page = client.get(PAGE).content.decode()
    assert "Chỉ mật khẩu" in page and "Chrome · Windows" in page
    assert "(phiên này)" in page


def test_a_sign_in_leaves_no_address_in_the_lockouts_tables(officer: User) -> None:
    # django-axes' access log (IP address and user agent of every sign-in, kept forever)
    # is turned off; the failed attempts it needs for the lockout are cleared on success.
    from axes.models import AccessAttempt, AccessLog

    client = browser()
    client.post(reverse("accounts:login"), {"username": "officer", "password": "sai"})
    assert AccessAttempt.objects.filter(username="officer").exists()
    assert sign_in(client, "officer").status_code == 302
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.filter(username="officer").exists()


def test_the_apps_code_and_a_recovery_code_are_told_apart(officer: User, codes: list[str]) -> None:
    device = two_factor.device_of(officer)
    assert device is not None
    by_app = browser()
    assert with_code(by_app, officer, code_for(device, steps_ahead=1), remember=False)[
        "Location"
    ] == reverse("core:home")
    by_recovery = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    assert with_code(by_recovery, officer, codes[0].lower(), remember=False).status_code == 302
    assert methods(officer) == [SignIn.Method.RECOVERY_CODE, SignIn.Method.CODE]
    newest = sign_ins.of(officer).first()
    assert newest is not None and (newest.browser, newest.platform) == ("Firefox", "Linux")


def test_a_passkey_sign_in_is_recorded(client: Client, officer: User) -> None:
    key = SoftKey()
    key.stored_for(officer, "Khóa USB phòng Một cửa")
    password_step(client, "officer")
    assert not SignIn.objects.exists()  # the password alone signs nobody in
    assert sign_in_with(client, key).status_code == 200
    done = client.post(reverse("accounts:login_code"), {"method": "passkey"})
    assert done.status_code == 302 and signed_in(client)
    assert methods(officer) == [SignIn.Method.PASSKEY]
    assert "Mật khẩu và khóa truy cập (passkey)" in client.get(PAGE).content.decode()


def test_a_sign_in_on_a_remembered_browser_is_recorded_as_such(
    officer: User, codes: list[str]
) -> None:
    client = browser()
    assert with_code(client, officer, codes[0], remember=True).status_code == 302
    client.post(reverse("accounts:logout"))
    response = sign_in(client, "officer")
    assert not response["Location"].startswith(reverse("accounts:login_code"))
    assert methods(officer) == [SignIn.Method.REMEMBERED_BROWSER, SignIn.Method.RECOVERY_CODE]
    assert "Mật khẩu trên trình duyệt được ghi nhớ" in client.get(PAGE).content.decode()


def test_a_wrong_password_or_a_wrong_code_is_no_sign_in(
    officer: User, codes: list[str], head: User
) -> None:
    client = browser()
    assert sign_in(client, "officer", "not-the-password").status_code == 200
    assert sign_in(client, "officer")["Location"].startswith(reverse("accounts:login_code"))
    wrong = client.post(reverse("accounts:login_code"), {"code": "000000"})
    assert wrong.status_code == 200 and not signed_in(client)
    wrong = client.post(reverse("accounts:login_code"), {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 200
    # The passkey method posted without a passkey check.
    assert client.post(reverse("accounts:login_code"), {"method": "passkey"}).status_code == 200
    # Recorded as failed attempts (test_failed_sign_ins.py), never as sign-ins; the
    # passkey posted unchecked is no attempt at a code.
    assert not sign_ins.successes(officer).exists()
    outcomes = list(sign_ins.of(officer).values_list("outcome", flat=True))
    assert outcomes == ["wrong_code", "wrong_code", "wrong_password"]
    assert sign_in(browser(), "head", "nope").status_code == 200
    assert list(sign_ins.of(head).values_list("outcome", flat=True)) == ["wrong_password"]


def test_force_login_without_a_user_agent_still_works_and_says_unknown(officer: User) -> None:
    client = client_for(officer)
    row = SignIn.objects.get(user=officer)
    assert (row.method, row.browser, row.platform) == (SignIn.Method.PASSWORD, "", "")
    page = client.get(PAGE).content.decode()
    assert "không rõ" in page


def test_only_the_newest_n_are_kept_per_user(officer: User, head: User, settings: Any) -> None:
    settings.CONGVU_SIGN_IN_HISTORY = 3
    sign_ins.record(head, method=SignIn.Method.PASSWORD)
    for _n in range(5):
        assert sign_in(Client(HTTP_USER_AGENT=CHROME_WINDOWS), "officer").status_code == 302
    newest = SignIn.objects.filter(user=officer).order_by("-pk")
    assert SignIn.objects.filter(user=officer).count() == 3
    assert set(sign_ins.of(officer)) == set(newest[:3])
    assert SignIn.objects.filter(user=head).count() == 1  # another user's are not touched


def test_the_default_keeps_thirty(officer: User) -> None:
    assert sign_ins.history_length() == 30
    for _n in range(32):
        sign_ins.record(officer, method=SignIn.Method.CODE)
    assert SignIn.objects.filter(user=officer).count() == 30


# --- the page ---------------------------------------------------------------------------------


def test_the_page_lists_ones_own_newest_first_in_local_time(
    officer: User, head: User, codes: list[str]
) -> None:
    theirs = sign_ins.record(head, method=SignIn.Method.PASSKEY, user_agent=FIREFOX_LINUX)
    old = sign_ins.record(officer, method=SignIn.Method.CODE, user_agent=FIREFOX_LINUX)
    # 23:30 UTC on 31/12/2025 is 06:30 on 01/01/2026 in Hà Nội.
    SignIn.objects.filter(pk=old.pk).update(
        at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone.utc)
    )
    SignIn.objects.filter(pk=theirs.pk).update(
        at=dt.datetime(2025, 12, 1, 1, 0, tzinfo=dt.timezone.utc)
    )
    client = browser()
    with_code(client, officer, codes[0], remember=False)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "01/01/2026 06:30" in page and "Firefox · Linux" in page
    assert page.index("Mật khẩu và mã dự phòng") < page.index("01/01/2026 06:30")
    assert timezone.localtime().strftime("%d/%m/%Y") in page
    # Another user's sign-in never appears.
    assert "01/12/2025" not in page and "khóa truy cập (passkey)" not in page
    assert page.count("<tr") == 3  # the header and the officer's two
    assert "Không nhận ra một lần đăng nhập?" in page
    assert reverse("accounts:password_change") in page and reverse("accounts:two_factor") in page
    assert 'role="region" tabindex="0" aria-labelledby="sign-ins-heading"' in page


def test_the_page_is_for_signed_in_users_only(client: Client) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_account_page_shows_the_latest_sign_in_and_links_to_the_history(
    officer: User,
) -> None:
    client = browser()
    sign_in(client, "officer")
    page = client.get(reverse("accounts:settings")).content.decode()
    now = timezone.localtime(sign_ins.of(officer).get().at).strftime("%d/%m/%Y %H:%M")
    assert f"Lần đăng nhập gần nhất: {now}, Chỉ mật khẩu, Chrome · Windows (phiên này)" in page
    assert f'href="{PAGE}"' in page


def test_the_history_reads_in_english_after_the_switch(officer: User) -> None:
    client = browser()
    client.post(
        reverse("accounts:login"), {"username": "officer", "password": PASSWORD}
    )  # the password only
    client.cookies["congvu_lang"] = "en"
    page = client.get(PAGE).content.decode()
    assert "Sign-in history" in page and "Password only" in page
    assert "Do not recognise a sign-in?" in page and "(this session)" in page
    assert "Chỉ mật khẩu" not in page
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert "Latest sign-in:" in settings_page


def test_a_deleted_user_takes_their_history_along(officer: User) -> None:
    sign_ins.record(officer, method=SignIn.Method.PASSWORD)
    officer.delete()
    assert not SignIn.objects.exists()


# --- a browser the history does not know ------------------------------------------------


def test_a_sign_in_from_a_new_browser_is_told_in_the_app_and_by_mail(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from congvu.core.models import Notification

    officer.email = "officer@example.vn"
    officer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        # The first sign-in ever, then the same browser again: nothing to tell.
        assert sign_in(browser(), "officer").status_code == 302
        assert sign_in(browser(), "officer").status_code == 302
    assert not Notification.objects.filter(user=officer).exists()
    assert mail.outbox == []
    firefox = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_in(firefox, "officer").status_code == 302
    notice = Notification.objects.get(user=officer)
    assert notice.title == "Đăng nhập từ một trình duyệt mới: Firefox · Linux"
    assert "Nếu không phải bạn, hãy đổi mật khẩu ngay" in notice.body
    assert notice.url == PAGE
    [sent] = mail.outbox
    assert sent.to == ["officer@example.vn"] and "Firefox · Linux" in sent.subject
    # Known now: the next sign-in from it tells nothing.
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(Client(HTTP_USER_AGENT=FIREFOX_LINUX), "officer")
    assert Notification.objects.filter(user=officer).count() == 1


def test_a_failed_sign_in_from_a_new_browser_tells_nothing(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    from congvu.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        sign_in(browser(), "officer")
        Client(HTTP_USER_AGENT=FIREFOX_LINUX).post(
            reverse("accounts:login"), {"username": "officer", "password": "sai"}
        )
    assert not Notification.objects.filter(user=officer).exists()
