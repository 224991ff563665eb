"""The scorecards API: public reads of published rankings, scoped reads, the managers' writes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.organisations.models import Organisation
from congvu.scoring import services
from congvu.scoring.models import Scorecard
from congvu.scoring.tests import conftest as scoring

from .conftest import bearer

BASE = "/api/v1/scorecards"

# The scoring app's fixtures, shared.
scored = scoring.scored
scorecard = scoring.scorecard
computed = scoring.computed
published = scoring.published
province_viewer = scoring.province_viewer


@pytest.fixture
def computed_other(scored: dict[str, Organisation], officer: User) -> Scorecard:
    """A second, unpublished scorecard beside a published one."""
    other = scoring.make_scorecard(scored, officer)
    services.compute(other, actor=officer, today=scoring.TODAY)
    return other


def post(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def body(province: dict[str, Organisation], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "organisation": province["root"].pk,
        "name": "Xếp hạng năm 2025",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "kinds": ["department", "commune_pc"],
        "criteria": [
            {"metric": "tasks_on_time", "weight": 50},
            {"metric": "misconduct", "weight": 50},
        ],
    }
    data.update(overrides)
    return data


def test_published_rankings_are_public(anonymous: Client, published: Scorecard) -> None:
    listed = anonymous.get(BASE).json()
    assert [s["id"] for s in listed["items"]] == [published.pk]
    ranking = anonymous.get(f"{BASE}/{published.pk}/ranking", {"kind": "department"}).json()
    assert [(r["organisation"]["code"], r["rank"], r["total"]) for r in ranking["items"]] == [
        ("H56.02", 1, 75.0),
        ("H56.01", 2, 0.0),
    ]
    assert ranking["items"][1]["missing"] == ["tasks_on_time"]


def test_an_unpublished_scorecard_is_hidden_from_the_public_and_from_heads(
    anonymous: Client, api_head: Client, computed: Scorecard
) -> None:
    assert anonymous.get(BASE).json()["count"] == 0
    assert anonymous.get(f"{BASE}/{computed.pk}").status_code == 404
    assert api_head.get(f"{BASE}/{computed.pk}/ranking").status_code == 404


def test_a_bad_token_is_refused_even_on_public_reads(db: Any) -> None:
    client = Client(HTTP_AUTHORIZATION="Bearer cv_nope")
    assert client.get(BASE).status_code == 401


def test_the_ranking_searches_without_accents(api_officer: Client, computed: Scorecard) -> None:
    items = api_officer.get(f"{BASE}/{computed.pk}/ranking", {"q": "an binh"}).json()["items"]
    assert [r["organisation"]["code"] for r in items] == ["H56.30"]


def test_a_head_reads_the_breakdown_of_their_organisation(
    api_head: Client,
    api_outsider: Client,
    anonymous: Client,
    published: Scorecard,
    province: dict[str, Organisation],
) -> None:
    url = f"{BASE}/{published.pk}/organisations/{province['dept_justice'].pk}"
    response = api_head.get(url)
    assert response.status_code == 200
    data = response.json()
    assert data["score"]["total"] == 75.0
    assert data["ranked_in_kind"] == 2 and data["median_total"] == 37.5
    tasks = next(p for p in data["parts"] if p["metric"] == "tasks_on_time")
    assert (tasks["value"], tasks["share"], tasks["contribution"]) == (50.0, 0.5, 25.0)
    assert api_outsider.get(url).status_code == 404
    assert anonymous.get(url).status_code == 401


def test_the_officer_creates_computes_and_publishes(
    api_officer: Client, scored: dict[str, Organisation]
) -> None:
    created = post(api_officer, BASE, body(scored))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["needed_criteria"] == 1
    assert created.json()["grades"][0]["label"] == "Hoàn thành xuất sắc"
    response = post(api_officer, f"{BASE}/{pk}/compute")
    assert response.status_code == 200 and response.json()["status"] == "computed"
    response = post(api_officer, f"{BASE}/{pk}/publish")
    assert response.json()["status"] == "published"
    again = post(api_officer, f"{BASE}/{pk}/compute")
    assert again.status_code == 422
    assert "published" in json.dumps(again.json())
    assert AuditEvent.objects.filter(action="scorecard.publish", object_id=str(pk)).exists()


def test_bad_criteria_get_a_422_naming_the_problem(
    api_officer: Client, province: dict[str, Organisation]
) -> None:
    criteria = [{"metric": "misconduct", "weight": 1}, {"metric": "misconduct", "weight": 0}]
    response = post(api_officer, BASE, body(province, criteria=criteria))
    assert response.status_code == 422
    assert "chosen twice" in json.dumps(response.json(), ensure_ascii=False)
    assert not Scorecard.objects.exists()


def test_writes_are_404_for_an_outsider_and_403_without_permission(
    api_outsider: Client,
    province_viewer: User,
    computed: Scorecard,
    province: dict[str, Organisation],
) -> None:
    viewer = bearer(province_viewer)
    for url in (f"{BASE}/{computed.pk}/compute", f"{BASE}/{computed.pk}/publish"):
        assert post(api_outsider, url).status_code == 404
        assert post(viewer, url).status_code == 403
    assert post(viewer, BASE, body(province)).status_code == 403
    assert post(api_outsider, BASE, body(province)).status_code == 404


def test_the_ranking_s_files_come_from_the_api(api_officer: Client, computed: Scorecard) -> None:
    for fmt, opens in (
        ("docx", lambda b: Document(io.BytesIO(b))),
        ("xlsx", lambda b: load_workbook(io.BytesIO(b))),
        ("pdf", lambda b: PdfReader(io.BytesIO(b))),
    ):
        response = api_officer.get(f"{BASE}/{computed.pk}/ranking.{fmt}")
        assert response.status_code == 200, fmt
        assert f'.{fmt}"' in response["Content-Disposition"]
        opens(response.content)


def test_the_public_gets_a_published_ranking_s_pdf_only(
    anonymous: Client, published: Scorecard, computed_other: Scorecard
) -> None:
    assert anonymous.get(f"{BASE}/{published.pk}/ranking.pdf").status_code == 200
    assert anonymous.get(f"{BASE}/{published.pk}/ranking.docx").status_code == 401
    assert anonymous.get(f"{BASE}/{computed_other.pk}/ranking.pdf").status_code == 404


def test_a_draft_s_files_are_a_422(api_officer: Client, scorecard: Scorecard) -> None:
    assert api_officer.get(f"{BASE}/{scorecard.pk}/ranking.pdf").status_code == 422


def test_an_unpublished_ranking_s_files_are_404_for_an_outsider_and_403_without_permission(
    api_outsider: Client, province_viewer: User, computed: Scorecard
) -> None:
    viewer = bearer(province_viewer)
    for fmt in ("docx", "pdf", "xlsx"):
        url = f"{BASE}/{computed.pk}/ranking.{fmt}"
        assert api_outsider.get(url).status_code == 404, fmt
        assert viewer.get(url).status_code == 403, fmt


def test_the_officer_deletes_a_computed_scorecard_but_not_a_published_one(
    api_officer: Client, computed: Scorecard, api_outsider: Client, province_viewer: User
) -> None:
    url = f"{BASE}/{computed.pk}"
    assert api_outsider.delete(url).status_code == 404
    assert bearer(province_viewer).delete(url).status_code == 403
    assert api_officer.delete(url).status_code == 204
    assert not Scorecard.objects.filter(pk=computed.pk).exists()
    assert AuditEvent.objects.filter(action="scorecard.delete", object_id=str(computed.pk)).exists()


def test_a_published_scorecard_cannot_be_deleted(api_officer: Client, published: Scorecard) -> None:
    response = api_officer.delete(f"{BASE}/{published.pk}")
    assert response.status_code == 422
    assert "không thể xóa" in json.dumps(response.json(), ensure_ascii=False)
    assert Scorecard.objects.filter(pk=published.pk).exists()
