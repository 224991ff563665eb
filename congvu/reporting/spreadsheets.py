"""The xlsx appendix of the provincial report (openpyxl).

Sheets: "Tong hop" (a row per organisation with every indicator, then the
totals), "Chua nop" (organisations that have not filed), "Chi tieu" (the
totals as a list). Numbers stay numbers; indicators without data yet have an
empty column marked "(chưa có dữ liệu)" in the header.

Unlike the .docx and .pdf (official papers, always Vietnamese), the workbook is a working
file: like the case list's export, its titles and headers follow the reader's language,
all of them (the indicator names were translated, the fixed headers were not).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from congvu.core.cells import safe_cell, safe_row

from . import indicators
from .selectors import Compilation

FONT_NAME = "Times New Roman"
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
TOTAL_FILL = PatternFill("solid", fgColor="F3F3F3")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4
MAIN_SHEET = "Tong hop"
MISSING_SHEET = "Chua nop"
TOTALS_SHEET = "Chi tieu"

FIXED_HEADERS = (
    gettext_lazy("STT"),
    gettext_lazy("Mã định danh"),
    gettext_lazy("Cơ quan, đơn vị"),
    gettext_lazy("Loại"),
    gettext_lazy("Tình trạng"),
    gettext_lazy("Ngày nộp"),
    gettext_lazy("Nộp muộn"),
)
DATE_COLUMN = 6  # "Ngày nộp"
FIXED_WIDTHS = (6, 14, 48, 24, 20, 12, 10)


def title_rows(sheet: Worksheet, title: str, subtitle: str, width: int) -> None:
    sheet["A1"] = safe_cell(title)
    sheet["A1"].font = Font(name=FONT_NAME, bold=True, size=14)
    sheet["A2"] = safe_cell(subtitle)
    sheet["A2"].font = Font(name=FONT_NAME, italic=True, size=12)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)


def header_row(sheet: Worksheet, headers: Sequence[Any], widths: Sequence[float]) -> None:
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=safe_cell(str(text)))
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 45
    sheet.freeze_panes = f"D{HEADER_ROW + 1}"  # a string: cell() would add an empty row
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{HEADER_ROW}"


def bold_row(sheet: Worksheet, row: int, width: int) -> None:
    for column in range(1, width + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.fill = TOTAL_FILL
        cell.border = BORDER


def provincial_workbook(compilation: Compilation) -> bytes:
    period = compilation.period
    all_indicators = indicators.all_indicators()
    available = {i.key for src in indicators.REGISTRY if src.available for i in src.indicators}
    indicator_headers = [
        str(i.label) + ("" if i.key in available else f" ({indicators.NO_DATA})")
        for i in all_indicators
    ]
    headers = [*FIXED_HEADERS, *indicator_headers, _("Tỷ lệ đã xác nhận QTƯX (%)")]
    widths = [*FIXED_WIDTHS, *([14] * len(all_indicators)), 14]
    subtitle = _(
        "Số liệu từ %(start)s đến %(end)s; hạn nộp %(due)s. Đã nộp %(filed)s/%(expected)s."
    ) % {
        "start": f"{period.covers_from:%d/%m/%Y}",
        "end": f"{period.covers_to:%d/%m/%Y}",
        "due": f"{period.due_on:%d/%m/%Y}",
        "filed": compilation.filed,
        "expected": compilation.expected,
    }

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = MAIN_SHEET
    title_rows(sheet, _("Phụ lục: %(name)s") % {"name": period.name}, subtitle, len(headers))
    header_row(sheet, headers, widths)
    keys = [i.key for i in all_indicators]
    for row in compilation.rows:
        values = row.values
        submitted = row.report.submitted_on() if row.report and row.is_filed else None
        sheet.append(
            safe_row(
                [
                    row.number,
                    row.organisation.code,
                    row.name_with_note,
                    str(row.organisation.kind),
                    row.status_label,
                    submitted,
                    "x" if row.is_late else "",
                    *(values.get(key) for key in keys),
                    indicators.derived(values)["coverage_share"],
                ]
            )
        )
    totals = compilation.totals
    sheet.append(
        [
            None,
            None,
            _("Tổng cộng"),
            None,
            f"{compilation.filed}/{compilation.expected}",
            None,
            compilation.late or None,
            *(totals.get(key) for key in keys),
            compilation.derived["coverage_share"],
        ]
    )
    bold_row(sheet, sheet.max_row, len(headers))
    for (cell,) in sheet.iter_rows(
        min_row=HEADER_ROW + 1, min_col=DATE_COLUMN, max_col=DATE_COLUMN, max_row=sheet.max_row
    ):
        cell.number_format = "DD/MM/YYYY"

    missing = workbook.create_sheet(MISSING_SHEET)
    missing_headers = FIXED_HEADERS[:5]
    title_rows(missing, _("Cơ quan, đơn vị chưa nộp báo cáo"), subtitle, len(missing_headers))
    header_row(missing, missing_headers, [6, 14, 48, 24, 22])
    for number, row in enumerate(compilation.not_submitted, start=1):
        missing.append(
            safe_row(
                [
                    number,
                    row.organisation.code,
                    row.organisation.name,
                    str(row.organisation.kind),
                    row.status_label,
                ]
            )
        )

    listing = workbook.create_sheet(TOTALS_SHEET)
    title_rows(listing, _("Tổng hợp chỉ tiêu: %(name)s") % {"name": period.name}, subtitle, 3)
    header_row(listing, [_("Nhóm"), _("Chỉ tiêu"), _("Tổng")], [36, 52, 16])
    listing.freeze_panes = f"A{HEADER_ROW + 1}"
    for src in indicators.REGISTRY:
        for indicator in src.indicators:
            value: Any = totals.get(indicator.key) if src.available else str(indicators.NO_DATA)
            listing.append([str(src.title), str(indicator.label), value])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
