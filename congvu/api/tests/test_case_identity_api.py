"""The API's side of a reporter's identity: masked for Home Affairs' oversight
(`identity_hidden`), revealed one request at a time with a reason, on the record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.cases import reporter
from congvu.cases.models import Case, CaseEvent
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer
from .test_cases_api import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, make_case

REASON = "Rà soát việc giải quyết tố cáo theo đơn khiếu nại."


@pytest.fixture
def case(province: dict[str, Organisation], staff_member: StaffMember) -> Case:
    return make_case(province["dept_justice"], staff=staff_member, named=True)


def url(case: Case) -> str:
    return f"/api/v1/cases/{case.code}/identity"


def post(client: Client, case: Case, body: object) -> Any:
    return client.post(url(case), json.dumps(body), content_type="application/json")


def reveals() -> int:
    return AuditEvent.objects.filter(action="case.identity_reveal").count()


def test_an_overseer_gets_the_case_with_its_identity_hidden(
    api_officer: Client, case: Case
) -> None:
    body = api_officer.get(f"/api/v1/cases/{case.code}").json()
    assert body["reporter"] is None and body["identity_hidden"] is True
    text = json.dumps(body, ensure_ascii=False)
    assert REPORTER_NAME not in text and REPORTER_PHONE not in text


def test_the_handler_gets_it_directly_and_nothing_hidden(api_head: Client, case: Case) -> None:
    body = api_head.get(f"/api/v1/cases/{case.code}").json()
    assert body["reporter"]["name"] == REPORTER_NAME and body["identity_hidden"] is False


def test_a_reveal_with_a_reason_answers_the_identity_audited_and_on_the_timeline(
    officer: User, api_officer: Client, api_head: Client, case: Case
) -> None:
    response = post(api_officer, case, {"reason": REASON})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "name": REPORTER_NAME,
        "phone": REPORTER_PHONE,
        "email": REPORTER_EMAIL,
        "recorded": True,
    }
    event = AuditEvent.objects.get(action="case.identity_reveal")
    assert event.actor == officer and event.data["reason"] == REASON
    assert REPORTER_NAME not in json.dumps(event.data, ensure_ascii=False)
    timeline = api_head.get(f"/api/v1/cases/{case.code}/events").json()
    entries = timeline["items"] if isinstance(timeline, dict) else timeline
    (entry,) = [e for e in entries if e["kind"] == CaseEvent.Kind.IDENTITY_REVEALED]
    assert entry["audience"] == "internal" and REASON in entry["body"]
    # Per request: the case itself still answers it hidden.
    assert api_officer.get(f"/api/v1/cases/{case.code}").json()["reporter"] is None


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "vì cần"}, {"reason": "x" * 501}])
def test_a_missing_or_short_reason_is_a_422_saying_why_and_nothing_is_recorded(
    api_officer: Client, case: Case, body: dict[str, str]
) -> None:
    response = post(api_officer, case, body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "reason"]
    assert " / " in error["msg"] and "ký tự" in error["msg"] and "characters" in error["msg"]
    assert REPORTER_NAME not in response.content.decode()
    assert reveals() == 0
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.IDENTITY_REVEALED).exists()


def test_the_message_is_english_alone_for_an_english_client(
    api_officer: Client, case: Case
) -> None:
    response = api_officer.post(
        url(case), json.dumps({}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["detail"][0]["msg"].startswith("Please give the reason")


def test_an_anonymous_or_erased_case_is_a_409(
    province: dict[str, Organisation], api_officer: Client, head: User, case: Case
) -> None:
    anonymous = make_case(province["dept_justice"])
    response = post(api_officer, anonymous, {"reason": REASON})
    assert response.status_code == 409 and "anonymous" in response.json()["detail"]
    reporter.erase_reporter_identity(case, actor=head)
    assert post(api_officer, case, {"reason": REASON}).status_code == 409
    assert reveals() == 0


def test_the_handler_gets_it_without_anything_recorded(api_head: Client, case: Case) -> None:
    response = post(api_head, case, {"reason": REASON})
    assert response.status_code == 200 and response.json()["recorded"] is False
    assert reveals() == 0


def test_an_outsider_gets_404_a_viewer_and_an_inspector_403(
    province: dict[str, Organisation], api_outsider: Client, api_viewer: Client, case: Case
) -> None:
    assert post(api_outsider, case, {"reason": REASON}).status_code == 404
    assert post(api_viewer, case, {"reason": REASON}).status_code == 403
    inspector = make_user("inspector_x", Role.INSPECTOR, province["root"])
    assert post(bearer(inspector), case, {"reason": REASON}).status_code == 403
    assert reveals() == 0


def test_the_subject_is_never_told_the_case_exists(
    province: dict[str, Organisation], staff_user: User, case: Case
) -> None:
    from congvu.accounts.models import RoleGrant

    RoleGrant.objects.create(user=staff_user, role=Role.HEAD, organisation=province["dept_justice"])
    assert post(bearer(staff_user), case, {"reason": REASON}).status_code == 404
    assert reveals() == 0


def test_the_audit_api_masks_identity_data_for_an_overseer(
    province: dict[str, Organisation], api_officer: Client, case: Case
) -> None:
    from congvu.audit.services import record

    event = record(
        "case.create",
        actor=None,
        obj=case,
        organisation=case.handling_organisation,
        data={"reporter_name": REPORTER_NAME},
    )
    body = api_officer.get(f"/api/v1/audit-events/{event.pk}").json()
    assert body["masked"] is True and REPORTER_NAME not in json.dumps(body, ensure_ascii=False)
    local = make_user("auditor_local", Role.HOME_AFFAIRS, province["dept_justice"])
    assert bearer(local).get(f"/api/v1/audit-events/{event.pk}").json()["masked"] is False
