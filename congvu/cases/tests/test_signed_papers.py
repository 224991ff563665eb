"""The signed, numbered copy of a concluded case's paper: recorded by whoever may conclude
the case, refused clearly on bad input with nothing stored, replaced only with a reason
(the old one kept), printed into the re-generated paper, shown and served to the case
file's readers and the staff member concerned — never to the reporter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.core.tests.media_helpers import pdf_bytes
from congvu.organisations.models import StaffMember
from congvu.reporting.documents import vn_date

from .. import services, workflow
from ..models import Case, SignedPaper, Track
from .office_helpers import media, move  # noqa: F401

S = Case.Status
PASSPHRASE_FIELDS = ("code", "passphrase")


def scan(name: str = "ket-luan-da-ky.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def report(staff: StaffMember) -> services.Receipt:
    return services.submit_report(
        services.ReportInput(
            track=Track.DENUNCIATION,
            channel=Case.Channel.BADGE,
            subject_staff=staff,
            other_standard="Đòi tiền bồi dưỡng",
            description="Cán bộ đòi tiền mới nhận hồ sơ.",
            is_anonymous=True,
        )
    )


@pytest.fixture
def receipt(head: User, staff_member: StaffMember, settings: Any, tmp_path: Path) -> Any:
    cache.clear()
    given = report(staff_member)
    move(given.case, S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, actor=head)
    Case.objects.filter(pk=given.case.pk).update(concluded_at=timezone.now() - dt.timedelta(days=3))
    return given


@pytest.fixture
def case(receipt: Any) -> Case:
    return Case.objects.get(pk=receipt.case.pk)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def new_url(case: Case) -> str:
    return reverse("cases:signed_new", args=[case.code])


def post(client: Client, case: Case, **fields: Any) -> Any:
    data: dict[str, Any] = {
        "number": "12/KL-STP",
        "signed_on": f"{yesterday():%d/%m/%Y}",
        "signer_name": "Phạm Văn Nam",
        "signer_title": "Giám đốc",
        "file": scan(),
    }
    data.update(fields)
    return client.post(new_url(case), {k: v for k, v in data.items() if v is not None})


def page(client: Client, name: str, case: Case) -> str:
    response = client.get(reverse(name, args=[case.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_handler_records_the_signed_paper_and_the_case_file_shows_it(
    case: Case, head: User
) -> None:
    as_head = client_for(head)
    assert as_head.get(new_url(case)).status_code == 200
    assert post(as_head, case).status_code == 302
    paper = SignedPaper.objects.get()
    assert (paper.number, paper.signed_on) == ("12/KL-STP", yesterday())
    assert paper.signer_title == "Giám đốc"
    html = page(as_head, "cases:detail", case)
    assert f"Bản đã ký: số 12/KL-STP, ngày {yesterday():%d/%m/%Y}" in html
    link = reverse("cases:signed_file", args=[case.code, paper.pk])
    assert link in html
    download = as_head.get(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    event = AuditEvent.objects.get(action="case.signed_paper_recorded")
    assert event.actor == head and event.data["paper"]["number"] == "12/KL-STP"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": ""}, "Cần số hiệu văn bản đã ký"),
        ({"signed_on": "tomorrow"}, "Ngày ký không được sau hôm nay"),
        ({"signed_on": "before"}, "Ngày ký không được trước ngày kết luận"),
        ({"file": "exe"}, "không phải PDF hay ảnh"),
        ({"file": "big"}, "quá lớn"),
    ],
)
def test_bad_input_is_refused_keeping_what_was_typed_and_storing_nothing(
    case: Case, head: User, settings: Any, fields: dict[str, Any], message: str
) -> None:
    days = {
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "before": timezone.localdate() - dt.timedelta(days=10),
    }
    if fields.get("signed_on") in days:
        fields["signed_on"] = f"{days[fields['signed_on']]:%d/%m/%Y}"
    if fields.get("file") == "exe":
        fields["file"] = SimpleUploadedFile("ket-luan.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    if fields.get("file") == "big":
        settings.CASES_UPLOAD_MAX_BYTES = 100
        fields["file"] = scan()
    response = post(client_for(head), case, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'value="Phạm Văn Nam"' in html
    assert not SignedPaper.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="case.signed_paper").exists()


def test_a_case_not_concluded_gets_no_signed_copy(
    head: User, staff_member: StaffMember, settings: Any, tmp_path: Path
) -> None:
    given = report(staff_member)
    case = move(given.case, S.ACCEPTED, actor=head)
    as_head = client_for(head)
    assert as_head.get(new_url(case)).status_code == 302
    response = post(as_head, case, signed_on=f"{timezone.localdate():%d/%m/%Y}")
    assert response.status_code == 400
    assert "Chỉ ghi bản đã ký khi vụ việc đã có kết luận" in response.content.decode()
    assert not SignedPaper.objects.exists()


def test_replacing_needs_a_reason_and_keeps_the_old_one(case: Case, head: User) -> None:
    as_head = client_for(head)
    post(as_head, case)
    refused = post(as_head, case, number="13/KL-STP")
    assert refused.status_code == 400 and "cần ghi lý do thay thế" in refused.content.decode()
    assert post(as_head, case, number="13/KL-STP", reason="Bản chụp thiếu trang").status_code == 302
    old = SignedPaper.objects.get(number="12/KL-STP")
    assert old.replace_reason == "Bản chụp thiếu trang" and old.replaced_by == head
    assert Path(old.file.path).exists()
    html = page(as_head, "cases:detail", case)
    assert "Bản đã ký: số 13/KL-STP" in html and "Bản chụp thiếu trang" in html
    assert AuditEvent.objects.filter(action="case.signed_paper_replaced").exists()


def test_the_regenerated_paper_carries_the_number_and_date(case: Case, head: User) -> None:
    as_head = client_for(head)
    post(as_head, case)
    docx = docx_text(as_head.get(reverse("cases:conclusion_docx", args=[case.code])).content)
    assert "Số: 12/KL-STP" in docx and vn_date(yesterday()) in docx
    pdf = pdf_text(as_head.get(reverse("cases:conclusion_pdf", args=[case.code])).content)
    assert "Số: 12/KL-STP" in pdf and vn_date(yesterday()) in pdf


def test_the_staff_member_concerned_sees_the_current_copy_on_their_own_page(
    case: Case, head: User, staff_user: User
) -> None:
    as_head = client_for(head)
    post(as_head, case)
    post(as_head, case, number="13/KL-STP", reason="Gõ nhầm")
    as_subject = client_for(staff_user)
    html = page(as_subject, "cases:subject_view", case)
    assert "Bản đã ký: số 13/KL-STP" in html and "Gõ nhầm" not in html
    current = SignedPaper.objects.get(replaced_at=None)
    old = SignedPaper.objects.exclude(pk=current.pk).get()
    for paper, status in ((current, 200), (old, 404)):
        url = reverse("cases:signed_file", args=[case.code, paper.pk])
        assert as_subject.get(url).status_code == status
    assert as_subject.get(new_url(case)).status_code == 404  # never their case file


def test_the_reporter_the_outsider_and_a_role_without_permission_do_not_get_it(
    receipt: Any, case: Case, head: User, outsider: User, viewer: User
) -> None:
    post(client_for(head), case)
    paper = SignedPaper.objects.get()
    file_url = reverse("cases:signed_file", args=[case.code, paper.pk])

    reporter = Client()
    followed = reporter.post(
        reverse("cases_public:track"), {"code": receipt.code, "passphrase": receipt.passphrase}
    )
    assert followed.status_code == 302
    tracking = reporter.get(followed["Location"]).content.decode()
    assert "12/KL-STP" not in tracking and file_url not in tracking
    assert reporter.get(file_url).status_code == 302  # to the login page

    as_outsider = client_for(outsider)
    assert as_outsider.get(new_url(case)).status_code == 404
    assert as_outsider.get(file_url).status_code == 404
    assert post(as_outsider, case, number="1/KL").status_code == 404

    as_viewer = client_for(viewer)
    assert as_viewer.get(new_url(case)).status_code == 403
    assert post(as_viewer, case, number="1/KL").status_code == 403
    assert SignedPaper.objects.count() == 1


def test_a_case_concluded_again_after_an_appeal_needs_a_new_signed_copy(
    case: Case, head: User
) -> None:
    as_head = client_for(head)
    post(as_head, case)
    case = move(case, S.CLOSED, actor=head)
    case = workflow.transition(case, S.INVESTIGATING, actor=head, note="Kháng nghị")
    case = move(case, S.CONCLUDED, actor=head)
    docx = docx_text(as_head.get(reverse("cases:conclusion_docx", args=[case.code])).content)
    assert "12/KL-STP" not in docx and "/KL-" in docx  # the new paper's number is blank
    assert "Bản đã ký: số" not in page(as_head, "cases:detail", case)

    today = f"{timezone.localdate():%d/%m/%Y}"
    assert post(as_head, case, number="20/KL-STP", signed_on=today).status_code == 302
    old = SignedPaper.objects.get(number="12/KL-STP")
    assert not old.is_current and "kết luận lại" in old.replace_reason
    assert "Bản đã ký: số 20/KL-STP" in page(as_head, "cases:detail", case)
