"""The inspections API: scoped reads, the team's writes, the organisation's answer."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case
from congvu.core.tests.media_helpers import docx_bytes, jpeg_with_gps, pdf, zip_bomb
from congvu.inspections import services, workflow
from congvu.inspections.models import Inspection, InspectionFile
from congvu.inspections.tests.conftest import (
    PLANNED_ON,
    answer_all,
    concluded_with_breach,
    plan,
    start,
)
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import make_user
from .conftest import bearer

SOON = (PLANNED_ON + dt.timedelta(days=2)).isoformat()

BASE = "/api/v1/inspections"


@pytest.fixture
def focal(province: dict[str, Organisation]) -> User:
    return make_user("focal", Role.FOCAL_POINT, province["dept_justice"])


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_the_inspector_plans_starts_answers_and_concludes_through_the_api(
    province: dict[str, Organisation], api_inspector: Client, inspector: User
) -> None:
    response = post(
        api_inspector,
        BASE,
        {
            "organisation": province["dept_justice"].pk,
            "kind": "unannounced",
            "planned_on": SOON,
            "purpose": "Kiểm tra bộ phận một cửa",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    code = created["code"]
    assert created["lead"]["id"] == inspector.pk and created["status"] == "planned"
    started = post(api_inspector, f"{BASE}/{code}/start", {}).json()
    assert started["status"] == "in_progress"
    observations = started["observations"]
    assert observations and all(o["result"] == "" for o in observations)
    refused = post(api_inspector, f"{BASE}/{code}/conclude", {"conclusion": "Đạt"})
    assert refused.status_code == 422
    assert "chưa có kết quả" in refused.json()["detail"][0]["msg"]
    answers = [{"observation": o["id"], "result": "kept"} for o in observations]
    answers[0] = {
        "observation": observations[0]["id"],
        "result": "breached",
        "note": "Không đeo thẻ",
    }
    assert (
        post(api_inspector, f"{BASE}/{code}/observations", {"answers": answers}).status_code == 200
    )
    concluded = post(api_inspector, f"{BASE}/{code}/conclude", {"conclusion": "Đạt"}).json()
    assert concluded["status"] == "concluded" and concluded["conclusion"] == "Đạt"
    assert [o["result"] for o in concluded["observations"]].count("breached") == 1
    assert list(
        AuditEvent.objects.filter(object_id=str(Inspection.objects.get(code=code).pk))
        .filter(action__startswith="inspection.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "inspection.plan",
        "inspection.in_progress",
        "inspection.observe",
        "inspection.concluded",
    ]


def test_a_breach_without_a_note_is_a_422_naming_the_field(
    province: dict[str, Organisation], api_inspector: Client, inspector: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.first()
    assert first is not None
    response = post(
        api_inspector,
        f"{BASE}/{inspection.code}/observations",
        {"answers": [{"observation": first.pk, "result": "breached"}]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", f"note-{first.pk}"]


def test_the_list_is_scoped_and_searchable_without_accents(
    province: dict[str, Organisation],
    api_inspector: Client,
    inspector: User,
    api_outsider: Client,
    api_viewer: Client,
) -> None:
    justice = plan(province["dept_justice"], inspector)
    plan(province["commune"], inspector)
    found = api_inspector.get(BASE, {"q": "tu phap"}).json()
    assert [i["code"] for i in found["items"]] == [justice.code]
    assert found["items"][0]["organisation"]["name"] == "Sở Tư pháp"
    outsider = api_outsider.get(BASE).json()
    assert justice.code not in [i["code"] for i in outsider["items"]]
    assert api_viewer.get(BASE).status_code == 403


def test_detail_is_404_for_an_outsider_and_403_for_a_viewer(
    province: dict[str, Organisation],
    api_inspector: Client,
    inspector: User,
    api_outsider: Client,
    api_viewer: Client,
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert api_inspector.get(f"{BASE}/{inspection.code}").status_code == 200
    assert api_outsider.get(f"{BASE}/{inspection.code}").status_code == 404
    assert api_viewer.get(f"{BASE}/{inspection.code}").status_code == 403


def test_an_unannounced_inspection_is_hidden_from_the_head_until_it_starts(
    province: dict[str, Organisation], inspector: User, api_head: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind="unannounced")
    assert api_head.get(f"{BASE}/{inspection.code}").status_code == 404
    assert api_head.get(BASE).json()["count"] == 0
    start(inspection, inspector)
    seen = api_head.get(f"{BASE}/{inspection.code}").json()
    assert seen["status"] == "in_progress"
    assert seen["findings_visible"] is False and seen["observations"] == []
    assert seen["allowed_transitions"] == []


def test_writes_are_refused_to_a_head_and_hidden_from_an_outsider(
    province: dict[str, Organisation], inspector: User, api_head: Client, api_outsider: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert post(api_head, f"{BASE}/{inspection.code}/start", {}).status_code == 403
    assert post(api_outsider, f"{BASE}/{inspection.code}/start", {}).status_code == 404
    assert (
        post(
            api_head,
            BASE,
            {
                "organisation": province["dept_justice"].pk,
                "kind": "scheduled",
                "planned_on": SOON,
            },
        ).status_code
        == 403
    )
    assert (
        post(
            api_outsider,
            BASE,
            {
                "organisation": province["dept_justice"].pk,
                "kind": "scheduled",
                "planned_on": SOON,
            },
        ).status_code
        == 404
    )
    inspection.refresh_from_db()
    assert inspection.status == "planned"


def test_cancel_needs_a_reason_and_is_refused_to_a_head(
    province: dict[str, Organisation], inspector: User, api_inspector: Client, api_head: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert (
        post(api_inspector, f"{BASE}/{inspection.code}/cancel", {"reason": " "}).status_code == 422
    )
    assert post(api_head, f"{BASE}/{inspection.code}/cancel", {"reason": "x"}).status_code == 403
    done = post(api_inspector, f"{BASE}/{inspection.code}/cancel", {"reason": "Trùng lịch"})
    assert done.json()["status"] == "cancelled"


def test_a_breach_opens_a_case_once_and_the_case_is_listed_for_handlers(
    province: dict[str, Organisation],
    inspector: User,
    api_inspector: Client,
    api_officer: Client,
    api_head: Client,
    api_outsider: Client,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    path = f"{BASE}/{inspection.code}/observations/{breach.pk}/case"
    assert post(api_head, path, {}).status_code == 403
    assert post(api_outsider, path, {}).status_code == 404
    first = post(api_inspector, path, {})
    assert first.status_code == 201
    code = first.json()["code"]
    assert post(api_inspector, path, {}).status_code == 200
    assert Case.objects.count() == 1
    listed = api_officer.get("/api/v1/cases").json()
    assert code in [c["code"] for c in listed["items"]]
    detail = api_officer.get(f"/api/v1/cases/{code}").json()
    assert detail["channel"] == "inspection"


def test_a_corrective_action_is_set_and_answered_by_the_focal_point(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    api_inspector: Client,
    api_viewer: Client,
    api_outsider: Client,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    path = f"{BASE}/{inspection.code}/observations/{breach.pk}/corrective-actions"
    assert post(api_inspector, path, {"description": "Đeo thẻ", "days": 0}).status_code == 422
    created = post(api_inspector, path, {"description": "Đeo thẻ", "days": 5})
    assert created.status_code == 201
    action = created.json()
    assert action["status"] == "open" and action["is_overdue"] is False
    answer = f"{BASE}/{inspection.code}/corrective-actions/{action['id']}/response"
    assert post(api_viewer, answer, {"response": "x"}).status_code == 403
    assert post(api_outsider, answer, {"response": "x"}).status_code == 404
    api_focal = bearer(focal)
    done = post(api_focal, answer, {"response": "Đã nhắc toàn cơ quan", "done": True})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["done_at"]
    seen = api_focal.get(f"{BASE}/{inspection.code}").json()
    breached = [o for o in seen["observations"] if o["result"] == "breached"]
    assert breached[0]["corrective_actions"][0]["response"] == "Đã nhắc toàn cơ quan"


def test_the_organisation_cannot_answer_before_the_conclusion(
    province: dict[str, Organisation], inspector: User, focal: User, staff_member: StaffMember
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1, staff_id=staff_member.pk)[0]
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    response = post(
        bearer(focal),
        f"{BASE}/{inspection.code}/corrective-actions/{action.pk}/response",
        {"response": "Đã làm"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("start", {}),
        ("observations", {"answers": [{"observation": 1, "result": "kept"}]}),
        ("conclude", {"conclusion": "Đạt"}),
        ("cancel", {"reason": "Trùng lịch"}),
        ("observations/{breach}/case", {}),
        ("observations/{breach}/corrective-actions", {"description": "Đeo thẻ"}),
    ],
)
def test_every_team_operation_is_404_for_an_outsider_and_403_for_a_viewer_and_a_head(
    province: dict[str, Organisation],
    inspector: User,
    api_outsider: Client,
    api_viewer: Client,
    api_head: Client,
    suffix: str,
    body: dict[str, Any],
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    path = f"{BASE}/{inspection.code}/" + suffix.format(breach=breach.pk)
    assert post(api_outsider, path, body).status_code == 404
    assert post(api_viewer, path, body).status_code == 403
    assert post(api_head, path, body).status_code == 403
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"
    assert not Case.objects.exists()


# --- evidence files -------------------------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_inspector_uploads_a_photo_lists_it_and_downloads_it_with_the_token(
    province: dict[str, Organisation], inspector: User, api_inspector: Client, media: Any
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.order_by("order").first()
    assert first is not None
    path = f"{BASE}/{inspection.code}/observations/{first.pk}/files"
    response = api_inspector.post(path, {"files": [jpeg_with_gps("the.jpg"), pdf("bien-ban.pdf")]})
    assert response.status_code == 201, response.content
    files = response.json()["files"]
    assert [(f["name"], f["content_type"]) for f in files] == [
        ("the.jpg", "image/jpeg"),
        ("bien-ban.pdf", "application/pdf"),
    ]
    photo = InspectionFile.objects.get(original_name="the.jpg")
    assert files[0]["sha256"] == photo.sha256 and files[0]["size"] == photo.size
    assert files[0]["uploaded_by"]["id"] == inspector.pk
    assert files[0]["download_url"] == f"{BASE}/{inspection.code}/files/{photo.pk}"
    detail = api_inspector.get(f"{BASE}/{inspection.code}").json()
    seen = next(o for o in detail["observations"] if o["id"] == first.pk)
    assert [f["id"] for f in seen["files"]] == [f["id"] for f in files]
    shown = api_inspector.get(files[0]["download_url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"SecretPhone" not in b"".join(shown.streaming_content)  # type: ignore[attr-defined]
    document = api_inspector.get(files[1]["download_url"])
    assert document["Content-Disposition"].startswith("attachment")


def test_a_refused_upload_is_a_422_naming_each_file_and_stores_nothing(
    province: dict[str, Organisation], inspector: User, api_inspector: Client, media: Any
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.order_by("order").first()
    assert first is not None
    path = f"{BASE}/{inspection.code}/observations/{first.pk}/files"
    fake = SimpleUploadedFile("the.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
    bomb = SimpleUploadedFile("bao-cao.docx", zip_bomb(docx_bytes()))
    response = api_inspector.post(path, {"files": [pdf(), fake, bomb]})
    assert response.status_code == 422
    messages = [d["msg"] for d in response.json()["detail"]]
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {("body", "files")}
    assert any("Loại tệp không được chấp nhận: the.jpg" in m for m in messages)
    assert any("bao-cao.docx là tệp nén bất thường" in m for m in messages)
    assert not InspectionFile.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]
    text_part = api_inspector.post(path, {"files": "khong-phai-tep"})
    assert text_part.status_code == 422


def test_upload_and_download_are_404_for_an_outsider_and_403_for_a_viewer(
    province: dict[str, Organisation],
    inspector: User,
    api_outsider: Client,
    api_viewer: Client,
    api_head: Client,
    media: Any,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.order_by("order").first()
    assert first is not None
    services.attach_evidence(first, actor=inspector, files=[pdf()])
    item = InspectionFile.objects.get()
    upload = f"{BASE}/{inspection.code}/observations/{first.pk}/files"
    download = f"{BASE}/{inspection.code}/files/{item.pk}"
    for client, status in ((api_outsider, 404), (api_viewer, 403), (api_head, 403)):
        assert client.post(upload, {"files": [pdf()]}).status_code == status
    assert api_outsider.get(download).status_code == 404
    assert api_viewer.get(download).status_code == 403
    assert api_head.get(download).status_code == 404  # findings hidden until concluded
    assert api_head.delete(download).status_code == 404
    answer_all(inspection, inspector)
    workflow.transition(inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Đạt")
    assert api_head.get(download).status_code == 200
    assert api_head.delete(download).status_code == 403
    assert InspectionFile.objects.count() == 1


def test_the_uploader_deletes_a_file_while_in_progress_but_not_after_the_conclusion(
    province: dict[str, Organisation], inspector: User, api_inspector: Client, media: Any
) -> None:
    colleague = make_user("dongnghiep", Role.INSPECTOR, province["root"])
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.order_by("order").first()
    assert first is not None
    services.attach_evidence(first, actor=inspector, files=[pdf("1.pdf"), pdf("2.pdf")])
    one, two = InspectionFile.objects.order_by("pk")
    assert bearer(colleague).delete(f"{BASE}/{inspection.code}/files/{one.pk}").status_code == 403
    assert api_inspector.delete(f"{BASE}/{inspection.code}/files/{one.pk}").status_code == 204
    assert api_inspector.delete(f"{BASE}/{inspection.code}/files/{one.pk}").status_code == 404
    answer_all(inspection, inspector)
    workflow.transition(inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Đạt")
    refused = api_inspector.delete(f"{BASE}/{inspection.code}/files/{two.pk}")
    assert refused.status_code == 422
    assert "không xóa được" in refused.json()["detail"][0]["msg"]
    assert list(InspectionFile.objects.all()) == [two]
    late = api_inspector.post(
        f"{BASE}/{inspection.code}/observations/{first.pk}/files", {"files": [pdf()]}
    )
    assert late.status_code == 422


def test_the_focal_point_uploads_proof_to_an_open_corrective_action(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    api_inspector: Client,
    api_viewer: Client,
    api_outsider: Client,
    media: Any,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    path = f"{BASE}/{inspection.code}/corrective-actions/{action.pk}/files"
    assert api_outsider.post(path, {"files": [pdf()]}).status_code == 404
    assert api_viewer.post(path, {"files": [pdf()]}).status_code == 403
    assert api_inspector.post(path, {"files": [pdf()]}).status_code == 403
    api_focal = bearer(focal)
    response = api_focal.post(path, {"files": [jpeg_with_gps("bien-ten.jpg")]})
    assert response.status_code == 201, response.content
    assert [f["name"] for f in response.json()["files"]] == ["bien-ten.jpg"]
    seen = api_focal.get(f"{BASE}/{inspection.code}").json()
    breached = next(o for o in seen["observations"] if o["id"] == breach.pk)
    assert breached["files"] == []  # the team's evidence only
    assert [f["name"] for f in breached["corrective_actions"][0]["files"]] == ["bien-ten.jpg"]
    item = InspectionFile.objects.get()
    assert api_inspector.get(f"{BASE}/{inspection.code}/files/{item.pk}").status_code == 200
    services.respond(action, actor=focal, response="Xong", done=True)
    assert api_focal.post(path, {"files": [pdf()]}).status_code == 422


# --- the case names the inspection it came from ---------------------------------------------


def test_a_case_opened_from_a_breach_names_its_inspection_to_those_who_may_open_it(
    province: dict[str, Organisation],
    inspector: User,
    api_officer: Client,
    api_head: Client,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    case = services.open_case(breach, actor=inspector)
    source = api_officer.get(f"/api/v1/cases/{case.code}").json()["source_inspection"]
    assert source == {
        "code": inspection.code,
        "url": f"{BASE}/{inspection.code}",
        "observation": breach.pk,
        "clause": {
            "id": breach.clause.pk,
            "code": breach.clause.code,
            "short_title": breach.clause.short_title,
            "short_title_en": breach.clause.short_title_en,
        },
    }
    assert api_officer.get(source["url"]).status_code == 200
    # The inspected organisation's head handles the case and sees the inspection, but its
    # findings (so which observation) only once it is concluded.
    seen = api_head.get(f"/api/v1/cases/{case.code}")
    assert seen.status_code == 200
    assert seen.json()["source_inspection"]["code"] == inspection.code
    assert seen.json()["source_inspection"]["observation"] is None
    answer_all(inspection, inspector, breach=1)
    workflow.transition(inspection, Inspection.Status.CONCLUDED, actor=inspector, conclusion="Đạt")
    seen = api_head.get(f"/api/v1/cases/{case.code}").json()
    assert seen["source_inspection"]["observation"] == breach.pk
    # A case handler who may not open inspections reads the case without the reference.
    handler = bearer(make_user("xuly", Role.CASE_HANDLER, province["root"]))
    detail = handler.get(f"/api/v1/cases/{case.code}")
    assert detail.status_code == 200 and detail.json()["source_inspection"] is None
    assert handler.get(f"{BASE}/{inspection.code}").status_code == 403


def test_a_case_not_opened_from_an_inspection_names_none(
    province: dict[str, Organisation], api_officer: Client
) -> None:
    created = post(
        api_officer,
        "/api/v1/cases",
        {
            "channel": "inspection",
            "organisation": province["dept_justice"].pk,
            "subject_description": "Cán bộ quầy số 2",
            "description": "Ghi nhận qua điện thoại sau một cuộc kiểm tra.",
        },
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert api_officer.get(f"/api/v1/cases/{code}").json()["source_inspection"] is None
