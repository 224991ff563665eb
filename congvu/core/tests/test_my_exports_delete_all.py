"""Deleting all the finished exports of "Tệp xuất của tôi" at once (and DELETE
/api/v1/me/exports): a confirmation saying how many, each deleted and audited by its
kind's service in one transaction, those being made kept and counted, another user's
untouched; nothing to delete said, not confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.api.tests.conftest import bearer
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case, CaseExport
from congvu.conftest import client_for
from congvu.core.tests.test_my_exports import cases_export
from congvu.core.tests.test_my_exports_delete import ready_badge_sheet, ready_cases_export
from congvu.organisations import badge_exports
from congvu.organisations.models import BadgeExport, BadgeSheet, Organisation, StaffMember

PAGE = reverse("core:my_exports")
DELETE_ALL = reverse("core:my_exports_delete_all")
API = "/api/v1/me/exports"
Province = dict[str, Organisation]
Status = CaseExport.Status

# Every cases export and every sheet of more than two badges goes to the worker
# (`background_exports`, with `case` and `justice_staff`: core/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("background_exports")


def three_exports(
    client: Client, province: Province, on_commit: Any
) -> tuple[BadgeExport, CaseExport, CaseExport]:
    """A ready badge sheet, a ready cases export and a CSV one still waiting (newest)."""
    badge = ready_badge_sheet(client, province["dept_justice"], on_commit)
    ready = ready_cases_export(client)
    waiting = cases_export(client, format="csv")
    return badge, ready, waiting


def test_the_owner_confirms_then_the_finished_ones_go_and_the_one_being_made_stays(
    officer: User,
    head: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    theirs = ready_cases_export(client_for(head))
    client = client_for(officer)
    badge, ready, waiting = three_exports(client, province, django_capture_on_commit_callbacks)
    stored = [badge.file.name, ready.file.name, theirs.file.name]
    listing = client.get(PAGE).content.decode()
    assert f'href="{DELETE_ALL}" data-testid="my-exports-delete-all"' in listing
    assert "Xóa tất cả tệp đã xong…" in listing

    confirm = client.get(DELETE_ALL)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Xóa 2 tệp xuất đã xong" in html
    assert "1 tệp đang được tạo sẽ được giữ lại." in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert CaseExport.objects.count() == 3 and BadgeExport.objects.count() == 1  # asking only

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(DELETE_ALL, follow=True)
    assert done.redirect_chain == [(PAGE, 302)]
    page = done.content.decode()
    assert "Đã xóa 2 tệp xuất đã xong. Giữ lại 1 tệp đang được tạo." in page
    assert f'id="export-cases-{waiting.pk}"' in page and "export-badges" not in page
    assert "my-exports-delete-all" not in page  # what is left is being made
    assert set(CaseExport.objects.values_list("pk", flat=True)) == {waiting.pk, theirs.pk}
    assert not BadgeExport.objects.exists() and BadgeSheet.objects.filter(user=officer).exists()
    assert [default_storage.exists(name) for name in stored] == [False, False, True]
    # Each audited by its kind's service, as a single deletion is.
    events = AuditEvent.objects.filter(action__endswith="_delete")
    assert sorted((e.action, e.object_id, e.actor_id) for e in events) == sorted(
        [
            ("case.export_delete", str(ready.pk), officer.pk),
            ("staff.badge_sheet_delete", str(badge.pk), officer.pk),
        ]
    )
    # The other user's list is as it was.
    assert client_for(head).get(PAGE).content.decode().count('my-export-delete"') == 1


def test_the_api_deletes_the_finished_ones_and_counts_the_kept(
    officer: User,
    head: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    theirs = ready_cases_export(client_for(head))
    _badge, _ready, waiting = three_exports(
        client_for(officer), province, django_capture_on_commit_callbacks
    )
    api = bearer(officer)
    with django_capture_on_commit_callbacks(execute=True):
        cleared = api.delete(API)
    assert cleared.status_code == 200 and cleared.json() == {"deleted": 2, "kept": 1}
    assert [item["id"] for item in api.get(API).json()["items"]] == [waiting.pk]
    assert api.delete(API).json() == {"deleted": 0, "kept": 1}
    assert CaseExport.objects.filter(pk=theirs.pk).exists()
    assert bearer(head).get(API).json()["count"] == 1
    assert AuditEvent.objects.filter(action__endswith="_delete").count() == 2


def test_nothing_to_delete_is_said_without_a_confirmation(
    officer: User, head: User, case: Case
) -> None:
    client = client_for(officer)
    # Nothing at all.
    assert "my-exports-delete-all" not in client.get(PAGE).content.decode()
    empty = client.get(DELETE_ALL)
    assert empty.status_code == 200
    html = empty.content.decode()
    assert "Không có tệp xuất nào đã xong để xóa." in html and "confirm-delete-all" not in html
    assert bearer(officer).delete(API).json() == {"deleted": 0, "kept": 0}
    # Only one being made: still nothing to delete, and it is said to be kept.
    waiting = cases_export(client)
    assert "my-exports-delete-all" not in client.get(PAGE).content.decode()
    html = client.get(DELETE_ALL).content.decode()
    assert "1 tệp đang được tạo: khi tệp xong, bạn xóa được." in html
    assert "confirm-delete-all" not in html
    posted = client.post(DELETE_ALL, follow=True).content.decode()
    assert "Không có tệp xuất nào đã xong để xóa. Giữ lại 1 tệp đang được tạo." in posted
    assert CaseExport.objects.filter(pk=waiting.pk, status=Status.QUEUED).exists()
    assert not AuditEvent.objects.filter(action__endswith="_delete").exists()


def test_one_failure_deletes_nothing(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    badge = ready_badge_sheet(
        client_for(officer), province["dept_justice"], django_capture_on_commit_callbacks
    )
    ready = ready_cases_export(client_for(officer))  # newer: deleted first

    def broken(export: BadgeExport, *, actor: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(badge_exports, "delete", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        bearer(officer).delete(API)
    assert CaseExport.objects.filter(pk=ready.pk).exists() and default_storage.exists(
        ready.file.name
    )
    assert BadgeExport.objects.filter(pk=badge.pk).exists()
    assert not AuditEvent.objects.filter(action__endswith="_delete").exists()


def test_anonymous_callers_are_sent_to_log_in_and_the_form_needs_its_token(
    officer: User, case: Case
) -> None:
    export = ready_cases_export(client_for(officer))
    for response in (Client().get(DELETE_ALL), Client().post(DELETE_ALL)):
        assert response.status_code == 302 and "login" in response["Location"]
    assert Client().delete(API).status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    assert strict.post(DELETE_ALL).status_code == 403
    assert CaseExport.objects.filter(pk=export.pk).exists()


def test_the_pages_and_the_message_are_in_english_for_an_english_reader(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    three_exports(client, province, django_capture_on_commit_callbacks)
    client.cookies["congvu_lang"] = "en"
    assert "Delete all finished exports…" in client.get(PAGE).content.decode()
    html = client.get(DELETE_ALL).content.decode()
    assert "Delete 2 finished exports (ready, failed or expired)?" in html
    assert "1 export still being made will be kept." in html
    done = client.post(DELETE_ALL, follow=True).content.decode()
    assert "Deleted 2 finished exports. Kept 1 export still being made." in done


def test_the_operation_is_in_the_openapi_document(officer: User) -> None:
    operation = bearer(officer).get("/api/v1/openapi.json").json()["paths"][API]["delete"]
    assert set(operation["responses"]) == {"200", "401"}
    assert "kept" in operation["description"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/ClearedOut")
