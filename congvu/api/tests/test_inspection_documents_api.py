"""An inspection's papers through the API: the minutes and the conclusion notice as Word and
PDF, scoped like the inspection, a 422 saying why when the state does not give them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.inspections import services
from congvu.inspections.models import CorrectiveAction, Inspection
from congvu.inspections.tests.conftest import answer_all, conclude, plan, start
from congvu.organisations.models import Organisation

from ...conftest import make_user
from .conftest import bearer

BASE = "/api/v1/inspections"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAPERS = ("minutes.docx", "minutes.pdf", "conclusion-notice.docx", "conclusion-notice.pdf")
ACTION = "Nhắc nhở cán bộ đeo thẻ công chức khi tiếp dân."


@pytest.fixture
def api_focal(province: dict[str, Organisation]) -> Client:
    return bearer(make_user("focal", Role.FOCAL_POINT, province["dept_justice"]))


@pytest.fixture
def running(province: dict[str, Organisation], inspector: User) -> Inspection:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    services.add_corrective_action(breach, actor=inspector, description=ACTION, days=5)
    return inspection


def test_the_team_downloads_both_papers_of_a_concluded_inspection(
    running: Inspection, inspector: User, api_inspector: Client
) -> None:
    inspection = conclude(running, inspector)
    due = CorrectiveAction.objects.get().due_on
    minutes = api_inspector.get(f"{BASE}/{inspection.code}/minutes.docx")
    assert minutes.status_code == 200 and minutes["Content-Type"] == DOCX
    text = docx_text(minutes.content)
    assert "BIÊN BẢN" in text and "Kiểm tra công vụ tại Sở Tư pháp" in text
    assert "DỰ THẢO" not in text
    assert f"{ACTION} | {due:%d/%m/%Y}" in text
    assert f"{timezone.localdate():%d/%m/%Y}" in text
    pdf = api_inspector.get(f"{BASE}/{inspection.code}/minutes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "Sở Tư pháp" in pdf_text(pdf.content)
    notice = api_inspector.get(f"{BASE}/{inspection.code}/conclusion-notice.docx")
    assert notice.status_code == 200
    assert "Cơ quan thực hiện cơ bản đúng quy tắc ứng xử." in docx_text(notice.content)
    notice_pdf = api_inspector.get(f"{BASE}/{inspection.code.lower()}/conclusion-notice.pdf")
    assert notice_pdf.status_code == 200
    assert f"{due:%d/%m/%Y}" in pdf_text(notice_pdf.content)


def test_in_progress_the_minutes_are_a_draft_and_the_notice_a_422(
    running: Inspection, api_inspector: Client
) -> None:
    minutes = api_inspector.get(f"{BASE}/{running.code}/minutes.docx")
    assert minutes.status_code == 200
    assert docx_text(minutes.content).startswith("DỰ THẢO")
    notice = api_inspector.get(f"{BASE}/{running.code}/conclusion-notice.pdf")
    assert notice.status_code == 422
    assert "sau khi cuộc kiểm tra được kết luận" in notice.json()["detail"][0]["msg"]


def test_the_papers_are_scoped_like_the_inspection(
    running: Inspection,
    inspector: User,
    api_focal: Client,
    api_viewer: Client,
    api_outsider: Client,
    anonymous: Client,
) -> None:
    code = running.code
    # The organisation sees the inspection in progress, but not its minutes yet.
    assert api_focal.get(f"{BASE}/{code}/minutes.docx").status_code == 422
    conclude(running, inspector)
    for paper in PAPERS:
        assert api_viewer.get(f"{BASE}/{code}/{paper}").status_code == 403, paper
        assert api_outsider.get(f"{BASE}/{code}/{paper}").status_code == 404, paper
        assert anonymous.get(f"{BASE}/{code}/{paper}").status_code == 401, paper
        assert api_focal.get(f"{BASE}/{code}/{paper}").status_code == 200, paper
    assert api_focal.get(f"{BASE}/KT-KHONGCO/minutes.docx").status_code == 404


def test_an_unannounced_inspection_is_a_404_to_its_organisation_until_it_starts(
    province: dict[str, Organisation], inspector: User, api_head: Client, api_inspector: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
    for paper in PAPERS:
        assert api_head.get(f"{BASE}/{inspection.code}/{paper}").status_code == 404
    refused = api_inspector.get(f"{BASE}/{inspection.code}/minutes.pdf")
    assert refused.status_code == 422
    assert "từ khi cuộc kiểm tra bắt đầu" in refused.json()["detail"][0]["msg"]


def test_the_openapi_document_names_the_four_papers(anonymous: Client) -> None:
    paths = anonymous.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "minutes.docx": "congvu_api_inspections_get_minutes_docx",
        "minutes.pdf": "congvu_api_inspections_get_minutes_pdf",
        "conclusion-notice.docx": "congvu_api_inspections_get_conclusion_notice_docx",
        "conclusion-notice.pdf": "congvu_api_inspections_get_conclusion_notice_pdf",
    }
    for paper, operation_id in expected.items():
        get = paths[f"/api/v1/inspections/{{code}}/{paper}"]["get"]
        assert get["operationId"] == operation_id
        assert set(get["responses"]) >= {"200", "401", "403", "404", "422"}
        content = get["responses"]["200"]["content"]
        assert list(content) == [DOCX if paper.endswith("docx") else "application/pdf"]
