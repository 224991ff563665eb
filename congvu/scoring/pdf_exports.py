"""The ranking's PDF for large rankings: made on the background worker.

WeasyPrint takes ~10 s for the ranking of a province of 1,719 organisations
(`docs/benchmarks.md`). Up to `SCORING_PDF_INLINE_MAX_ROWS` scored organisations
(150 by default, about a second) the PDF is still made in the request
(`documents.RankingPdf`, cached); above, `request_pdf` queues a
`RankingPdfExport` through the mechanism the provincial report uses
(`core.pdf_exports`): the user watches its page and downloads the file when
ready, and a finished PDF is served at once while the document is the same.

A published scorecard's document cannot change (its scores are frozen and it
is dated at publication), so once its PDF is made after publication it is
served without laying out the HTML again: the public may ask for it as often
as they like.
"""

from __future__ import annotations

from typing import Any, Final

from congvu.core import pdf_exports as jobs
from congvu.reporting import exporters

from .documents import RankingPdf, require_scores
from .models import RankingPdfExport, Scorecard


def _html_of(scorecard: Scorecard) -> tuple[str, int]:
    return RankingPdf(scorecard).html(), scorecard.scores.count()


def download_name(scorecard: Scorecard) -> str:
    return RankingPdf(scorecard).filename


JOB: Final = jobs.PdfJob(
    model=RankingPdfExport,
    owner_field="scorecard",
    html_of=_html_of,
    render=lambda html: exporters.render_pdf(html),
    download_name=download_name,
    task="congvu.scoring.tasks.make_pdf",
    inline_setting="SCORING_PDF_INLINE_MAX_ROWS",
)


def request_pdf(scorecard: Scorecard, *, actor: Any) -> RankingPdfExport | None:
    """None when the ranking is small enough to be made in the request; else the export
    that serves it (finished, being made, or queued now). A draft has no document."""
    require_scores(scorecard)
    rows = scorecard.scores.count()
    if jobs.wanted_inline(JOB, rows):
        return None
    if scorecard.is_published and scorecard.published_at is not None:
        frozen = (
            RankingPdfExport.objects.filter(
                scorecard=scorecard,
                status=RankingPdfExport.Status.DONE,
                requested_at__gte=scorecard.published_at,
            )
            .order_by("-pk")
            .first()
        )
        if frozen is not None and jobs.is_ready(frozen):
            return frozen
    html, rows = _html_of(scorecard)
    export = jobs.request_pdf(JOB, scorecard, html=html, rows=rows, actor=actor)
    assert isinstance(export, RankingPdfExport)
    return export


def make(export_id: int) -> str:
    """Render one export (the task's body); returns what happened."""
    return jobs.make(JOB, export_id)


def file_response(export: RankingPdfExport) -> Any:
    """The finished export's file (404 while it is being made)."""
    return jobs.finished_file(export, download_name(export.scorecard))
