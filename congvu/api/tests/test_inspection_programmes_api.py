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
from .conftest import bearer, this_year

BASE = "/api/v1/inspection-programmes"
YEAR = this_year()


@pytest.fixture(autouse=True)
def _the_year_of_this_test() -> None:
    """`YEAR` as of the moment each test runs, not of the collection (`this_year`)."""
    global YEAR
    YEAR = this_year()


@pytest.fixture
def inspector(province: dict[str, Organisation]) -> User:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    return make_user("inspector", Role.INSPECTOR, province["root"])


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def build(client: Client, province: dict[str, Organisation]) -> int:
    created = post(
        client,
        BASE,
        # Read here, not from `YEAR`: other modules build too, and re-bind their own.
        {"organisation": province["root"].pk, "year": this_year(), "title": "Kế hoạch"},
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


def test_the_inspector_builds_home_affairs_approves_and_both_follow_a_programme(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    twice = post(
        client,
        f"{BASE}/{pk}/items",
        {"organisation": province["commune"].pk, "kind": "scheduled", "month": 2},
    )
    assert twice.status_code == 422 and "quarter 1" in twice.content.decode()
    assert post(client, f"{BASE}/{pk}/approve", {}).status_code == 403
    approved = post(
        bearer(officer),
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
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["dept_justice"])
    pk = build(bearer(inspector), province)
    as_focal = bearer(focal)
    assert as_focal.get(f"{BASE}/{pk}").status_code == 404
    post(bearer(officer), f"{BASE}/{pk}/approve", {})
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


# --- a draft's items, bulk, amendments, files ------------------------------------------------


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


ITEMS = "/api/v1/inspection-programme-items"


def test_a_draft_s_items_are_changed_and_removed(
    province: dict[str, Organisation], inspector: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    commune = ProgrammeItem.objects.get(organisation=province["commune"])
    moved = patch(client, f"{ITEMS}/{commune.pk}", {"month": 8, "note": "Tháng 8"})
    assert moved.status_code == 200, moved.content
    changed = next(i for i in moved.json()["items"] if i["id"] == commune.pk)
    assert (changed["quarter"], changed["month"], changed["kind"]) == (3, 8, "scheduled")
    clash = patch(client, f"{ITEMS}/{commune.pk}", {"organisation": province["dept_justice"].pk})
    # The justice department is already in the third quarter (unannounced).
    assert clash.status_code == 422 and "quarter 3" in clash.json()["detail"][0]["msg"]
    assert client.delete(f"{ITEMS}/{commune.pk}").status_code == 204
    assert not ProgrammeItem.objects.filter(pk=commune.pk).exists()
    assert AuditEvent.objects.filter(action="inspection_programme.item_remove").exists()
    assert len(client.get(f"{BASE}/{pk}").json()["items"]) == 2


def test_many_organisations_are_added_at_once_and_a_duplicate_refuses_them_all(
    province: dict[str, Organisation], inspector: User
) -> None:
    client = bearer(inspector)
    created = post(client, BASE, {"organisation": province["root"].pk, "year": YEAR, "title": "K"})
    pk = created.json()["id"]
    body = {
        "organisations": [province["dept_home"].pk, province["commune"].pk],
        "quarter": 2,
        "kind": "scheduled",
    }
    added = post(client, f"{BASE}/{pk}/items/bulk", body)
    assert added.status_code == 201 and len(added.json()["items"]) == 2
    again = post(
        client,
        f"{BASE}/{pk}/items/bulk",
        {"organisation_kind": province["dept_home"].kind_id, "quarter": 2, "kind": "scheduled"},
    )
    assert again.status_code == 422
    assert again.json()["detail"][0]["msg"].startswith("Sở Nội vụ: Cơ quan này đã có")
    assert ProgrammeItem.objects.count() == 2
    unknown = post(client, f"{BASE}/{pk}/items/bulk", {**body, "organisations": [999999]})
    assert unknown.status_code == 422


def test_an_approved_programme_is_amended_and_home_affairs_approves_the_amendment(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    assert post(bearer(officer), f"{BASE}/{pk}/approve", {}).status_code == 200
    assert post(client, f"{BASE}/{pk}/amendments", {"reason": " "}).status_code == 422
    opened = post(client, f"{BASE}/{pk}/amendments", {"reason": "Điều chỉnh giữa năm"})
    assert opened.status_code == 201 and opened.json()["number"] == 1
    amendment = opened.json()["id"]
    commune = ProgrammeItem.objects.get(organisation=province["commune"])
    justice = ProgrammeItem.objects.get(organisation=province["dept_justice"], quarter=4)
    assert post(client, f"{ITEMS}/{commune.pk}/cancel", {"reason": "Sáp nhập"}).status_code == 201
    moved = post(client, f"{ITEMS}/{justice.pk}/reschedule", {"quarter": 2})
    assert moved.status_code == 201
    added = post(
        client,
        f"{BASE}/{pk}/amendment/items",
        {"organisation": province["dept_home"].pk, "kind": "scheduled", "month": 11},
    )
    changes = added.json()["changes"]
    assert [c["action"] for c in changes] == ["cancel", "reschedule", "add"]
    withdrawn = client.delete(f"/api/v1/inspection-programme-changes/{changes[1]['id']}")
    assert withdrawn.status_code == 204
    # An approved programme's item is not edited in place: only through an amendment.
    assert patch(client, f"{ITEMS}/{justice.pk}", {"note": "x"}).status_code == 422
    decision = {"decision_number": "45/QĐ-SNV", "decision_on": f"{YEAR}-06-10"}
    approve = f"/api/v1/inspection-programme-amendments/{amendment}/approve"
    assert post(client, approve, decision).status_code == 403
    assert post(bearer(officer), approve, {"decision_number": "45"}).status_code == 422
    done = post(bearer(officer), approve, decision)
    assert done.status_code == 200 and done.json()["status"] == "approved"
    detail = client.get(f"{BASE}/{pk}").json()
    states = {i["organisation"]["id"]: i["state"] for i in detail["items"]}
    assert states[province["commune"].pk] == "cancelled"
    assert province["dept_home"].pk in states
    assert detail["amendments"][0]["decision_number"] == "45/QĐ-SNV"
    listed = client.get(f"{BASE}/{pk}/amendments").json()
    assert [c["action"] for c in listed[0]["changes"]] == ["cancel", "add"]


def test_the_amendment_endpoints_refuse_a_viewer_and_hide_from_an_outsider(
    province: dict[str, Organisation], inspector: User, officer: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    post(bearer(officer), f"{BASE}/{pk}/approve", {})
    amendment = post(client, f"{BASE}/{pk}/amendments", {"reason": "Điều chỉnh"}).json()["id"]
    item = ProgrammeItem.objects.get(organisation=province["commune"]).pk
    change = post(client, f"{ITEMS}/{item}/cancel", {"reason": "Thôi"}).json()["changes"][0]["id"]
    viewer = bearer(make_user("root_viewer", Role.VIEWER, province["root"]))
    outsider = bearer(make_user("stranger", Role.HEAD, province["dept_home"]))
    calls = [
        ("get", f"{BASE}/{pk}/amendments", None),
        ("get", f"{BASE}/{pk}/programme.docx", None),
        ("get", f"{BASE}/{pk}/programme.xlsx", None),
        ("post", f"{BASE}/{pk}/amendments", {"reason": "X"}),
        ("post", f"{ITEMS}/{item}/reschedule", {"quarter": 2}),
        ("post", f"/api/v1/inspection-programme-amendments/{amendment}/approve", {}),
        ("delete", f"/api/v1/inspection-programme-changes/{change}", None),
        ("delete", f"{ITEMS}/{item}", None),
    ]
    for who, expected in ((viewer, 403), (outsider, 404)):
        for method, path, body in calls:
            response = post(who, path, body) if method == "post" else getattr(who, method)(path)
            assert response.status_code == expected, (method, path, response.status_code)


def test_the_programme_downloads_as_word_and_excel(
    province: dict[str, Organisation], inspector: User
) -> None:
    client = bearer(inspector)
    pk = build(client, province)
    docx = client.get(f"{BASE}/{pk}/programme.docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    xlsx = client.get(f"{BASE}/{pk}/programme.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
