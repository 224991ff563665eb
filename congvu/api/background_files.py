"""A file made on the background worker (`core.pdf_exports`), as the API shows it.

The ranking's PDF and the cases export answer 202 with this, and their status and file
endpoints after it: one shape for every such file, with the endpoint's own `rows` text.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from congvu.core import pdf_exports as jobs
from congvu.core.models import PdfExportBase
from congvu.core.templatetags.bilingual import for_reader

from .plans import one_of

ExportStatus = Annotated[PdfExportBase.Status, WithJsonSchema(one_of(PdfExportBase.Status))]


class BackgroundFileOut(Schema):
    id: int
    status: ExportStatus = Field(..., description="queued, running, done, failed")
    rows: int
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    message: str = Field(..., description="Lỗi khi thất bại / why it failed")
    status_url: str = Field(..., description="Hỏi lại tình trạng tại đây / poll here")
    file_url: str | None = Field(..., description="Tải tệp khi xong / the file, once done")


def background_file_out(export: PdfExportBase, status_url: str) -> dict[str, Any]:
    """The fields of `BackgroundFileOut`; the file is at `status_url`/file once made."""
    return {
        "id": export.pk,
        "status": export.status,
        "rows": export.rows,
        "requested_at": export.requested_at,
        "finished_at": export.finished_at,
        "message": for_reader(export.message),
        "status_url": status_url,
        "file_url": f"{status_url}/file" if jobs.is_ready(export) else None,
    }
