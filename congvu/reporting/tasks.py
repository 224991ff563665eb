"""Background work of the reporting app: the provincial PDF of large provinces."""

from __future__ import annotations

from django_tasks import task

from . import pdf_exports


@task()
def make_pdf(export_id: int) -> str:
    """Render one queued `PdfExport` (`pdf_exports.make`)."""
    return pdf_exports.make(export_id)
