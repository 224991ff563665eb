"""GET /api/v1/organisations/{id}/conduct-record: the year's conduct record by API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import User
from congvu.organisations.models import Organisation, StaffMember
from congvu.organisations.tests.conduct_helpers import REPORTER, build_world

Province = dict[str, Organisation]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(organisation: Organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/conduct-record"


@pytest.fixture
def world(
    province: Province, staff_member: StaffMember, staff_user: User, head: User
) -> dict[str, Any]:
    return build_world(province, staff_member, staff_user, head)


def test_the_head_reads_the_years_record(api_head: Client, world: dict[str, Any]) -> None:
    response = api_head.get(url(world["justice"]))
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == timezone.localdate().year and body["count"] == 3
    assert body["organisation"]["code"] == "H56.02"
    rows = {row["staff_code"]: row for row in body["items"]}
    duc = rows["STP-001"]
    assert (duc["ratings_counted"], duc["ratings_satisfied"]) == (12, 9)
    assert duc["satisfaction_index"] == 75.0
    assert duc["substantiated_cases"] == 1 and duc["inspection_breaches"] == 1
    assert duc["discipline"][0]["decision_number"] == "12/QĐ-STP"
    assert duc["code_acknowledged"] is True
    assert duc["needs_attention"] is True and duc["reasons"] == [
        "discipline",
        "case",
        "breach",
    ]
    assert rows["STP-003"]["is_active"] is False
    assert rows["STP-003"]["satisfaction_index"] is None
    assert REPORTER not in response.content.decode()


def test_paging_sorting_and_search(api_head: Client, world: dict[str, Any]) -> None:
    body = api_head.get(url(world["justice"]), {"sort": "index", "limit": 1}).json()
    assert body["count"] == 3 and [r["staff_code"] for r in body["items"]] == ["STP-002"]
    body = api_head.get(url(world["justice"]), {"q": "LAN"}).json()
    assert [r["staff_code"] for r in body["items"]] == ["STP-002"]


def test_english_reasons_on_request(api_head: Client, world: dict[str, Any]) -> None:
    body = api_head.get(url(world["justice"]), HTTP_ACCEPT_LANGUAGE="en").json()
    duc = next(r for r in body["items"] if r["staff_code"] == "STP-001")
    assert duc["reasons_text"][0] == "Disciplined during the year"


def test_an_outsider_gets_404_and_a_viewer_403(
    api_outsider: Client, api_viewer: Client, province: Province
) -> None:
    assert api_outsider.get(url(province["dept_justice"])).status_code == 404
    assert api_viewer.get(url(province["dept_justice"])).status_code == 403


@pytest.mark.parametrize("year", ["abc", "99999", "1999", "-1", "2026.5"])
def test_an_absurd_year_is_422(api_head: Client, province: Province, year: str) -> None:
    assert api_head.get(url(province["dept_justice"]), {"year": year}).status_code == 422


def test_a_future_year_is_422_with_a_bilingual_message(
    api_head: Client, province: Province
) -> None:
    response = api_head.get(url(province["dept_justice"]), {"year": timezone.localdate().year + 1})
    assert response.status_code == 422
    assert "/ The year must be between" in response.json()["detail"][0]["msg"]


def test_an_unknown_or_absurd_organisation(api_head: Client) -> None:
    assert api_head.get("/api/v1/organisations/999999/conduct-record").status_code == 404
    assert api_head.get("/api/v1/organisations/-3/conduct-record").status_code in (404, 422)


def test_the_endpoint_is_in_the_openapi_document(api_head: Client) -> None:
    paths = api_head.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/organisations/{id}/conduct-record" in paths
