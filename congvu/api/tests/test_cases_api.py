"""The cases API: scoped reads, the handlers' writes, and the citizen's two calls."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases import reporter
from congvu.cases.models import Case, CaseEvent, Track
from congvu.conduct.models import Clause
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer

REPORTER_NAME = "Trần Thị Báo Tin"
REPORTER_PHONE = "0987654321"
REPORTER_EMAIL = "baotin@example.vn"
PASSPHRASE = "abcd-efgh-jkmn-pqrs-tuvw-xyz2"


def make_case(
    organisation: Organisation,
    *,
    status: str = Case.Status.RECEIVED,
    staff: StaffMember | None = None,
    handling: Organisation | None = None,
    named: bool = False,
    days_ago: int = 0,
    **fields: Any,
) -> Case:
    """A case as `submit_report` would leave it, written directly (any state, any date)."""
    today = timezone.localdate()
    received = timezone.now() - dt.timedelta(days=days_ago)
    values: dict[str, Any] = {
        "track": Track.FEEDBACK,
        "channel": Case.Channel.WEB,
        "status": status,
        "organisation": organisation,
        "handling_organisation": handling or organisation,
        "subject_staff": staff,
        "subject_description": "" if staff else "Cán bộ quầy số 3",
        "description": "Cán bộ đòi tiền bồi dưỡng mới nhận hồ sơ.",
        "received_at": received,
        "acknowledge_due": today - dt.timedelta(days=days_ago) + dt.timedelta(days=7),
        "passphrase_hash": reporter.hash_passphrase(PASSPHRASE)
        if "passphrase_hash" not in fields
        else fields.pop("passphrase_hash"),
        "is_anonymous": not named,
    }
    if named:
        values.update(
            reporter_name=REPORTER_NAME,
            reporter_phone=REPORTER_PHONE,
            reporter_email=REPORTER_EMAIL,
        )
    if status in (Case.Status.ACCEPTED, Case.Status.INVESTIGATING, Case.Status.CONCLUDED):
        values.update(accepted_at=received, settle_due=today + dt.timedelta(days=30))
    if status == Case.Status.CONCLUDED:
        values.update(outcome=Case.Outcome.SUBSTANTIATED, concluded_at=timezone.now())
    if status == Case.Status.CLOSED:
        values.update(
            outcome=Case.Outcome.PARTLY,
            accepted_at=received,
            concluded_at=timezone.now(),
            closed_at=timezone.now(),
        )
    if status == Case.Status.REJECTED:
        values.update(reject_reason=Case.RejectReason.INSUFFICIENT)
    values.update(fields)
    case = Case.objects.create(**values)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.CREATED,
        audience=CaseEvent.Audience.INTERNAL,
        body="Tiếp nhận",
        created_at=received,
    )
    return case


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def seed(province: dict[str, Organisation]) -> None:
    from congvu.conduct.services import load_seed_catalogue

    load_seed_catalogue(scope=province["root"], actor=None, activate=True)


@pytest.fixture
def justice_case(province: dict[str, Organisation], staff_member: StaffMember) -> Case:
    return make_case(province["dept_justice"], staff=staff_member, named=True)


# --- reads ------------------------------------------------------------------------------------


def test_a_head_lists_the_cases_of_their_department_and_not_the_communes(
    api_head: Client, province: dict[str, Organisation], justice_case: Case
) -> None:
    make_case(province["commune"])
    response = api_head.get("/api/v1/cases")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["items"]] == [justice_case.code]


def test_the_list_filters_by_status_track_organisation_and_overdue(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    late = make_case(province["dept_justice"], days_ago=40)
    late.acknowledge_due = timezone.localdate() - dt.timedelta(days=3)
    late.save()
    accepted = make_case(province["commune"], status=Case.Status.ACCEPTED)
    denunciation = make_case(province["dept_home"], track=Track.DENUNCIATION)

    def codes(query: str) -> set[str]:
        response = api_officer.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.content
        return {row["code"] for row in response.json()["items"]}

    assert codes("status=accepted") == {accepted.code}
    assert codes("track=denunciation") == {denunciation.code}
    assert codes(f"organisation={province['commune'].pk}") == {accepted.code}
    assert codes("overdue=true") == {late.code}
    assert codes("overdue=false") == {accepted.code, denunciation.code}


def test_a_bad_filter_is_a_422_with_a_message(api_officer: Client, province: Any) -> None:
    response = api_officer.get("/api/v1/cases?status=lost")
    assert response.status_code == 422
    assert api_officer.get("/api/v1/cases?organisation=0").status_code == 422


def test_a_viewer_without_case_view_is_refused_the_list(api_viewer: Client) -> None:
    assert api_viewer.get("/api/v1/cases").status_code == 403


def test_the_handler_sees_the_reporters_identity(api_head: Client, justice_case: Case) -> None:
    response = api_head.get(f"/api/v1/cases/{justice_case.code}")
    assert response.status_code == 200
    body = response.json()
    assert body["reporter"] == {
        "name": REPORTER_NAME,
        "phone": REPORTER_PHONE,
        "email": REPORTER_EMAIL,
    }
    assert body["description"] == justice_case.description
    assert "accepted" in body["allowed_transitions"]


def test_an_inspector_with_case_view_only_never_gets_the_reporters_identity(
    province: dict[str, Organisation], justice_case: Case
) -> None:
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    response = bearer(inspector).get(f"/api/v1/cases/{justice_case.code}")
    assert response.status_code == 200
    assert response.json()["reporter"] is None
    text = json.dumps(response.json(), ensure_ascii=False)
    assert REPORTER_NAME not in text and REPORTER_PHONE not in text


def test_the_codes_are_case_insensitive(api_head: Client, justice_case: Case) -> None:
    assert api_head.get(f"/api/v1/cases/{justice_case.code.lower()}").status_code == 200


def test_an_outsider_gets_404_for_a_case_and_its_events(
    api_outsider: Client, justice_case: Case
) -> None:
    assert api_outsider.get(f"/api/v1/cases/{justice_case.code}").status_code == 404
    assert api_outsider.get(f"/api/v1/cases/{justice_case.code}/events").status_code == 404


def test_an_unknown_code_is_a_404(api_officer: Client, province: Any) -> None:
    response = api_officer.get("/api/v1/cases/PA-AAAAAAAAAA")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Không tìm thấy")


def test_a_viewer_of_the_organisation_gets_403(api_viewer: Client, justice_case: Case) -> None:
    assert api_viewer.get(f"/api/v1/cases/{justice_case.code}").status_code == 403


def test_the_events_carry_their_audience(api_head: Client, head: User, justice_case: Case) -> None:
    CaseEvent.objects.create(
        case=justice_case,
        kind=CaseEvent.Kind.TO_REPORTER,
        audience=CaseEvent.Audience.REPORTER,
        body="Chúng tôi đã nhận phản ánh.",
        actor=head,
        created_at=timezone.now(),
    )
    response = api_head.get(f"/api/v1/cases/{justice_case.code}/events")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(e["kind"], e["audience"]) for e in items] == [
        ("created", "internal"),
        ("to_reporter", "reporter"),
    ]
    assert items[1]["actor"]["full_name"] == "head"


def test_anonymous_callers_get_401(anonymous: Client, justice_case: Case) -> None:
    assert anonymous.get("/api/v1/cases").status_code == 401
    assert anonymous.get(f"/api/v1/cases/{justice_case.code}").status_code == 401


# --- writes -----------------------------------------------------------------------------------


def test_a_head_records_a_phone_report_and_gets_its_passphrase_once(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember, seed: None
) -> None:
    clause = Clause.objects.get(code="II.1.c", section__version__scope=province["root"])
    response = post(
        api_head,
        "/api/v1/cases",
        {
            "track": "denunciation",
            "channel": "phone",
            "subject_staff": staff_member.pk,
            "clause_ids": [clause.pk],
            "description": "Người dân gọi điện báo cán bộ đòi tiền để giải quyết nhanh.",
            "is_anonymous": False,
            "reporter_name": REPORTER_NAME,
            "reporter_phone": REPORTER_PHONE,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(code=body["code"])
    assert case.channel == "phone" and case.track == "denunciation"
    assert body["reporter"]["name"] == REPORTER_NAME
    assert reporter.follow(case.code, body["passphrase"]) == case
    assert "passphrase" not in api_head.get(f"/api/v1/cases/{case.code}").json()


def test_an_intake_with_bad_input_is_a_422_and_writes_nothing(
    api_head: Client, province: dict[str, Organisation], seed: None
) -> None:
    response = post(
        api_head,
        "/api/v1/cases",
        {"organisation": province["dept_justice"].pk, "description": "", "clause_ids": [999999]},
    )
    assert response.status_code == 422
    assert Case.objects.count() == 0


def test_an_intake_in_the_outsiders_organisation_is_a_404(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = post(
        api_outsider,
        "/api/v1/cases",
        {
            "organisation": province["dept_justice"].pk,
            "subject_description": "Cán bộ quầy 2",
            "other_standard": "Đòi tiền",
            "description": "Cán bộ đòi tiền để giải quyết nhanh hồ sơ của tôi.",
        },
    )
    assert response.status_code == 404
    assert Case.objects.count() == 0


def test_a_viewer_cannot_record_a_report(
    api_viewer: Client, province: dict[str, Organisation]
) -> None:
    response = post(
        api_viewer,
        "/api/v1/cases",
        {
            "organisation": province["dept_justice"].pk,
            "subject_description": "Cán bộ quầy 2",
            "other_standard": "Đòi tiền",
            "description": "Cán bộ đòi tiền để giải quyết nhanh hồ sơ của tôi.",
        },
    )
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_a_handler_accepts_then_concludes_a_case(api_head: Client, justice_case: Case) -> None:
    url = f"/api/v1/cases/{justice_case.code}/transitions"
    response = post(api_head, url, {"to": "accepted", "note": "Đủ điều kiện thụ lý"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert post(api_head, url, {"to": "investigating"}).status_code == 200
    response = post(
        api_head,
        url,
        {"to": "concluded", "outcome": "substantiated", "conclusion": "Có căn cứ."},
    )
    assert response.status_code == 200, response.content
    justice_case.refresh_from_db()
    assert justice_case.status == "concluded" and justice_case.outcome == "substantiated"


def test_an_illegal_transition_is_a_422(api_head: Client, justice_case: Case) -> None:
    response = post(api_head, f"/api/v1/cases/{justice_case.code}/transitions", {"to": "closed"})
    assert response.status_code == 422
    justice_case.refresh_from_db()
    assert justice_case.status == "received"


def test_a_viewer_cannot_move_a_case_and_an_outsider_cannot_find_it(
    api_viewer: Client, api_outsider: Client, justice_case: Case
) -> None:
    url = f"/api/v1/cases/{justice_case.code}/transitions"
    assert post(api_viewer, url, {"to": "accepted"}).status_code == 403
    assert post(api_outsider, url, {"to": "accepted"}).status_code == 404
    justice_case.refresh_from_db()
    assert justice_case.status == "received"


def test_a_handler_writes_a_note_and_a_message_to_the_reporter(
    api_head: Client, justice_case: Case
) -> None:
    url = f"/api/v1/cases/{justice_case.code}/events"
    note = post(api_head, url, {"kind": "note", "body": "Gọi lại cho phòng."})
    assert note.status_code == 201, note.content
    assert note.json()["audience"] == "internal"
    reply = post(api_head, url, {"kind": "to_reporter", "body": "Đã chuyển phòng xác minh."})
    assert reply.status_code == 201
    assert reply.json()["audience"] == "reporter"
    assert post(api_head, url, {"kind": "created", "body": "x"}).status_code == 422
    assert post(api_head, url, {"kind": "note", "body": "   "}).status_code == 422


def test_an_extension_needs_a_case_being_settled(api_head: Client, justice_case: Case) -> None:
    url = f"/api/v1/cases/{justice_case.code}/extensions"
    assert post(api_head, url, {"reason": "Cần thêm thời gian."}).status_code == 422
    justice_case.status = Case.Status.INVESTIGATING
    justice_case.track = Track.DENUNCIATION
    justice_case.settle_due = timezone.localdate() + dt.timedelta(days=5)
    justice_case.accepted_at = timezone.now()
    justice_case.save()
    response = post(api_head, url, {"reason": "Vụ việc phức tạp, cần xác minh thêm."})
    assert response.status_code == 200, response.content
    assert response.json()["extensions"] == 1


# --- the citizen ------------------------------------------------------------------------------


def test_a_citizen_files_an_anonymous_report_and_follows_it(
    anonymous: Client, province: dict[str, Organisation], staff_member: StaffMember, seed: None
) -> None:
    clause = Clause.objects.get(code="II.1.c", section__version__scope=province["root"])
    response = post(
        anonymous,
        "/api/v1/public/cases",
        {
            "badge_token": staff_member.badge_token,
            "clause_ids": [clause.pk],
            "description": "Cán bộ gợi ý đưa tiền thì hồ sơ sẽ xong sớm hơn.",
        },
    )
    assert response.status_code == 201, response.content
    receipt = response.json()
    case = Case.objects.get(code=receipt["code"])
    assert case.is_anonymous and case.subject_staff == staff_member
    assert receipt["passphrase"] and receipt["code"] in receipt["notice"]

    followed = post(
        anonymous,
        "/api/v1/public/cases/follow",
        {"code": receipt["code"].lower(), "passphrase": receipt["passphrase"]},
    )
    assert followed.status_code == 200, followed.content
    assert followed.json()["code"] == case.code
    assert followed.json()["status"] == "Đã tiếp nhận, đang xem xét"
    # The passphrase and the case are kept by no cache, as on the web's receipt and page.
    for answer in (response, followed):
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


def test_a_citizens_report_with_bad_input_is_a_422_and_nothing_is_saved(
    anonymous: Client, province: Any, seed: None
) -> None:
    response = post(anonymous, "/api/v1/public/cases", {"organisation": "NOPE", "description": ""})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "organisation"]
    assert Case.objects.count() == 0


def test_the_reporter_sees_only_what_is_addressed_to_them(
    anonymous: Client, head: User, justice_case: Case
) -> None:
    for kind, audience, body in [
        (CaseEvent.Kind.NOTE, CaseEvent.Audience.INTERNAL, "Ghi chú nội bộ bí mật"),
        (CaseEvent.Kind.TO_SUBJECT, CaseEvent.Audience.SUBJECT, "Đề nghị giải trình"),
        (CaseEvent.Kind.TO_REPORTER, CaseEvent.Audience.REPORTER, "Cảm ơn bạn đã phản ánh"),
    ]:
        CaseEvent.objects.create(
            case=justice_case,
            kind=kind,
            audience=audience,
            body=body,
            actor=head,
            created_at=timezone.now(),
        )
    response = post(
        anonymous,
        "/api/v1/public/cases/follow",
        {"code": justice_case.code, "passphrase": PASSPHRASE},
    )
    assert response.status_code == 200
    assert [e["body"] for e in response.json()["events"]] == ["Cảm ơn bạn đã phản ánh"]


def test_following_needs_no_account_but_a_wrong_passphrase_is_a_404(
    anonymous: Client, justice_case: Case
) -> None:
    response = post(
        anonymous,
        "/api/v1/public/cases/follow",
        {"code": justice_case.code, "passphrase": "wrong-wrong"},
    )
    assert response.status_code == 404
    assert "Wrong tracking code or passphrase" in response.json()["detail"]


def test_the_public_calls_refuse_bodies_that_are_not_objects(anonymous: Client, db: Any) -> None:
    response = anonymous.post("/api/v1/public/cases/follow", "[]", content_type="application/json")
    assert response.status_code == 422
    response = anonymous.post("/api/v1/public/cases", "not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_the_passphrase_hash_is_never_in_an_answer(api_head: Client, justice_case: Case) -> None:
    body = api_head.get(f"/api/v1/cases/{justice_case.code}").content.decode()
    assert justice_case.passphrase_hash not in body
    assert "passphrase" not in body
