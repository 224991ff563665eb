"""A concluded case's paper (DOCX, PDF): it opens, is titled after the track, carries the
heading, the dates dd/mm/yyyy, the staff member, the content, the conclusion and the
discipline decided; never the reporter's identity nor an internal note; who may have it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conduct.models import Clause
from congvu.conftest import client_for, make_user
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.organisations.models import Organisation, StaffMember

from .. import discipline, documents, services, workflow
from ..models import Case, DisciplineForm, Track
from .office_helpers import (
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    file_report,
    media,  # noqa: F401
    move,
)

S = Case.Status
NOTE = "Ghi chú nội bộ: hỏi thêm phòng một cửa trước khi kết luận"
# The reporter writes their own name and number into the description, as people do.
DESCRIPTION = (
    f"Tôi là {REPORTER_NAME}, số điện thoại 0987 654 321. Cán bộ đòi tiền bồi dưỡng mới "
    "nhận hồ sơ đất đai."
)
CONCLUSION = "Có căn cứ: cán bộ đã yêu cầu nộp thêm tiền ngoài quy định."
DECISION_NUMBER = "12/QĐ-STP"


def decided_on() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=2)


TITLES = {
    Track.DENUNCIATION: ("KẾT LUẬN", "Nội dung tố cáo đối với Nguyễn Văn Đức", "/KL-"),
    Track.COMPLAINT: (
        "THÔNG BÁO",
        "Kết quả giải quyết khiếu nại đối với Nguyễn Văn Đức",
        "/TB-",
    ),
    Track.FEEDBACK: (
        "THÔNG BÁO",
        "Kết quả xử lý phản ánh, kiến nghị đối với Nguyễn Văn Đức",
        "/TB-",
    ),
}


def url(case: Case, fmt: str) -> str:
    return reverse(f"cases:conclusion_{fmt}", args=[case.code])


@pytest.fixture
def clause(province: dict[str, Organisation]) -> Clause:
    from congvu.conduct.services import load_seed_catalogue

    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    found = Clause.objects.filter(section__version__status="active").order_by("pk").first()
    assert found is not None
    return found


def concluded(
    head: User,
    staff: StaffMember,
    *,
    track: str = Track.DENUNCIATION,
    clause: Clause | None = None,
    outcome: str = Case.Outcome.SUBSTANTIATED,
    decide: bool = True,
) -> Case:
    case = file_report(
        staff=staff,
        track=track,
        description=DESCRIPTION,
        clause_ids=(clause.pk,) if clause is not None else (),
    )
    services.add_event(case, actor=head, kind="note", body=NOTE, audience="internal")
    case = move(case, S.ACCEPTED, S.INVESTIGATING, actor=head)
    case = move(case, S.CONCLUDED, actor=head, outcome=outcome, conclusion=CONCLUSION)
    if decide and outcome != Case.Outcome.UNSUBSTANTIATED:
        proposal = discipline.propose(
            case,
            form=DisciplineForm.objects.get(code="khien-trach"),
            conduct_date=timezone.localdate() - dt.timedelta(days=10),
            note="Đề xuất nội bộ chưa quyết",
            actor=head,
        )
        discipline.decide(
            proposal,
            number=DECISION_NUMBER,
            decided_on=decided_on(),
            file=None,
            actor=head,
        )
    return Case.objects.get(pk=case.pk)


def download(client: Client, case: Case, fmt: str) -> bytes:
    response = client.get(url(case, fmt))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert response["Content-Disposition"].endswith(f'-{case.code.lower()}.{fmt}"')
    return response.content


def assert_no_identity(text: str) -> None:
    assert REPORTER_NAME not in text
    assert REPORTER_EMAIL not in text
    assert REPORTER_PHONE not in text and "0987 654 321" not in text
    assert "654" not in text
    assert NOTE not in text and "Đề xuất nội bộ" not in text


# --- content ----------------------------------------------------------------------------------


@pytest.mark.parametrize("track", list(TITLES))
def test_the_word_document_is_titled_after_the_track_and_says_what_was_concluded(
    as_head: Client, head: User, staff_member: StaffMember, clause: Clause, track: str
) -> None:
    case = concluded(head, staff_member, track=track, clause=clause)
    text = docx_text(download(as_head, case, "docx"))
    kind, subject, symbol = TITLES[track]
    lines = text.splitlines()
    assert kind in lines and subject in lines
    assert f"Số:      {symbol}" in text
    assert "SỞ TƯ PHÁP" in text and "UBND TỈNH HƯNG YÊN" in text
    day = timezone.localdate(case.concluded_at)
    assert f"Hưng Yên, ngày {day.day:02d} tháng" in text
    assert f"năm {day.year}" in text
    assert f"Ngày {timezone.localdate(case.received_at):%d/%m/%Y}" in text
    assert case.code in text
    assert "Họ và tên: Nguyễn Văn Đức." in text
    assert "Chức vụ: Chuyên viên." in text
    assert "Cơ quan, đơn vị: Sở Tư pháp." in text
    assert clause.code in text and clause.short_title in text
    # The report's own words stay in the case file: the paper goes to the person concerned.
    assert "đòi tiền bồi dưỡng" not in text
    assert f"được lưu đầy đủ trong hồ sơ vụ việc mã {case.code}" in text
    assert CONCLUSION in text
    assert "đúng." in text
    assert f"Khiển trách (Quyết định số {DECISION_NUMBER} ngày {decided_on():%d/%m/%Y})" in text
    assert "Nơi nhận:" in text and "- Lưu: VT, hồ sơ." in text
    assert "(theo địa chỉ đã đăng ký)" in text
    assert_no_identity(text)


def test_a_denunciation_names_the_outcome_and_the_recipients_in_the_laws_words(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = concluded(head, staff_member, outcome=Case.Outcome.PARTLY)
    text = docx_text(download(as_head, case, "docx"))
    assert "Tố cáo đúng một phần." in text
    assert "III. KẾT LUẬN NỘI DUNG TỐ CÁO" in text
    assert "- Nguyễn Văn Đức (người bị tố cáo);" in text
    assert "- Người tố cáo (theo địa chỉ đã đăng ký);" in text


def test_an_unfounded_case_applies_no_discipline_and_a_pending_one_says_none_is_decided(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    unfounded = concluded(head, staff_member, outcome=Case.Outcome.UNSUBSTANTIATED)
    text = docx_text(download(as_head, unfounded, "docx"))
    assert "Tố cáo sai, không có căn cứ." in text
    assert "Không áp dụng hình thức kỷ luật." in text
    pending = concluded(head, staff_member, decide=False, track=Track.FEEDBACK)
    text = docx_text(download(as_head, pending, "docx"))
    assert "Phản ánh, kiến nghị đúng." in text
    assert "Chưa có quyết định kỷ luật." in text and "Khiển trách" not in text


def test_the_pdf_says_the_same_and_hides_the_reporter_too(
    as_head: Client, head: User, staff_member: StaffMember, clause: Clause
) -> None:
    case = concluded(head, staff_member, clause=clause)
    body = download(as_head, case, "pdf")
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "KẾT LUẬN" in text and "Nội dung tố cáo đối với Nguyễn Văn Đức" in text
    assert "/KL-" in text and "SỞ TƯ PHÁP" in text
    assert f"Ngày {timezone.localdate(case.received_at):%d/%m/%Y}" in text
    assert "Nguyễn Văn Đức" in text and "Chuyên viên" in text
    assert clause.code in text
    assert CONCLUSION in text
    assert DECISION_NUMBER in text and f"{decided_on():%d/%m/%Y}" in text
    assert "Nơi nhận:" in text and "Lưu: VT, hồ sơ." in text
    assert "đòi tiền bồi dưỡng" not in text  # the report's own words: in the case file
    assert_no_identity(text)


def test_the_reporters_identity_typed_anywhere_is_masked() -> None:
    case = Case(
        is_anonymous=False,
        reporter_name="Lê Văn An",
        reporter_phone="+84 912.345.678",
        reporter_email="an@example.vn",
    )
    pattern = documents.identity_masker(case)
    assert pattern is not None
    text = "Tôi, LÊ VĂN AN (an@example.vn, 0912 345 678; 84912345678), phản ánh. Lê Văn Anh"
    assert pattern.sub("[…]", text) == "Tôi, […] ([…], […]; […]), phản ánh. Lê Văn Anh"
    assert documents.identity_masker(Case(is_anonymous=True)) is None


def test_an_anonymous_reporter_is_told_through_the_tracking_code(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = file_report(staff=staff_member, anonymous=True, track=Track.COMPLAINT)
    move(case, S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, actor=head)
    text = docx_text(download(as_head, case, "docx"))
    assert "- Người khiếu nại (tra cứu bằng mã theo dõi);" in text


def test_the_document_stays_vietnamese_in_english_mode(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = concluded(head, staff_member)
    as_head.cookies["congvu_lang"] = "en"
    for text in (
        docx_text(download(as_head, case, "docx")),
        pdf_text(download(as_head, case, "pdf")),
    ):
        assert "KẾT LUẬN" in text and "Khiển trách" in text and "Reprimand" not in text
        assert "Họ và tên" in text and "Nơi nhận" in text
    html = as_head.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "Download Word (.docx)" in html and "Conclusion document" in html


# --- who may have it ----------------------------------------------------------------------------


def test_the_case_file_offers_the_document_once_concluded(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    open_case = file_report(staff=staff_member)
    html = as_head.get(reverse("cases:detail", args=[open_case.code])).content.decode()
    assert url(open_case, "docx") not in html
    case = concluded(head, staff_member)
    html = as_head.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert url(case, "docx") in html and url(case, "pdf") in html
    assert "Văn bản kết luận" in html


def test_a_case_not_concluded_is_refused_with_a_message(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = move(file_report(staff=staff_member), S.ACCEPTED, actor=head)
    for fmt in documents.FORMATS:
        response = as_head.get(url(case, fmt), follow=True)
        assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.code])
        assert "chưa có văn bản kết luận" in response.content.decode()


def test_a_closed_case_keeps_its_document_and_a_reopened_one_loses_it(
    as_head: Client, head: User, staff_member: StaffMember
) -> None:
    case = move(concluded(head, staff_member), S.CLOSED, actor=head)
    assert as_head.get(url(case, "docx")).status_code == 200
    workflow.transition(case, S.INVESTIGATING, actor=head, note="Khiếu nại tiếp")
    assert as_head.get(url(case, "docx")).status_code == 302


def test_an_outsider_gets_404_and_a_role_without_case_view_403(
    as_outsider: Client, as_viewer: Client, head: User, staff_member: StaffMember
) -> None:
    case = concluded(head, staff_member)
    for fmt in documents.FORMATS:
        assert as_outsider.get(url(case, fmt)).status_code == 404
        assert as_viewer.get(url(case, fmt)).status_code == 403
    assert (
        as_outsider.get(reverse("cases:conclusion_pdf", args=["PA-NOSUCHCODE"])).status_code == 404
    )


def test_an_inspector_who_sees_the_case_gets_it_without_the_reporter(
    province: dict[str, Organisation], head: User, staff_member: StaffMember
) -> None:
    case = concluded(head, staff_member)
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    assert_no_identity(docx_text(download(client_for(inspector), case, "docx")))


def test_the_staff_member_concerned_gets_the_final_document_on_their_own_page(
    staff_user: User, head: User, staff_member: StaffMember
) -> None:
    client = client_for(staff_user)
    case = concluded(head, staff_member)
    html = client.get(reverse("cases:subject_view", args=[case.code])).content.decode()
    assert url(case, "docx") in html and url(case, "pdf") in html
    text = docx_text(download(client, case, "docx"))
    assert "Nội dung tố cáo đối với Nguyễn Văn Đức" in text
    assert_no_identity(text)
    assert_no_identity(pdf_text(download(client, case, "pdf")))


def test_the_staff_member_concerned_gets_nothing_before_the_conclusion(
    staff_user: User, head: User, staff_member: StaffMember
) -> None:
    client = client_for(staff_user)
    untold = file_report(staff=staff_member)
    assert client.get(url(untold, "docx")).status_code == 404  # nothing addressed to them
    asked = file_report(staff=staff_member)
    services.add_event(
        asked, actor=head, kind="to_subject", body="Đề nghị giải trình", audience="subject"
    )
    response = client.get(url(asked, "pdf"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:subject_view", args=[asked.code])
    assert "chưa có văn bản kết luận" in response.content.decode()
    html = response.content.decode()
    assert url(asked, "pdf") not in html


def test_another_staff_member_is_refused_as_on_the_case_file(
    province: dict[str, Organisation], head: User, staff_member: StaffMember
) -> None:
    case = concluded(head, staff_member)
    client = client_for(make_user("other-staff", Role.STAFF, province["dept_justice"]))
    assert client.get(reverse("cases:detail", args=[case.code])).status_code == 403
    assert client.get(url(case, "docx")).status_code == 403


def test_the_document_reads_no_timeline_entry(head: User, staff_member: StaffMember) -> None:
    case = concluded(head, staff_member)
    texts = documents.ConclusionText(case)
    everything = "\n".join(
        [texts.introduction(), *texts.person_lines(), texts.description, texts.conclusion]
    )
    assert NOTE not in everything
