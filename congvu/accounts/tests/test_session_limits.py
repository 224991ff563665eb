"""A signed-in session ends after an idle hour and twelve hours after signing in
(security walk, finding 7), on a frozen clock; API tokens are not sessions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congvu.accounts import session_limits
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")


class Clock:
    def __init__(self) -> None:
        self.moment = 1_800_000_000.0

    def __call__(self) -> float:
        return self.moment

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        self.moment += minutes * 60 + hours * 3600


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Clock:
    settings.SESSION_IDLE_MINUTES = 60
    settings.SESSION_MAX_HOURS = 12
    frozen = Clock()
    monkeypatch.setattr(session_limits, "now", frozen)
    return frozen


def signed_in(officer: User) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": officer.username, "password": "pw-for-tests-123"})
    assert response.status_code == 302
    return client


def test_an_hour_without_a_request_signs_out_and_the_sign_in_page_says_why(
    clock: Clock, officer: User
) -> None:
    client = signed_in(officer)
    clock.advance(minutes=59)
    assert client.get(HOME).status_code == 200
    clock.advance(minutes=66)  # an hour and more after the last request noted
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="signed-out"' in page
    assert "không thao tác trong 60 phút" in page
    assert "after 60 minutes without activity" in page
    # Said once: a second visit of the page does not say it again.
    assert 'data-testid="signed-out"' not in client.get(LOGIN).content.decode()
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_working_on_keeps_the_session_and_does_not_write_it_on_every_request(
    clock: Clock, officer: User
) -> None:
    client = signed_in(officer)
    for _ in range(8):  # four hours, a request every half hour
        clock.advance(minutes=30)
        assert client.get(HOME).status_code == 200
    assert session_writes(client, clock, minutes=10) == 1  # noted: five minutes or more
    assert session_writes(client, clock, minutes=1) == 0  # a minute later: nothing written


def session_writes(client: Client, clock: Clock, *, minutes: float) -> int:
    clock.advance(minutes=minutes)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return sum(1 for q in queries if "django_session" in q["sql"] and q["sql"].startswith("UPDATE"))


def test_twelve_hours_after_signing_in_the_session_ends_however_active(
    clock: Clock, officer: User
) -> None:
    client = signed_in(officer)
    for _ in range(24):
        clock.advance(minutes=30)
        assert client.get(HOME).status_code == 200
    clock.advance(minutes=1)
    response = client.get(HOME)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "quá 12 giờ" in page and "over 12 hours old" in page


def test_the_api_answers_401_to_an_idle_session_but_a_token_is_no_session(
    clock: Clock, officer: User
) -> None:
    client = signed_in(officer)
    _, key = create_api_token(officer, name="một cửa")
    clock.advance(hours=2)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "session_ended"
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_no_limit_when_the_settings_say_zero(clock: Clock, officer: User, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 0
    settings.SESSION_MAX_HOURS = 0
    client = signed_in(officer)
    clock.advance(hours=30)
    assert client.get(HOME).status_code == 200
