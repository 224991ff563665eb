"""What a reader of the downloaded report files notices: a draft says so, the official
papers are Vietnamese whatever the reader's language, the Word tables keep their widths."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from congvu.reporting import services
from congvu.reporting.models import OrganisationReport

from .test_exports import all_text

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in pdf)


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
