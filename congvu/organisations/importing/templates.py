"""The downloadable import workbooks (one per kind), with a guide sheet."""

from __future__ import annotations

import io

import openpyxl

from ..models import OrganisationKind, StaffMember
from .columns import COLUMNS, SHEET_TITLES, Kind
from .reading import MAX_ROWS


def build_template(kind: str) -> bytes:
    """The downloadable workbook: a header row, then a "Hướng dẫn" sheet with an example row."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = COLUMNS[kind]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLES[kind]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font = bold
        cell.fill = fill
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.text:
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    if kind == Kind.STAFF:
        keys = [c.key for c in columns]
        categories = ",".join(str(label) for _v, label in StaffMember.Category.choices)
        for key, formula in (("category", f'"{categories}"'), ("is_leader", '"Có,Không"')):
            letter = get_column_letter(keys.index(key) + 1)
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.add_data_validation(validation)

    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Column", "Bắt buộc / Required", "Giải thích", "Ví dụ / Example"])
    for column in columns:
        guide.append(
            [
                column.label,
                column.label_en,
                "Có / Yes" if column.required else "Không / No",
                column.help,
                column.example,
            ]
        )
    guide.append([])
    guide.append(["Ví dụ một dòng dữ liệu / Example row (nhập ở trang đầu tiên)"])
    guide.append([c.label for c in columns])
    guide.append([c.example for c in columns])
    guide.append([])
    guide.append(
        [
            "Mỗi dòng một bản ghi, bắt đầu từ dòng 2 của trang đầu tiên; dòng trống được bỏ qua. "
            "Không đổi tên cột. Tối đa "
            f"{MAX_ROWS:,} dòng.".replace(",", ".")
        ]
    )
    guide.append(
        [
            "Dữ liệu chỉ được ghi sau khi bạn xem trước và bấm xác nhận; "
            "nhập lại cùng tệp sẽ cập nhật theo mã, không tạo bản trùng."
        ]
    )
    if kind == Kind.ORGANISATIONS:
        guide.append([])
        guide.append(["Mã loại / Kind code", "Tên loại", "Kind"])
        for kind_code, name, name_en in OrganisationKind.objects.values_list(
            "code", "name", "name_en"
        ):
            guide.append([kind_code, name, name_en])
    else:
        guide.append([])
        guide.append(["Loại / Category", "Mã / Code"])
        for value, label in StaffMember.Category.choices:
            guide.append([str(label), value])
    for row in (1, len(columns) + 3, len(columns) + 4):
        for cell in guide[row]:
            cell.font = bold
    for letter, width in zip("ABCDE", (22, 18, 18, 70, 22), strict=True):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
