"""Rename, move, merge, split and dissolve through the API: the page's services and rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.api.tests.conftest import bearer
from congvu.conftest import make_staff, make_user
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]
URL = "/api/v1/organisations"
TODAY = timezone.localdate()
LATER = TODAY + dt.timedelta(days=45)


@pytest.fixture(autouse=True)
def _the_days_of_this_test() -> None:
    """The dates above as of the moment each test runs, not of the collection: a run
    that crosses midnight (Vietnam time) in between saw yesterday as today."""
    global TODAY, LATER
    TODAY = timezone.localdate()
    LATER = TODAY + dt.timedelta(days=45)


def post(client: Client, org: Organisation, action: str, body: dict[str, Any]) -> Any:
    return client.post(f"{URL}/{org.pk}/{action}", body, content_type="application/json")


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def bodies(province: Province) -> dict[str, dict[str, Any]]:
    today = TODAY.isoformat()
    return {
        "rename": {"name": "Sở Tư pháp tỉnh", "effective": today},
        "move": {"parent": province["dept_home"].pk, "effective": today},
        "merge": {
            "partners": [province["dept_home"].pk],
            "new": {"code": "H56.90", "name": "Sở Nội chính", "kind": "department"},
            "effective": today,
        },
        "split": {
            "parts": [
                {"code": "H56.91", "name": "Sở Tư pháp 1", "kind": "department"},
                {"code": "H56.92", "name": "Sở Tư pháp 2", "kind": "department"},
            ],
            "successor": 2,
            "effective": today,
        },
        "dissolve": {"effective": today, "move_children_to": province["dept_home"].pk},
    }


ACTIONS = ["rename", "move", "merge", "split", "dissolve"]


@pytest.mark.parametrize("action", ACTIONS)
def test_an_officer_restructures_through_the_api(
    action: str, api_officer: Client, province: Province
) -> None:
    response = post(api_officer, province["dept_justice"], action, bodies(province)[action])
    assert response.status_code == 200, response.content
    justice = reload(province["dept_justice"])
    if action == "rename":
        assert response.json()["name"] == justice.name == "Sở Tư pháp tỉnh"
    elif action == "move":
        assert response.json()["parent_id"] == province["dept_home"].pk == justice.parent_id
    elif action == "merge":
        assert response.json()["code"] == "H56.90"
        assert justice.successor is not None and justice.successor.code == "H56.90"
    elif action == "split":
        assert [o["code"] for o in response.json()] == ["H56.91", "H56.92"]
        assert justice.successor is not None and justice.successor.code == "H56.92"
    else:
        assert response.json()["valid_to"] == (TODAY - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("action", ACTIONS)
def test_a_viewer_gets_403_and_nothing_changes(
    action: str, api_viewer: Client, province: Province
) -> None:
    response = post(api_viewer, province["dept_justice"], action, bodies(province)[action])
    assert response.status_code == 403
    justice = reload(province["dept_justice"])
    assert (justice.name, justice.valid_to) == ("Sở Tư pháp", None)


@pytest.mark.parametrize("action", ACTIONS)
def test_an_outsider_gets_404(action: str, api_outsider: Client, province: Province) -> None:
    response = post(api_outsider, province["dept_justice"], action, bodies(province)[action])
    assert response.status_code == 404


def test_an_organisation_named_in_the_body_outside_the_callers_scope_is_404(
    province: Province,
) -> None:
    # Home Affairs' grant on Sở Tư pháp only: it manages that subtree, not Sở Nội vụ.
    scoped = bearer(make_user("scoped", Role.HOME_AFFAIRS, province["dept_justice"]))
    response = post(scoped, province["dept_justice"], "merge", bodies(province)["merge"])
    assert response.status_code == 404
    assert reload(province["dept_justice"]).valid_to is None
    division = province["division_justice"]
    moved = post(scoped, division, "move", bodies(province)["move"])
    assert moved.status_code == 404
    assert reload(division).parent_id == province["dept_justice"].pk


@pytest.mark.parametrize("action", ["move", "merge", "split", "dissolve"])
def test_a_structural_change_after_today_is_a_422(
    action: str, api_officer: Client, province: Province
) -> None:
    member = make_staff(province["dept_justice"], "Trần Thị Bình", "CB-9")
    body = {**bodies(province)[action], "effective": LATER.isoformat()}
    if action == "dissolve":
        body["move_staff_to"] = province["dept_home"].pk
    response = post(api_officer, province["dept_justice"], action, body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "effective"
    assert "record this change on the day it takes effect" in error["msg"]
    assert StaffMember.objects.get(pk=member.pk).organisation_id == province["dept_justice"].pk
    assert reload(province["dept_justice"]).valid_to is None


def test_a_future_rename_is_accepted_and_shows_from_its_day(
    api_officer: Client, province: Province
) -> None:
    body = {"name": "Sở Pháp chế", "effective": LATER.isoformat()}
    response = post(api_officer, province["dept_justice"], "rename", body)
    assert response.status_code == 200
    assert response.json()["name"] == "Sở Tư pháp"
    tree = api_officer.get(
        f"{URL}/{province['dept_justice'].pk}/subtree", {"as_of": body["effective"]}
    )
    assert tree.json()[0]["name"] == "Sở Pháp chế"


def test_a_rename_to_a_siblings_name_is_a_422(api_officer: Client, province: Province) -> None:
    response = post(api_officer, province["dept_justice"], "rename", {"name": "Sở Nội vụ"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]


def test_an_unknown_field_in_a_restructuring_body_is_a_422(
    api_officer: Client, province: Province
) -> None:
    body = {"parent_id": province["dept_home"].pk, "effective": TODAY.isoformat()}
    response = post(api_officer, province["dept_justice"], "move", body)
    assert response.status_code == 422
    assert reload(province["dept_justice"]).parent_id == province["root"].pk


def test_a_split_moves_the_staff_it_is_told_to(api_officer: Client, province: Province) -> None:
    first = make_staff(province["dept_justice"], "Lê Văn Cường", "CB-1")
    second = make_staff(province["dept_justice"], "Phạm Thị Dung", "CB-2")
    body = {**bodies(province)["split"], "staff_to": {str(second.pk): 2}}
    response = post(api_officer, province["dept_justice"], "split", body)
    assert response.status_code == 200, response.content
    assert StaffMember.objects.get(pk=first.pk).organisation.code == "H56.91"
    assert StaffMember.objects.get(pk=second.pk).organisation.code == "H56.92"
    body["staff_to"] = {"999999": 1}
    again = post(api_officer, province["dept_home"], "split", body)
    assert again.status_code == 422
