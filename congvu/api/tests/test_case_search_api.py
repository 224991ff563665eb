"""The API's case list `q`: as the list page's search (cases/tests/test_search.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from congvu.cases.models import Case
from congvu.conftest import make_staff
from congvu.organisations.models import Organisation, StaffMember

from .test_cases_api import REPORTER_NAME, make_case

URL = "/api/v1/cases"


def codes(client: Client, query: str) -> list[str]:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["items"]]


def test_q_finds_the_subject_by_name_and_the_cases_text(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    hoa = make_staff(province["dept_justice"], "Lê Thị Hoa", "STP-002")
    duc = make_case(province["dept_justice"], staff=staff_member, occurred_place="Bộ phận một cửa")
    other = make_case(province["dept_justice"], staff=hoa, description="Thái độ hách dịch.")
    assert codes(api_head, "duc") == [duc.code]
    assert codes(api_head, "NGUYỄN văn DUC") == [duc.code]
    assert codes(api_head, "hach dich") == [other.code]
    assert codes(api_head, "duc mot cua") == [duc.code]
    assert codes(api_head, "hoa mot cua") == []


def test_q_of_a_full_code_answers_with_its_case_alone(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member, days_ago=5)
    mention = make_case(
        province["dept_justice"], staff=staff_member, description=f"Trùng với {case.code}."
    )
    assert codes(api_head, case.code.lower()) == [case.code]
    assert codes(api_head, case.code.replace("-", " ")) == [case.code]
    assert codes(api_head, case.code.replace("-", "")) == [case.code]
    assert codes(api_head, case.code[3:8]) == [mention.code, case.code]
    # A code the caller may not see: the cases naming it, as any other words.
    elsewhere = make_case(province["commune"])
    named = make_case(
        province["dept_justice"], staff=staff_member, description=f"Như vụ {elsewhere.code}."
    )
    assert codes(api_head, elsewhere.code) == [named.code]


def test_q_never_reads_the_reporters_identity(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    make_case(
        province["dept_justice"],
        staff=staff_member,
        named=True,
        description=f"{REPORTER_NAME} phản ánh cán bộ đòi tiền.",
    )
    assert len(codes(api_head, "doi tien")) == 1
    assert codes(api_head, "bao tin") == []


def test_q_finds_nothing_out_of_scope_and_a_long_q_is_a_422(
    api_outsider: Client, api_viewer: Client, province: Any, staff_member: StaffMember
) -> None:
    case = make_case(province["dept_justice"], staff=staff_member)
    assert codes(api_outsider, "duc") == []
    assert codes(api_outsider, case.code) == []
    assert api_outsider.get(f"{URL}/{case.code}").status_code == 404
    assert api_viewer.get(URL, {"q": "duc"}).status_code == 403
    assert api_outsider.get(URL, {"q": "x" * 201}).status_code == 422
    assert Case.objects.count() == 1
