"""The provincial PDF of a large province is made on the background worker."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from congvu.conftest import client_for, make_user
from congvu.reporting import exporters, pdf_exports, services
from congvu.reporting.models import PdfExport, ReportPeriod

S = PdfExport.Status


@pytest.fixture(autouse=True)
def large(settings: Any, tmp_path: Path) -> None:
    """Every compilation counts as large: the fixture province has a few organisations."""
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTING_PDF_INLINE_MAX_ROWS = 0


def export_url(period: ReportPeriod) -> str:
    return reverse("reporting:period_export", args=[period.pk, "pdf"])


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_pdf_is_made_in_the_background_then_downloaded(
    as_officer: Client, period: ReportPeriod, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_officer.get(export_url(period))
    export = PdfExport.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == reverse("reporting:pdf_export", args=[export.pk])
    export.refresh_from_db()
    assert export.status == S.DONE and export.file.name.endswith(".pdf")

    page = as_officer.get(asked["Location"]).content.decode()
    assert "Bản PDF đã sẵn sàng" in page
    download = as_officer.get(reverse("reporting:pdf_export_file", args=[export.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Disposition"].endswith('.pdf"')
    pdf = body(download)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2  # the report and its appendix

    # Asked again with nothing changed: the same file at once, nothing queued.
    again = as_officer.get(export_url(period))
    assert again.status_code == 200 and body(again) == pdf
    assert PdfExport.objects.count() == 1
    # The file gone from the disk (a restore, a clean-up): it is made again, no error.
    Path(export.file.path).unlink()
    gone = reverse("reporting:pdf_export_file", args=[export.pk])
    assert as_officer.get(gone).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        remade = as_officer.get(export_url(period))
    assert remade.status_code == 302
    assert PdfExport.objects.get().status == S.DONE


def test_while_it_is_made_the_page_polls_and_says_so(
    as_officer: Client, period: ReportPeriod
) -> None:
    asked = as_officer.get(export_url(period))  # the worker has not run it (no commit here)
    export = PdfExport.objects.get()
    assert export.status == S.QUEUED
    page = as_officer.get(asked["Location"]).content.decode()
    assert "Đang tạo bản PDF" in page
    assert f'hx-get="{reverse("reporting:pdf_export", args=[export.pk])}"' in page
    assert 'http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    fragment = as_officer.get(asked["Location"], headers={"HX-Request": "true"})
    assert "HX-Refresh" not in fragment and "<html" not in fragment.content.decode()
    # A second officer asking meanwhile is sent to the same export, not a new one.
    assert as_officer.get(export_url(period))["Location"] == asked["Location"]
    assert reverse("reporting:pdf_export_file", args=[export.pk])
    assert as_officer.get(reverse("reporting:pdf_export_file", args=[export.pk])).status_code == 404
    assert "lâu hơn bình thường" not in page
    PdfExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - dt.timedelta(minutes=5)
    )
    late = as_officer.get(asked["Location"]).content.decode()
    assert "có thể tiến trình chạy nền đang dừng" in late
    pdf_exports.make(export.pk)
    done = as_officer.get(asked["Location"], headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_change_in_the_data_makes_a_new_pdf_and_drops_the_old_one(
    as_officer: Client,
    head: Any,
    period: ReportPeriod,
    province: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        as_officer.get(export_url(period))
    first = PdfExport.objects.get()
    old_file = Path(first.file.path)
    services.create_report(period, organisation=province["dept_justice"], actor=head)
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_officer.get(export_url(period))
    assert asked.status_code == 302
    latest = PdfExport.objects.get()
    assert latest.pk != first.pk and latest.status == S.DONE
    assert not old_file.exists()


def test_a_failed_pdf_says_so_and_offers_a_retry_and_the_docx(
    as_officer: Client,
    period: ReportPeriod,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(html: str) -> bytes:
        raise OSError("font cache unwritable")

    monkeypatch.setattr(exporters, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        asked = as_officer.get(export_url(period))
    page = as_officer.get(asked["Location"]).content.decode()
    assert "Không tạo được bản PDF" in page
    assert export_url(period) in page
    assert reverse("reporting:period_export", args=[period.pk, "docx"]) in page
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = as_officer.get(export_url(period))
    assert PdfExport.objects.filter(status=S.DONE).count() == 1
    assert retried["Location"] != asked["Location"]


def test_an_export_is_only_for_those_who_compile_the_period(
    as_officer: Client,
    as_viewer: Client,
    as_outsider: Client,
    period: ReportPeriod,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        as_officer.get(export_url(period))
    export = PdfExport.objects.get()
    stranger = client_for(make_user("nguoi.ngoai"))  # no grant: the period is not theirs
    for name in ("pdf_export", "pdf_export_file"):
        url = reverse(f"reporting:{name}", args=[export.pk])
        assert as_viewer.get(url).status_code == 403
        assert as_outsider.get(url).status_code == 403  # reports in the period, does not compile it
        assert stranger.get(url).status_code == 404
        assert Client().get(url).status_code == 302  # to the sign-in page
    assert as_officer.get(reverse("reporting:pdf_export", args=[export.pk + 99])).status_code == 404
