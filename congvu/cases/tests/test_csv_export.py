"""The cases export as CSV: the xlsx's columns and rows, UTF-8 with a BOM, formulas kept
as text, in the request or on the worker by the same threshold; a bad format said (400)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.organisations.models import Organisation, StaffMember

from .. import export_jobs, services, tasks
from ..models import Case, CaseExport, Track
from .office_helpers import REPORTER_NAME, REPORTER_PHONE, file_report, media  # noqa: F401

EXPORT = reverse("cases:export")


@pytest.fixture
def cases(staff_member: StaffMember, province: dict[str, Organisation]) -> list[Case]:
    named = file_report(staff=staff_member)
    denunciation = file_report(staff=staff_member, track=Track.DENUNCIATION)
    anonymous = services.submit_report(
        services.ReportInput(
            organisation=province["dept_justice"],
            subject_description='=HYPERLINK("http://evil","Xem")',
            description="Nội dung",
            is_anonymous=True,
        )
    ).case
    return [named, denunciation, anonymous]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The workbook's cells as the CSV writes them (dates dd/mm/yyyy, empty cells "")."""
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return str(value)

    return [[text(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def test_the_csv_has_the_rows_and_columns_of_the_xlsx(as_head: Client, cases: list[Case]) -> None:
    response = as_head.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    table = csv_rows(response.content)
    assert table == xlsx_rows(as_head.get(EXPORT).content)
    assert len(table) == 4 and table[0][0] == "Mã theo dõi"
    assert {row[0] for row in table[1:]} == {case.code for case in cases}
    named = next(row for row in table if row[0] == cases[0].code)
    assert REPORTER_NAME in named and REPORTER_PHONE in named
    received = cases[0].received_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert named[1] == received.strftime("%d/%m/%Y")
    event = AuditEvent.objects.filter(action="case.export").order_by("pk").first()
    assert event is not None and event.data["format"] == "csv"


def test_the_csv_follows_the_filters_and_the_readers_language(
    as_head: Client, cases: list[Case]
) -> None:
    as_head.cookies["congvu_lang"] = "en"
    table = csv_rows(as_head.get(EXPORT, {"format": "csv", "track": "denunciation"}).content)
    assert table[0][0] == "Tracking code"
    assert [row[0] for row in table[1:]] == [cases[1].code]


def test_a_formula_a_citizen_typed_is_text_in_the_csv(as_head: Client, cases: list[Case]) -> None:
    table = csv_rows(as_head.get(EXPORT, {"format": "csv"}).content)
    cells = [cell for row in table for cell in row]
    assert '\'=HYPERLINK("http://evil","Xem")' in cells
    assert not any(cell[:1] in "=+-@\t\r" for cell in cells if cell)


@pytest.mark.parametrize("value", ["+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_guarded(
    as_head: Client, province: dict[str, Organisation], value: str
) -> None:
    Organisation.objects.filter(pk=province["dept_justice"].pk).update(name=value)
    services.submit_report(
        services.ReportInput(
            organisation=province["dept_justice"],
            subject_description="Người tiếp dân",
            description="Nội dung",
            is_anonymous=True,
        )
    )
    table = csv_rows(as_head.get(EXPORT, {"format": "csv"}).content)
    assert "'" + value in table[1]


def test_an_unknown_format_is_said_with_the_filter_kept(as_head: Client, cases: list[Case]) -> None:
    response = as_head.get(EXPORT, {"format": "pdf", "track": "denunciation"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Định dạng tệp xuất không hợp lệ" in text
    assert "Unknown export format" in text
    assert "track=denunciation&amp;format=csv" in text  # the other input kept
    assert not AuditEvent.objects.filter(action="case.export").exists()
    assert not CaseExport.objects.exists()


def test_a_viewer_without_case_rights_gets_403_and_an_outsider_an_empty_file(
    as_viewer: Client, as_outsider: Client, cases: list[Case]
) -> None:
    assert as_viewer.get(EXPORT, {"format": "csv"}).status_code == 403
    assert len(csv_rows(as_outsider.get(EXPORT, {"format": "csv"}).content)) == 1


def test_a_large_csv_is_made_on_the_worker_and_offered_as_csv(
    as_head: Client, head: User, cases: list[Case], settings: Any
) -> None:
    settings.CASES_EXPORT_INLINE_MAX_ROWS = 2
    response = as_head.get(EXPORT, {"format": "csv", "track": "feedback"})
    assert response.status_code == 200  # 2 feedback cases: still in the request
    response = as_head.get(EXPORT, {"format": "csv"})
    export = CaseExport.objects.get()
    assert response.status_code == 302
    assert export.file_format == "csv" and export.query == "" and export.rows == 3
    # The xlsx of the same filter is another file, not the CSV being made.
    as_head.get(EXPORT)
    assert CaseExport.objects.count() == 2
    status = reverse("cases:export_status", args=[export.pk])
    assert "Đang tạo tệp CSV gồm 3 vụ việc" in as_head.get(status).content.decode()
    assert tasks.make_export.call(export.pk) == "done"
    export.refresh_from_db()
    assert export.file.name.endswith(".csv")
    page = as_head.get(status).content.decode()
    assert "Tải về tệp CSV" in page
    download = as_head.get(reverse("cases:export_file", args=[export.pk]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"].endswith('.csv"')
    content = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    table = csv_rows(content)
    assert {row[0] for row in table[1:]} == {case.code for case in cases}
    assert len(table) == 4 and REPORTER_NAME in [cell for row in table for cell in row]


def test_a_failed_csv_says_so_and_try_again_asks_for_the_csv(
    as_head: Client, cases: list[Case], settings: Any, monkeypatch: Any
) -> None:
    settings.CASES_EXPORT_INLINE_MAX_ROWS = 0
    as_head.get(EXPORT, {"format": "csv"})
    export = CaseExport.objects.get()

    def broken(*args: Any) -> bytes:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_jobs.exports, "cases_csv", broken)
    assert tasks.make_export.call(export.pk) == "failed"
    text = as_head.get(reverse("cases:export_status", args=[export.pk])).content.decode()
    assert "Không tạo được tệp CSV" in text
    assert f'href="{EXPORT}?format=csv"' in text


def test_the_list_offers_both_formats_with_the_filter(as_head: Client, cases: list[Case]) -> None:
    text = as_head.get(reverse("cases:list"), {"track": "feedback"}).content.decode()
    assert f"{EXPORT}?track=feedback&amp;format=csv" in text
    assert f'{EXPORT}?track=feedback" data-testid="export-link"' in text
