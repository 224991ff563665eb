"""The xlsx export of the case list.

The reporter's name, phone and e-mail are written only on the rows of cases whose
reporter the exporting user may identify (`visibility.can_see_identity`: CASE_IDENTITY
on the handling organisation, never the subject); elsewhere the cells say why they are
empty. Rows are streamed from the database (openpyxl's write-only mode), so a large
export costs memory for one row at a time.
"""

from __future__ import annotations

import io
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from congvu.core.cells import safe_row

from . import selectors, visibility
from .models import Case

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS: Final = 100_000
BATCH: Final = 1000
DATE: Final = "DD/MM/YYYY"


def _local_date(value: Any) -> Any:
    if value is None:
        return None
    return timezone.localtime(value).date()


def cases_xlsx(user: Any, cases: QuerySet[Case]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Vụ việc"))
    headers = [
        _("Mã theo dõi"),
        _("Ngày tiếp nhận"),
        _("Loại đơn"),
        _("Kênh tiếp nhận"),
        _("Trạng thái"),
        _("Kết luận"),
        _("Cơ quan bị phản ánh"),
        _("Cơ quan xử lý"),
        _("Cán bộ được giao xử lý"),
        _("Nhãn"),
        _("Người bị phản ánh"),
        _("Chuẩn mực"),
        _("Hạn thụ lý"),
        _("Hạn giải quyết"),
        _("Số lần gia hạn"),
        _("Ngày kết luận"),
        _("Ngày đóng"),
        _("Ẩn danh"),
        _("Họ tên người phản ánh"),
        _("Điện thoại"),
        _("Thư điện tử"),
    ]
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    hidden = _("(không có quyền xem)")
    rows = (
        selectors.list_rows(cases)
        .select_related("subject_staff")
        .prefetch_related("clauses")[:MAX_ROWS]
    )

    def dated(value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None:
            cell.number_format = DATE
        return cell

    for case in rows.iterator(chunk_size=BATCH):
        identity: list[str]
        sees = not case.is_anonymous and visibility.can_see_identity(user, case)
        mask = visibility.masked_for(user, case, identity=sees or case.is_anonymous)
        if case.is_anonymous:
            identity = ["", "", ""]
        elif sees:
            identity = [case.reporter_name, case.reporter_phone, case.reporter_email]
        else:
            identity = [hidden, hidden, hidden]
        subject = (
            case.subject_staff.full_name
            if case.subject_staff is not None
            else mask(case.subject_description)
        )
        sheet.append(
            safe_row(
                [
                    case.code,
                    dated(_local_date(case.received_at)),
                    case.get_track_display(),
                    case.get_channel_display(),
                    case.get_status_display(),
                    case.get_outcome_display() if case.outcome else "",
                    case.organisation.name,
                    case.handling_organisation.name,
                    str(case.assignee) if case.assignee is not None else "",
                    ", ".join(tag.name for tag in case.tags.all()),
                    subject,
                    "; ".join(c.code for c in case.clauses.all()) or mask(case.other_standard),
                    dated(case.acknowledge_due),
                    dated(case.settle_due),
                    case.extensions,
                    dated(_local_date(case.concluded_at)),
                    dated(_local_date(case.closed_at)),
                    _("Có") if case.is_anonymous else _("Không"),
                    *identity,
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
