"""The signed, numbered copy of an inspection's papers: recorded by the team once concluded
(number, date, signer, scan), refused clearly on bad input with nothing stored, replaced
only with a reason (the old one kept), printed into the re-generated papers, shown and
served to exactly those who may download the paper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.core.tests.media_helpers import jpeg_with_gps, pdf_bytes
from congvu.inspections.models import Inspection, SignedPaper
from congvu.organisations.models import Organisation
from congvu.reporting.documents import vn_date

from ...conftest import client_for, make_user
from .conftest import answer_all, conclude, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")

NOTICE = SignedPaper.Document.NOTICE
MINUTES = SignedPaper.Document.MINUTES


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def scan(name: str = "thong-bao-da-ky.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def concluded_days_ago(organisation: Organisation, inspector: User, days: int = 3) -> Inspection:
    inspection = start(plan(organisation, inspector), inspector)
    answer_all(inspection, inspector, breach=1)
    inspection = conclude(inspection, inspector)
    at = timezone.now() - dt.timedelta(days=days)
    Inspection.objects.filter(pk=inspection.pk).update(concluded_at=at)
    inspection.refresh_from_db()
    return inspection


@pytest.fixture
def concluded(province: dict[str, Organisation], inspector: User, media: Path) -> Inspection:
    return concluded_days_ago(province["dept_justice"], inspector)


def new_url(inspection: Inspection, document: str = NOTICE) -> str:
    return reverse("inspections:signed_new", args=[inspection.code, document])


def detail(client: Client, inspection: Inspection) -> str:
    response = client.get(reverse("inspections:detail", args=[inspection.code]))
    assert response.status_code == 200
    return response.content.decode()


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def post(client: Client, inspection: Inspection, document: str = NOTICE, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "number": "27/TB-SNV",
        "signed_on": f"{yesterday():%d/%m/%Y}",
        "signer_name": "Nguyễn Văn Bình",
        "signer_title": "Giám đốc",
        "file": scan(),
    }
    data.update(fields)
    sent = {key: value for key, value in data.items() if value is not None}
    return client.post(new_url(inspection, document), sent)


def stored_files(media: Path) -> list[Path]:
    return [p for p in (media / "inspections" / "signed").rglob("*") if p.is_file()]


# --- recording --------------------------------------------------------------------------------


def test_the_team_records_the_signed_notice_and_the_page_shows_it_with_its_scan(
    concluded: Inspection, as_inspector: Client, inspector: User, media: Path
) -> None:
    page = as_inspector.get(new_url(concluded))
    assert page.status_code == 200 and "data-date-input" in page.content.decode()

    response = post(as_inspector, concluded, number="  27/TB-SNV  ")
    assert response.status_code == 302

    paper = SignedPaper.objects.get()
    assert (paper.document, paper.number, paper.signed_on) == (NOTICE, "27/TB-SNV", yesterday())
    assert paper.original_name == "thong-bao-da-ky.pdf" and paper.content_type == "application/pdf"
    assert "thong-bao" not in paper.file.name  # stored under a random name
    html = detail(as_inspector, concluded)
    assert f"Bản đã ký: số 27/TB-SNV, ngày {yesterday():%d/%m/%Y}" in html
    link = reverse("inspections:signed_file", args=[concluded.code, paper.pk])
    assert link in html

    download = as_inspector.get(link)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    event = AuditEvent.objects.get(action="inspection.signed_paper_recorded")
    assert event.actor == inspector and event.data["paper"]["number"] == "27/TB-SNV"
    assert event.data["paper"]["sha256"] == paper.sha256
    assert "%PDF" not in str(event.data)


def test_a_photo_of_the_signed_minutes_is_accepted_too(
    concluded: Inspection, as_inspector: Client
) -> None:
    response = post(as_inspector, concluded, MINUTES, number="15/BB-ĐKT", file=jpeg_with_gps())
    assert response.status_code == 302
    paper = SignedPaper.objects.get(document=MINUTES)
    assert paper.content_type == "image/jpeg" and paper.number == "15/BB-ĐKT"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": ""}, "Cần số hiệu văn bản đã ký"),
        ({"number": " " * 3}, "Cần số hiệu văn bản đã ký"),
        ({"number": "1" * 51}, "50"),
        ({"signed_on": "tomorrow"}, "Ngày ký không được sau hôm nay"),
        ({"signed_on": "before"}, "Ngày ký không được trước ngày kết luận"),
        ({"signed_on": "31/02/2026"}, "Ngày không hợp lệ"),
        ({"file": "exe"}, "không phải PDF hay ảnh"),
        ({"file": "big"}, "quá lớn"),
        ({"file": None}, "Cần tệp bản chụp văn bản đã ký"),
    ],
)
def test_bad_input_is_refused_clearly_keeping_what_was_typed_and_storing_nothing(
    concluded: Inspection,
    as_inspector: Client,
    media: Path,
    settings: Any,
    fields: dict[str, Any],
    message: str,
) -> None:
    days = {
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "before": timezone.localdate() - dt.timedelta(days=10),
    }
    if fields.get("signed_on") in days:
        fields["signed_on"] = f"{days[fields['signed_on']]:%d/%m/%Y}"
    if fields.get("file") == "exe":
        fields["file"] = SimpleUploadedFile("ban-da-ky.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    if fields.get("file") == "big":
        settings.INSPECTIONS_UPLOAD_MAX_BYTES = 100
        fields["file"] = scan()
    response = post(as_inspector, concluded, signer_name="Nguyễn Văn Bình", **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Nguyễn Văn Bình"' in html  # the rest of the input is kept
    assert not SignedPaper.objects.exists()
    assert not (media / "inspections" / "signed").exists() or not stored_files(media)
    assert not AuditEvent.objects.filter(action__startswith="inspection.signed_paper").exists()


def test_an_inspection_not_concluded_gets_no_signed_copy(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, media: Path
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    page = as_inspector.get(new_url(inspection))
    assert page.status_code == 302  # back to the inspection, with a message
    response = post(as_inspector, inspection, signed_on=f"{timezone.localdate():%d/%m/%Y}")
    assert response.status_code == 400
    assert "Chỉ ghi bản đã ký khi cuộc kiểm tra đã kết luận" in response.content.decode()
    assert not SignedPaper.objects.exists()
    assert "signed-record" not in detail(as_inspector, inspection)


# --- replacing --------------------------------------------------------------------------------


def test_replacing_needs_a_reason_and_keeps_the_old_copy_and_its_file(
    concluded: Inspection, as_inspector: Client, inspector: User, as_focal: Client, media: Path
) -> None:
    assert post(as_inspector, concluded, number="27/TB-SNV").status_code == 302
    first = SignedPaper.objects.get()

    refused = post(as_inspector, concluded, number="28/TB-SNV")
    assert refused.status_code == 400
    assert "cần ghi lý do thay thế" in refused.content.decode()
    assert SignedPaper.objects.count() == 1

    reason = "Gõ nhầm số hiệu"
    assert post(as_inspector, concluded, number="28/TB-SNV", reason=reason).status_code == 302
    first.refresh_from_db()
    assert not first.is_current and first.replace_reason == reason
    assert first.replaced_by == inspector and first.replaced_at is not None
    assert Path(first.file.path).exists()
    current = SignedPaper.objects.get(replaced_at=None)
    assert current.number == "28/TB-SNV"

    html = detail(as_inspector, concluded)
    assert "Bản đã ký: số 28/TB-SNV" in html and 'data-testid="signed-history"' in html
    assert reason in html
    old = reverse("inspections:signed_file", args=[concluded.code, first.pk])
    assert as_inspector.get(old).status_code == 200
    # The inspected organisation reads the current copy, not the team's history.
    assert "signed-history" not in detail(as_focal, concluded)
    assert as_focal.get(old).status_code == 404

    event = AuditEvent.objects.get(action="inspection.signed_paper_replaced")
    assert event.data["replaced"]["number"] == "27/TB-SNV" and event.data["reason"] == reason


# --- the papers -------------------------------------------------------------------------------


def test_the_regenerated_papers_carry_the_number_and_date_of_the_signed_copy(
    concluded: Inspection, as_inspector: Client
) -> None:
    signed_on = yesterday()
    post(as_inspector, concluded, number="27/TB-SNV")
    notice_docx = docx_text(
        as_inspector.get(reverse("inspections:notice", args=[concluded.code, "docx"])).content
    )
    assert "Số: 27/TB-SNV" in notice_docx and vn_date(signed_on) in notice_docx
    notice_pdf = pdf_text(
        as_inspector.get(reverse("inspections:notice", args=[concluded.code, "pdf"])).content
    )
    assert "Số: 27/TB-SNV" in notice_pdf and vn_date(signed_on) in notice_pdf
    # The minutes have no signed copy yet: their number stays blank, dated on the conclusion.
    minutes = docx_text(
        as_inspector.get(reverse("inspections:minutes", args=[concluded.code, "docx"])).content
    )
    assert "27/TB-SNV" not in minutes and "/BB-ĐKT" in minutes and "DỰ THẢO" not in minutes

    post(as_inspector, concluded, MINUTES, number="15/BB-ĐKT")
    minutes_pdf = pdf_text(
        as_inspector.get(reverse("inspections:minutes", args=[concluded.code, "pdf"])).content
    )
    assert "Số: 15/BB-ĐKT" in minutes_pdf and vn_date(signed_on) in minutes_pdf


# --- who ----------------------------------------------------------------------------------------


def test_the_organisation_sees_and_downloads_the_signed_copy_but_may_not_record_one(
    concluded: Inspection, as_inspector: Client, as_focal: Client
) -> None:
    post(as_inspector, concluded)
    paper = SignedPaper.objects.get()
    html = detail(as_focal, concluded)
    assert "Bản đã ký: số 27/TB-SNV" in html and "signed-record" not in html
    file_url = reverse("inspections:signed_file", args=[concluded.code, paper.pk])
    assert as_focal.get(file_url).status_code == 200
    assert as_focal.get(new_url(concluded)).status_code == 403
    assert post(as_focal, concluded, number="99/TB").status_code == 403
    assert SignedPaper.objects.count() == 1


def test_an_outsider_gets_404_and_the_organisation_of_a_hidden_inspection_too(
    province: dict[str, Organisation],
    concluded: Inspection,
    inspector: User,
    as_inspector: Client,
    as_focal: Client,
) -> None:
    post(as_inspector, concluded)
    paper = SignedPaper.objects.get()
    outsider = client_for(make_user("outsider_head", Role.HEAD, province["commune"]))
    file_url = reverse("inspections:signed_file", args=[concluded.code, paper.pk])
    assert outsider.get(new_url(concluded)).status_code == 404
    assert outsider.get(file_url).status_code == 404
    assert post(outsider, concluded, number="1/TB").status_code == 404

    hidden = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
    assert as_focal.get(new_url(hidden)).status_code == 404
    hidden_file = reverse("inspections:signed_file", args=[hidden.code, paper.pk])
    assert as_focal.get(hidden_file).status_code == 404
    assert as_inspector.get(new_url(concluded, "no-such-paper")).status_code == 404
