from typing import Any

from django.test import Client

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

URL = "/api/v1/staff"


def names(response: Any) -> list[str]:
    return [item["full_name"] for item in response.json()["items"]]


def add_staff(organisation: Organisation, full_name: str, code: str, **extra: Any) -> StaffMember:
    return org_services.create_staff(
        actor=None,
        organisation=organisation,
        full_name=full_name,
        staff_code=code,
        category=extra.pop("category", StaffMember.Category.CIVIL_SERVANT),
        email=f"{code.lower()}@example.vn",
        phone="0900000000",
        **extra,
    )


def test_officer_lists_staff_with_their_contact_details(
    api_officer: Client, staff_member: StaffMember
) -> None:
    response = api_officer.get(URL)
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["full_name"] == "Nguyễn Văn Đức"
    assert item["email"] == "duc@example.vn"
    assert item["phone"] == "0912345678"
    assert item["organisation"]["code"] == "H56.02"
    assert item["division"]["code"] == "H56.02.01"
    assert item["category"] == "civil_servant"


def test_viewer_sees_staff_but_not_their_contact_details(
    api_viewer: Client, staff_member: StaffMember
) -> None:
    [item] = api_viewer.get(URL).json()["items"]
    assert item["full_name"] == "Nguyễn Văn Đức"
    assert item["email"] is None
    assert item["phone"] is None
    detail = api_viewer.get(f"{URL}/{staff_member.pk}").json()
    assert detail["email"] is None
    assert detail["phone"] is None


def test_head_sees_contact_details_of_their_staff(
    api_head: Client, staff_member: StaffMember
) -> None:
    assert api_head.get(f"{URL}/{staff_member.pk}").json()["email"] == "duc@example.vn"


def test_a_staff_member_sees_their_own_record_with_contact_details(
    staff_user: User, staff_member: StaffMember
) -> None:
    client = client_for(staff_user)
    assert names(client.get(URL)) == ["Nguyễn Văn Đức"]
    assert client.get(f"{URL}/{staff_member.pk}").json()["phone"] == "0912345678"


def test_outsider_gets_404_for_another_organisations_staff(
    api_outsider: Client, staff_member: StaffMember
) -> None:
    assert api_outsider.get(URL).json()["items"] == []
    assert api_outsider.get(f"{URL}/{staff_member.pk}").status_code == 404


def test_search_without_accents_finds_the_name_with_them(
    api_officer: Client, staff_member: StaffMember
) -> None:
    assert names(api_officer.get(URL, {"q": "duc"})) == ["Nguyễn Văn Đức"]
    assert names(api_officer.get(URL, {"q": "nguyen van duc"})) == ["Nguyễn Văn Đức"]
    assert names(api_officer.get(URL, {"q": "STP-001"})) == ["Nguyễn Văn Đức"]
    assert names(api_officer.get(URL, {"q": "dung"})) == []


def test_staff_are_sorted_by_given_name_in_vietnamese_order(
    api_officer: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    add_staff(province["dept_home"], "Trần Văn Bình", "SNV-001")
    add_staff(province["dept_home"], "Lê Thị An", "SNV-002")
    add_staff(province["commune"], "Phạm Văn Dũng", "XAB-001")
    assert names(api_officer.get(URL)) == [
        "Lê Thị An",
        "Trần Văn Bình",
        "Phạm Văn Dũng",
        "Nguyễn Văn Đức",
    ]


def test_organisation_filter_covers_its_whole_subtree(
    api_officer: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    add_staff(province["division_justice"], "Hoàng Minh Châu", "STP-002")
    add_staff(province["commune"], "Phạm Văn Dũng", "XAB-001")
    justice = province["dept_justice"].pk
    assert names(api_officer.get(URL, {"organisation": justice})) == [
        "Hoàng Minh Châu",
        "Nguyễn Văn Đức",
    ]
    division = province["division_justice"].pk
    assert names(api_officer.get(URL, {"organisation": division})) == ["Hoàng Minh Châu"]


def test_filtering_by_an_invisible_organisation_is_404(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.get(URL, {"organisation": province["dept_justice"].pk})
    assert response.status_code == 404


def test_category_and_active_filters(
    api_officer: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    worker = add_staff(
        province["dept_home"], "Đỗ Văn Em", "SNV-003", category=StaffMember.Category.WORKER
    )
    StaffMember.objects.filter(pk=worker.pk).update(is_active=False)
    assert names(api_officer.get(URL, {"category": "worker"})) == ["Đỗ Văn Em"]
    assert names(api_officer.get(URL, {"active": "true"})) == ["Nguyễn Văn Đức"]
    assert names(api_officer.get(URL, {"active": "false"})) == ["Đỗ Văn Em"]
    assert api_officer.get(URL, {"category": "astronaut"}).status_code == 422


def new_staff(organisation: Organisation, **extra: Any) -> dict[str, Any]:
    body = {
        "organisation": organisation.pk,
        "full_name": "  Vũ   Thị Hạnh ",
        "staff_code": "STP-010",
        "category": "public_employee",
        "email": "hanh@example.vn",
        "phone": "0987654321",
    }
    return body | extra


def test_head_creates_a_staff_member_in_their_department(
    api_head: Client, province: dict[str, Organisation]
) -> None:
    response = api_head.post(
        URL,
        new_staff(province["dept_justice"], division=province["division_justice"].pk),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Vũ Thị Hạnh"
    assert body["division"]["code"] == "H56.02.01"
    assert body["email"] == "hanh@example.vn"
    assert StaffMember.objects.filter(staff_code="STP-010").exists()


def test_viewer_gets_403_creating_a_staff_member(
    api_viewer: Client, province: dict[str, Organisation]
) -> None:
    response = api_viewer.post(
        URL, new_staff(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 403
    assert not StaffMember.objects.filter(staff_code="STP-010").exists()


def test_outsider_gets_404_creating_staff_in_another_organisation(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.post(
        URL, new_staff(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 404


def test_service_validation_errors_come_back_as_422_per_field(
    api_head: Client, province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    duplicate = api_head.post(
        URL,
        new_staff(province["dept_justice"], staff_code="STP-001"),
        content_type="application/json",
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "staff_code"]

    bad_email = api_head.post(
        URL,
        new_staff(province["dept_justice"], email="not-an-email"),
        content_type="application/json",
    )
    assert bad_email.status_code == 422
    assert ["body", "email"] in [error["loc"] for error in bad_email.json()["detail"]]


def test_a_division_outside_the_organisation_is_a_422(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    response = api_officer.post(
        URL,
        new_staff(province["dept_home"], division=province["division_justice"].pk),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "division"]
