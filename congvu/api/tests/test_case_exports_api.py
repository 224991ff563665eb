"""The cases export through the API: 202 with a status URL, then the workbook; the caller's
alone (404 for anyone else), 403 once a right it was made with is gone, 410 once expired."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from congvu.accounts.models import Role, RoleGrant, User
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case, CaseExport, Track
from congvu.cases.tests.office_helpers import REPORTER_NAME, file_report, media  # noqa: F401
from congvu.conftest import make_user
from congvu.organisations.models import Organisation, StaffMember

from .. import case_exports
from .conftest import bearer

API = "/api/v1/cases/exports"


@pytest.fixture
def case(staff_member: StaffMember) -> Case:
    return file_report(staff=staff_member)


def text_of(response: Any) -> str:
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)


def started(client: Client, **filters: Any) -> dict[str, Any]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    response = client.post(f"{API}?{query}" if query else API)
    assert response.status_code == 202, response.content
    body: dict[str, Any] = response.json()
    assert response["Location"] == body["status_url"] == f"{API}/{body['id']}"
    return body


def test_post_answers_202_then_the_status_then_the_file(
    api_head: Client, head: User, case: Case
) -> None:
    body = started(api_head)
    assert body["status"] == "queued" and body["rows"] == 1 and body["file_url"] is None
    assert api_head.get(f"{body['status_url']}/file").status_code == 404

    assert case_exports.make_export.call(body["id"]) == "done"
    status = api_head.get(body["status_url"])
    assert status.status_code == 200
    done = status.json()
    assert done["status"] == "done" and done["file_url"] == f"{body['status_url']}/file"
    file = api_head.get(done["file_url"])
    assert file.status_code == 200
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")
    text = text_of(file)
    assert case.code in text and REPORTER_NAME in text
    actions = set(AuditEvent.objects.filter(actor=head).values_list("action", flat=True))
    assert {"case.export", "case.export_download"} <= actions
    assert AuditEvent.objects.get(action="case.export").data["source"] == "api"


def test_the_filters_of_the_list_are_followed(api_head: Client, staff_member: StaffMember) -> None:
    feedback = file_report(staff=staff_member)
    denunciation = file_report(staff=staff_member, track=Track.DENUNCIATION)
    body = started(api_head, track="denunciation", overdue="false")
    assert body["rows"] == 1
    case_exports.make_export.call(body["id"])
    text = text_of(api_head.get(f"{body['status_url']}/file"))
    assert denunciation.code in text and feedback.code not in text


def test_another_user_gets_404_a_role_without_case_view_403_bad_filters_422(
    province: dict[str, Organisation], api_head: Client, api_viewer: Client, case: Case
) -> None:
    body = started(api_head)
    case_exports.make_export.call(body["id"])
    colleague = bearer(make_user("colleague", Role.HEAD, province["dept_justice"]))
    assert colleague.get(body["status_url"]).status_code == 404
    assert colleague.get(f"{body['status_url']}/file").status_code == 404
    assert api_viewer.post(API).status_code == 403
    assert api_head.get(f"{API}/999999").status_code == 404
    refused = api_head.post(f"{API}?assigned_to=nobody")
    assert refused.status_code == 422
    assert CaseExport.objects.count() == 1  # nothing half-made
    assert Client().post(API).status_code == 401


def test_a_lost_right_is_403_and_the_file_is_gone(
    api_head: Client, head: User, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    body = started(api_head)
    case_exports.make_export.call(body["id"])
    name = CaseExport.objects.get().file.name
    kept = RoleGrant.objects.get(user=head)
    RoleGrant.objects.create(user=head, role=Role.VIEWER, organisation=kept.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        kept.delete()
    assert not default_storage.exists(name)
    assert api_head.get(f"{body['status_url']}/file").status_code == 403
    assert api_head.get(body["status_url"]).status_code == 403


def test_an_expired_export_is_410_gone(api_head: Client, case: Case) -> None:
    body = started(api_head)
    case_exports.make_export.call(body["id"])
    CaseExport.objects.update(expires_at=timezone.now())
    gone = api_head.get(f"{body['status_url']}/file")
    assert gone.status_code == 410
    assert "expired" in gone.json()["detail"]
    assert api_head.get(body["status_url"]).status_code == 410


def test_format_csv_gives_the_same_rows_as_csv_and_the_default_stays_xlsx(
    api_head: Client, case: Case
) -> None:
    import csv

    xlsx = started(api_head)
    assert xlsx["format"] == "xlsx"
    body = started(api_head, format="csv")
    assert body["format"] == "csv" and body["id"] != xlsx["id"]
    for export in (xlsx, body):
        assert case_exports.make_export.call(export["id"]) == "done"
    file = api_head.get(f"{body['status_url']}/file")
    assert file["Content-Type"] == "text/csv; charset=utf-8"
    assert file["Content-Disposition"].endswith('.csv"')
    content = b"".join(file.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    workbook = load_workbook(
        io.BytesIO(b"".join(api_head.get(f"{xlsx['status_url']}/file").streaming_content))  # type: ignore[attr-defined]
    ).active
    assert workbook is not None
    assert (
        [row[0] for row in table]
        == [row[0] for row in workbook.iter_rows(values_only=True)]
        == ["Mã theo dõi", case.code]
    )
    assert REPORTER_NAME in table[1]


@pytest.mark.parametrize("asked", ["pdf", "xls", "CSV;", "1"])
def test_an_unknown_format_is_a_400_that_says_so(api_head: Client, case: Case, asked: str) -> None:
    refused = api_head.post(f"{API}?format={asked}")
    assert refused.status_code == 400
    assert "xlsx" in refused.json()["detail"] and "csv" in refused.json()["detail"]
    assert not CaseExport.objects.exists()
