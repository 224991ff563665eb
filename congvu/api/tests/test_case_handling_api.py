"""The API of a case's assigned officer and tags, and of the province's list of tags."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import RoleGrant, User
from congvu.cases import assignment, reporter, tags
from congvu.cases.models import Case, CaseEvent, CaseTag
from congvu.cases.tests.office_helpers import make_case_handler
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer
from .test_cases_api import PASSPHRASE, make_case

K = CaseEvent.Kind


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def case(province: dict[str, Organisation], staff_member: StaffMember) -> Case:
    return make_case(province["dept_justice"], staff=staff_member)


@pytest.fixture
def handler(province: dict[str, Organisation]) -> User:
    return make_case_handler(province["dept_justice"])


@pytest.fixture
def urgent(province: dict[str, Organisation]) -> CaseTag:
    return CaseTag.objects.create(
        province=province["root"], name="Khẩn", name_folded="khan", colour=CaseTag.Colour.RED
    )


def test_the_head_assigns_a_case_and_reads_the_assignee_on_it(
    api_head: Client, case: Case, handler: User, django_capture_on_commit_callbacks: Any
) -> None:
    offered = api_head.get(f"/api/v1/cases/{case.code}/assignees").json()
    assert {"id": handler.pk, "full_name": "Lê Thị Lan"} in offered
    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            api_head, "post", f"/api/v1/cases/{case.code}/assign", {"assignee": handler.pk}
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assignee"] == {"id": handler.pk, "full_name": "Lê Thị Lan"}
    assert body["needs_reassignment"] is False
    assert Notification.objects.filter(user=handler, kind="case_assigned").exists()


def test_an_ineligible_assignee_is_a_422_and_nothing_changes(
    api_head: Client, case: Case, viewer: User
) -> None:
    for assignee in (viewer.pk, 987654):
        response = send(
            api_head, "post", f"/api/v1/cases/{case.code}/assign", {"assignee": assignee}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "assignee"]
    case.refresh_from_db()
    assert case.assignee is None
    assert not case.events.filter(kind=K.ASSIGNED).exists()


def test_reassigning_without_a_reason_is_a_422_then_works_with_one_and_unassign_clears_it(
    api_head: Client, head: User, case: Case, handler: User
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    url = f"/api/v1/cases/{case.code}/assign"
    assert send(api_head, "post", url, {"assignee": head.pk}).status_code == 422
    response = send(api_head, "post", url, {"assignee": head.pk, "reason": "Chị Lan nghỉ phép."})
    assert response.json()["assignee"]["id"] == head.pk
    response = send(api_head, "post", f"/api/v1/cases/{case.code}/unassign", {})
    assert response.status_code == 200 and response.json()["assignee"] is None
    again = send(api_head, "post", f"/api/v1/cases/{case.code}/unassign", {})
    assert again.status_code == 422


def test_assigning_is_404_for_an_outsider_and_403_for_a_handler_or_a_viewer(
    api_outsider: Client, api_viewer: Client, case: Case, handler: User
) -> None:
    url = f"/api/v1/cases/{case.code}/assign"
    assert send(api_outsider, "post", url, {"assignee": handler.pk}).status_code == 404
    assert api_outsider.get(f"/api/v1/cases/{case.code}/assignees").status_code == 404
    assert send(api_viewer, "post", url, {"assignee": handler.pk}).status_code == 403
    as_handler = bearer(handler)
    assert send(as_handler, "post", url, {"assignee": handler.pk}).status_code == 403
    assert send(as_handler, "post", f"/api/v1/cases/{case.code}/unassign", {}).status_code == 403
    assert as_handler.get(f"/api/v1/cases/{case.code}/assignees").status_code == 403
    case.refresh_from_db()
    assert case.assignee is None


def test_the_list_filters_by_assignee_and_by_tag_without_accents(
    api_head: Client,
    head: User,
    province: dict[str, Organisation],
    handler: User,
    urgent: CaseTag,
) -> None:
    mine = make_case(province["dept_justice"])
    theirs = make_case(province["dept_justice"])
    nobodys = make_case(province["dept_justice"])
    assignment.assign(mine, assignee=head, actor=head)
    assignment.assign(theirs, assignee=handler, actor=head)
    tags.set_tags(theirs, tag_ids=[urgent.pk], actor=head)

    def codes(query: str) -> set[str]:
        response = api_head.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.content
        return {item["code"] for item in response.json()["items"]}

    assert codes("assigned_to=me") == {mine.code}
    assert codes("assigned_to=none") == {nobodys.code}
    assert codes(f"assigned_to={handler.pk}") == {theirs.code}
    assert codes("tag=khan") == codes("tag=KHẨN") == {theirs.code}
    assert api_head.get("/api/v1/cases?assigned_to=someone").status_code == 422
    RoleGrant.objects.filter(user=handler).delete()
    assert codes("assigned_to=none") == {nobodys.code, theirs.code}


def test_a_handler_sets_a_cases_tags_and_an_unknown_tag_is_a_422(
    province: dict[str, Organisation], case: Case, handler: User, urgent: CaseTag
) -> None:
    as_handler = bearer(handler)
    url = f"/api/v1/cases/{case.code}/tags"
    response = send(as_handler, "put", url, {"tags": [urgent.pk]})
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == [{"id": urgent.pk, "name": "Khẩn", "colour": "red"}]
    bad = send(as_handler, "put", url, {"tags": [999999]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "tags"]
    assert list(case.tags.all()) == [urgent]
    assert case.events.filter(kind=K.TAGGED).count() == 1


def test_tags_are_404_for_an_outsider_and_403_for_a_viewer(
    api_outsider: Client, api_viewer: Client, case: Case, urgent: CaseTag
) -> None:
    url = f"/api/v1/cases/{case.code}/tags"
    assert send(api_outsider, "put", url, {"tags": [urgent.pk]}).status_code == 404
    assert send(api_viewer, "put", url, {"tags": [urgent.pk]}).status_code == 403
    assert not case.tags.exists()


def test_the_officer_keeps_the_list_of_tags_and_a_head_may_only_read_it(
    api_officer: Client, api_head: Client, api_viewer: Client, urgent: CaseTag
) -> None:
    created = send(api_officer, "post", "/api/v1/case-tags", {"name": "Báo chí", "colour": "blue"})
    assert created.status_code == 201, created.content
    tag_id = created.json()["id"]
    duplicate = send(api_officer, "post", "/api/v1/case-tags", {"name": "bao chi"})
    assert duplicate.status_code == 422
    changed = send(api_officer, "patch", f"/api/v1/case-tags/{tag_id}", {"is_active": False})
    assert changed.json()["is_active"] is False
    names = {tag["name"] for tag in api_head.get("/api/v1/case-tags").json()}
    assert names == {"Khẩn", "Báo chí"}
    assert send(api_head, "post", "/api/v1/case-tags", {"name": "Mới"}).status_code == 403
    assert send(api_head, "patch", f"/api/v1/case-tags/{tag_id}", {"name": "x"}).status_code == 403
    assert api_viewer.get("/api/v1/case-tags").status_code == 403
    assert send(api_officer, "patch", "/api/v1/case-tags/999999", {"name": "x"}).status_code == 404


def test_the_citizens_follow_up_never_returns_the_handler_or_the_tags(
    anonymous: Client, head: User, case: Case, handler: User, urgent: CaseTag
) -> None:
    assignment.assign(case, assignee=handler, actor=head)
    tags.set_tags(case, tag_ids=[urgent.pk], actor=head)
    assert reporter.follow(case.code, PASSPHRASE) == case
    response = send(
        anonymous,
        "post",
        "/api/v1/public/cases/follow",
        {"code": case.code, "passphrase": PASSPHRASE},
    )
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert "Lê Thị Lan" not in text and "Khẩn" not in text
    assert "assignee" not in response.json() and "tags" not in response.json()
