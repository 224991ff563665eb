"""Background work of the scoring app: the PDF of large rankings."""

from __future__ import annotations

from django_tasks import task

from . import pdf_exports


@task()
def make_pdf(export_id: int) -> str:
    """Render one queued `RankingPdfExport` (`pdf_exports.make`)."""
    return pdf_exports.make(export_id)
