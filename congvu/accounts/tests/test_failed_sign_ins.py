"""Failed attempts on an account, shown to its owner: a wrong password, a wrong second-step
code, the lockout (with a notice); unknown usernames leave nothing and the sign-in page
answers alike; repeats are one row; failures are bounded apart from successes; the next
successful sign-in says how many there were."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from congvu.accounts import sign_ins, two_factor
from congvu.accounts.models import SignIn, User
from congvu.conftest import client_for
from congvu.core import notices
from congvu.core.models import Notification

from .test_trusted_browsers import CHROME_WINDOWS, browser, sign_in
from .test_two_factor import code_for, turn_on

pytestmark = pytest.mark.django_db

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
PAGE = reverse("accounts:sign_ins")
Outcome = SignIn.Outcome


def rows(user: User) -> list[tuple[str, int]]:
    """The user's history as (outcome, attempts), newest first."""
    return list(sign_ins.of(user).values_list("outcome", "attempts"))


def followed(response: Any, client: Client) -> str:
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def codes(officer: User) -> list[str]:
    recovery = turn_on(client_for(officer), officer)
    SignIn.objects.filter(user=officer).delete()
    return recovery


# --- what is recorded ---------------------------------------------------------------------


def test_a_wrong_password_is_recorded_without_anything_typed(officer: User) -> None:
    client = browser()
    assert sign_in(client, "officer", "Mat-khau-doan-thu-42").status_code == 200
    row = SignIn.objects.get(user=officer)
    assert (row.outcome, row.method, row.attempts) == (Outcome.WRONG_PASSWORD, "password", 1)
    assert (row.browser, row.platform) == ("Chrome", "Windows")
    stored = " ".join(str(value) for value in SignIn.objects.values().get().values())
    assert "Mat-khau-doan-thu-42" not in stored and "Mozilla" not in stored
    assert "127.0.0.1" not in stored
    assert not sign_ins.successes(officer).exists()


def test_an_unknown_username_records_nothing_and_gets_the_same_page(officer: User) -> None:
    def page(username: str) -> tuple[int, str]:
        response = browser().post(
            reverse("accounts:login"), {"username": username, "password": "sai-mat-khau"}
        )
        text = response.content.decode().replace(f'value="{username}"', 'value="NAME"')
        return response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', "CSRF", text)

    known, unknown = page("officer"), page("khong-ai-ca")
    assert known == unknown
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in known[1]
    assert SignIn.objects.count() == 1  # the officer's only


def test_an_inactive_account_records_nothing(officer: User) -> None:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    sign_in(browser(), "officer")
    sign_in(browser(), "officer", "sai")
    assert not SignIn.objects.exists()


def test_a_wrong_app_code_and_a_wrong_recovery_code_are_recorded(
    officer: User, codes: list[str]
) -> None:
    client = browser()
    sign_in(client, "officer")
    assert client.post(reverse("accounts:login_code"), {"code": "000000"}).status_code == 200
    assert client.post(reverse("accounts:login_code"), {"code": "AAAAA-AAAAA"}).status_code == 200
    history = list(sign_ins.of(officer).values_list("outcome", "method"))
    assert history == [(Outcome.WRONG_CODE, "recovery_code"), (Outcome.WRONG_CODE, "code")]
    device = two_factor.device_of(officer)
    assert device is not None
    device.throttle_reset()  # as if they waited out the app's pause after wrong codes
    # Then the right code: signed in, and told of the two failures.
    done = client.post(reverse("accounts:login_code"), {"code": code_for(device, steps_ahead=1)})
    assert done.status_code == 302
    page = followed(done, client)
    assert "Có 2 lần đăng nhập không thành công vào tài khoản của bạn" in page
    history_page = client.get(PAGE).content.decode()
    assert history_page.count("Sai mã xác thực") == 2
    assert "Mật khẩu và mã dự phòng" in history_page


def test_repeats_close_together_are_one_row_and_later_ones_a_new_row(officer: User) -> None:
    client = browser()
    for _n in range(3):
        sign_in(client, "officer", "sai")
    assert rows(officer) == [(Outcome.WRONG_PASSWORD, 3)]
    row = SignIn.objects.get(user=officer)
    assert row.last_at is not None and row.last_at >= row.at
    # Another browser is another row; so is the same one more than an hour later.
    sign_in(Client(HTTP_USER_AGENT=FIREFOX_LINUX), "officer", "sai")
    assert rows(officer) == [(Outcome.WRONG_PASSWORD, 1), (Outcome.WRONG_PASSWORD, 3)]
    earlier = timezone.now() - sign_ins.REPEAT_WINDOW - dt.timedelta(minutes=1)
    SignIn.objects.filter(user=officer).update(at=earlier, last_at=earlier)
    sign_in(Client(HTTP_USER_AGENT=FIREFOX_LINUX), "officer", "sai")
    assert [n for _o, n in rows(officer)] == [1, 1, 3]
    page = client_for(officer).get(PAGE).content.decode()
    assert "(3 lần)" in page


def test_the_lockout_is_recorded_and_told_once(
    officer: User, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    officer.email = "officer@example.vn"
    officer.save(update_fields=["email"])
    client = browser()
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, "officer", "sai")
        # Locked: even the right password is refused, and counted on the lockout's row.
        assert sign_in(client, "officer").status_code == 429
    limit = settings.AXES_FAILURE_LIMIT
    assert rows(officer) == [(Outcome.LOCKED_OUT, 2), (Outcome.WRONG_PASSWORD, limit - 1)]
    notice = Notification.objects.get(user=officer)
    assert notice.title == "Tài khoản của bạn bị tạm khóa đăng nhập do nhập sai nhiều lần"
    assert "vì nhập sai mật khẩu quá nhiều lần, từ Chrome · Windows" in notice.body
    assert notice.url == PAGE
    [sent] = mail.outbox
    assert sent.to == ["officer@example.vn"] and "tạm khóa" in sent.subject
    with translation.override("en"):
        title, body = notices.worded(notice)
    assert title == "Your account was locked after repeated failed sign-ins"
    assert "after too many wrong passwords, from Chrome · Windows" in body
    # Locked again from another address within the hour: no second notice.
    other = Client(HTTP_USER_AGENT=FIREFOX_LINUX, REMOTE_ADDR="203.0.113.9")
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(limit):
            other.post(reverse("accounts:login"), {"username": "officer", "password": "sai"})
    assert sign_ins.of(officer).first().outcome == Outcome.LOCKED_OUT  # type: ignore[union-attr]
    assert Notification.objects.filter(user=officer).count() == 1
    assert len(mail.outbox) == 1
    page = client_for(officer).get(PAGE).content.decode()
    assert "Tài khoản bị tạm khóa" in page and "Sai mật khẩu" in page


def test_an_unknown_username_locked_out_tells_no_one(officer: User, settings: Any) -> None:
    client = browser()
    for _n in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(reverse("accounts:login"), {"username": "khong-ai-ca", "password": "sai"})
    assert not SignIn.objects.exists() and not Notification.objects.exists()


# --- bounded --------------------------------------------------------------------------------


def test_a_flood_of_failures_never_pushes_out_the_sign_ins(officer: User, settings: Any) -> None:
    settings.CONGVU_SIGN_IN_HISTORY = 3
    for _n in range(3):
        sign_ins.record(officer, method=SignIn.Method.PASSWORD)
    agents = [CHROME_WINDOWS, FIREFOX_LINUX]
    for n in range(10):  # alternating browsers: no two in a row are the same kind
        sign_ins.record_failure(officer, outcome=Outcome.WRONG_PASSWORD, user_agent=agents[n % 2])
    assert sign_ins.successes(officer).count() == 3
    assert SignIn.objects.filter(user=officer).exclude(outcome=Outcome.SUCCESS).count() == 3
    # And sign-ins keep their own bound.
    for _n in range(4):
        sign_ins.record(officer, method=SignIn.Method.CODE)
    assert list(sign_ins.successes(officer).values_list("method", flat=True)) == ["code"] * 3
    assert SignIn.objects.filter(user=officer).count() == 6


# --- told at the next sign-in ---------------------------------------------------------------


def test_the_next_sign_in_tells_how_many_failed_once(officer: User) -> None:
    client = browser()
    assert sign_in(client, "officer").status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in(client, "officer", "sai")
    sign_in(client, "officer", "sai")
    sign_in(Client(HTTP_USER_AGENT=FIREFOX_LINUX), "officer", "sai")
    done = sign_in(client, "officer")
    page = followed(done, client)
    assert (
        "Có 3 lần đăng nhập không thành công vào tài khoản của bạn kể từ lần đăng nhập trước"
        in page
    )
    assert f'<a href="{PAGE}">Xem lịch sử đăng nhập</a>' in page
    assert "Có 3 lần" not in client.get(reverse("core:home")).content.decode()  # once
    client.post(reverse("accounts:logout"))
    again = followed(sign_in(client, "officer"), client)
    assert "đăng nhập không thành công" not in again


def test_a_sign_in_with_no_failure_before_says_nothing(officer: User) -> None:
    client = browser()
    page = followed(sign_in(client, "officer"), client)
    assert "không thành công" not in page


def test_the_message_and_the_history_read_in_english(officer: User) -> None:
    client = browser()
    client.cookies["congvu_lang"] = "en"
    sign_in(client, "officer", "sai")
    page = followed(sign_in(client, "officer"), client)
    assert "There was 1 failed sign-in attempt on your account since your last sign-in." in page
    assert "See the sign-in history" in page and "Có 1 lần" not in page
    history = client.get(PAGE).content.decode()
    assert "Wrong password" in history and "Successful" in history


def test_a_failure_from_a_browser_does_not_make_it_known(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(browser(), "officer")
        firefox = Client(HTTP_USER_AGENT=FIREFOX_LINUX)
        sign_in(firefox, "officer", "sai")
        sign_in(firefox, "officer")
    titles = list(Notification.objects.filter(user=officer).values_list("title", flat=True))
    assert titles == ["Đăng nhập từ một trình duyệt mới: Firefox · Linux"]


def test_the_account_page_shows_the_latest_successful_sign_in(officer: User) -> None:
    client = browser()
    sign_in(client, "officer")
    sign_in(Client(HTTP_USER_AGENT=FIREFOX_LINUX), "officer", "sai")
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "Chỉ mật khẩu, Chrome · Windows (phiên này)" in page
    assert "Firefox" not in page


def test_the_history_shows_failures_in_words_in_local_time(officer: User) -> None:
    failed = sign_ins.record_failure(
        officer, outcome=Outcome.WRONG_PASSWORD, user_agent=FIREFOX_LINUX
    )
    # 23:30 UTC on 31/12/2025 is 06:30 on 01/01/2026 in Hà Nội.
    SignIn.objects.filter(pk=failed.pk).update(
        at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.timezone.utc),
        last_at=dt.datetime(2025, 12, 31, 23, 50, tzinfo=dt.timezone.utc),
        attempts=4,
    )
    client = client_for(officer)
    page = client.get(PAGE).content.decode()
    row = re.search(r'<tr data-outcome="wrong_password".*?</tr>', page, re.S)
    assert row is not None
    text = re.sub(r"<[^>]+>", "", row.group(0))
    assert "01/01/2026 06:30 – 06:50" in text and "Sai mật khẩu" in text
    assert "(4 lần)" in text and "Firefox · Linux" in text
    assert '<tr data-outcome="success">' in page and "Thành công" in page
