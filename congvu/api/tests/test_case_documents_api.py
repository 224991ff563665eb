"""A concluded case's paper through the API: the files, the scoping, the refusal before the
conclusion, and the operations in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import Role, User
from congvu.cases import workflow
from congvu.cases.models import Case, CaseEvent, Track
from congvu.cases.tests.test_conclusion_documents import docx_text, pdf_text
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

from .conftest import bearer
from .test_cases_api import REPORTER_EMAIL, REPORTER_NAME, REPORTER_PHONE, make_case

S = Case.Status
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def path(case: Case, fmt: str) -> str:
    return f"/api/v1/cases/{case.code}/conclusion.{fmt}"


@pytest.fixture
def concluded(province: dict[str, Organisation], staff_member: StaffMember) -> Case:
    return make_case(
        province["dept_justice"],
        staff=staff_member,
        status=S.CONCLUDED,
        named=True,
        track=Track.DENUNCIATION,
        conclusion="Tố cáo có căn cứ: cán bộ đã nhận tiền.",
        description=f"{REPORTER_NAME} ({REPORTER_PHONE}) tố cáo cán bộ nhận tiền.",
    )


def test_a_handler_downloads_both_files_without_the_reporter(
    api_head: Client, concluded: Case
) -> None:
    response = api_head.get(path(concluded, "docx"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == DOCX
    text = docx_text(response.content)
    assert "KẾT LUẬN" in text and "Nội dung tố cáo đối với Nguyễn Văn Đức" in text
    assert "Tố cáo có căn cứ: cán bộ đã nhận tiền." in text
    response = api_head.get(path(concluded, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = pdf_text(response.content)
    assert "Nội dung tố cáo đối với Nguyễn Văn Đức" in pdf
    for body in (text, pdf):
        assert REPORTER_NAME not in body and REPORTER_PHONE not in body
        assert REPORTER_EMAIL not in body


def test_an_outsider_gets_404_and_a_viewer_without_case_view_403(
    api_outsider: Client, api_viewer: Client, concluded: Case
) -> None:
    for fmt in ("docx", "pdf"):
        assert api_outsider.get(path(concluded, fmt)).status_code == 404
        assert api_viewer.get(path(concluded, fmt)).status_code == 403
    assert api_outsider.get("/api/v1/cases/PA-NOSUCHCODE/conclusion.pdf").status_code == 404


def test_a_case_not_concluded_is_a_422_saying_so_in_the_callers_language(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, status=S.INVESTIGATING)
    response = api_head.get(path(case, "docx"))
    assert response.status_code == 422
    assert "chưa có văn bản kết luận" in response.json()["detail"][0]["msg"]
    response = api_head.get(path(case, "pdf"), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "The case has not been concluded: there is no conclusion document yet."
    )


def test_the_staff_member_concerned_gets_their_own_concluded_case(
    staff_user: User, concluded: Case
) -> None:
    CaseEvent.objects.create(
        case=concluded,
        kind=CaseEvent.Kind.TRANSITION,
        audience=CaseEvent.Audience.PARTIES,
        body="Kết luận",
        created_at=concluded.concluded_at,
    )
    response = bearer(staff_user).get(path(concluded, "docx"))
    assert response.status_code == 200
    assert REPORTER_NAME not in docx_text(response.content)


def test_the_staff_member_concerned_gets_404_while_nothing_is_addressed_to_them(
    staff_user: User, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, status=S.INVESTIGATING)
    assert bearer(staff_user).get(path(case, "pdf")).status_code == 404


def test_a_reopened_case_has_no_paper_any_more(
    api_head: Client, head: User, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, status=S.CLOSED)
    assert api_head.get(path(case, "docx")).status_code == 200
    workflow.transition(case, S.INVESTIGATING, actor=head, note="Tố cáo tiếp")
    assert api_head.get(path(case, "docx")).status_code == 422


def test_an_inspector_with_case_view_downloads_it(
    province: dict[str, Organisation], concluded: Case
) -> None:
    inspector = make_user("inspector", Role.INSPECTOR, province["dept_justice"])
    assert bearer(inspector).get(path(concluded, "pdf")).status_code == 200


def test_the_operations_are_in_the_openapi_document_with_their_ids(anonymous: Client) -> None:
    schema: dict[str, Any] = anonymous.get("/api/v1/openapi.json").json()
    for fmt, content_type in (("docx", DOCX), ("pdf", "application/pdf")):
        operation = schema["paths"][f"/api/v1/cases/{{code}}/conclusion.{fmt}"]["get"]
        assert operation["operationId"] == f"congvu_api_cases_get_case_conclusion_{fmt}"
        assert content_type in operation["responses"]["200"]["content"]
        assert {"403", "404", "422"} <= set(operation["responses"])
