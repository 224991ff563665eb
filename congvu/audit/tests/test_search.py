"""The audit log's "Nội dung" search: words of an event's summary or its object's id,
accents aside, on /audit/ and its CSV (the API's `q`: api/tests/test_audit_api.py)."""

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.audit.services import record, verify_chain
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation

from .events import searched_events
from .test_views import read_csv

LIST = reverse("audit:list")
EMPTY = "Không có sự kiện nào."


@pytest.fixture
def events(province: dict[str, Organisation], officer: User) -> dict[str, AuditEvent]:
    found = searched_events(province, officer)
    other = record(
        "planning.task_create",
        actor=officer,
        object_type="planning.task",
        object_id="7",
        organisation=province["dept_justice"],
        summary="Nhiệm vụ tuyên truyền",
    )
    return {**found, "other": other}


def ids_on(response: Any) -> set[int]:
    return {row["event"].pk for row in response.context["rows"]}


def test_words_without_accents_find_the_summary_with_them(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    for typed in ("voi vinh", "VÒI VĨNH", "vĩnh vòi", "tien, voi"):
        response = as_officer.get(LIST, {"q": typed})
        assert ids_on(response) == {events["bribe"].pk}, typed
        assert "Phản ánh cán bộ vòi vĩnh" in response.content.decode()
    for typed in ("duc", "Đức", "nguyen van duc"):
        assert ids_on(as_officer.get(LIST, {"q": typed})) == {events["duc"].pk}, typed


def test_the_objects_code_is_searched_too(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    assert ids_on(as_officer.get(LIST, {"q": "PA-2026-00042"})) == {events["bribe"].pk}
    assert ids_on(as_officer.get(LIST, {"q": "pa-2026 voi"})) == {events["bribe"].pk}
    # Every word must occur: one from another event's summary leaves nothing.
    assert ids_on(as_officer.get(LIST, {"q": "pa-2026 duc"})) == set()


def test_a_word_in_no_summary_says_there_is_no_event(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    response = as_officer.get(LIST, {"q": "không có từ này"})
    assert ids_on(response) == set()
    body = response.content.decode()
    assert EMPTY in body
    assert 'value="không có từ này"' in body  # the words stay in the box


def test_the_words_combine_with_a_date_and_the_other_filters(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    AuditEvent.objects.filter(pk=events["bribe"].pk).update(
        at=timezone.make_aware(dt.datetime(2026, 3, 5, 10, 0))
    )
    march = {"date_from": "01/03/2026", "date_to": "31/03/2026"}
    assert ids_on(as_officer.get(LIST, {"q": "voi vinh", **march})) == {events["bribe"].pk}
    assert ids_on(as_officer.get(LIST, {"q": "voi vinh", "date_from": "06/03/2026"})) == set()
    assert ids_on(as_officer.get(LIST, {"q": "duc", **march})) == set()
    assert ids_on(as_officer.get(LIST, {"q": "duc", "organisation": "so tu phap"})) == set()
    by_action = as_officer.get(LIST, {"q": "voi vinh", "action": "case.create"})
    assert ids_on(by_action) == {events["bribe"].pk}


def test_the_search_keeps_to_the_users_scope(
    province: dict[str, Organisation], events: dict[str, AuditEvent]
) -> None:
    auditor = client_for(make_user("commune_auditor", Role.HOME_AFFAIRS, province["commune"]))
    assert ids_on(auditor.get(LIST, {"q": "voi vinh"})) == set()
    assert ids_on(auditor.get(LIST, {"q": "duc"})) == {events["duc"].pk}


def test_an_outsider_and_a_role_without_audit_view_are_refused(
    as_head: Client, as_outsider: Client, as_viewer: Client, events: dict[str, AuditEvent]
) -> None:
    for client in (as_head, as_outsider, as_viewer):
        assert client.get(LIST, {"q": "voi vinh"}).status_code == 403
        assert client.get(reverse("audit:csv"), {"q": "voi vinh"}).status_code == 403
    # An event outside the scope stays not found, whatever was searched.
    outsider_detail = as_outsider.get(reverse("audit:detail", args=[events["bribe"].pk]))
    assert outsider_detail.status_code == 404


def test_too_long_a_search_is_explained_in_both_languages_and_the_rest_kept(
    as_officer: Client, events: dict[str, AuditEvent], settings: Any
) -> None:
    params = {"q": "a" * 201, "organisation": "tư pháp"}
    response = as_officer.get(LIST, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="filter-errors"' in body
    assert "Nội dung tìm kiếm dài tối đa 200 ký tự." in body
    assert 'value="tư pháp"' in body and "a" * 201 in body
    # The valid filters still apply; the search that was refused does not.
    assert events["bribe"].pk in ids_on(response)
    assert 'data-testid="csv-link"' not in body
    as_officer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = as_officer.get(LIST, params).content.decode()
    assert "The search text is at most 200 characters." in english


def test_odd_input_is_no_error(as_officer: Client, events: dict[str, AuditEvent]) -> None:
    for typed in ("%", "_", "...", "vòi\tvĩnh", "'; drop table", "\\"):
        assert as_officer.get(LIST, {"q": typed}).status_code == 200, repr(typed)
    # LIKE's wildcards are matched as themselves: "_" stands for no other character.
    assert ids_on(as_officer.get(LIST, {"q": "voi_vinh"})) == set()
    assert ids_on(as_officer.get(LIST, {"q": "v%h"})) == set()
    assert len(ids_on(as_officer.get(LIST, {"q": "..."}))) >= 3  # punctuation only: no search


def test_the_csv_has_the_events_the_search_finds_and_records_it(
    as_officer: Client, events: dict[str, AuditEvent]
) -> None:
    rows = read_csv(as_officer.get(reverse("audit:csv"), {"q": "voi vinh"}))
    header = rows[0]
    ids = {int(row[0]) for row in rows[1:]}
    # The download itself is recorded first; its summary quotes the search, so it is listed.
    export = AuditEvent.objects.get(action="audit.export")
    assert ids == {events["bribe"].pk, export.pk}
    assert export.data["filters"] == {"q": "voi vinh"}
    assert any(row[header.index("summary")].startswith("Phản ánh") for row in rows[1:])
    too_long = as_officer.get(reverse("audit:csv"), {"q": "a" * 201})
    assert too_long.status_code == 302


def test_events_keep_a_valid_chain_with_their_search_text(
    events: dict[str, AuditEvent],
) -> None:
    stored = AuditEvent.objects.get(pk=events["bribe"].pk)
    assert "voi vinh" in stored.search_text and "pa-2026-00042" in stored.search_text
    assert verify_chain().ok
    # The folded copy is not hashed: it may be refilled, the chain still holds.
    AuditEvent.objects.update(search_text="")
    assert verify_chain().ok


def test_the_migration_fills_the_search_text_of_existing_events_and_the_chain_holds(
    events: dict[str, AuditEvent],
) -> None:
    migration = import_module("congvu.audit.migrations.0004_auditevent_search_text")
    AuditEvent.objects.update(search_text="")
    migration.BATCH, batch = 2, migration.BATCH  # several batches on a small table
    try:
        migration.fill(apps, None)
    finally:
        migration.BATCH = batch
    assert not AuditEvent.objects.filter(search_text="").exists()
    assert AuditEvent.objects.get(pk=events["duc"].pk).search_text == "stp-001 nguyen van duc\n31"
    assert verify_chain().ok
    record("test.after", actor=None, object_type="x", object_id="1", summary="Sau")
    assert verify_chain().ok
