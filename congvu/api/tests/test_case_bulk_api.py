"""The API of bulk assignment and of the organisations' default case handlers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.cases import assignment
from congvu.cases.models import Case, DefaultHandler
from congvu.cases.tests.office_helpers import file_report, make_case_handler
from congvu.conftest import make_staff, make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation

from .conftest import bearer

ASSIGN = "/api/v1/cases/assign"
UNASSIGN = "/api/v1/cases/unassign"


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def handler(province: dict[str, Organisation]) -> User:
    return make_case_handler(province["dept_justice"])


@pytest.fixture
def cases(province: dict[str, Organisation]) -> list[Case]:
    return [file_report(organisation=province["dept_justice"]) for _ in range(3)]


def default_url(organisation: Organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/case-default-handler"


def test_the_head_assigns_several_cases_in_one_call_with_one_notice(
    api_head: Client,
    cases: list[Case],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    codes = [c.code.lower() for c in cases]
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api_head, "post", ASSIGN, {"codes": codes, "assignee": handler.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert {row["assignee"]["id"] for row in body["cases"]} == {handler.pk}
    assert Notification.objects.filter(user=handler).count() == 1
    assert AuditEvent.objects.filter(action="case.assign").count() == 3


def test_one_refused_case_answers_409_naming_it_and_nothing_changes(
    api_head: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    own = make_staff(province["dept_justice"], "Lê Thị Lan", "STP-088")
    own.user = handler
    own.save(update_fields=["user"])
    about_them = file_report(staff=own)
    codes = [c.code for c in cases] + [about_them.code]
    response = send(api_head, "post", ASSIGN, {"codes": codes, "assignee": handler.pk})
    assert response.status_code == 409
    body = response.json()
    assert "no case was changed" in body["detail"]
    assert body["refused"] == [
        {
            "code": about_them.code,
            "reason": "Người này là cán bộ bị phản ánh trong vụ việc. / This person is the "
            "staff member concerned in the case.",
        }
    ]
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_bulk_calls_are_404_outside_the_scope_403_without_the_permission_422_over_the_cap(
    api_outsider: Client,
    api_head: Client,
    province: dict[str, Organisation],
    cases: list[Case],
    handler: User,
) -> None:
    codes = [c.code for c in cases]
    assert (
        send(api_outsider, "post", ASSIGN, {"codes": codes, "assignee": handler.pk}).status_code
        == 404
    )
    focal = bearer(make_user("focal", Role.FOCAL_POINT, province["dept_justice"]))
    assert send(focal, "post", ASSIGN, {"codes": codes, "assignee": handler.pk}).status_code == 403
    many = [f"PA-X{n:08d}" for n in range(201)]
    response = send(api_head, "post", ASSIGN, {"codes": many, "assignee": handler.pk})
    assert response.status_code == 422
    assert "At most 200 cases at a time" in response.json()["detail"][0]["msg"]
    response = send(api_head, "post", ASSIGN, {"codes": codes, "assignee": 10**9})
    assert response.status_code == 422
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_bulk_unassign_refuses_a_case_given_to_nobody(
    api_head: Client, head: User, cases: list[Case], handler: User
) -> None:
    assignment.assign(cases[0], assignee=handler, actor=head)
    codes = [c.code for c in cases[:2]]
    response = send(api_head, "post", UNASSIGN, {"codes": codes})
    assert response.status_code == 409
    assert [row["code"] for row in response.json()["refused"]] == [cases[1].code]
    response = send(api_head, "post", UNASSIGN, {"codes": [cases[0].code], "reason": "Đổi"})
    assert response.status_code == 200
    assert response.json()["cases"][0]["assignee"] is None


def test_the_default_handler_is_read_and_set_and_new_cases_go_to_them(
    api_head: Client, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    assert api_head.get(default_url(dept)).json()["handler"] is None
    response = send(api_head, "put", default_url(dept), {"handler": handler.pk})
    assert response.status_code == 200, response.content
    assert response.json()["handler"] == {"id": handler.pk, "full_name": "Lê Thị Lan"}
    case = file_report(organisation=dept)
    assert case.assignee == handler
    RoleGrant.objects.filter(user=handler).delete()
    body = api_head.get(default_url(dept)).json()
    assert body["needs_replacement"] is True
    response = send(api_head, "put", default_url(dept), {"handler": None})
    assert response.status_code == 200
    assert response.json()["handler"] is None
    assert DefaultHandler.objects.get(organisation=dept).handler is None


def test_the_default_handler_calls_refuse_outsiders_roles_and_ineligible_people(
    api_outsider: Client, api_head: Client, province: dict[str, Organisation]
) -> None:
    dept = province["dept_justice"]
    assert api_outsider.get(default_url(dept)).status_code == 404
    focal = bearer(make_user("focal", Role.FOCAL_POINT, dept))
    assert focal.get(default_url(dept)).status_code == 403
    elsewhere = make_case_handler(province["commune"], full_name="Phạm Văn Xã")
    response = send(api_head, "put", default_url(dept), {"handler": elsewhere.pk})
    assert response.status_code == 422
    assert "This person may not handle the cases of" in response.json()["detail"][0]["msg"]
    assert not DefaultHandler.objects.exists()


def test_a_default_per_track_is_set_read_and_used_before_the_organisation_wide_one(
    api_head: Client, head: User, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    protector = make_user("protector", Role.CASE_HANDLER, dept)
    send(api_head, "put", default_url(dept), {"handler": handler.pk})
    url = default_url(dept) + "/denunciation"
    response = send(api_head, "put", url, {"handler": protector.pk})
    assert response.status_code == 200, response.content
    assert response.json()["track"] == "denunciation"
    assert response.json()["handler"]["id"] == protector.pk
    body = api_head.get(default_url(dept)).json()
    assert body["handler"]["id"] == handler.pk
    assert [(t["track"], (t["handler"] or {}).get("id")) for t in body["tracks"]] == [
        ("feedback", None),
        ("complaint", None),
        ("denunciation", protector.pk),
    ]
    assert file_report(organisation=dept, track="denunciation").assignee == protector
    assert file_report(organisation=dept, track="complaint").assignee == handler
    RoleGrant.objects.filter(user=protector).delete()
    assert api_head.get(url).json()["needs_replacement"] is True
    assert file_report(organisation=dept, track="denunciation").assignee is None
    response = send(api_head, "put", url, {"handler": None})
    assert response.json()["needs_replacement"] is False
    assert file_report(organisation=dept, track="denunciation").assignee == handler


def test_the_track_default_calls_refuse_outsiders_roles_and_unknown_tracks(
    api_outsider: Client, api_head: Client, province: dict[str, Organisation], handler: User
) -> None:
    dept = province["dept_justice"]
    url = default_url(dept) + "/complaint"
    assert api_outsider.get(url).status_code == 404
    assert send(api_outsider, "put", url, {"handler": handler.pk}).status_code == 404
    focal = bearer(make_user("focal", Role.FOCAL_POINT, dept))
    assert send(focal, "put", url, {"handler": handler.pk}).status_code == 403
    assert api_head.get(default_url(dept) + "/other").status_code == 422
    assert not DefaultHandler.objects.exists()


def test_the_head_assigns_every_case_matching_a_filter_in_one_call(
    api_head: Client,
    province: dict[str, Organisation],
    cases: list[Case],
    handler: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    denunciation = file_report(organisation=province["dept_justice"], track="denunciation")
    body = {"filter": {"track": "feedback", "assigned_to": "none"}, "assignee": handler.pk}
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api_head, "post", ASSIGN, body)
    assert response.status_code == 200, response.content
    assert sorted(row["code"] for row in response.json()["cases"]) == sorted(c.code for c in cases)
    denunciation.refresh_from_db()
    assert denunciation.assignee is None
    assert Notification.objects.filter(user=handler).count() == 1
    response = send(api_head, "post", UNASSIGN, {"filter": {"track": "feedback"}})
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_a_filter_call_needs_exactly_one_of_codes_and_filter_and_no_unknown_key(
    api_head: Client, cases: list[Case], handler: User
) -> None:
    both = {"codes": [cases[0].code], "filter": {}, "assignee": handler.pk}
    response = send(api_head, "post", ASSIGN, both)
    assert response.status_code == 422
    assert "Exactly one of codes and filter" in json.dumps(response.json())
    assert send(api_head, "post", ASSIGN, {"assignee": handler.pk}).status_code == 422
    typo = {"filter": {"tracks": "denunciation"}, "assignee": handler.pk}
    assert send(api_head, "post", ASSIGN, typo).status_code == 422
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_a_filter_matching_more_than_the_cap_is_refused_and_nothing_changes(
    api_head: Client, cases: list[Case], handler: User, monkeypatch: Any
) -> None:
    from congvu.cases import bulk_assignment

    monkeypatch.setattr(bulk_assignment, "MANY_MAX", 2)
    response = send(api_head, "post", ASSIGN, {"filter": {}, "assignee": handler.pk})
    assert response.status_code == 422
    assert "narrow the filters" in response.json()["detail"][0]["msg"]
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_a_filter_call_is_404_outside_the_scope_and_403_without_case_assign(
    api_outsider: Client, province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    dept = province["dept_justice"]
    body = {"filter": {"organisation": dept.pk}, "assignee": handler.pk}
    assert send(api_outsider, "post", ASSIGN, body).status_code == 404
    focal = bearer(make_user("focal", Role.FOCAL_POINT, dept))
    assert send(focal, "post", ASSIGN, body).status_code == 403
    assert send(focal, "post", UNASSIGN, {"filter": {}}).status_code == 403
    assert not Case.objects.filter(assignee__isnull=False).exists()


def test_a_matched_case_the_caller_may_not_assign_is_named_in_the_409(
    province: dict[str, Organisation], cases: list[Case], handler: User
) -> None:
    both = make_user("both", Role.HEAD, province["dept_justice"])
    RoleGrant.objects.create(user=both, role=Role.CASE_HANDLER, organisation=province["commune"])
    elsewhere = file_report(organisation=province["commune"])
    response = send(bearer(both), "post", ASSIGN, {"filter": {}, "assignee": handler.pk})
    assert response.status_code == 409
    assert response.json()["refused"] == [
        {
            "code": elsewhere.code,
            "reason": "Bạn không có quyền giao vụ việc này. / You may not assign this case.",
        }
    ]
    assert not Case.objects.filter(assignee__isnull=False).exists()
