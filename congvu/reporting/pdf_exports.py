"""The provincial report's PDF for large provinces: made on the background worker.

WeasyPrint lays out about a hundred rows of the appendix table a second
(`docs/benchmarks.md`): a province of 1,700 organisations takes ~20 s. Up to
`REPORTING_PDF_INLINE_MAX_ROWS` organisations the PDF is made in the request as
before; above, `request_pdf` queues a `PdfExport` and the officer watches its
page. The mechanism (fingerprint of the HTML, reuse, stale exports, the status
page) is `core.pdf_exports`, shared with the scoring app's ranking; this module
only says what the provincial document is.
"""

from __future__ import annotations

from typing import Any, Final

from django.utils.translation import gettext_lazy as _

from congvu.core import pdf_exports as jobs

from . import exporters, selectors
from .models import PdfExport, ReportPeriod
from .selectors import Compilation


def _html_of(period: ReportPeriod) -> tuple[str, int]:
    compilation = selectors.compile_period(period)
    return exporters.ProvincialReportPdf(compilation).html(), len(compilation.rows)


def download_name(period: ReportPeriod) -> str:
    return exporters.file_name(exporters.provincial_basename(period), "pdf")


JOB: Final = jobs.PdfJob(
    model=PdfExport,
    owner_field="period",
    html_of=_html_of,
    render=lambda html: exporters.render_pdf(html),
    download_name=download_name,
    task="congvu.reporting.tasks.make_pdf",
    inline_setting="REPORTING_PDF_INLINE_MAX_ROWS",
    failure_message=_(
        "Không tạo được bản PDF do lỗi hệ thống; hãy thử lại hoặc tải bản .docx. / "
        "The PDF could not be made (system error); try again or download the .docx."
    ),
)


def inline_max_rows() -> int:
    """Compilations with up to this many organisations get their PDF in the request."""
    return JOB.inline_max_rows()


def request_pdf(period: ReportPeriod, compilation: Compilation, *, actor: Any) -> PdfExport:
    """The export that serves this compilation: a finished or running one, else a new one."""
    html = exporters.ProvincialReportPdf(compilation).html()
    export = jobs.request_pdf(JOB, period, html=html, rows=len(compilation.rows), actor=actor)
    assert isinstance(export, PdfExport)
    return export


def make(export_id: int) -> str:
    """Render one export (the task's body); returns what happened."""
    return jobs.make(JOB, export_id)
