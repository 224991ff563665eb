"""The export of the case list: an xlsx workbook, or the same rows as CSV.

The reporter's name, phone and e-mail are written only on the rows of cases whose
reporter the exporting user sees directly (`visibility.can_see_identity`: the handling
organisation's own or the assigned officer, never the subject); elsewhere the cells say
why they are empty. An overseer's reveal (`cases.identity`) is for one case on its page:
an export never reveals in bulk. Rows are streamed from the database (openpyxl's
write-only mode), so a large export costs memory for one row at a time.

The CSV (`cases_csv`) has the xlsx's columns and rows (`case_rows` makes both): UTF-8
with a byte-order mark, without which Excel reads Vietnamese as Windows-1252, dates as
dd/mm/yyyy text. Every text cell goes through `core.cells.safe_row` in both formats:
citizens write case text, and a cell starting with = + - @ is a formula to Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
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
CSV: Final = "text/csv; charset=utf-8"
#: The formats the export is written in (the first is the default), and their content types.
FORMATS: Final = {"xlsx": XLSX, "csv": CSV}
DEFAULT_FORMAT: Final = "xlsx"
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


#: The columns of `case_rows` that hold dates (or None).
DATE_COLUMNS: Final = (1, 12, 13, 15, 16)


def case_rows(user: Any, cases: QuerySet[Case]) -> Iterator[list[Any]]:
    """The header, then one row per case (user-typed text made safe, dates as dates), in
    the active language: what both formats write."""
    yield [
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
    # Everything that is the same on every row is worked out once: at 30,000 rows the
    # labels' translation lookups and the related managers cost more than the file.
    hidden = _("(không có quyền xem)")
    yes, no = _("Có"), _("Không")
    track, channel = _labels(Track.choices), _labels(Case.Channel.choices)
    status, outcome = _labels(Case.Status.choices), _labels(Case.Outcome.choices)
    rows = (
        selectors.list_rows(cases)
        .select_related("subject_staff")
        .defer("description", "conclusion", "occurred_place", "passphrase_hash", "search_text")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("tags", queryset=CaseTag.objects.order_by("name_folded"), to_attr="tag_list"),
            Prefetch("clauses", to_attr="clause_list"),
        )[:MAX_ROWS]
    )
    # May the user see the reporters of an organisation's cases? (Asked once per organisation.)
    identity_at: dict[int, bool] = {}

    for case in rows.iterator(chunk_size=BATCH):
        identity: list[str]
        if case.is_anonymous or visibility.is_subject(user, case):
            sees = False
        else:
            at = case.handling_organisation_id
            if at not in identity_at:
                identity_at[at] = visibility.sees_identity_at(user, case.handling_organisation)
            sees = visibility.can_see_identity(user, case, at_organisation=identity_at[at])
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
        yield safe_row(
            [
                case.code,
                _local_date(case.received_at),
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
                case.acknowledge_due,
                case.settle_due,
                case.extensions,
                _local_date(case.concluded_at),
                _local_date(case.closed_at),
                yes if case.is_anonymous else no,
                *identity,
            ]
        )


def cases_xlsx(user: Any, cases: QuerySet[Case]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Vụ việc"))
    rows = case_rows(user, cases)
    bold = Font(bold=True)
    header_cells = []
    for text in next(rows):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        for column in DATE_COLUMNS:
            if row[column] is not None:
                cell = WriteOnlyCell(sheet, value=row[column])
                cell.number_format = DATE
                row[column] = cell
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cases_csv(user: Any, cases: QuerySet[Case]) -> bytes:
    """The same rows as `cases_xlsx`, as CSV for Excel: UTF-8 with a BOM, CRLF, dates
    dd/mm/yyyy."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads the file as UTF-8 (Vietnamese) only with the BOM
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in case_rows(user, cases):
        writer.writerow(
            [value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value for value in row]
        )
    return buffer.getvalue().encode("utf-8")


def write(file_format: str, user: Any, cases: QuerySet[Case]) -> bytes:
    """The cases in `file_format` (a key of `FORMATS`)."""
    return cases_csv(user, cases) if file_format == "csv" else cases_xlsx(user, cases)
