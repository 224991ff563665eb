"""Two-step sign-in, "remember this browser": the code step skipped on a remembered
browser, never the password; forgetting one or all; what forgets them all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts import services, trusted_browsers, two_factor
from congvu.accounts.models import Role, TrustedBrowser, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation

from .test_two_factor import PASSWORD, code_for, signed_in, turn_on

pytestmark = pytest.mark.django_db

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def browser() -> Client:
    return Client(HTTP_USER_AGENT=CHROME_WINDOWS)


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def with_code(client: Client, user: User, code: str, *, remember: bool) -> Any:
    """The password, then the code, ticking "remember this browser" or not."""
    first = sign_in(client, user.username)
    assert first["Location"].startswith(reverse("accounts:login_code"))
    data = {"code": code, **({"remember": "on"} if remember else {})}
    return client.post(reverse("accounts:login_code"), data)


@pytest.fixture
def codes(officer: User) -> list[str]:
    """The officer has two-step sign-in on; their recovery codes."""
    return turn_on(client_for(officer), officer)


@pytest.fixture
def remembered(officer: User, codes: list[str]) -> Client:
    """A browser where the officer ticked the box with a recovery code, then signed out."""
    client = browser()
    response = with_code(client, officer, codes[0], remember=True)
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert not signed_in(client)
    return client


def test_a_remembered_browser_skips_the_code_next_time_but_not_the_password(
    officer: User, remembered: Client
) -> None:
    trusted = TrustedBrowser.objects.get(user=officer)
    assert trusted.label == "Chrome trên Windows"
    assert trusted.last_used_at is None
    wrong = sign_in(remembered, "officer", "not-the-password")
    assert wrong.status_code == 200 and not signed_in(remembered)
    response = sign_in(remembered, "officer")
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("accounts:login_code"))
    assert signed_in(remembered)
    assert remembered.get("/cases/").status_code == 200  # the session counts as verified
    trusted.refresh_from_db()
    assert trusted.last_used_at is not None
    assert AuditEvent.objects.filter(action="accounts.trusted_browser_add").count() == 1


def test_the_cookie_holds_a_random_token_of_which_only_a_hash_is_kept(
    officer: User, codes: list[str]
) -> None:
    client = browser()
    device = two_factor.device_of(officer)
    assert device is not None
    response = with_code(client, officer, code_for(device, steps_ahead=1), remember=True)
    cookie = response.cookies[trusted_browsers.COOKIE]
    assert len(cookie.value) >= 40
    assert cookie["path"] == "/accounts/"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    trusted = TrustedBrowser.objects.get(user=officer)
    assert cookie.value not in trusted.digest
    assert (trusted.expires_at - trusted.created_at).days == 30
    # Only coarse names of the browser are kept, never the user agent.
    assert "Mozilla" not in f"{trusted.browser} {trusted.platform}"


def test_without_the_box_ticked_the_code_is_asked_again(officer: User, codes: list[str]) -> None:
    client = browser()
    assert with_code(client, officer, codes[0], remember=False).status_code == 302
    assert not TrustedBrowser.objects.exists()
    client.post(reverse("accounts:logout"))
    assert sign_in(client, "officer")["Location"].startswith(reverse("accounts:login_code"))


def test_an_expired_token_no_longer_skips_the_code(officer: User, remembered: Client) -> None:
    TrustedBrowser.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = sign_in(remembered, "officer")
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert not signed_in(remembered)


def test_a_password_changed_outside_the_app_ends_the_remembered_browsers(
    officer: User, remembered: Client
) -> None:
    # Django's admin or `manage.py changepassword` call no service of ours.
    officer.set_password("a-new-password-typed-by-the-admin")
    officer.save(update_fields=["password"])
    response = sign_in(remembered, "officer", "a-new-password-typed-by-the-admin")
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert not signed_in(remembered)


def test_another_users_token_is_ignored(
    officer: User, remembered: Client, province: dict[str, Organisation]
) -> None:
    colleague = make_user("colleague", Role.VIEWER, province["dept_justice"])
    turn_on(client_for(colleague), colleague)
    # The officer's browser, the colleague's password: the colleague still needs a code.
    response = sign_in(remembered, "colleague")
    assert response["Location"].startswith(reverse("accounts:login_code"))
    assert not signed_in(remembered)
    assert TrustedBrowser.objects.get(user=officer).last_used_at is None


def test_a_shared_computer_remembers_each_of_its_users(
    officer: User, remembered: Client, province: dict[str, Organisation]
) -> None:
    """The counter's computer: a colleague remembering it does not make it forget the officer,
    and forgetting it for one of them (one browser, or all) leaves the other remembered."""
    colleague = make_user("colleague", Role.VIEWER, province["dept_justice"])
    colleague.set_password(PASSWORD)
    colleague.save(update_fields=["password"])
    colleague_codes = turn_on(client_for(colleague), colleague)
    assert with_code(remembered, colleague, colleague_codes[0], remember=True).status_code == 302
    remembered.post(reverse("accounts:logout"))
    assert len(remembered.cookies[trusted_browsers.COOKIE].value.split(".")) == 2

    for username in ("officer", "colleague", "officer"):
        assert _still_skips(remembered, username), username
        remembered.post(reverse("accounts:logout"))

    # The colleague forgets this browser: the officer's place in the cookie stays.
    sign_in(remembered, "colleague")
    mine = TrustedBrowser.objects.get(user=colleague)
    remembered.post(reverse("accounts:trusted_browser_forget", args=[mine.pk]))
    remembered.post(reverse("accounts:logout"))
    assert not _still_skips(remembered, "colleague")
    assert _still_skips(remembered, "officer")

    # The officer forgets all of theirs: nothing is left in the cookie.
    remembered.post(reverse("accounts:trusted_browser_forget_all"))
    assert remembered.cookies[trusted_browsers.COOKIE].value == ""
    remembered.post(reverse("accounts:logout"))
    assert not _still_skips(remembered, "officer")


def test_one_browser_remembers_at_most_five_people_the_oldest_going_first(
    officer: User, remembered: Client, province: dict[str, Organisation]
) -> None:
    for number in range(trusted_browsers.MAX_TOKENS):
        user = make_user(f"counter{number}", Role.VIEWER, province["dept_justice"])
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        recovery = turn_on(client_for(user), user)
        assert with_code(remembered, user, recovery[0], remember=True).status_code == 302
        remembered.post(reverse("accounts:logout"))
    value = remembered.cookies[trusted_browsers.COOKIE].value
    assert len(value.split(".")) == trusted_browsers.MAX_TOKENS
    assert not _still_skips(remembered, "officer")  # the first one in, the first one out
    assert _still_skips(remembered, "counter0")


def test_a_malformed_cookie_is_ignored_not_an_error(officer: User, codes: list[str]) -> None:
    client = browser()
    client.cookies[trusted_browsers.COOKIE] = "." * 300 + "x" * 5000
    response = sign_in(client, "officer")
    assert response["Location"].startswith(reverse("accounts:login_code"))


def test_the_two_factor_page_lists_remembered_browsers_with_dates(
    officer: User, remembered: Client
) -> None:
    sign_in(remembered, "officer")
    page = remembered.get(reverse("accounts:two_factor")).content.decode()
    today = timezone.localdate()
    assert "Chrome trên Windows" in page
    assert "(trình duyệt này)" in page
    assert today.strftime("%d/%m/%Y") in page
    assert (today + dt.timedelta(days=30)).strftime("%d/%m/%Y") in page


def test_forgetting_a_browser_asks_for_the_code_there_again(
    officer: User, remembered: Client, codes: list[str]
) -> None:
    other = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Firefox/133.0")
    with_code(other, officer, codes[1], remember=True)
    assert trusted_browsers.active(officer).count() == 2
    chrome = TrustedBrowser.objects.get(user=officer, browser="Chrome")
    response = other.post(reverse("accounts:trusted_browser_forget", args=[chrome.pk]))
    assert response.status_code == 302
    page = other.get(reverse("accounts:two_factor")).content.decode()
    assert "Đã quên trình duyệt Chrome trên Windows" in page
    assert "Firefox trên Linux" in page
    assert sign_in(remembered, "officer")["Location"].startswith(reverse("accounts:login_code"))
    event = AuditEvent.objects.get(action="accounts.trusted_browser_forget")
    assert event.actor_id == officer.pk


def test_forget_all_forgets_every_browser_and_this_ones_cookie(
    officer: User, remembered: Client
) -> None:
    sign_in(remembered, "officer")
    response = remembered.post(reverse("accounts:trusted_browser_forget_all"))
    assert response.status_code == 302
    assert response.cookies[trusted_browsers.COOKIE].value == ""
    assert not trusted_browsers.active(officer).exists()
    page = remembered.get(reverse("accounts:two_factor")).content.decode()
    assert "Chrome trên Windows" not in page
    assert "Chưa có trình duyệt nào" in page


def test_someone_elses_remembered_browser_cannot_be_forgotten(
    officer: User, remembered: Client, as_head: Client
) -> None:
    trusted = TrustedBrowser.objects.get(user=officer)
    url = reverse("accounts:trusted_browser_forget", args=[trusted.pk])
    assert as_head.post(url).status_code == 404
    assert as_head.get(url).status_code == 405
    assert Client().post(url)["Location"].startswith(reverse("accounts:login"))
    assert trusted_browsers.active(officer).count() == 1


def _still_skips(client: Client, username: str = "officer") -> bool:
    response = sign_in(client, username)
    return not response["Location"].startswith(reverse("accounts:login_code"))


def test_turning_two_step_sign_in_off_forgets_them_all(
    officer: User, remembered: Client, codes: list[str]
) -> None:
    sign_in(remembered, "officer")
    remembered.post(reverse("accounts:two_factor_off"), {"password": PASSWORD, "code": codes[2]})
    assert not two_factor.is_on(officer)
    assert not trusted_browsers.active(officer).exists()
    event = AuditEvent.objects.get(action="accounts.trusted_browser_forget")
    assert event.data["reason"] == "two_factor_off"


def test_an_admin_reset_a_password_change_or_reset_and_deactivating_forget_them_all(
    officer: User, remembered: Client, codes: list[str], province: dict[str, Organisation]
) -> None:
    admin = make_user("admin", Role.ADMIN, province["root"])

    def remember_again(code: str) -> None:
        with_code(browser(), officer, code, remember=True)
        assert trusted_browsers.active(officer).count() >= 1

    services.reset_password(officer, actor=admin)
    assert not trusted_browsers.active(officer).exists()
    officer.set_password(PASSWORD)
    officer.must_change_password = False
    officer.save()

    remember_again(codes[1])
    own = browser()
    with_code(own, officer, codes[2], remember=False)
    changed = own.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "A-new-pw-2026!",
            "new_password2": "A-new-pw-2026!",
        },
    )
    assert changed.status_code == 302
    assert not trusted_browsers.active(officer).exists()
    officer.set_password(PASSWORD)
    officer.save()

    remember_again(codes[3])
    two_factor.reset(officer, actor=admin)
    assert not trusted_browsers.active(officer).exists()

    turn_on(client_for(officer), officer)
    TrustedBrowser.objects.create(
        user=officer, digest="x" * 64, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    services.deactivate_user(officer, actor=admin)
    assert not trusted_browsers.active(officer).exists()
    reasons = set(
        AuditEvent.objects.filter(action="accounts.trusted_browser_forget").values_list(
            "data__reason", flat=True
        )
    )
    assert reasons == {"password_reset", "password_change", "two_factor_reset", "deactivated"}


def test_a_period_of_zero_hides_the_box_and_honours_no_token(
    officer: User, remembered: Client, settings: Any
) -> None:
    settings.TWO_FACTOR_REMEMBER_DAYS = 0
    response = sign_in(remembered, "officer")
    assert response["Location"].startswith(reverse("accounts:login_code"))
    page = remembered.get(response["Location"]).content.decode()
    assert "Ghi nhớ trình duyệt này" not in page
    assert 'name="remember"' not in page


def test_the_box_says_the_period_and_stays_ticked_after_a_wrong_code(
    officer: User, codes: list[str], settings: Any
) -> None:
    settings.TWO_FACTOR_REMEMBER_DAYS = 14
    client = browser()
    sign_in(client, "officer")
    wrong = client.post(reverse("accounts:login_code"), {"code": "123456", "remember": "on"})
    page = wrong.content.decode()
    assert "Ghi nhớ trình duyệt này trong 14 ngày" in page
    assert 'name="remember" value="on" checked' in page
    assert not TrustedBrowser.objects.exists()


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (CHROME_WINDOWS, ("Chrome", "Windows")),
        (CHROME_WINDOWS + " Edg/131.0.0.0", ("Edge", "Windows")),
        (CHROME_WINDOWS.replace("Chrome/", "coc_coc_browser/131 Chrome/"), ("Cốc Cốc", "Windows")),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
            ("Safari", "iOS"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
            ("Chrome", "Android"),
        ),
        ("", ("", "")),
    ],
)
def test_only_coarse_browser_and_system_names_are_read_from_the_user_agent(
    agent: str, label: tuple[str, str]
) -> None:
    assert trusted_browsers.describe(agent) == label


def test_the_api_counts_the_remembered_browsers(officer: User, remembered: Client) -> None:
    _token, key = services.create_api_token(officer, name="api")
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/me").json()
    assert me["two_factor_remembered_browsers"] == 1


def test_the_api_lists_and_forgets_ones_own_remembered_browsers_only(
    officer: User, remembered: Client, province: dict[str, Organisation]
) -> None:
    _token, key = services.create_api_token(officer, name="api")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    listed = api.get("/api/v1/me/trusted-browsers").json()
    assert len(listed) == 1 and listed[0]["last_used_at"] is None
    colleague = make_user("colleague", Role.VIEWER, province["dept_justice"])
    _token, other_key = services.create_api_token(colleague, name="api")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert other.get("/api/v1/me/trusted-browsers").json() == []
    assert other.delete(f"/api/v1/me/trusted-browsers/{listed[0]['id']}").status_code == 404
    assert trusted_browsers.active(officer).count() == 1
    assert api.delete(f"/api/v1/me/trusted-browsers/{listed[0]['id']}").status_code == 204
    assert not _still_skips(remembered)
    assert api.delete("/api/v1/me/trusted-browsers").json() == {"forgotten": 0}
    assert AuditEvent.objects.filter(action="accounts.trusted_browser_forget").count() == 1
