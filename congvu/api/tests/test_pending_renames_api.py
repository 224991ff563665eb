"""Withdrawing a rename recorded ahead of its day, and a move under a parent with a unit of
the same name, through the API (reorgfix)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import START, kind
from congvu.organisations import restructuring, services
from congvu.organisations.models import Organisation

Province = dict[str, Organisation]
API = "/api/v1/organisations"
TODAY = timezone.localdate()
AHEAD = TODAY + dt.timedelta(days=60)
LATER = AHEAD + dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _the_days_of_this_test() -> None:
    """The dates above as of the moment each test runs, not of the collection: a run
    that crosses midnight (Vietnam time) in between saw yesterday as today."""
    global TODAY, AHEAD, LATER
    TODAY = timezone.localdate()
    AHEAD = TODAY + dt.timedelta(days=60)
    LATER = AHEAD + dt.timedelta(days=30)


def reload(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


def history(org: Organisation) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(v.name, v.valid_from, v.valid_to) for v in org.versions.order_by("valid_from")]


@pytest.fixture
def pending(province: Province, officer: User) -> Organisation:
    justice = province["dept_justice"]
    restructuring.rename_organisation(
        justice, actor=officer, name="Sở Tư pháp và Pháp chế", effective=AHEAD
    )
    return justice


@pytest.fixture
def namesake(province: Province) -> Organisation:
    return services.create_organisation(
        actor=None,
        code="H56.01.07",
        name="Phòng Hành chính tư pháp",
        kind=kind("division"),
        parent=province["dept_home"],
        valid_from=START,
    )


def withdraw(client: Client, org: Organisation, body: dict[str, Any]) -> Any:
    return client.post(f"{API}/{org.pk}/rename/withdraw", body, content_type="application/json")


def test_the_api_withdraws_a_pending_rename(pending: Organisation, api_officer: Client) -> None:
    response = withdraw(api_officer, pending, {"effective": AHEAD.isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Sở Tư pháp"
    assert len(history(pending)) == 1
    assert AuditEvent.objects.filter(action="organisations.rename_withdrawn").count() == 1


def test_the_api_withdraws_the_latest_pending_rename_without_a_date(
    pending: Organisation, api_officer: Client
) -> None:
    assert withdraw(api_officer, pending, {}).status_code == 200
    assert len(history(pending)) == 1


def test_the_api_refuses_a_withdrawal_with_nothing_pending_or_a_bad_body(
    pending: Organisation, api_officer: Client
) -> None:
    response = withdraw(api_officer, pending, {"effective": LATER.isoformat()})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "effective"]
    assert withdraw(api_officer, pending, {"effective": "31/02/2027"}).status_code == 422
    assert withdraw(api_officer, pending, {"when": AHEAD.isoformat()}).status_code == 422
    assert len(history(pending)) == 2


def test_the_api_withdrawal_is_404_for_an_outsider_and_403_for_a_viewer(
    pending: Organisation, api_outsider: Client, api_viewer: Client
) -> None:
    assert withdraw(api_outsider, pending, {}).status_code == 404
    assert withdraw(api_viewer, pending, {}).status_code == 403
    assert len(history(pending)) == 2


def test_the_api_move_under_a_parent_with_a_namesake_is_a_422(
    namesake: Organisation, province: Province, api_officer: Client
) -> None:
    division = province["division_justice"]
    response = api_officer.post(
        f"{API}/{division.pk}/move",
        {"parent": province["dept_home"].pk, "effective": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "parent"]
    assert reload(division).parent_id == province["dept_justice"].pk
