"""One address sending a new user agent with every rating is still one sender: past a few
ratings of the same person within an hour they are flagged (held back for a reviewer),
and past a high ceiling refused; citizens behind one shared address are not refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.conftest import make_staff
from congvu.feedback import devices
from congvu.feedback.models import Rating, StaffMonthRollup
from congvu.organisations.models import StaffMember

from .test_feedback_api import RATINGS, Province, post_json, rating_ready  # noqa: F401

pytestmark = pytest.mark.usefixtures("rating_ready")


def from_address(address: str, agent: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def test_a_new_user_agent_per_rating_does_not_escape_the_address_flag(
    staff_member: StaffMember,
) -> None:
    # The security walk's repro: 12 top ratings of one staff member, a new UA each time.
    data = {"channel": "badge", "token": staff_member.badge_token, "level": 1}
    answers = [
        post_json(from_address("203.0.113.50", f"phone-{n}"), RATINGS, data) for n in range(12)
    ]
    assert [r.status_code for r in answers] == [201] * 12
    states = [r.json()["state"] for r in answers]
    assert states == ["counted"] * 5 + ["flagged"] * 7
    assert all("address" in Rating.objects.get(pk=r.json()["id"]).flag_reasons for r in answers[5:])
    # The index counts only the first five until a reviewer decides.
    row = StaffMonthRollup.objects.get(staff=staff_member)
    assert (row.counted, row.flagged) == (5, 7)
    # A citizen at another address is counted as usual.
    other = post_json(from_address("198.51.100.7", "phone-x"), RATINGS, data)
    assert other.json()["state"] == "counted"


def test_a_shared_address_rating_different_people_is_not_flagged(province: Province) -> None:
    members = [make_staff(province["dept_justice"], f"Cán bộ {n}", f"B-{n}") for n in range(8)]
    states = [
        post_json(
            from_address("203.0.113.50", f"phone-{n}"),
            RATINGS,
            {"channel": "badge", "token": member.badge_token, "level": 2},
        ).json()["state"]
        for n, member in enumerate(members)
    ]
    assert states == ["counted"] * 8


def test_past_the_address_ceiling_ratings_are_refused(province: Province, settings: Any) -> None:
    settings.RATINGS_LIMITS = {"per_address_per_hour": 4}
    members = [make_staff(province["dept_justice"], f"Cán bộ {n}", f"B-{n}") for n in range(5)]
    answers = [
        post_json(
            from_address("203.0.113.50", f"phone-{n}"),
            RATINGS,
            {"channel": "badge", "token": member.badge_token, "level": 3},
        )
        for n, member in enumerate(members)
    ]
    assert [r.status_code for r in answers] == [201, 201, 201, 201, 429]
    assert "nhiều đánh giá từ mạng này" in answers[-1].json()["detail"]
    assert Rating.objects.count() == 4
    assert (
        post_json(
            from_address("198.51.100.7", "phone-x"),
            RATINGS,
            {"channel": "badge", "token": members[4].badge_token, "level": 3},
        ).status_code
        == 201
    )


def test_the_address_is_kept_only_as_a_daily_salted_hash(staff_member: StaffMember) -> None:
    data = {"channel": "badge", "token": staff_member.badge_token, "level": 2}
    post_json(from_address("203.0.113.50", "phone-1"), RATINGS, data)
    rating = Rating.objects.get()
    assert rating.address_hash == devices.address_hash_for("203.0.113.50")
    assert rating.address_hash not in ("", rating.device_hash)
    stored = " ".join(str(value) for value in Rating.objects.values().get().values())
    assert "203.0.113.50" not in stored and "phone-1" not in stored
