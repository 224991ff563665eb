"""GET /api/v1/audit-events and /api/v1/audit-events/{id}: scoped like /audit/."""

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.audit.tests.events import sample_events, searched_events
from congvu.conftest import make_user
from congvu.organisations.models import Organisation

from .conftest import bearer

URL = "/api/v1/audit-events"


@pytest.fixture
def events(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    return sample_events(province, officer)


def ours(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"] if item["action"] != "organisations.create"]


def test_the_list_is_newest_first_with_readable_actions(
    api_officer: Client, events: dict[str, AuditEvent]
) -> None:
    response = api_officer.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert ours(body)[:3] == [events["account"].pk, events["commune"].pk, events["justice"].pk]
    item = next(i for i in body["items"] if i["id"] == events["justice"].pk)
    assert item["action_label"] == "Tạo nhiệm vụ"
    assert item["summary"] == "Nhiệm vụ tuyên truyền"
    assert item["organisation"]["name"] == "Sở Tư pháp"
    assert item["actor"]["username"] == "officer"


def test_the_cursor_walks_every_page_once(
    api_officer: Client, officer: User, events: dict[str, AuditEvent]
) -> None:
    everything = [item["id"] for item in api_officer.get(URL, {"limit": 200}).json()["items"]]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        body = api_officer.get(URL, params).json()
        seen.extend(item["id"] for item in body["items"])
        if body["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": body["next_cursor"]}
    assert seen == everything


def test_filters_match_the_pages(api_officer: Client, events: dict[str, AuditEvent]) -> None:
    by_org = api_officer.get(URL, {"organisation": "xa an binh"}).json()
    assert ours(by_org) == [events["commune"].pk]
    by_action = api_officer.get(URL, {"action": "accounts.create_user"}).json()
    assert ours(by_action) == [events["account"].pk]
    later = api_officer.get(URL, {"date_from": "2100-01-01"}).json()
    assert later["items"] == []


def test_bad_filters_are_422(api_officer: Client, events: dict[str, AuditEvent]) -> None:
    assert api_officer.get(URL, {"date_from": "31/12/2026"}).status_code == 422
    assert api_officer.get(URL, {"cursor": "abc"}).status_code == 422
    assert api_officer.get(URL, {"limit": 0}).status_code == 422


def test_a_holder_on_one_organisation_gets_only_its_events(
    province: dict[str, Organisation], events: dict[str, AuditEvent]
) -> None:
    client = bearer(make_user("auditor", Role.HOME_AFFAIRS, province["commune"]))
    assert ours(client.get(URL).json()) == [events["commune"].pk]
    assert client.get(f"{URL}/{events['justice'].pk}").status_code == 404
    assert client.get(f"{URL}/{events['account'].pk}").status_code == 404


def test_an_outsider_gets_404_and_a_role_without_audit_view_403(
    api_outsider: Client, api_head: Client, events: dict[str, AuditEvent]
) -> None:
    assert api_outsider.get(f"{URL}/{events['justice'].pk}").status_code == 404
    assert api_head.get(f"{URL}/{events['justice'].pk}").status_code == 403
    assert api_head.get(URL).status_code == 403
    assert Client().get(URL).status_code == 401


def test_one_event_has_its_data_and_hash_check(
    api_officer: Client, events: dict[str, AuditEvent]
) -> None:
    event = events["justice"]
    body = api_officer.get(f"{URL}/{event.pk}").json()
    assert body["data"] == {"deadline": "2026-12-31", "organisations": [1, 2]}
    assert body["hash"] == event.hash and body["prev_hash"] == event.prev_hash
    assert body["hash_holds"] is True and body["prev_hash_links"] is True
    AuditEvent.objects.filter(pk=event.pk).update(summary="sửa")
    assert api_officer.get(f"{URL}/{event.pk}").json()["hash_holds"] is False
    assert api_officer.get(f"{URL}/999999999").status_code == 404


@pytest.fixture
def searched(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    return searched_events(province, officer)


def test_q_finds_words_of_the_summary_or_code_without_accents(
    api_officer: Client, province: dict[str, Organisation], searched: dict[str, AuditEvent]
) -> None:
    def found(params: dict[str, Any], client: Client = api_officer) -> set[int]:
        response = client.get(URL, params)
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert found({"q": "voi vinh"}) == {searched["bribe"].pk}
    assert found({"q": "duc"}) == {searched["duc"].pk}
    assert found({"q": "pa-2026-00042"}) == {searched["bribe"].pk}
    assert found({"q": "không có từ này"}) == set()
    assert found({"q": "voi vinh", "date_from": "2100-01-01"}) == set()
    today = timezone.localdate().isoformat()
    assert found({"q": "voi vinh", "date_from": today, "date_to": today}) == {searched["bribe"].pk}
    auditor = bearer(make_user("auditor", Role.HOME_AFFAIRS, province["commune"]))
    assert found({"q": "voi vinh"}, auditor) == set()
    assert api_officer.get(URL, {"q": "a" * 201}).status_code == 422


def test_q_is_refused_to_those_without_audit_view(
    api_head: Client, api_outsider: Client, searched: dict[str, AuditEvent]
) -> None:
    assert api_head.get(URL, {"q": "voi vinh"}).status_code == 403
    assert api_outsider.get(URL, {"q": "voi vinh"}).status_code == 403
