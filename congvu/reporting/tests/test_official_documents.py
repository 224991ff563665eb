"""What a reader of the downloaded report files notices: a draft says so, the official
papers are Vietnamese whatever the reader's language, the Word tables keep their widths."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport, ReportPeriod

from .test_exports import all_text

pytestmark = pytest.mark.django_db


def download(client: Client, report: OrganisationReport, fmt: str) -> bytes:
    response = client.get(reverse("reporting:report_export", args=[report.pk, fmt]))
    assert response.status_code == 200
    return response.content


def test_a_draft_reports_files_are_marked_draft_above_the_heading(
    as_head: Client, draft: OrganisationReport
) -> None:
    document = Document(io.BytesIO(download(as_head, draft, "docx")))
    first = document.paragraphs[0]
    assert first.text == "DỰ THẢO" and first.runs[0].bold
    assert pdf_text(download(as_head, draft, "pdf")).lstrip().startswith("DỰ THẢO")


def test_a_submitted_reports_files_are_not_marked_draft(
    as_head: Client, draft: OrganisationReport, head: Any
) -> None:
    report = services.submit_report(draft, actor=head)
    assert "DỰ THẢO" not in all_text(Document(io.BytesIO(download(as_head, report, "docx"))))
    assert "DỰ THẢO" not in pdf_text(download(as_head, report, "pdf"))


def headers_of(content: bytes) -> dict[str, list[str]]:
    workbook = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [str(cell.value) for cell in sheet[4] if cell.value is not None]
        for sheet in workbook.worksheets
    }


def test_the_papers_are_vietnamese_when_the_reader_uses_english(
    as_head: Client, as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    as_head.cookies["congvu_lang"] = "en"
    as_officer.cookies["congvu_lang"] = "en"
    text = pdf_text(download(as_head, draft, "pdf"))
    assert "Số lượt đánh giá" in text and "Number of ratings" not in text
    assert "Số lượt đánh giá" in docx_text(download(as_head, draft, "docx"))
    url = reverse("reporting:period_export", args=[period.pk, "docx"])
    provincial = docx_text(as_officer.get(url).content)
    assert "Chưa lập báo cáo" in provincial and "Report not started" not in provincial
    assert "Number of ratings" not in provincial


def test_the_provincial_workbooks_headers_all_follow_the_readers_language(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    url = reverse("reporting:period_export", args=[period.pk, "xlsx"])
    as_officer.cookies["congvu_lang"] = "en"
    english = headers_of(as_officer.get(url).content)
    assert english["Tong hop"][:3] == ["No.", "Identifier code", "Organisations"]
    assert "Number of ratings" in english["Tong hop"]
    for sheet, headers in english.items():
        assert all(h.isascii() for h in headers), (sheet, headers)
    as_officer.cookies["congvu_lang"] = "vi"
    vietnamese = headers_of(as_officer.get(url).content)
    assert vietnamese["Tong hop"][:3] == ["STT", "Mã định danh", "Cơ quan, đơn vị"]
    assert "Số lượt đánh giá" in vietnamese["Tong hop"]
