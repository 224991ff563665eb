"""The xlsx export of the case list.

The reporter's name, phone and e-mail are written only on the rows of cases whose
reporter the exporting user may identify (`visibility.can_see_identity`: CASE_IDENTITY
on the handling organisation, never the subject); elsewhere the cells say why they are
empty. Rows are streamed from the database (openpyxl's write-only mode), so a large
export costs memory for one row at a time.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any, Final

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from congvu.core.cells import safe_row

from . import selectors, visibility
from .models import Case, CaseTag, Track

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS: Final = 100_000
BATCH: Final = 1000
DATE: Final = "DD/MM/YYYY"


def _local_date(value: Any) -> Any:
    if value is None:
        return None
    return timezone.localtime(value).date()


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Choice labels in the active language, translated once for the whole file."""
    return {str(value): str(label) for value, label in choices}


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
    # Everything that is the same on every row is worked out once: at 30,000 rows the
    # labels' translation lookups and the related managers cost more than the file.
    hidden = _("(không có quyền xem)")
    yes, no = _("Có"), _("Không")
    track, channel = _labels(Track.choices), _labels(Case.Channel.choices)
    status, outcome = _labels(Case.Status.choices), _labels(Case.Outcome.choices)
    rows = (
        selectors.list_rows(cases)
        .select_related("subject_staff")
        .defer("description", "conclusion", "occurred_place", "passphrase_hash")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("tags", queryset=CaseTag.objects.order_by("name_folded"), to_attr="tag_list"),
            Prefetch("clauses", to_attr="clause_list"),
        )[:MAX_ROWS]
    )
    # May the user see the reporters of an organisation's cases? (Asked once per organisation.)
    identity_at: dict[int, bool] = {}

    def dated(value: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None:
            cell.number_format = DATE
        return cell

    for case in rows.iterator(chunk_size=BATCH):
        identity: list[str]
        if case.is_anonymous or visibility.is_subject(user, case):
            sees = False
        else:
            at = case.handling_organisation_id
            if at not in identity_at:
                identity_at[at] = visibility.can_see_identity(user, case)
            sees = identity_at[at]
        if case.is_anonymous:
            identity = ["", "", ""]
        elif sees:
            identity = [case.reporter_name, case.reporter_phone, case.reporter_email]
        else:
            identity = [hidden, hidden, hidden]
        subject = case.subject_staff.full_name if case.subject_staff is not None else ""
        standards = "; ".join(c.code for c in case.clause_list)
        if case.subject_staff is None or not standards:
            # Texts the reporter typed, masked for whoever may not know who reported
            # (the pattern is built only for the rows that need it).
            mask = visibility.masked_for(user, case, identity=sees or case.is_anonymous)
            if case.subject_staff is None:
                subject = mask(case.subject_description)
            standards = standards or mask(case.other_standard)
        sheet.append(
            safe_row(
                [
                    case.code,
                    dated(_local_date(case.received_at)),
                    track.get(case.track, case.track),
                    channel.get(case.channel, case.channel),
                    status.get(case.status, case.status),
                    outcome.get(case.outcome, case.outcome) if case.outcome else "",
                    case.organisation.name,
                    case.handling_organisation.name,
                    str(case.assignee) if case.assignee is not None else "",
                    ", ".join(tag.name for tag in case.tag_list),
                    subject,
                    standards,
                    dated(case.acknowledge_due),
                    dated(case.settle_due),
                    case.extensions,
                    dated(_local_date(case.concluded_at)),
                    dated(_local_date(case.closed_at)),
                    yes if case.is_anonymous else no,
                    *identity,
                ]
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
