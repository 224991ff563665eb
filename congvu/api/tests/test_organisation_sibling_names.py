"""The API refuses a sibling's name in another case, as the pages do (`check_name_free`)."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from congvu.conftest import START, kind
from congvu.organisations import services
from congvu.organisations.models import Organisation

Province = dict[str, Organisation]
URL = "/api/v1/organisations"


def test_creating_a_unit_named_like_a_sibling_but_for_case_is_a_422(
    api_officer: Client, province: Province
) -> None:
    body = {
        "code": "H56.02.09",
        "name": "PHÒNG HÀNH CHÍNH TƯ PHÁP",
        "kind": "division",
        "parent": province["dept_justice"].pk,
    }
    response = api_officer.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert "H56.02.01" in error["msg"] and "«Phòng Hành chính tư pháp»" in error["msg"]
    assert not Organisation.objects.filter(code="H56.02.09").exists()


def test_a_name_differing_in_accents_is_created(api_officer: Client, province: Province) -> None:
    services.create_organisation(
        actor=None,
        code="H56.02.02",
        name="Tổ Hòa giải",
        kind=kind("division"),
        parent=province["dept_justice"],
        valid_from=START,
    )
    body = {
        "code": "H56.02.09",
        "name": "Tổ Hóa giải",
        "kind": "division",
        "parent": province["dept_justice"].pk,
    }
    response = api_officer.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content


def test_renaming_onto_a_siblings_name_in_another_case_is_a_422(
    api_officer: Client, province: Province
) -> None:
    response = api_officer.post(
        f"{URL}/{province['dept_justice'].pk}/rename",
        {"name": "SỞ NỘI VỤ", "effective": str(timezone.localdate())},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert Organisation.objects.get(pk=province["dept_justice"].pk).name == "Sở Tư pháp"
