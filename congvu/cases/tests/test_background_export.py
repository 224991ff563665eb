"""A large cases export is made on the worker: its page polls, then offers the file, to its
user only, while they keep their rights and for a short time (`cases.export_jobs`)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.core import daily
from congvu.organisations.models import Organisation, StaffMember

from .. import export_jobs, tasks
from ..models import Case, CaseExport, Track
from .office_helpers import REPORTER_NAME, REPORTER_PHONE, file_report, media  # noqa: F401

EXPORT = reverse("cases:export")


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member)


@pytest.fixture
def large(settings: Any) -> None:
    """Every export is "large": none is written in the request."""
    settings.CASES_EXPORT_INLINE_MAX_ROWS = 0


def status_url(export: CaseExport) -> str:
    return reverse("cases:export_status", args=[export.pk])


def file_url(export: CaseExport) -> str:
    return reverse("cases:export_file", args=[export.pk])


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what waits for the commit (the files' deletion) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def made(export: CaseExport) -> CaseExport:
    assert tasks.make_export.call(export.pk) == "done"  # what the worker runs
    export.refresh_from_db()
    return export


def workbook_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


def test_a_small_export_is_still_written_in_the_request_and_audited(
    as_head: Client, head: User, case: Case
) -> None:
    response = as_head.get(EXPORT, {"track": "feedback", "page": "2"})
    assert response.status_code == 200
    assert REPORTER_NAME in workbook_text(response.content)
    assert not CaseExport.objects.exists()
    event = AuditEvent.objects.get(action="case.export")
    assert event.actor == head
    assert event.data == {
        "source": "web",
        "filters": "track=feedback",
        "rows": 1,
        "background": False,
        "format": "xlsx",
    }


def test_a_large_export_shows_a_page_that_polls_then_offers_the_file(
    as_head: Client, head: User, case: Case, large: None
) -> None:
    response = as_head.get(EXPORT, {"track": "feedback"})
    export = CaseExport.objects.get()
    assert response.status_code == 302 and response["Location"] == status_url(export)
    assert export.user == head and export.rows == 1 and export.query == "track=feedback"

    page = as_head.get(status_url(export))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đang tạo tệp Excel gồm 1 vụ việc" in text
    assert 'hx-trigger="every 2s"' in text
    assert as_head.get(file_url(export)).status_code == 404  # not made yet
    poll = as_head.get(status_url(export), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll and "<h1>" not in poll.content.decode()

    made(export)
    poll = as_head.get(status_url(export), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    text = as_head.get(status_url(export)).content.decode()
    assert "Tệp Excel đã sẵn sàng" in text and "Tải về tệp Excel" in text
    assert "hx-trigger" not in text

    download = as_head.get(file_url(export))
    assert download.status_code == 200
    assert download["Content-Type"] == export_jobs.exports.XLSX
    assert "attachment" in download["Content-Disposition"]
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    text = workbook_text(content)
    assert case.code in text and REPORTER_NAME in text and REPORTER_PHONE in text
    actions = list(
        AuditEvent.objects.filter(actor=head).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == ["case.export", "case.export_download"]


def test_the_worker_writes_the_filter_asked_and_the_language_of_the_page(
    as_head: Client, staff_member: StaffMember, large: None
) -> None:
    feedback = file_report(staff=staff_member)
    denunciation = file_report(staff=staff_member, track=Track.DENUNCIATION)
    as_head.cookies["congvu_lang"] = "en"
    as_head.get(EXPORT, {"track": "denunciation"})
    export = made(CaseExport.objects.get())
    assert "The workbook is ready" in as_head.get(status_url(export)).content.decode()
    content = b"".join(as_head.get(file_url(export)).streaming_content)  # type: ignore[attr-defined]
    text = workbook_text(content)
    assert denunciation.code in text and feedback.code not in text
    assert "Tracking code" in text and "Mã theo dõi" not in text


def test_asking_again_while_it_is_made_joins_it_and_a_new_file_replaces_the_old(
    as_head: Client, case: Case, large: None, committed: Any
) -> None:
    as_head.get(EXPORT)
    as_head.get(EXPORT, {"page": "3"})  # the same filter
    first = CaseExport.objects.get()
    made(first)
    old_name = first.file.name
    assert as_head.get(EXPORT).status_code == 302
    with committed():
        second = made(CaseExport.objects.exclude(pk=first.pk).get())
    assert not CaseExport.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(old_name) and default_storage.exists(second.file.name)
    as_head.get(EXPORT, {"track": "feedback"})
    assert CaseExport.objects.count() == 2  # another filter, another export


def test_the_worker_queues_it_after_the_commit(
    as_head: Client, case: Case, large: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        as_head.get(EXPORT)
    export = CaseExport.objects.get()  # the tests' backend runs the task at once
    assert export.status == CaseExport.Status.DONE and export.file.name


def test_another_user_gets_404_and_a_role_without_case_view_403(
    province: dict[str, Organisation], as_head: Client, as_viewer: Client, case: Case, large: None
) -> None:
    as_head.get(EXPORT)
    export = made(CaseExport.objects.get())
    colleague = client_for(make_user("colleague", Role.HEAD, province["dept_justice"]))
    assert colleague.get(status_url(export)).status_code == 404
    assert colleague.get(file_url(export)).status_code == 404
    assert as_viewer.get(EXPORT).status_code == 403
    assert as_viewer.get(file_url(export)).status_code == 404
    assert Client().get(file_url(export)).status_code == 302  # to the sign-in


def test_a_revoked_grant_deletes_the_file_and_its_urls_answer_403(
    as_head: Client, head: User, case: Case, large: None, committed: Any
) -> None:
    as_head.get(EXPORT)
    export = made(CaseExport.objects.get())
    name = export.file.name
    with_grant = RoleGrant.objects.get(user=head)
    # A second grant kept: the user may still use the list, just not this file.
    RoleGrant.objects.create(user=head, role=Role.VIEWER, organisation=with_grant.organisation)
    with committed():
        with_grant.delete()
    assert not default_storage.exists(name)
    assert as_head.get(file_url(export)).status_code == 403
    assert as_head.get(status_url(export)).status_code == 403


def test_the_right_is_checked_again_at_download_even_without_the_signal(
    as_head: Client, head: User, case: Case, large: None, committed: Any
) -> None:
    as_head.get(EXPORT)
    export = made(CaseExport.objects.get())
    name = export.file.name
    # A grant narrowed by an update that sends no signal: the download still refuses.
    RoleGrant.objects.filter(user=head).update(include_subtree=False)
    with committed():
        assert as_head.get(file_url(export)).status_code == 403
    assert not default_storage.exists(name)
    export.refresh_from_db()
    assert export.status == CaseExport.Status.FAILED and not export.file.name


def test_a_deactivated_account_loses_its_files(
    as_head: Client, head: User, case: Case, large: None, committed: Any
) -> None:
    as_head.get(EXPORT)
    export = made(CaseExport.objects.get())
    with committed():
        head.is_active = False
        head.save()
    assert not default_storage.exists(export.file.name)


def test_an_expired_export_answers_410_and_its_file_is_deleted(
    as_head: Client, case: Case, large: None, committed: Any
) -> None:
    as_head.get(EXPORT)
    export = made(CaseExport.objects.get())
    assert export.expires_at > timezone.now() + dt.timedelta(minutes=59)
    CaseExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    with committed():
        response = as_head.get(file_url(export))
    assert response.status_code == 410
    assert not default_storage.exists(export.file.name)
    page = as_head.get(status_url(export))
    assert page.status_code == 410 and "đã hết hạn" in page.content.decode()


def test_the_daily_purge_deletes_expired_files_then_rows_and_files_of_lost_rights(
    province: dict[str, Organisation],
    as_head: Client,
    head: User,
    case: Case,
    large: None,
    committed: Any,
) -> None:
    assert "cases.export_purge" in daily.registered()
    as_head.get(EXPORT)
    expired = made(CaseExport.objects.get())
    other = make_user("other", Role.HEAD, province["dept_justice"])
    client_for(other).get(EXPORT)
    lost = made(CaseExport.objects.get(user=other))
    RoleGrant.objects.filter(user=other).update(role=Role.VIEWER)  # no signal
    CaseExport.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    with committed():
        result = export_jobs.purge()
    assert result == {"files_expired": 1, "files_right_lost": 1, "rows_deleted": 0}
    assert not default_storage.exists(expired.file.name)
    assert not default_storage.exists(lost.file.name)
    week_ago = timezone.now() - dt.timedelta(days=7, minutes=1)
    CaseExport.objects.filter(pk=expired.pk).update(expires_at=week_ago)
    assert export_jobs.purge()["rows_deleted"] == 1
    assert not CaseExport.objects.filter(pk=expired.pk).exists()


def test_a_failure_is_said_with_a_retry_and_a_right_lost_before_the_worker_too(
    as_head: Client, head: User, case: Case, large: None, monkeypatch: Any
) -> None:
    as_head.get(EXPORT, {"track": "feedback"})
    export = CaseExport.objects.get()

    def broken(*args: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs.exports, "cases_xlsx", broken)
    assert tasks.make_export.call(export.pk) == "failed"
    text = as_head.get(status_url(export)).content.decode()
    assert "Không tạo được tệp Excel" in text
    assert f"{EXPORT}?track=feedback" in text  # "try again" keeps the filter
    assert as_head.get(file_url(export)).status_code == 404

    monkeypatch.undo()
    as_head.get(EXPORT)
    waiting = CaseExport.objects.exclude(pk=export.pk).get()
    RoleGrant.objects.filter(user=head).update(role=Role.VIEWER)
    assert tasks.make_export.call(waiting.pk) == "right lost"
    waiting.refresh_from_db()
    assert waiting.status == CaseExport.Status.FAILED and not waiting.file.name
