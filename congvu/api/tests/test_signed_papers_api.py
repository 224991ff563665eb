"""The signed copies through the API: listed with the same scoping as the papers,
recorded and replaced as multipart (422 with a bilingual message on bad input or before
the conclusion, 403/404 as the pages), the scan downloaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.cases import services as case_services
from congvu.cases.models import Case, Track
from congvu.cases.models import SignedPaper as CaseSignedPaper
from congvu.cases.tests.office_helpers import move
from congvu.conftest import make_user
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.inspections.models import Inspection, SignedPaper
from congvu.inspections.tests.conftest import answer_all, conclude, plan, start
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer

API = "/api/v1"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def scan(name: str = "ban-da-ky.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def form(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"number": "27/TB-SNV", "signed_on": yesterday(), "file": scan()}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def messages(response: Any) -> str:
    return " ".join(item["msg"] for item in response.json()["detail"])


@pytest.fixture
def concluded(province: dict[str, Organisation], inspector: User) -> Inspection:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    answer_all(inspection, inspector)
    inspection = conclude(inspection, inspector)
    Inspection.objects.filter(pk=inspection.pk).update(
        concluded_at=timezone.now() - dt.timedelta(days=2)
    )
    return inspection


def test_the_team_records_lists_replaces_and_downloads_a_signed_copy(
    concluded: Inspection, api_inspector: Client, inspector: User
) -> None:
    url = f"{API}/inspections/{concluded.code}/signed-papers"
    created = api_inspector.post(url, form(document="conclusion-notice", signer_title="Giám đốc"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "27/TB-SNV" and body["document"] == "conclusion-notice"
    assert body["current"] is True and body["content_type"] == "application/pdf"
    download = api_inspector.get(body["download_url"])
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")

    again = api_inspector.post(url, form(document="conclusion-notice", number="28/TB-SNV"))
    assert again.status_code == 422 and "lý do thay thế" in messages(again)
    replaced = api_inspector.post(
        url, form(document="conclusion-notice", number="28/TB-SNV", reason="Sai số")
    )
    assert replaced.status_code == 201
    listed = api_inspector.get(url).json()
    assert [(p["number"], p["current"]) for p in listed] == [
        ("28/TB-SNV", True),
        ("27/TB-SNV", False),
    ]
    assert listed[1]["replace_reason"] == "Sai số"
    assert AuditEvent.objects.filter(action="inspection.signed_paper_replaced").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": ""}, "Cần số hiệu"),
        ({"signed_on": None}, "Cần ngày ký"),
        ({"signed_on": "2999-01-01"}, "không được sau hôm nay"),
        ({"signed_on": "2020-01-01"}, "không được trước ngày kết luận"),
        ({"file": None}, "Cần tệp bản chụp"),
        ({"file": SimpleUploadedFile("x.pdf", b"MZ" + b"\0" * 64)}, "không phải PDF hay ảnh"),
        ({"document": "other"}, ""),
    ],
)
def test_bad_input_is_a_422_and_stores_nothing(
    concluded: Inspection, api_inspector: Client, fields: dict[str, Any], message: str
) -> None:
    data = form(**{"document": "minutes", **fields})
    response = api_inspector.post(f"{API}/inspections/{concluded.code}/signed-papers", data)
    assert response.status_code == 422
    assert message in messages(response)
    assert not SignedPaper.objects.exists()


def test_before_the_conclusion_and_for_others_it_is_refused(
    province: dict[str, Organisation],
    concluded: Inspection,
    inspector: User,
    api_inspector: Client,
    api_outsider: Client,
) -> None:
    running = start(plan(province["dept_justice"], inspector), inspector)
    refused = api_inspector.post(
        f"{API}/inspections/{running.code}/signed-papers", form(document="minutes")
    )
    assert refused.status_code == 422 and "đã kết luận" in messages(refused)

    url = f"{API}/inspections/{concluded.code}/signed-papers"
    focal = bearer(make_user("focal_api", Role.FOCAL_POINT, province["dept_justice"]))
    assert focal.post(url, form(document="minutes")).status_code == 403
    assert api_outsider.post(url, form(document="minutes")).status_code == 404
    assert api_outsider.get(url).status_code == 404
    assert not SignedPaper.objects.exists()
    api_inspector.post(url, form(document="minutes"))
    paper = SignedPaper.objects.get()
    assert [p["id"] for p in focal.get(url).json()] == [paper.pk]
    assert focal.get(f"{url}/{paper.pk}/file").status_code == 200
    assert api_outsider.get(f"{url}/{paper.pk}/file").status_code == 404


# --- cases ------------------------------------------------------------------------------------


@pytest.fixture
def case(head: User, staff_member: StaffMember) -> Case:
    receipt = case_services.submit_report(
        case_services.ReportInput(
            track=Track.DENUNCIATION,
            channel=Case.Channel.BADGE,
            subject_staff=staff_member,
            other_standard="Đòi tiền",
            description="Cán bộ đòi tiền.",
            is_anonymous=True,
        )
    )
    move(receipt.case, Case.Status.ACCEPTED, Case.Status.INVESTIGATING, actor=head)
    return receipt.case


def test_a_case_handler_records_the_signed_paper_once_concluded(
    case: Case, head: User, staff_user: User, api_head: Client, api_viewer: Client
) -> None:
    url = f"{API}/cases/{case.code}/signed-papers"
    early = api_head.post(url, form(number="12/KL-STP", signed_on=timezone.localdate().isoformat()))
    assert early.status_code == 422 and "đã có kết luận" in messages(early)
    move(case, Case.Status.CONCLUDED, actor=head)
    created = api_head.post(
        url, form(number="12/KL-STP", signed_on=timezone.localdate().isoformat())
    )
    assert created.status_code == 201, created.content
    assert api_viewer.post(url, form()).status_code == 403
    assert CaseSignedPaper.objects.count() == 1

    subject = bearer(staff_user)
    listed = subject.get(url)
    assert listed.status_code == 200 and [p["number"] for p in listed.json()] == ["12/KL-STP"]
    assert subject.get(listed.json()[0]["download_url"]).status_code == 200
    assert subject.post(url, form()).status_code == 404
    docx = api_head.get(f"{API}/cases/{case.code}/conclusion.docx")
    assert docx.status_code == 200
