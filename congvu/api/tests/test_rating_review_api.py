"""Reviewing flagged ratings through /api/v1/: the queue, one decision, one decision for many."""

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.feedback import services
from congvu.feedback.models import Rating
from congvu.feedback.tests.test_selectors import badge, flagged_rating
from congvu.organisations.models import Organisation, StaffMember

from .test_feedback_api import load_catalogue, post_json

FLAGGED = "/api/v1/ratings/flagged"
REVIEW_MANY = "/api/v1/ratings/review"

Province = dict[str, Organisation]


def review_url(rating: Rating) -> str:
    return f"/api/v1/ratings/{rating.pk}/review"


@pytest.fixture
def burst(province: Province, staff_member: StaffMember) -> list[Rating]:
    """Three ratings of Sở Tư pháp's staff member held back by detection."""
    load_catalogue(province)
    target = badge(staff_member)
    return [flagged_rating(target) for _ in range(3)]


def test_the_queue_lists_flagged_ratings_with_what_was_said_and_nothing_of_who(
    burst: list[Rating], api_head: Client, staff_member: StaffMember
) -> None:
    response = api_head.get(FLAGGED)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["items"][0]
    assert first["id"] == burst[0].pk  # oldest first
    assert first["staff"] == {"id": staff_member.pk, "full_name": staff_member.full_name}
    assert first["level_label"] == "Rất hài lòng"
    assert first["comment"] == "Bình chọn dồn dập"
    assert first["state"] == "flagged"
    assert first["flag_reasons"] == [
        {"code": "burst", "label": "nhiều đánh giá cao nhất liên tiếp từ một thiết bị"}
    ]
    assert "d" * 32 not in response.content.decode()  # the device hash is never shown
    assert "device_hash" not in first


def test_the_queue_is_scoped_and_needs_the_review_permission(
    burst: list[Rating], api_outsider: Client, api_viewer: Client, province: Province
) -> None:
    assert api_outsider.get(FLAGGED).json()["count"] == 0
    only = {"organisation": province["dept_justice"].pk}
    assert api_outsider.get(FLAGGED, only).status_code == 404
    assert api_viewer.get(FLAGGED).status_code == 403
    assert Client().get(FLAGGED).status_code == 401


def test_one_flagged_rating_is_included_with_its_reason_and_audited(
    burst: list[Rating], api_head: Client
) -> None:
    response = post_json(
        api_head, review_url(burst[0]), {"decision": "include", "reason": "Người dân xác nhận"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "included"
    assert response.json()["review_reason"] == "Người dân xác nhận"
    assert AuditEvent.objects.filter(action="rating.include").count() == 1
    assert api_head.get(FLAGGED).json()["count"] == 2


def test_a_rating_not_waiting_for_review_gets_422_with_a_message(
    burst: list[Rating], api_head: Client, head: User
) -> None:
    counted = services.review_rating(burst[0], include=True, reason="x", actor=head)
    response = post_json(api_head, review_url(counted), {"decision": "exclude", "reason": "y"})

    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["loc"] == ["body", "decision"]
    assert "không chờ xem xét" in detail["msg"] and "not waiting for review" in detail["msg"]


@pytest.mark.parametrize(
    "payload",
    [
        {"decision": "include"},
        {"decision": "include", "reason": "   "},
        {"decision": "maybe", "reason": "x"},
        {"decision": "include", "reason": "x" * 501},
        {"decision": "include", "reason": "a\x00b"},
        [],
    ],
)
def test_bad_review_input_is_refused_and_nothing_changes(
    burst: list[Rating], api_head: Client, payload: Any
) -> None:
    response = post_json(api_head, review_url(burst[0]), payload)

    assert response.status_code in (400, 422)
    burst[0].refresh_from_db()
    assert burst[0].state == Rating.State.FLAGGED


def test_an_outsider_gets_404_and_a_viewer_403_on_a_review(
    burst: list[Rating], api_outsider: Client, api_viewer: Client
) -> None:
    data = {"decision": "exclude", "reason": "x"}
    assert post_json(api_outsider, review_url(burst[0]), data).status_code == 404
    assert post_json(api_viewer, review_url(burst[0]), data).status_code == 403
    assert post_json(api_outsider, "/api/v1/ratings/999999/review", data).status_code == 404


def test_one_decision_covers_several_ratings_each_audited(
    burst: list[Rating], api_head: Client
) -> None:
    ids = [burst[0].pk, burst[1].pk]
    response = post_json(
        api_head, REVIEW_MANY, {"ids": ids, "decision": "exclude", "reason": "Một điện thoại"}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reviewed"] == 2
    assert [item["state"] for item in body["items"]] == ["excluded", "excluded"]
    assert AuditEvent.objects.filter(action="rating.exclude").count() == 2
    assert [r["id"] for r in api_head.get(FLAGGED).json()["items"]] == [burst[2].pk]


def test_one_decision_for_many_is_all_or_nothing(
    burst: list[Rating], api_head: Client, head: User
) -> None:
    services.review_rating(burst[1], include=True, reason="x", actor=head)

    response = post_json(
        api_head,
        REVIEW_MANY,
        {"ids": [burst[0].pk, burst[1].pk], "decision": "exclude", "reason": "Lý do"},
    )

    assert response.status_code == 422
    assert f"Lượt đánh giá số {burst[1].pk}" in json.dumps(response.json(), ensure_ascii=False)
    burst[0].refresh_from_db()
    assert burst[0].state == Rating.State.FLAGGED


def test_one_decision_for_many_refuses_anothers_rating_whole(
    burst: list[Rating], api_outsider: Client, api_viewer: Client
) -> None:
    data = {"ids": [burst[0].pk], "decision": "exclude", "reason": "x"}
    assert post_json(api_outsider, REVIEW_MANY, data).status_code == 404
    assert post_json(api_viewer, REVIEW_MANY, data).status_code == 403
    too_many = {**data, "ids": list(range(1, services.REVIEW_MANY_MAX + 2))}
    assert post_json(api_outsider, REVIEW_MANY, too_many).status_code == 422
    assert post_json(api_outsider, REVIEW_MANY, {**data, "ids": []}).status_code == 422
    burst[0].refresh_from_db()
    assert burst[0].state == Rating.State.FLAGGED
