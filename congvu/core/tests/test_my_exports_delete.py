"""Deleting one of "Tệp xuất của tôi" (and DELETE /api/v1/me/exports/{kind}/{id}): the
owner's finished export only, after a confirmation; its file gone once the deletion
commits, audited; a waiting or running one refused (409) until its worker is taken as
lost; another user's, or one made with rights since lost, 404 as the list hides it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.api.tests.conftest import bearer
from congvu.audit.models import AuditEvent
from congvu.cases import export_jobs, tasks
from congvu.cases import exports as case_writers
from congvu.cases.models import Case, CaseExport
from congvu.conftest import client_for
from congvu.core import pdf_exports as jobs
from congvu.core.tests.test_my_exports import badge_sheet, cases_export
from congvu.organisations import badge_exports, badges
from congvu.organisations.models import BadgeExport, BadgeSheet, Organisation, StaffMember

PAGE = reverse("core:my_exports")
CASES_EXPORT = reverse("cases:export")
Province = dict[str, Organisation]
Status = CaseExport.Status
ENGLISH = {"Accept-Language": "en"}


# Every cases export and every sheet of more than two badges goes to the worker
# (`background_exports`, with `case` and `justice_staff`: core/tests/conftest.py).
pytestmark = pytest.mark.usefixtures("background_exports")


def delete_url(kind: str, pk: int) -> str:
    return reverse("core:my_export_delete", args=[kind, pk])


def api_url(kind: str, pk: int) -> str:
    return f"/api/v1/me/exports/{kind}/{pk}"


def ready_cases_export(client: Client) -> CaseExport:
    export = cases_export(client)
    assert tasks.make_export.call(export.pk) == "done"
    export.refresh_from_db()
    return export


def ready_badge_sheet(client: Client, organisation: Organisation, on_commit: Any) -> BadgeExport:
    export = badge_sheet(client, organisation, on_commit)
    assert BadgeExport.objects.count() == 1
    assert export.status == BadgeExport.Status.DONE
    return export


def test_the_owner_confirms_then_deletes_a_cases_export_and_its_file_goes(
    officer: User, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(officer)
    export = ready_cases_export(client)
    stored = export.file.name
    listing = client.get(PAGE).content.decode()
    assert f'href="{delete_url("cases", export.pk)}"' in listing

    confirm = client.get(delete_url("cases", export.pk))
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Xóa tệp xuất" in html and "Xuất danh sách vụ việc" in html and "1 vụ việc" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert CaseExport.objects.filter(pk=export.pk).exists()  # asking deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(delete_url("cases", export.pk), follow=True)
    assert deleted.redirect_chain == [(PAGE, 302)]
    assert "Đã xóa tệp xuất “Xuất danh sách vụ việc”." in deleted.content.decode()
    assert "Bạn chưa có tệp xuất nào" in deleted.content.decode()
    assert not CaseExport.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(stored)
    assert client.get(reverse("cases:export_status", args=[export.pk])).status_code == 404
    event = AuditEvent.objects.get(action="case.export_delete")
    assert event.actor == officer and event.object_id == str(export.pk)
    assert event.data == {
        "source": "web",
        "filters": "",
        "rows": 1,
        "format": "xlsx",
        "status": "done",
    }
    # A second click (another tab): the export is no longer there.
    assert client.post(delete_url("cases", export.pk)).status_code == 404


def test_the_form_needs_its_csrf_token(officer: User, case: Case) -> None:
    export = ready_cases_export(client_for(officer))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    assert strict.post(delete_url("cases", export.pk)).status_code == 403
    assert CaseExport.objects.filter(pk=export.pk).exists()


def test_deleting_a_badge_sheet_removes_the_file_and_keeps_what_was_asked(
    officer: User,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    export = ready_badge_sheet(client, province["dept_justice"], django_capture_on_commit_callbacks)
    stored = export.file.name
    confirm = client.get(delete_url("badges", export.pk)).content.decode()
    assert "Lựa chọn in thẻ vẫn được giữ" in confirm and "Sở Tư pháp" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(delete_url("badges", export.pk), follow=True)
    assert "Đã xóa tệp xuất “Thẻ cán bộ: Sở Tư pháp”." in deleted.content.decode()
    assert not BadgeExport.objects.exists() and not default_storage.exists(stored)
    assert BadgeSheet.objects.filter(user=officer).count() == 1
    file_url = reverse("organisations:badge_export_file", args=[export.pk])
    assert client.get(file_url).status_code == 404
    event = AuditEvent.objects.get(action="staff.badge_sheet_delete")
    assert event.organisation_id == province["dept_justice"].pk
    assert event.data == {
        "organisation": province["dept_justice"].pk,
        "subtree": False,
        "part": 0,
        "rows": 3,
        "status": "done",
    }
    assert "Nguyễn Văn Đức" not in str(event.data) + event.summary  # no names
    # Printed again: a new file of the same sheet.
    again = ready_badge_sheet(client, province["dept_justice"], django_capture_on_commit_callbacks)
    assert again.sheet_id == export.sheet_id and again.pk != export.pk


def test_failed_and_expired_exports_may_be_deleted_too(officer: User, case: Case) -> None:
    now = timezone.now()
    failed, expired = (
        CaseExport.objects.create(
            user=officer,
            fingerprint=name,
            language="vi",
            rows=1,
            grants=export_jobs.grants_key(officer),
            status=status,
            expires_at=expires,
        )
        for name, status, expires in [
            ("failed", Status.FAILED, now + dt.timedelta(hours=1)),
            ("expired", Status.DONE, now - dt.timedelta(minutes=1)),
        ]
    )
    client = client_for(officer)
    for export in (failed, expired):
        assert client.get(delete_url("cases", export.pk)).status_code == 200
        assert client.post(delete_url("cases", export.pk)).status_code == 302
        event = AuditEvent.objects.get(action="case.export_delete", object_id=str(export.pk))
        assert event.data["status"] == export.status
    assert not CaseExport.objects.exists()


def test_a_waiting_export_is_refused_with_a_message_and_kept(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
) -> None:
    client = client_for(officer)
    assert client.get(CASES_EXPORT).status_code == 302  # no commit: the worker never ran
    export = CaseExport.objects.get()
    sheet = reverse("organisations:badges_pdf", args=[province["dept_justice"].pk])
    assert client.get(sheet).status_code == 302
    badge = BadgeExport.objects.get()
    listing = client.get(PAGE).content.decode()
    assert "my-export-delete" not in listing
    for kind, pk in (("cases", export.pk), ("badges", badge.pk)):
        for method in (client.get, client.post):
            response = method(delete_url(kind, pk))
            assert response.status_code == 409
            html = response.content.decode()
            assert "Tệp đang được tạo nên chưa xóa được" in html
            assert "The file is still being made" in html  # the English half beside it
            assert "confirm-delete" not in html
        refused = bearer(officer).delete(api_url(kind, pk), headers=ENGLISH)
        assert refused.status_code == 409
        assert refused.json()["detail"].startswith("The file is still being made")
    assert CaseExport.objects.filter(pk=export.pk, status=Status.QUEUED).exists()
    assert BadgeExport.objects.filter(pk=badge.pk).exists()
    assert not AuditEvent.objects.filter(action__endswith="_delete").exists()
    client.cookies["congvu_lang"] = "en"
    english = client.post(delete_url("cases", export.pk)).content.decode()
    assert "The file is still being made and cannot be deleted yet" in english


def test_an_export_whose_worker_was_lost_may_be_deleted_and_the_worker_then_skips_it(
    officer: User, province: Province, justice_staff: list[StaffMember]
) -> None:
    client = client_for(officer)
    client.get(reverse("organisations:badges_pdf", args=[province["dept_justice"].pk]))
    export = BadgeExport.objects.get()
    BadgeExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - jobs.STALE_AFTER - dt.timedelta(seconds=1)
    )
    (row,) = bearer(officer).get("/api/v1/me/exports").json()["items"]
    assert row["state"] == "waiting" and row["deletable"] is True
    assert bearer(officer).delete(api_url("badges", export.pk)).status_code == 204
    assert badge_exports.make(export.pk) == "not queued"


def test_a_worker_that_finishes_after_the_deletion_leaves_no_file(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    monkeypatch: Any,
    tmp_path: Path,
) -> None:
    client = client_for(officer)
    client.get(reverse("organisations:badges_pdf", args=[province["dept_justice"].pk]))
    client.get(CASES_EXPORT)
    badge = BadgeExport.objects.get()
    export = CaseExport.objects.get()
    stale = timezone.now() - jobs.STALE_AFTER - dt.timedelta(seconds=1)
    BadgeExport.objects.update(requested_at=stale)
    CaseExport.objects.update(requested_at=stale)

    # The owner deletes each while its slow worker (not lost after all) is making it.
    def render_then_deleted(html: str, *, site_url: str) -> bytes:
        assert bearer(officer).delete(api_url("badges", badge.pk)).status_code == 204
        return b"%PDF-1.7 made too late"

    def write_then_deleted(*args: Any) -> bytes:
        assert bearer(officer).delete(api_url("cases", export.pk)).status_code == 204
        return b"made too late"

    monkeypatch.setattr(badges, "render_html", render_then_deleted)
    monkeypatch.setattr(case_writers, "write", write_then_deleted)
    assert badge_exports.make(badge.pk) == "deleted meanwhile"
    assert tasks.make_export.call(export.pk) == "deleted meanwhile"
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    assert not BadgeExport.objects.exists() and not CaseExport.objects.exists()


def test_another_users_export_an_unknown_one_and_anonymous_callers_are_refused(
    officer: User, head: User, case: Case, as_outsider: Client
) -> None:
    theirs = ready_cases_export(client_for(head))
    for client in (client_for(officer), as_outsider):
        assert client.get(delete_url("cases", theirs.pk)).status_code == 404
        assert client.post(delete_url("cases", theirs.pk)).status_code == 404
    assert client_for(head).get(delete_url("badges", theirs.pk)).status_code == 404
    assert client_for(head).get(delete_url("reports", theirs.pk)).status_code == 404
    assert bearer(officer).delete(api_url("cases", theirs.pk)).status_code == 404
    assert bearer(head).delete(api_url("cases", theirs.pk + 1)).status_code == 404
    login = Client().post(delete_url("cases", theirs.pk))
    assert login.status_code == 302 and "login" in login["Location"]
    assert Client().delete(api_url("cases", theirs.pk)).status_code == 401
    assert CaseExport.objects.filter(pk=theirs.pk).exists()


def test_an_export_made_with_rights_since_lost_is_404_as_the_list_hides_it(
    officer: User,
    head: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    export = ready_cases_export(client_for(head))
    stored = export.file.name
    badge = ready_badge_sheet(
        client_for(officer), province["dept_justice"], django_capture_on_commit_callbacks
    )
    # No signal: a queryset update, caught at the look as the list catches it.
    head.grants.update(role=Role.VIEWER)
    officer.grants.update(role=Role.VIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(head).get(delete_url("cases", export.pk)).status_code == 404
    assert not default_storage.exists(stored)  # as the list would have done
    assert client_for(officer).post(delete_url("badges", badge.pk)).status_code == 404
    assert bearer(officer).delete(api_url("badges", badge.pk)).status_code == 404
    assert BadgeExport.objects.filter(pk=badge.pk).exists()


def test_the_api_deletes_with_204_and_refuses_bad_input(
    officer: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    export = ready_cases_export(client_for(officer))
    badge = ready_badge_sheet(
        client_for(officer), province["dept_justice"], django_capture_on_commit_callbacks
    )
    api = bearer(officer)
    assert api.delete(api_url("reports", export.pk)).status_code == 422
    assert api.delete(api_url("cases", 0)).status_code == 422
    assert api.delete("/api/v1/me/exports/cases/abc").status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        gone = api.delete(api_url("badges", badge.pk))
    assert gone.status_code == 204 and gone.content == b""
    assert [item["kind"] for item in api.get("/api/v1/me/exports").json()["items"]] == ["cases"]
    assert api.delete(api_url("cases", export.pk)).status_code == 204
    assert api.delete(api_url("cases", export.pk)).status_code == 404
    assert api.get("/api/v1/me/exports").json()["count"] == 0
    assert AuditEvent.objects.filter(action__endswith="_delete").count() == 2


def test_the_confirmation_is_in_english_for_an_english_reader(officer: User, case: Case) -> None:
    export = ready_cases_export(client_for(officer))
    client = client_for(officer)
    client.cookies["congvu_lang"] = "en"
    assert "Delete…" in client.get(PAGE).content.decode()
    html = client.get(delete_url("cases", export.pk)).content.decode()
    assert "Delete the export" in html and "cannot be undone" in html
    done = client.post(delete_url("cases", export.pk), follow=True).content.decode()
    assert "Deleted the export" in done


def test_each_status_page_offers_the_deletion_once_finished_not_while_being_made(
    officer: User,
    head: User,
    province: Province,
    case: Case,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    export = cases_export(client)  # waiting: no commit, the worker has not run
    status = reverse("cases:export_status", args=[export.pk])
    waiting = client.get(status).content.decode()
    assert "Đang tạo tệp Excel" in waiting and 'data-testid="export-delete"' not in waiting
    assert tasks.make_export.call(export.pk) == "done"
    ready = client.get(status).content.decode()
    assert f'href="{delete_url("cases", export.pk)}" data-testid="export-delete"' in ready
    assert "Xóa…" in ready

    sheet_url = reverse("organisations:badges_pdf", args=[province["dept_justice"].pk])
    badge_status = client.get(sheet_url)["Location"]  # waiting too
    badge = BadgeExport.objects.get()
    assert 'data-testid="export-delete"' not in client.get(badge_status).content.decode()
    # Its worker lost (older than STALE_AFTER): offered, in the polled part as well.
    BadgeExport.objects.update(requested_at=timezone.now() - jobs.STALE_AFTER)
    polled = client.get(badge_status, headers={"HX-Request": "true"}).content.decode()
    assert f'href="{delete_url("badges", badge.pk)}"' in polled

    # Another user finds neither the status page nor the confirmation.
    other = client_for(head)
    for url in (status, delete_url("cases", export.pk), delete_url("badges", badge.pk)):
        assert other.get(url).status_code == 404
    # Deleted from there: back on "Tệp xuất của tôi" with the message, as from the list.
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(delete_url("cases", export.pk), follow=True)
    assert deleted.redirect_chain == [(PAGE, 302)]
    assert "Đã xóa tệp xuất “Xuất danh sách vụ việc”." in deleted.content.decode()
    assert client.get(status).status_code == 404


def test_a_finished_badge_sheets_page_offers_the_deletion_in_english_too(
    officer: User,
    province: Province,
    justice_staff: list[StaffMember],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(officer)
    badge = ready_badge_sheet(client, province["dept_justice"], django_capture_on_commit_callbacks)
    client.cookies["congvu_lang"] = "en"
    page = client.get(reverse("organisations:badge_export", args=[badge.pk])).content.decode()
    assert f'href="{delete_url("badges", badge.pk)}"' in page and "Delete…" in page
