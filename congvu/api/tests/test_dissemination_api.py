"""Dissemination sessions and acknowledgements of the code of conduct through /api/v1/."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import User
from congvu.conduct.models import CodeVersion
from congvu.conftest import client_for
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning.models import Acknowledgement, Dissemination

SESSIONS = "/api/v1/disseminations"
ACKS = "/api/v1/acknowledgements"


def make_session(organisation: Organisation, recorder: User, **extra: Any) -> Dissemination:
    return Dissemination.objects.create(
        organisation=organisation,
        held_on=extra.pop("held_on", dt.date(2025, 3, 10)),
        format=extra.pop("format", Dissemination.Format.CONFERENCE),
        content="Quán triệt Bộ quy tắc ứng xử",
        participants=extra.pop("participants", 40),
        recorded_by=recorder,
    )


@pytest.fixture
def session(province: dict[str, Organisation], officer: User) -> Dissemination:
    return make_session(province["dept_justice"], officer)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_officer_lists_sessions_newest_first_with_filters(
    api_officer: Client, province: dict[str, Organisation], officer: User, session: Dissemination
) -> None:
    online = make_session(
        province["commune"], officer, held_on=dt.date(2025, 6, 1), format="online"
    )
    assert ids(api_officer.get(SESSIONS)) == [online.pk, session.pk]
    assert ids(api_officer.get(SESSIONS, {"format": "online"})) == [online.pk]
    justice = province["dept_justice"].pk
    assert ids(api_officer.get(SESSIONS, {"organisation": justice})) == [session.pk]
    assert ids(api_officer.get(SESSIONS, {"held_after": "2025-04-01"})) == [online.pk]
    assert ids(api_officer.get(SESSIONS, {"held_before": "2025-04-01"})) == [session.pk]
    item = api_officer.get(f"{SESSIONS}/{session.pk}").json()
    assert item["held_on"] == "2025-03-10"
    assert item["organisation"]["code"] == "H56.02"
    assert item["recorded_by"]["full_name"] == "officer"


def test_outsider_gets_404_for_another_organisations_session(
    api_outsider: Client, session: Dissemination, province: dict[str, Organisation]
) -> None:
    assert ids(api_outsider.get(SESSIONS)) == []
    assert api_outsider.get(f"{SESSIONS}/{session.pk}").status_code == 404
    assert (
        api_outsider.get(SESSIONS, {"organisation": province["dept_justice"].pk}).status_code == 404
    )


def test_a_role_without_plan_view_gets_403(staff_user: User, session: Dissemination) -> None:
    client = client_for(staff_user)
    assert client.get(SESSIONS).status_code == 403
    assert client.get(f"{SESSIONS}/{session.pk}").status_code == 403
    assert client.get(ACKS).status_code == 403


def test_anonymous_callers_get_401(anonymous: Client, session: Dissemination) -> None:
    assert anonymous.get(SESSIONS).status_code == 401
    assert anonymous.get(f"{SESSIONS}/{session.pk}").status_code == 401
    assert anonymous.get(ACKS).status_code == 401
    assert anonymous.post(SESSIONS, {}, content_type="application/json").status_code == 401


def new_session(organisation: Organisation, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": organisation.pk,
        "held_on": "2025-05-20",
        "format": "training",
        "content": "Tập huấn kỹ năng giao tiếp với người dân",
        "participants": 25,
    } | extra


def test_head_records_a_session_and_marks_attendance(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    response = api_head.post(
        SESSIONS, new_session(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["format"], created["participants"], created["attendees"]) == (
        "training",
        25,
        [],
    )
    marked = api_head.post(
        f"{SESSIONS}/{created['id']}/attendance",
        {"present": [staff_member.pk]},
        content_type="application/json",
    )
    assert marked.status_code == 200, marked.content
    assert marked.json()["attendees"] == [
        {"id": staff_member.pk, "full_name": "Nguyễn Văn Đức", "staff_code": "STP-001"}
    ]


def test_a_session_in_the_future_is_a_422_on_held_on(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api_head.post(
        SESSIONS,
        new_session(province["dept_justice"], held_on=str(tomorrow)),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "held_on"]


def test_viewer_gets_403_recording_a_session_or_attendance(
    api_viewer: Client,
    province: dict[str, Organisation],
    session: Dissemination,
    staff_member: StaffMember,
) -> None:
    response = api_viewer.post(
        SESSIONS, new_session(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 403
    marked = api_viewer.post(
        f"{SESSIONS}/{session.pk}/attendance",
        {"present": [staff_member.pk]},
        content_type="application/json",
    )
    assert marked.status_code == 403
    assert Dissemination.objects.count() == 1


def test_outsider_gets_404_recording_for_another_organisation(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.post(
        SESSIONS, new_session(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 404


def test_attendance_of_someone_from_elsewhere_is_a_422(
    api_officer: Client, province: dict[str, Organisation], officer: User, staff_member: Any
) -> None:
    elsewhere = make_session(province["commune"], officer)
    response = api_officer.post(
        f"{SESSIONS}/{elsewhere.pk}/attendance",
        {"present": [staff_member.pk]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "present"]


# --- acknowledgements ---------------------------------------------------------------------


def test_head_records_acknowledgements_and_they_are_listed_by_organisation(
    api_head: Client,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    catalogue: dict[str, CodeVersion],
) -> None:
    response = api_head.post(
        ACKS,
        {"organisation": province["dept_justice"].pk, "staff": [staff_member.pk]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    [ack] = response.json()
    assert ack["staff"]["full_name"] == "Nguyễn Văn Đức"
    assert ack["code_version"]["version"] == "2025"
    assert ack["method"] == "recorded"
    listed = api_head.get(ACKS, {"organisation": province["dept_justice"].pk})
    assert ids(listed) == [ack["id"]]
    assert listed.json()["items"][0]["organisation"]["code"] == "H56.02"
    assert ids(api_head.get(ACKS, {"method": "self"})) == []


def test_outsider_gets_404_listing_another_organisations_acknowledgements(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.get(ACKS, {"organisation": province["dept_justice"].pk})
    assert response.status_code == 404


def test_viewer_gets_403_recording_acknowledgements(
    api_viewer: Client,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    catalogue: dict[str, CodeVersion],
) -> None:
    response = api_viewer.post(
        ACKS,
        {"organisation": province["dept_justice"].pk, "staff": [staff_member.pk]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Acknowledgement.objects.exists()


def test_a_staff_member_acknowledges_the_code_for_themselves(
    staff_user: User, catalogue: dict[str, CodeVersion]
) -> None:
    client = client_for(staff_user)
    response = client.post(f"{ACKS}/self")
    assert response.status_code == 201, response.content
    [ack] = response.json()
    assert ack["method"] == "self"
    assert ack["staff"]["staff_code"] == "STP-001"


def test_someone_who_is_not_a_staff_member_gets_404_acknowledging(
    api_officer: Client, catalogue: dict[str, CodeVersion]
) -> None:
    assert api_officer.post(f"{ACKS}/self").status_code == 404


def test_head_edits_a_session_viewer_gets_403_outsider_404(
    api_head: Client, api_viewer: Client, api_outsider: Client, session: Dissemination
) -> None:
    body = {
        "held_on": "2025-03-12",
        "format": "training",
        "content": "Tập huấn Bộ quy tắc ứng xử",
        "participants": 55,
    }
    url = f"{SESSIONS}/{session.pk}"
    assert api_viewer.put(url, body, content_type="application/json").status_code == 403
    assert api_outsider.put(url, body, content_type="application/json").status_code == 404
    response = api_head.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.held_on, session.format, session.participants) == (
        dt.date(2025, 3, 12),
        "training",
        55,
    )
