"""The yearly inspection programme through the API: the inspector builds, approves and
follows it; the inspected organisation sees its own announced items only after approval."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.conduct.services import load_seed_catalogue
from congvu.inspections.models import ProgrammeItem
from congvu.inspections.tests.conftest import plan, start
from congvu.organisations.models import Organisation

from ...conftest import make_user
from .conftest import bearer

BASE = "/api/v1/inspection-programmes"
YEAR = timezone.localdate().year


@pytest.fixture
def inspector(province: dict[str, Organisation]) -> User:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    return make_user("inspector", Role.INSPECTOR, province["root"])


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def build(client: Client, province: dict[str, Organisation]) -> int:
    created = post(
        client, BASE, {"organisation": province["root"].pk, "year": YEAR, "title": "Kế hoạch"}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for organisation, kind, quarter in [
        ("dept_justice", "scheduled", 4),
        ("dept_justice", "unannounced", 3),
        ("commune", "scheduled", 1),
    ]:
        response = post(
            client,
            f"{BASE}/{pk}/items",
            {"organisation": province[organisation].pk, "kind": kind, "quarter": quarter},
        )
        assert response.status_code == 201, response.content
    return int(pk)


def test_the_inspector_builds_approves_and_follows_a_programme(
    province: dict[str, Organisation], inspector: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    twice = post(
        client,
        f"{BASE}/{pk}/items",
        {"organisation": province["commune"].pk, "kind": "scheduled", "month": 2},
    )
    assert twice.status_code == 422 and "quarter 1" in twice.content.decode()
    approved = post(
        client,
        f"{BASE}/{pk}/approve",
        {"decision_number": "123/QĐ-SNV", "decision_on": f"{YEAR}-01-15"},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert AuditEvent.objects.filter(action="inspection_programme.approve").count() == 1
    coverage = client.get(f"{BASE}/{pk}/coverage").json()
    assert sum(coverage["totals"].values()) == 3
    assert coverage["quarters"][0]["items"] == 1
    # The first quarter is over in every month but the first three.
    commune = next(i for i in coverage["items"] if i["quarter"] == 1)
    assert commune["state"] == ("overdue" if timezone.localdate().month > 3 else "planned")
    assert [p["id"] for p in client.get(BASE).json()["items"]] == [pk]


def test_the_organisation_sees_its_announced_items_only_after_approval(
    province: dict[str, Organisation], inspector: User
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["dept_justice"])
    pk = build(bearer(inspector), province)
    as_focal = bearer(focal)
    assert as_focal.get(f"{BASE}/{pk}").status_code == 404
    post(bearer(inspector), f"{BASE}/{pk}/approve", {})
    items = as_focal.get(f"{BASE}/{pk}").json()["items"]
    assert [(i["kind"], i["quarter"]) for i in items] == [("scheduled", 4)]
    # The programme is visible to them, managing it is not theirs.
    assert as_focal.get(f"{BASE}/{pk}/coverage").status_code == 403
    assert post(as_focal, f"{BASE}/{pk}/approve", {}).status_code == 403
    surprise = ProgrammeItem.objects.get(kind="unannounced")
    inspection = plan(province["dept_justice"], inspector, kind="unannounced", item=surprise)
    assert len(as_focal.get(f"{BASE}/{pk}").json()["items"]) == 1
    start(inspection, inspector)
    assert len(as_focal.get(f"{BASE}/{pk}").json()["items"]) == 2


def test_a_role_without_the_permission_gets_403_and_an_outsider_404(
    province: dict[str, Organisation], inspector: User
) -> None:
    pk = build(bearer(inspector), province)
    viewer = bearer(make_user("root_viewer", Role.VIEWER, province["root"]))
    outsider = bearer(make_user("stranger", Role.HEAD, province["dept_home"]))
    assert viewer.get(f"{BASE}/{pk}").status_code == 403
    assert viewer.get(f"{BASE}/{pk}/coverage").status_code == 403
    assert outsider.get(f"{BASE}/{pk}").status_code == 404
    assert outsider.get(f"{BASE}/{pk}/coverage").status_code == 404
    body = {"organisation": province["root"].pk, "year": YEAR, "title": "X"}
    assert post(viewer, BASE, body).status_code == 403
    assert post(bearer(inspector), BASE, {**body, "year": 1999}).status_code == 422
