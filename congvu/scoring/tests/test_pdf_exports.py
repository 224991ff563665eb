"""A large ranking's PDF is made on the background worker: the staff page, the public page
and the API wait for it, then get the file; a finished one is reused."""

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

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.organisations.models import Organisation
from congvu.reporting import exporters
from congvu.scoring import pdf_exports, services
from congvu.scoring.documents import RankingPdf
from congvu.scoring.models import RankingPdfExport, Scorecard

from .conftest import TODAY, make_scorecard

S = RankingPdfExport.Status


@pytest.fixture(autouse=True)
def large(settings: Any, tmp_path: Path) -> None:
    """Every ranking counts as large: the fixture province has a few organisations."""
    settings.MEDIA_ROOT = tmp_path
    settings.SCORING_PDF_INLINE_MAX_ROWS = 0


@pytest.fixture
def published_other(scored: dict[str, Organisation], officer: User) -> Scorecard:
    """A second scorecard, published, beside an unpublished one."""
    other = make_scorecard(scored, officer)
    services.compute(other, actor=officer, today=TODAY)
    return services.publish(other, actor=officer)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_large_ranking_shows_a_being_prepared_page_that_turns_into_a_download(
    as_officer: Client, computed: Scorecard
) -> None:
    asked = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    export = RankingPdfExport.objects.get()
    status_url = reverse("scoring:pdf_export", args=[export.pk])
    assert asked.status_code == 302 and asked["Location"] == status_url
    assert export.status == S.QUEUED and export.rows == 3

    page = as_officer.get(status_url).content.decode()
    assert "Đang tạo bản PDF cho 3 cơ quan, đơn vị" in page
    assert f'hx-get="{status_url}"' in page
    assert 'http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    assert computed.name in page
    fragment = as_officer.get(status_url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in fragment and "<html" not in fragment.content.decode()
    file_url = reverse("scoring:pdf_export_file", args=[export.pk])
    assert as_officer.get(file_url).status_code == 404  # not made yet

    assert pdf_exports.make(export.pk) == "done"  # what the worker runs

    done = as_officer.get(status_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = as_officer.get(status_url).content.decode()
    assert "Bản PDF đã sẵn sàng" in page and file_url in page
    download = as_officer.get(file_url)
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="xep-hang-{computed.pk}-xep-hang-nam-2025.pdf"'
    )
    pdf = body(download)
    assert "Sở Tư pháp" in pdf_text(pdf) and "ĐỀ NGHỊ KHEN THƯỞNG" in pdf_text(pdf)

    # Asked again with nothing changed: the same file at once, nothing queued.
    again = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    assert again.status_code == 200 and body(again) == pdf
    assert RankingPdfExport.objects.count() == 1


def test_running_the_task_after_the_request_produces_the_file(
    as_officer: Client, computed: Scorecard, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the task runs on commit
        asked = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    export = RankingPdfExport.objects.get()
    assert export.status == S.DONE and export.file.name.startswith("rankings/pdf/")
    assert Path(export.file.path).read_bytes().startswith(b"%PDF")
    assert "Bản PDF đã sẵn sàng" in as_officer.get(asked["Location"]).content.decode()


def test_a_second_request_while_it_is_made_joins_the_same_export(
    as_officer: Client, computed: Scorecard
) -> None:
    first = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    assert (
        as_officer.get(reverse("scoring:pdf", args=[computed.pk]))["Location"]
        == (first["Location"])
    )
    assert RankingPdfExport.objects.count() == 1


def test_an_export_whose_worker_stopped_is_replaced_on_the_next_request(
    as_officer: Client, computed: Scorecard
) -> None:
    first = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    status_url = first["Location"]
    assert "lâu hơn bình thường" not in as_officer.get(status_url).content.decode()
    RankingPdfExport.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=5))
    late = as_officer.get(status_url).content.decode()
    assert "có thể tiến trình chạy nền đang dừng" in late
    RankingPdfExport.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=11))
    second = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    assert second["Location"] != status_url
    assert RankingPdfExport.objects.filter(status=S.QUEUED).count() == 2


def test_a_failed_pdf_says_so_and_offers_a_retry_and_the_docx(
    as_officer: Client, computed: Scorecard, monkeypatch: Any
) -> None:
    def broken(html: str) -> bytes:
        raise OSError("font cache unwritable")

    monkeypatch.setattr(exporters, "render_pdf", broken)
    asked = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    assert pdf_exports.make(RankingPdfExport.objects.get().pk) == "failed"
    page = as_officer.get(asked["Location"]).content.decode()
    assert "Không tạo được bản PDF" in page
    assert reverse("scoring:pdf", args=[computed.pk]) in page
    assert reverse("scoring:docx", args=[computed.pk]) in page
    retried = as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    assert retried["Location"] != asked["Location"]  # a failure is not reused


def test_an_unpublished_rankings_export_is_404_for_an_outsider_and_403_without_permission(
    as_officer: Client, as_outsider: Client, province_viewer: User, computed: Scorecard
) -> None:
    as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    export = RankingPdfExport.objects.get()
    pdf_exports.make(export.pk)
    viewer = client_for(province_viewer)
    for name in ("pdf_export", "pdf_export_file"):
        url = reverse(f"scoring:{name}", args=[export.pk])
        assert as_outsider.get(url).status_code == 404
        assert viewer.get(url).status_code == 403
        assert Client().get(url).status_code == 302  # to the sign-in page
    assert as_outsider.get(reverse("scoring:pdf", args=[computed.pk])).status_code == 404
    assert viewer.get(reverse("scoring:pdf", args=[computed.pk])).status_code == 403
    assert as_officer.get(reverse("scoring:pdf_export", args=[export.pk + 99])).status_code == 404


def test_the_public_gets_a_published_rankings_pdf_without_signing_in(
    client: Client, published: Scorecard, monkeypatch: Any
) -> None:
    asked = client.get(reverse("rankings:pdf", args=[published.pk]))
    export = RankingPdfExport.objects.get()
    status_url = reverse("rankings:pdf_export", args=[published.pk, export.pk])
    assert asked.status_code == 302 and asked["Location"] == status_url
    assert export.requested_by is None
    assert "Đang tạo bản PDF" in client.get(status_url).content.decode()
    pdf_exports.make(export.pk)
    page = client.get(status_url).content.decode()
    file_url = reverse("rankings:pdf_export_file", args=[published.pk, export.pk])
    assert "Bản PDF đã sẵn sàng" in page and file_url in page
    download = client.get(file_url)
    assert download.status_code == 200 and "public" in download["Cache-Control"]
    pdf = body(download)

    # Published means frozen: the finished file is served without laying out the HTML.
    def not_again(self: RankingPdf) -> str:
        raise AssertionError("the published ranking's HTML was rendered again")

    monkeypatch.setattr(RankingPdf, "html", not_again)
    again = client.get(reverse("rankings:pdf", args=[published.pk]))
    assert again.status_code == 200 and body(again) == pdf
    assert "public" in again["Cache-Control"]


def test_the_public_never_gets_an_unpublished_rankings_pdf(
    client: Client, as_officer: Client, computed: Scorecard, published_other: Scorecard
) -> None:
    assert client.get(reverse("rankings:pdf", args=[computed.pk])).status_code == 404
    assert not RankingPdfExport.objects.exists()
    as_officer.get(reverse("scoring:pdf", args=[computed.pk]))  # the officer's export
    export = RankingPdfExport.objects.get()
    pdf_exports.make(export.pk)
    for name in ("pdf_export", "pdf_export_file"):
        # Neither through its own scorecard's address nor through a published one's.
        for pk in (computed.pk, published_other.pk):
            url = reverse(f"rankings:{name}", args=[pk, export.pk])
            assert client.get(url).status_code == 404


def test_deleting_a_computed_scorecard_deletes_its_pdf(
    as_officer: Client,
    computed: Scorecard,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        as_officer.get(reverse("scoring:pdf", args=[computed.pk]))
    path = Path(RankingPdfExport.objects.get().file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_scorecard(computed, actor=officer)
    assert not RankingPdfExport.objects.exists() and not path.exists()
