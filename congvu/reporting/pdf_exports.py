"""The provincial report's PDF for large provinces: made on the background worker.

WeasyPrint lays out about a hundred rows of the appendix table a second
(`docs/benchmarks.md`): a province of 1,700 organisations takes ~20 s, longer
than a request should (a sync worker held that long, or killed by gunicorn's
timeout). Up to `inline_max_rows()` organisations the PDF is made in the
request as before; above, `request_pdf` queues a `PdfExport`, the officer
watches its page (it polls) and downloads the file when it is ready. A
finished PDF is served again at once while the compiled document is the
same: its HTML is hashed (`fingerprint`) before anything is rendered. A
queued or running export older than `STALE_AFTER` lost its worker and is
replaced by a new one on the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exporters, selectors
from .models import PdfExport, ReportPeriod
from .selectors import Compilation

logger = logging.getLogger(__name__)

STALE_AFTER: Final = dt.timedelta(minutes=10)
Status = PdfExport.Status


def inline_max_rows() -> int:
    """Compilations with up to this many organisations get their PDF in the request."""
    return int(getattr(settings, "REPORTING_PDF_INLINE_MAX_ROWS", 150))


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def request_pdf(period: ReportPeriod, compilation: Compilation, *, actor: Any) -> PdfExport:
    """The export that serves this compilation: a finished or running one, else a new one."""
    exporter = exporters.ProvincialReportPdf(compilation)
    current = fingerprint(exporter.html())
    with transaction.atomic():
        existing = (
            PdfExport.objects.select_for_update()
            .filter(period=period, fingerprint=current)
            .exclude(status=Status.FAILED)
            .order_by("-pk")
            .first()
        )
        if existing is not None and (
            (existing.status == Status.DONE and file_is_there(existing))
            or (existing.is_running and existing.requested_at > timezone.now() - STALE_AFTER)
        ):
            return existing
        export = PdfExport.objects.create(
            period=period, fingerprint=current, rows=len(compilation.rows), requested_by=actor
        )
        from .tasks import make_pdf  # the task module imports this one

        transaction.on_commit(lambda: make_pdf.enqueue(export.pk), robust=True)
    return export


def file_is_there(export: PdfExport) -> bool:
    """A finished export whose file was removed (a media restore, a clean-up) is made again."""
    return bool(export.file.name) and export.file.storage.exists(export.file.name)


def download_name(period: ReportPeriod) -> str:
    return exporters.file_name(exporters.provincial_basename(period), "pdf")


def make(export_id: int) -> str:
    """Render one export (the task's body); returns what happened."""
    claimed = PdfExport.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return "not queued"
    export = PdfExport.objects.select_related("period").get(pk=export_id)
    try:
        compilation = selectors.compile_period(export.period)
        exporter = exporters.ProvincialReportPdf(compilation)
        html = exporter.html()
        pdf = exporters.render_pdf(html)
    except Exception:
        logger.exception("provincial PDF %s failed", export_id)
        PdfExport.objects.filter(pk=export_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "Không tạo được bản PDF do lỗi hệ thống; hãy thử lại hoặc tải bản .docx. / "
                "The PDF could not be made (system error); try again or download the .docx."
            ),
        )
        return "failed"
    with transaction.atomic():
        export.file.save(download_name(export.period), ContentFile(pdf), save=False)
        export.fingerprint = fingerprint(html)  # what was rendered, if the data moved on
        export.rows = len(compilation.rows)
        export.status = Status.DONE
        export.finished_at = timezone.now()
        export.save(update_fields=["file", "fingerprint", "rows", "status", "finished_at"])
        # One finished PDF a period is enough: the older ones are out of date.
        older = list(
            PdfExport.objects.filter(period=export.period, status=Status.DONE).exclude(pk=export.pk)
        )
        for old in older:
            old.delete()
        names = [old.file.name for old in older if old.file.name]
        storage = export.file.storage
        transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
    return "done"
