"""The conduct record as Excel: headed with the organisation, the year and the day printed.

Vietnamese whatever the reader's language (it goes into the rating file); numbers stay
numbers, an index on too few ratings is left empty with the reason in its cell. Nothing
of a case but its count: no reporter, no report.
"""

from __future__ import annotations

import io
from typing import Final

from django.utils import timezone, translation
from openpyxl import Workbook

from congvu.core.cells import safe_row
from congvu.reporting.spreadsheets import header_row, title_rows

from .conduct_record import ConductRow, Record, min_ratings, reason_labels

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE: Final = "DD/MM/YYYY"
SHEET: Final = "Ho so VHCV"

HEADERS: Final = (
    "STT",
    "Họ và tên",
    "Mã cán bộ",
    "Chức vụ",
    "Cơ quan, đơn vị",
    "Tình trạng",
    "Số lượt đánh giá được tính",
    "Chỉ số hài lòng (%)",
    "Phản ánh được kết luận đúng, đúng một phần",
    "Kỷ luật trong năm",
    "Vi phạm qua kiểm tra công vụ",
    "Xác nhận thực hiện quy tắc ứng xử",
    "Ngày xác nhận",
    "Cần lưu ý",
)
WIDTHS: Final = (6, 28, 14, 20, 32, 20, 12, 12, 14, 36, 12, 14, 12, 36)


def _status(row: ConductRow) -> str:
    if not row.is_active:
        if row.left_on is not None:
            return f"Thôi công tác từ {row.left_on:%d/%m/%Y}"
        return "Thôi công tác"
    if row.moved:
        return "Đã chuyển công tác"
    return "Đang công tác"


def _acknowledged(row: ConductRow) -> str:
    if row.acknowledged is None:
        return "Chưa có quy tắc áp dụng"
    return "Đã xác nhận" if row.acknowledged else "Chưa xác nhận"


def conduct_xlsx(record: Record) -> bytes:
    with translation.override("vi"):
        return _render(record)


def _render(record: Record) -> bytes:
    today = timezone.localdate()
    organisation = record.organisation
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = SHEET
    title = f"Hồ sơ thực hiện văn hóa công vụ năm {record.period.year}: {organisation.name}"
    scope = " (gồm đơn vị trực thuộc)" if record.subtree else ""
    subtitle = (
        f"{organisation.name} ({organisation.code}){scope}. Năm {record.period.year}. "
        f"In ngày {today:%d/%m/%Y}. Chỉ số hài lòng chỉ ghi khi có từ {min_ratings()} "
        f"lượt đánh giá được tính."
    )
    title_rows(sheet, title, subtitle, len(HEADERS))
    header_row(sheet, HEADERS, WIDTHS)
    labels = reason_labels()
    too_few = "Chưa đủ lượt đánh giá"
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
                        f"{d.form} (số {d.number}, ngày {d.decided_on:%d/%m/%Y})"
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
