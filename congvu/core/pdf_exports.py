"""Long PDFs made on the background worker instead of in the request.

WeasyPrint lays out one to two hundred table rows a second: a province's
provincial report or ranking (~1,700 organisations) takes 10–20 s, longer than
a request should (a sync worker held that long, or killed by gunicorn's
timeout). An app describes its document once as a `PdfJob` (which export
model, how to build the HTML of the thing the export is about, the file's
name, the task that renders it) and its views call the functions here:

* `wanted_inline(job, rows)`: small documents are still made in the request;
* `request_pdf(job, owner, html=…, rows=…, actor=…)`: the export that serves
  this HTML — a finished one (its file still there) or one being made, else a
  new one queued after the commit. The HTML is hashed (`fingerprint`) before
  anything is laid out, so a finished PDF is served again while the document
  is the same, and a request during the rendering joins it. A queued or
  running export older than `STALE_AFTER` lost its worker and is replaced;
* `make(job, export_id)`: the task's body; a finished export deletes the
  older finished ones of the same owner (and their files after the commit);
* `status_page(…)` and `file_response(…)`: the page that polls (htmx, or a
  refresh without JavaScript) and then offers the file, and the file itself.
  Both serve other long files too (the cases export's workbook, `cases.export_jobs`):
  `file_response` takes the file's content type and `status_page` a `Wording`.

The export rows are per app (`core.models.PdfExportBase` subclassed with a
foreign key to the owner), so they are scoped and deleted with their owner.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from .models import PdfExportBase

logger = logging.getLogger(__name__)

STALE_AFTER: Final = dt.timedelta(minutes=10)
Status = PdfExportBase.Status
TEMPLATE: Final = "core/pdf_export.html"


@dataclass(frozen=True)
class PdfJob:
    """One kind of long PDF: what `request_pdf` and `make` need to know about it."""

    #: The export rows' model (a `PdfExportBase` with a foreign key `owner_field`).
    model: type[PdfExportBase]
    owner_field: str
    #: The owner's document as (HTML, rows in it); called again by the worker.
    html_of: Callable[[Any], tuple[str, int]]
    #: The PDF the HTML becomes (`reporting.exporters.render_pdf`), looked up at each call
    #: so that a test can replace it.
    render: Callable[[str], bytes]
    download_name: Callable[[Any], str]
    #: Dotted path of the django-tasks task taking the export's id.
    task: str
    #: The setting that holds how many rows are still made in the request.
    inline_setting: str
    inline_default: int = 150
    failure_message: Any = field(
        default=gettext_lazy(
            "Không tạo được bản PDF do lỗi hệ thống; hãy thử lại sau. / "
            "The PDF could not be made (system error); try again later."
        )
    )

    def inline_max_rows(self) -> int:
        return int(getattr(settings, self.inline_setting, self.inline_default))

    def owner_filter(self, owner: Any) -> dict[str, Any]:
        return {self.owner_field: owner}


def wanted_inline(job: PdfJob, rows: int) -> bool:
    """Documents up to `inline_max_rows()` rows are laid out in the request (~1 s)."""
    return rows <= job.inline_max_rows()


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def file_is_there(export: PdfExportBase) -> bool:
    """A finished export whose file was removed (a media restore, a clean-up) is made again."""
    return bool(export.file.name) and export.file.storage.exists(export.file.name)


def is_ready(export: PdfExportBase) -> bool:
    return export.status == Status.DONE and file_is_there(export)


def _rows(job: PdfJob) -> QuerySet[PdfExportBase]:
    return job.model._default_manager.all()


def request_pdf(job: PdfJob, owner: Model, *, html: str, rows: int, actor: Any) -> PdfExportBase:
    """The export that serves this HTML: a finished or running one, else a new one."""
    current = fingerprint(html)
    with transaction.atomic():
        existing = (
            _rows(job)
            .select_for_update()
            .filter(fingerprint=current, **job.owner_filter(owner))
            .exclude(status=Status.FAILED)
            .order_by("-pk")
            .first()
        )
        if existing is not None and (
            is_ready(existing)
            or (existing.is_running and existing.requested_at > timezone.now() - STALE_AFTER)
        ):
            return existing
        user = actor if getattr(actor, "is_authenticated", False) else None
        export = _rows(job).create(
            fingerprint=current, rows=rows, requested_by=user, **job.owner_filter(owner)
        )
        task = import_string(job.task)
        transaction.on_commit(lambda: task.enqueue(export.pk), robust=True)
    return export


def make(job: PdfJob, export_id: int) -> str:
    """Render one export (the task's body); returns what happened."""
    claimed = _rows(job).filter(pk=export_id, status=Status.QUEUED).update(status=Status.RUNNING)
    if not claimed:
        return "not queued"
    export = _rows(job).select_related(job.owner_field).filter(pk=export_id).first()
    if export is None:  # deleted by its owner just after the claim
        return "deleted meanwhile"
    owner = getattr(export, job.owner_field)
    try:
        html, rows = job.html_of(owner)
        pdf = job.render(html)
    except Exception:
        logger.exception("PDF export %s #%s failed", job.model._meta.label, export_id)
        _rows(job).filter(pk=export_id).update(
            status=Status.FAILED, finished_at=timezone.now(), message=str(job.failure_message)
        )
        return "failed"
    with transaction.atomic():
        export.file.save(job.download_name(owner), ContentFile(pdf), save=False)
        saved = (
            _rows(job)
            .filter(pk=export.pk)
            .update(
                file=export.file.name,
                # What was rendered, if the data moved on meanwhile.
                fingerprint=fingerprint(html),
                rows=rows,
                status=Status.DONE,
                finished_at=timezone.now(),
            )
        )
        if not saved:
            return _deleted_meanwhile(export)
        # One finished PDF per owner is enough: the older ones are out of date.
        older = list(
            _rows(job).filter(status=Status.DONE, **job.owner_filter(owner)).exclude(pk=export.pk)
        )
        for old in older:
            old.delete()
        forget_files(older)
    return "done"


def _deleted_meanwhile(export: PdfExportBase) -> str:
    """Its owner deleted the export while the worker was making it (`may_delete`): the
    file just written belongs to no row, so it goes at once."""
    export.file.storage.delete(export.file.name)
    return "deleted meanwhile"


STILL_RUNNING: Final = gettext_lazy(
    "Tệp đang được tạo nên chưa xóa được; hãy xóa khi tệp đã xong hoặc đã thất bại. / "
    "The file is still being made and cannot be deleted yet; delete it once it is ready "
    "or has failed."
)


class StillRunning(Exception):
    """A waiting or running export was asked to be deleted (`may_delete`)."""

    def __init__(self) -> None:
        super().__init__(str(STILL_RUNNING))


def may_delete(export: PdfExportBase, now: dt.datetime | None = None) -> bool:
    """May its owner delete it? Once finished (made, failed, expired), and a waiting or
    running one only once it is older than `STALE_AFTER`: its worker is taken as lost, as
    `request_pdf` takes it (a slow worker that was not lost finds its row gone and deletes
    the file it wrote, `_deleted_meanwhile`). A current one is refused rather than
    cancelled: the worker would go on making the file anyway."""
    if not export.is_running:
        return True
    return export.requested_at <= (now or timezone.now()) - STALE_AFTER


def forget_files(exports: Sequence[PdfExportBase]) -> None:
    """Delete the exports' files once the transaction that deleted their rows commits."""
    names = [export.file.name for export in exports if export.file.name]
    if not names:
        return
    storage = exports[0].file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)


PDF: Final = "application/pdf"


def file_response(export: PdfExportBase, filename: str, content_type: str = PDF) -> FileResponse:
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )


def finished_file(export: PdfExportBase, filename: str, content_type: str = PDF) -> FileResponse:
    """The export's file; 404 while it is being made, after a failure or once removed."""
    if not is_ready(export):
        raise Http404
    return file_response(export, filename, content_type)


@dataclass(frozen=True)
class Links:
    """Where the status page points: itself (polled), the file, a retry, other formats."""

    title: str
    back: tuple[str, str]
    poll: str
    file: str
    retry: str
    alternatives: Sequence[tuple[str, str]] = ()
    #: Listed on "Tệp xuất của tôi" (core.my_exports): the page links there, to come back.
    listed: bool = False
    #: Its deletion's confirmation page (`core.my_exports.delete_url`), offered as "Xóa…"
    #: where the list offers it; "" while it is being made, and for the shared PDFs.
    delete: str = ""


@dataclass(frozen=True)
class Wording:
    """What the status page says where the defaults do not fit (a file that is not a PDF,
    a PDF that is not "for n organisations"); a text left empty keeps the PDF's sentence.
    Each text is already translated and filled in by the caller."""

    running: str = ""
    late: str = ""
    ready: str = ""
    download: str = ""


def status_page(
    request: HttpRequest,
    export: PdfExportBase,
    links: Links,
    wording: Wording | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """The export's page; to htmx's poll, only its state (and a reload once it is over)."""
    context = {"export": export, "links": links, "wording": wording}
    if request.headers.get("HX-Request"):
        response = render(request, f"{TEMPLATE}#state", context, status=status)
        if not export.is_running:
            response["HX-Refresh"] = "true"
        return response
    return render(request, TEMPLATE, context, status=status)
