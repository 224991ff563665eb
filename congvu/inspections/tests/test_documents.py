"""The inspection's papers — biên bản kiểm tra (the minutes) and thông báo kết luận kiểm tra
(the conclusion notice) — as Word and PDF: they open, carry the organisation, the dates,
every clause with its result, the corrective actions with their deadlines; a draft is
marked; who may download them, and the clear message when the state does not give them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.core.tests.media_helpers import jpeg_with_gps
from congvu.inspections import documents, services, workflow
from congvu.inspections.models import CorrectiveAction, Inspection, Observation
from congvu.organisations.models import Organisation, StaffMember
from congvu.reporting.documents import vn_date

from ...conftest import make_user
from .conftest import answer_all, conclude, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")

PURPOSE = "Kiểm tra việc thực hiện quy tắc ứng xử tại bộ phận một cửa."
BREACH_NOTE = "Cán bộ không đeo thẻ khi tiếp dân."
ACTION = "Nhắc nhở, yêu cầu cán bộ đeo thẻ công chức khi tiếp dân."
CONCLUSION = "Cơ quan thực hiện cơ bản đúng quy tắc ứng xử."
RESULT = {"kept": "Thực hiện đúng", "breached": "Vi phạm", "not_observed": "Không quan sát được"}


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def download(client: Client, name: str, inspection: Inspection, fmt: str) -> bytes:
    response = client.get(url(name, inspection.code, fmt))
    assert response.status_code == 200, response.status_code
    prefix = "bien-ban-kiem-tra" if name == "minutes" else "thong-bao-ket-luan"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{prefix}-{inspection.code.lower()}.{fmt}"'
    )
    return response.content


@dataclass
class Scene:
    inspection: Inspection
    breach: Observation
    action: CorrectiveAction
    member: User


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def running(
    province: dict[str, Organisation],
    inspector: User,
    staff_member: StaffMember,
    media: Path,
) -> Scene:
    """An inspection of Sở Tư pháp in progress, every clause answered: the first breached
    (the staff member named, one photo), a corrective action set on it."""
    member = make_user("member", Role.INSPECTOR, province["root"])
    member.full_name = "Trần Thị Mai"
    member.save()
    inspection = plan(province["dept_justice"], inspector, members=[member], purpose=PURPOSE)
    inspection = start(inspection, inspector)
    observations = answer_all(inspection, inspector, breach=1, staff_id=staff_member.pk)
    breach = observations[0]
    services.attach_evidence(breach, actor=inspector, files=[jpeg_with_gps("the.jpg")])
    action = services.add_corrective_action(breach, actor=inspector, description=ACTION, days=5)
    return Scene(inspection, breach, action, member)


@pytest.fixture
def concluded(running: Scene, inspector: User) -> Scene:
    running.inspection = conclude(running.inspection, inspector)
    return running


def observation_rows(inspection: Inspection) -> list[tuple[str, str]]:
    return [
        (f"{o.clause.code} {o.clause.short_title}", RESULT[o.result])
        for o in inspection.observations.select_related("clause").order_by("order")
    ]


# --- the minutes ------------------------------------------------------------------------------


def test_the_minutes_of_a_concluded_inspection_say_who_where_when_what_and_the_actions(
    concluded: Scene, inspector: User, as_inspector: Client, staff_member: StaffMember
) -> None:
    inspection = concluded.inspection
    text = docx_text(download(as_inspector, "minutes", inspection, "docx"))
    today = timezone.localdate()
    assert "DỰ THẢO" not in text
    assert "UBND TỈNH HƯNG YÊN" in text and "ĐOÀN KIỂM TRA CÔNG VỤ" in text
    assert f"Hưng Yên, {vn_date(today)}" in text
    assert "BIÊN BẢN" in text and "Kiểm tra công vụ tại Sở Tư pháp" in text
    assert f"Ngày {today:%d/%m/%Y}, tại Sở Tư pháp" in text
    assert f"ngày dự kiến {inspection.planned_on:%d/%m/%Y}" in text
    assert "Ông/Bà inspector, Trưởng đoàn" in text and "Ông/Bà Trần Thị Mai, Thành viên" in text
    assert PURPOSE in text
    rows = [line for line in text.splitlines() if " | " in line]
    for clause, result in observation_rows(inspection):
        assert any(f"{clause} | {result} |" in row for row in rows), clause
    breach_row = next(r for r in rows if r.startswith("1 | ") and "Vi phạm" in r)
    assert BREACH_NOTE in breach_row and f"(Cán bộ: {staff_member.full_name})" in breach_row
    assert breach_row.endswith(" | 1")  # one evidence file, not embedded
    kept_row = next(r for r in rows if r.startswith("2 | "))
    assert kept_row.endswith(" | 0") and staff_member.full_name not in kept_row
    assert f"{ACTION} | {concluded.action.due_on:%d/%m/%Y}" in text
    assert CONCLUSION in text
    # Both signature blocks side by side; the lead signs for the team.
    assert re.search(
        r"ĐẠI DIỆN CƠ QUAN, ĐƠN VỊ ĐƯỢC KIỂM TRA\s* \| ĐẠI DIỆN ĐOÀN KIỂM TRA\nTRƯỞNG ĐOÀN\s*"
        r"inspector$",
        text,
    )


def test_the_minutes_as_pdf_carry_the_same_record(
    concluded: Scene, as_inspector: Client, staff_member: StaffMember
) -> None:
    inspection = concluded.inspection
    text = pdf_text(download(as_inspector, "minutes", inspection, "pdf"))
    assert "DỰ THẢO" not in text
    assert "BIÊN BẢN" in text and "Sở Tư pháp" in text
    assert f"Hưng Yên, {vn_date(timezone.localdate())}" in text
    assert f"{timezone.localdate():%d/%m/%Y}" in text
    for clause, _result in observation_rows(inspection):
        code = clause.split(" ")[0]
        assert code in text, clause
    assert "Vi phạm" in text and "Thực hiện đúng" in text
    assert staff_member.full_name in text
    assert f"{concluded.action.due_on:%d/%m/%Y}" in text and "đeo thẻ công chức" in text
    assert CONCLUSION in text
    assert "ĐẠI DIỆN ĐOÀN KIỂM TRA" in text and "ĐẠI DIỆN CƠ QUAN, ĐƠN VỊ ĐƯỢC KIỂM TRA" in text


def test_the_minutes_of_an_inspection_in_progress_are_a_draft(
    running: Scene, as_inspector: Client
) -> None:
    inspection = running.inspection
    text = docx_text(download(as_inspector, "minutes", inspection, "docx"))
    assert text.startswith("DỰ THẢO")
    assert "(Chưa kết luận.)" in text and "cuộc kiểm tra chưa kết luận" in text
    assert f"{running.action.due_on:%d/%m/%Y}" in text
    assert "DỰ THẢO" in pdf_text(download(as_inspector, "minutes", inspection, "pdf"))


def test_the_minutes_stay_vietnamese_for_a_reader_in_english(
    concluded: Scene, as_inspector: Client
) -> None:
    as_inspector.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = as_inspector.get(url("detail", concluded.inspection.code)).content.decode()
    assert "Download PDF" in page  # the page follows the reader's language…
    text = docx_text(download(as_inspector, "minutes", concluded.inspection, "docx"))
    assert "Vi phạm" in text and "Thực hiện đúng" in text  # …the official record does not
    assert "Breach" not in text and "Kept" not in text


def test_an_english_reader_is_told_in_english_why_a_paper_is_not_there(
    running: Scene, as_inspector: Client
) -> None:
    as_inspector.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = as_inspector.get(url("notice", running.inspection.code, "docx"), follow=True)
    page = response.content.decode()
    assert "The conclusion notice exists once the inspection is concluded." in page
    assert "Inspection minutes (draft)" in page


def test_the_minutes_name_the_programme_s_issuer_when_the_inspection_carries_one_out(
    province: dict[str, Organisation], inspector: User, officer: User, as_inspector: Client
) -> None:
    from congvu.inspections import programme_services

    year = timezone.localdate().year + 1
    programme = programme_services.create_programme(
        province["dept_home"], actor=inspector, year=year, title="Kế hoạch kiểm tra công vụ"
    )
    item = programme_services.add_item(
        programme,
        actor=inspector,
        organisation=province["dept_justice"],
        quarter=4,
        kind=Inspection.Kind.SCHEDULED,
    )
    programme_services.approve(programme, actor=officer, decision_number="1/QĐ-SNV")
    inspection = start(plan(province["dept_justice"], inspector, item=item), inspector)
    answer_all(inspection, inspector)
    inspection = conclude(inspection, inspector)
    minutes = docx_text(download(as_inspector, "minutes", inspection, "docx"))
    assert "SỞ NỘI VỤ\nĐOÀN KIỂM TRA CÔNG VỤ" in minutes
    notice = docx_text(download(as_inspector, "notice", inspection, "docx"))
    assert f"Thực hiện Kế hoạch kiểm tra công vụ năm {year}" in notice
    assert "Không phát hiện" not in notice and "0 vi phạm" in notice
    assert "Không có biện pháp khắc phục phải thực hiện." in notice


# --- the conclusion notice --------------------------------------------------------------------


def test_the_conclusion_notice_gives_the_conclusion_the_breaches_and_the_deadlines(
    concluded: Scene, as_inspector: Client, staff_member: StaffMember
) -> None:
    inspection = concluded.inspection
    text = docx_text(download(as_inspector, "notice", inspection, "docx"))
    assert "THÔNG BÁO" in text and "Kết luận kiểm tra công vụ tại Sở Tư pháp" in text
    assert "UBND TỈNH HƯNG YÊN" in text
    assert f"Hưng Yên, {vn_date(timezone.localdate())}" in text
    assert f"đến ngày {timezone.localdate():%d/%m/%Y}" in text
    assert CONCLUSION in text
    clause = observation_rows(inspection)[0][0]
    assert f"1 | {clause} | {BREACH_NOTE}" in text
    assert f"{ACTION} | {concluded.action.due_on:%d/%m/%Y}" in text
    assert "Nơi nhận:" in text and "- Sở Tư pháp (để thực hiện);" in text and "- Lưu: VT." in text
    # The notice is sent on: the breaches without the staff member the minutes name.
    assert staff_member.full_name not in text
    assert "DỰ THẢO" not in text

    pdf = pdf_text(download(as_inspector, "notice", inspection, "pdf"))
    assert "THÔNG BÁO" in pdf and CONCLUSION in pdf
    assert f"{concluded.action.due_on:%d/%m/%Y}" in pdf and "Nơi nhận" in pdf
    assert staff_member.full_name not in pdf


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_no_notice_before_the_conclusion_but_a_clear_message(
    running: Scene, as_inspector: Client, fmt: str
) -> None:
    response = as_inspector.get(url("notice", running.inspection.code, fmt), follow=True)
    assert response.redirect_chain == [(url("detail", running.inspection.code), 302)]
    page = response.content.decode()
    assert "Thông báo kết luận chỉ có sau khi cuộc kiểm tra được kết luận" in page


def test_a_planned_or_cancelled_inspection_has_no_papers(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    planned = plan(province["dept_justice"], inspector)
    page = as_inspector.get(url("minutes", planned.code, "docx"), follow=True).content.decode()
    assert "Biên bản kiểm tra có từ khi cuộc kiểm tra bắt đầu" in page
    assert 'data-testid="documents"' not in page
    cancelled = workflow.transition(
        start(planned, inspector), Inspection.Status.CANCELLED, actor=inspector, reason="Lũ lụt."
    )
    page = as_inspector.get(url("minutes", cancelled.code, "pdf"), follow=True).content.decode()
    assert "Cuộc kiểm tra đã bị hủy" in page
    assert as_inspector.get(url("minutes", cancelled.code, "odt")).status_code == 404


# --- who may download them --------------------------------------------------------------------


def test_the_team_a_viewer_and_an_outsider(
    concluded: Scene, as_inspector: Client, as_viewer: Client, as_outsider: Client
) -> None:
    code = concluded.inspection.code
    for name in ("minutes", "notice"):
        for fmt in ("docx", "pdf"):
            assert as_viewer.get(url(name, code, fmt)).status_code == 403
            assert as_outsider.get(url(name, code, fmt)).status_code == 404
        assert as_inspector.get(url(name, "KT-KHONGCO", "docx")).status_code == 404


def test_the_inspected_organisation_gets_the_papers_only_once_concluded(
    running: Scene, inspector: User, as_focal: Client, as_head: Client
) -> None:
    code = running.inspection.code
    page = as_focal.get(url("detail", code)).content.decode()
    assert 'data-testid="documents"' not in page
    response = as_focal.get(url("minutes", code, "docx"), follow=True)
    assert response.redirect_chain == [(url("detail", code), 302)]
    assert "sau khi có kết luận" in response.content.decode()
    conclude(running.inspection, inspector)
    page = as_focal.get(url("detail", code)).content.decode()
    assert url("minutes", code, "docx") in page and url("notice", code, "pdf") in page
    assert "Sở Tư pháp" in docx_text(download(as_head, "minutes", running.inspection, "docx"))
    assert CONCLUSION in docx_text(download(as_focal, "notice", running.inspection, "docx"))


def test_an_unannounced_inspection_does_not_leak_through_its_papers(
    province: dict[str, Organisation], inspector: User, as_head: Client, as_inspector: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
    for name in ("minutes", "notice"):
        assert as_head.get(url(name, inspection.code, "docx")).status_code == 404
    start(inspection, inspector)
    assert as_inspector.get(url("minutes", inspection.code, "docx")).status_code == 200
    # Started: the organisation sees the inspection, not yet its minutes.
    response = as_head.get(url("minutes", inspection.code, "docx"))
    assert response.status_code == 302


def test_the_page_offers_what_the_state_gives(running: Scene, as_inspector: Client) -> None:
    code = running.inspection.code
    page = as_inspector.get(url("detail", code)).content.decode()
    assert "Biên bản kiểm tra (dự thảo)" in page
    assert url("minutes", code, "docx") in page and url("minutes", code, "pdf") in page
    assert url("notice", code, "docx") not in page


def test_available_lists_the_papers_per_state(concluded: Scene, inspector: User) -> None:
    assert documents.available(inspector, concluded.inspection) == [
        documents.MINUTES,
        documents.NOTICE,
    ]
