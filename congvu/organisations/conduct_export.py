"""The conduct record as Excel: headed with the organisation, the year and the day printed.

A working file, in the reader's language like the ranking workbook (`scoring.documents`):
the sheet's name, the titles, the headers and the values written by the platform (status,
confirmation, reasons, discipline forms with an English name) are Vietnamese or English;
what people typed (names, positions, organisations, decision numbers) stays as typed.
Numbers stay numbers, an index on too few ratings is left empty with the reason in its
cell. Nothing of a case but its count: no reporter, no report.

Each download is audited (`staff.conduct_record_export`, `audit_export`), as the cases
export and the badge sheets are: the file lists every staff member of the scope with
their discipline and satisfaction index for the year.
"""

from __future__ import annotations

import io
from typing import Any, Final

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from congvu.audit.services import in_record_language
from congvu.audit.services import record as audit_record
from congvu.core.cells import safe_row
from congvu.reporting.spreadsheets import header_row, title_rows

from .conduct_record import ConductRow, Record, min_ratings, reason_labels

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE: Final = "DD/MM/YYYY"
WIDTHS: Final = (6, 28, 14, 20, 32, 20, 12, 12, 14, 36, 12, 14, 12, 36)


def audit_export(user: Any, record: Record, *, filters: str) -> None:
    """`staff.conduct_record_export`: who took which organisation's record of which year
    (with the subtree or not, the page's filters), of how many staff; no names."""
    organisation = record.organisation
    with in_record_language():
        audit_record(
            "staff.conduct_record_export",
            actor=user,
            obj=organisation,
            organisation=organisation,
            summary=f"{record.count} cán bộ, năm {record.period.year}: {organisation.name}",
            data={
                "organisation": organisation.pk,
                "year": record.period.year,
                "subtree": record.subtree,
                "filters": filters,
                "rows": record.count,
            },
        )


def sheet_name() -> str:
    # Translators: an Excel sheet's name: at most 31 characters, none of []:*?/\
    return pgettext("conduct workbook", "Ho so VHCV")


def headers() -> tuple[str, ...]:
    """The column headers, in the reader's language."""
    return (
        _("STT"),
        _("Họ và tên"),
        _("Mã cán bộ"),
        _("Chức vụ"),
        pgettext("conduct workbook", "Cơ quan, đơn vị"),
        _("Tình trạng"),
        _("Số lượt đánh giá được tính"),
        _("Chỉ số hài lòng (%)"),
        _("Phản ánh được kết luận đúng, đúng một phần"),
        _("Kỷ luật trong năm"),
        _("Vi phạm qua kiểm tra công vụ"),
        pgettext("conduct workbook", "Xác nhận thực hiện quy tắc ứng xử"),
        _("Ngày xác nhận"),
        _("Cần lưu ý"),
    )


def _status(row: ConductRow) -> str:
    if not row.is_active:
        if row.left_on is not None:
            return _("Thôi công tác từ %(date)s") % {"date": f"{row.left_on:%d/%m/%Y}"}
        return _("Thôi công tác")
    if row.moved:
        return _("Đã chuyển công tác")
    return _("Đang công tác")


def _acknowledged(row: ConductRow) -> str:
    if row.acknowledged is None:
        return _("Chưa có quy tắc áp dụng")
    return _("Đã xác nhận") if row.acknowledged else _("Chưa xác nhận")


def conduct_xlsx(record: Record) -> bytes:
    """The workbook in the active language (the reader's)."""
    today = timezone.localdate()
    organisation = record.organisation
    columns = headers()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = sheet_name()
    title = _("Hồ sơ thực hiện văn hóa công vụ năm %(year)s: %(name)s") % {
        "year": record.period.year,
        "name": organisation.name,
    }
    subtitle = _(
        "%(name)s (%(code)s)%(units)s. Năm %(year)s. In ngày %(today)s. Chỉ số hài lòng chỉ "
        "ghi khi có từ %(min)s lượt đánh giá được tính."
    ) % {
        "name": organisation.name,
        "code": organisation.code,
        "units": (" " + _("(gồm đơn vị trực thuộc)")) if record.subtree else "",
        "year": record.period.year,
        "today": f"{today:%d/%m/%Y}",
        "min": min_ratings(),
    }
    title_rows(sheet, title, subtitle, len(columns))
    header_row(sheet, columns, WIDTHS)
    labels = reason_labels()
    too_few = _("Chưa đủ lượt đánh giá")
    # The sheet's row of each staff member, counted here: `sheet.max_row` scans every
    # cell written so far, which made a 1,700-row file take seconds.
    above = sheet.max_row
    for n, row in enumerate(record.all_rows(), start=1):
        share = row.share_pct
        place = row.organisation_name + (f" / {row.division_name}" if row.division_name else "")
        sheet.append(
            safe_row(
                [
                    n,
                    row.full_name,
                    row.staff_code,
                    row.position_title,
                    place,
                    _status(row),
                    row.index.counted,
                    round(share, 1)
                    if share is not None
                    else (too_few if row.index.counted else None),
                    row.substantiated,
                    "; ".join(
                        _("%(form)s (số %(number)s, ngày %(date)s)")
                        % {"form": d.form, "number": d.number, "date": f"{d.decided_on:%d/%m/%Y}"}
                        for d in row.discipline
                    ),
                    row.breaches,
                    _acknowledged(row),
                    row.acknowledged_on,
                    "; ".join(labels[code] for code in row.reasons),
                ]
            )
        )
        sheet.cell(row=above + n, column=13).number_format = DATE
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
