"""What a reader of the downloaded report files notices: a draft says so, the official
papers are Vietnamese whatever the reader's language, the Word tables keep their widths."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
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


def grid_mm(table: Any) -> list[int]:
    return [round(col.w.mm) for col in table._tbl.tblGrid.gridCol_lst]


def test_the_word_tables_grid_has_the_intended_column_widths(
    as_head: Client, draft: OrganisationReport
) -> None:
    document = Document(io.BytesIO(download(as_head, draft, "docx")))
    heading, figures, signer = document.tables
    assert grid_mm(heading) == [68, 97]
    assert grid_mm(figures) == [15, 115, 35]
    assert grid_mm(signer) == [80, 85]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_the_national_name_on_one_line_and_the_stt_column_narrow(
    as_head: Client, draft: OrganisationReport, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    (tmp_path / "bao-cao.docx").write_bytes(download(as_head, draft, "docx"))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "bao-cao.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    lines = PdfReader(tmp_path / "bao-cao.pdf").pages[0].extract_text().splitlines()
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in lines), lines
    # A narrow STT column: the group number and its title share a line.
    assert any(line.startswith("1 Thực hiện nhiệm vụ theo kế hoạch") for line in lines), lines
