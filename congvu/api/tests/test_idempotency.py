"""API writes sent twice act once (`Idempotency-Key`), and edits from a stale read are
refused (`If-Match`); reads carry an `ETag` and answer 304 to `If-None-Match`."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import User
from congvu.api import idempotency
from congvu.core import daily
from congvu.core.models import ApiRequestKey
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning.models import Plan

from .conftest import bearer
from .test_plans_api import make_plan
from .test_staff import new_staff

STAFF = "/api/v1/staff"
PLANS = "/api/v1/plans"


def post(client: Client, body: dict[str, Any], key: str | None = "k-1") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(STAFF, body, content_type="application/json", headers=headers)


# --- Idempotency-Key ----------------------------------------------------------------------


def test_the_same_key_twice_creates_one_staff_member_and_answers_the_same(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    body = new_staff(province["dept_justice"])
    first = post(api_head, body)
    again = post(api_head, body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert StaffMember.objects.filter(staff_code="STP-010").count() == 1


def test_without_the_key_a_retry_is_a_second_request(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    body = new_staff(province["dept_justice"])
    assert post(api_head, body, key=None).status_code == 201
    retry = post(api_head, body, key=None)
    assert retry.status_code == 422  # the staff code is taken: the second one did run
    assert StaffMember.objects.filter(staff_code="STP-010").count() == 1


def test_the_same_key_with_another_body_is_refused_and_does_nothing(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    assert post(api_head, new_staff(province["dept_justice"])).status_code == 201
    other = post(api_head, new_staff(province["dept_justice"], staff_code="STP-011"))
    assert other.status_code == 422
    assert "another request" in other.json()["detail"]
    assert "yêu cầu khác" in other.json()["detail"]
    assert not StaffMember.objects.filter(staff_code="STP-011").exists()


def test_a_refused_request_keeps_nothing_so_the_corrected_one_goes_through_with_the_key(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    bad = post(api_head, new_staff(province["dept_justice"], email="not-an-email"))
    assert bad.status_code == 422
    assert not ApiRequestKey.objects.exists()
    corrected = post(api_head, new_staff(province["dept_justice"]))
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected


def test_keys_belong_to_their_user(
    api_head: Client, officer: User, province: dict[str, Organisation]
) -> None:
    assert post(api_head, new_staff(province["dept_justice"])).status_code == 201
    # Another user with the same key: their own request, not the head's answer.
    theirs = post(bearer(officer), new_staff(province["dept_justice"], staff_code="STP-012"))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert StaffMember.objects.filter(staff_code__in=["STP-010", "STP-012"]).count() == 2


@pytest.mark.parametrize("key", ["", "has space", "khóa", "x" * 256])
def test_a_malformed_key_is_a_400_and_nothing_is_done(
    api_head: Client, province: dict[str, Organisation], key: str
) -> None:
    response = post(api_head, new_staff(province["dept_justice"]), key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not StaffMember.objects.filter(staff_code="STP-010").exists()


def test_a_role_without_the_permission_gets_403_and_its_key_is_not_kept(
    api_viewer: Client, province: dict[str, Organisation]
) -> None:
    assert post(api_viewer, new_staff(province["dept_justice"])).status_code == 403
    assert post(api_viewer, new_staff(province["dept_justice"])).status_code == 403
    assert not ApiRequestKey.objects.exists()


def test_an_outsider_gets_404_with_the_key_too(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    assert post(api_outsider, new_staff(province["dept_justice"])).status_code == 404
    assert not ApiRequestKey.objects.exists()


def test_anonymous_with_a_key_is_401_and_keeps_nothing(
    anonymous: Client, province: dict[str, Organisation]
) -> None:
    assert post(anonymous, new_staff(province["dept_justice"])).status_code == 401
    assert not ApiRequestKey.objects.exists()


def test_a_failure_rolls_back_the_work_with_the_key(
    api_head: Client, province: dict[str, Organisation], monkeypatch: Any
) -> None:
    from congvu.organisations import services

    real = services.create_staff

    def create_then_fail(**kwargs: Any) -> Any:
        real(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "create_staff", create_then_fail)
    api_head.raise_request_exception = False
    failed = post(api_head, new_staff(province["dept_justice"]))
    assert failed.status_code == 500
    assert not StaffMember.objects.filter(staff_code="STP-010").exists()
    assert not ApiRequestKey.objects.exists()
    monkeypatch.setattr(services, "create_staff", real)
    assert post(api_head, new_staff(province["dept_justice"])).status_code == 201


def test_an_old_key_is_forgotten_by_the_daily_job(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    assert post(api_head, new_staff(province["dept_justice"])).status_code == 201
    ApiRequestKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert "api.request_keys" in daily.registered()
    assert idempotency.forget_old(timezone.localdate()) == 1
    assert not ApiRequestKey.objects.exists()


# --- ETag, If-None-Match, If-Match ---------------------------------------------------------


@pytest.fixture
def plan(province: dict[str, Organisation]) -> Plan:
    return make_plan(province["root"])


def test_a_read_carries_an_etag_and_a_repeat_with_it_is_304(
    api_officer: Client, plan: Plan
) -> None:
    first = api_officer.get(f"{PLANS}/{plan.pk}")
    assert first.status_code == 200
    tag = first["ETag"]
    again = api_officer.get(f"{PLANS}/{plan.pk}", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""
    Plan.objects.filter(pk=plan.pk).update(title="Kế hoạch khác")
    changed = api_officer.get(f"{PLANS}/{plan.pk}", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed.json()["title"] == "Kế hoạch khác"
    assert changed["ETag"] != tag


def test_an_edit_with_the_current_tag_goes_through(api_officer: Client, plan: Plan) -> None:
    tag = api_officer.get(f"{PLANS}/{plan.pk}")["ETag"]
    response = api_officer.patch(
        f"{PLANS}/{plan.pk}",
        {"title": "Tên mới"},
        content_type="application/json",
        HTTP_IF_MATCH=tag,
    )
    assert response.status_code == 200, response.content
    assert Plan.objects.get(pk=plan.pk).title == "Tên mới"


def test_an_edit_from_a_stale_read_is_412_and_changes_nothing(
    api_officer: Client, plan: Plan
) -> None:
    tag = api_officer.get(f"{PLANS}/{plan.pk}")["ETag"]
    # Someone else changes the plan meanwhile.
    assert (
        api_officer.patch(
            f"{PLANS}/{plan.pk}", {"title": "Sửa bởi người khác"}, content_type="application/json"
        ).status_code
        == 200
    )
    stale = api_officer.patch(
        f"{PLANS}/{plan.pk}",
        {"number": "99/KH"},
        content_type="application/json",
        HTTP_IF_MATCH=tag,
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    assert stale["ETag"] == api_officer.get(f"{PLANS}/{plan.pk}")["ETag"]
    assert Plan.objects.get(pk=plan.pk).number == plan.number


def test_if_match_star_asks_only_that_the_record_exists(api_officer: Client, plan: Plan) -> None:
    response = api_officer.patch(
        f"{PLANS}/{plan.pk}", {"title": "Sao"}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200


def test_if_match_on_a_record_one_cannot_see_is_still_404(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    hidden = make_plan(province["dept_justice"], "12/KH-STP")
    assert api_outsider.get(f"{PLANS}/{hidden.pk}").status_code == 404
    response = api_outsider.patch(
        f"{PLANS}/{hidden.pk}",
        {"title": "x"},
        content_type="application/json",
        HTTP_IF_MATCH='"abc"',
    )
    assert response.status_code == 404


def test_if_match_for_a_role_without_the_permission_is_still_403(
    api_viewer: Client, plan: Plan
) -> None:
    tag = api_viewer.get(f"{PLANS}/{plan.pk}")["ETag"]
    response = api_viewer.patch(
        f"{PLANS}/{plan.pk}", {"title": "x"}, content_type="application/json", HTTP_IF_MATCH=tag
    )
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).title == plan.title


def test_a_stale_edit_and_its_key_together(api_officer: Client, plan: Plan) -> None:
    tag = api_officer.get(f"{PLANS}/{plan.pk}")["ETag"]
    headers = {"If-Match": tag, "Idempotency-Key": "edit-1"}
    first = api_officer.patch(
        f"{PLANS}/{plan.pk}", {"title": "Một lần"}, content_type="application/json", headers=headers
    )
    assert first.status_code == 200
    # The retry of the same edit: the kept answer, not a 412 for the tag it made stale.
    retry = api_officer.patch(
        f"{PLANS}/{plan.pk}", {"title": "Một lần"}, content_type="application/json", headers=headers
    )
    assert retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
