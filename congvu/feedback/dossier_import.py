"""Registering an organisation's dossiers from an .xlsx workbook.

The flow is the staff and task imports': upload → preview with row errors
(nothing written) → commit (all rows or none, through
`registration.register_dossiers`). The organisation is the page's; a row names
the handling staff member by staff code and the counter by name. A row that
repeats an existing registration exactly is shown as "already registered" and
left as it is, so uploading the same day's file twice is harmless.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.utils.translation import gettext as _

from congvu.core.text import fold
from congvu.organisations.importing.reading import ImportFileError, _cell_text, _header_key, _load
from congvu.organisations.importing.validation import _parse_date
from congvu.organisations.models import Organisation

from . import registration
from .models import Counter, Dossier
from .registration import BATCH_MAX, DossierInput

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    label_en: str
    aliases: tuple[str, ...]
    required: bool
    example: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã hồ sơ", "Dossier code", ("ma ho so", "so ho so", "code"), True,
           "000.00.20.H56-260105-0001", 30),
    Column("staff_code", "Mã cán bộ xử lý", "Staff code",
           ("ma can bo", "can bo xu ly", "ma cong chuc", "staff"), False, "STP-001", 18),
    Column("counter", "Quầy", "Counter", ("ten quay", "quay tiep nhan", "counter"), False,
           "Quầy số 1", 20),
    Column("procedure", "Thủ tục", "Procedure",
           ("ten thu tuc", "thu tuc hanh chinh", "procedure"), False,
           "Cấp bản sao trích lục hộ tịch", 50),
    Column("received_on", "Ngày tiếp nhận", "Date received",
           ("ngay nhan", "ngay tiep nhan ho so", "received"), False, "05/01/2026", 16),
)  # fmt: skip


def _header_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.label, column.label_en, column.key, *column.aliases):
            mapping[_header_key(name)] = column.key
    return mapping


def read_rows(fileobj: IO[bytes]) -> list[dict[str, Any]]:
    """The data rows as dicts keyed by column key (strings), plus "row" (the Excel row)."""
    by_header = _header_map()
    wb = _load(fileobj)
    positions: list[tuple[int, str]] = []
    rows: list[dict[str, Any]] = []
    try:
        if not wb.worksheets:
            raise ImportFileError(_("Tệp không có trang tính nào. / The workbook has no sheet."))
        for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            if not positions:
                if number > HEADER_SEARCH_ROWS:
                    break
                found: list[tuple[int, str]] = []
                for index, text in enumerate(values or ()):
                    key = by_header.get(_header_key(text))
                    if key and key not in {k for _i, k in found}:
                        found.append((index, key))
                if "code" in {k for _i, k in found}:
                    positions = found
                continue
            row: dict[str, Any] = {"row": number}
            for index, key in positions:
                row[key] = _cell_text(values[index] if index < len(values) else None, key)[:400]
            if not any(row.get(key) for _i, key in positions):
                continue
            if len(rows) >= BATCH_MAX:
                raise ImportFileError(
                    _(
                        "Tệp có quá %(max)s dòng; hãy chia thành nhiều tệp. / "
                        "More than %(max)s rows."
                    )
                    % {"max": BATCH_MAX}
                )
            rows.append(row)
    finally:
        wb.close()
    if not positions:
        raise ImportFileError(
            _(
                "Không tìm thấy dòng tiêu đề có cột “Mã hồ sơ”. Hãy dùng tệp mẫu. / "
                "Header row with a “Mã hồ sơ” column not found; use the template."
            )
        )
    if not rows:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào. / The file has no data rows."))
    return rows


def rows_for_storage(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the known keys, as strings: what the preview form carries to the commit."""
    keys = [c.key for c in COLUMNS]
    return [
        {"row": int(row.get("row", 0)), **{k: str(row.get(k, ""))[:400] for k in keys}}
        for row in rows
    ]


def build_template() -> bytes:
    """A workbook with the header row, an example row and a guide sheet."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Hồ sơ"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        # Text cells, so that Excel keeps codes and dates as typed.
        for row in range(2, 502):
            ws.cell(row=row, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Column", "Bắt buộc / Required", "Ví dụ / Example"])
    for column in COLUMNS:
        guide.append(
            [
                column.label,
                column.label_en,
                "Có / Yes" if column.required else "Không / No",
                column.example,
            ]
        )
    guide.append([])
    guide.append(
        [
            "Lưu ý / Notes",
            "Mỗi mã hồ sơ chỉ đăng ký một lần; tải lại cùng tệp không tạo bản trùng. Ngày dạng "
            "dd/mm/yyyy, để trống là hôm nay. Cán bộ ghi theo mã cán bộ; quầy ghi đúng tên quầy. "
            f"Tối đa {BATCH_MAX} dòng mỗi tệp.",
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    for letter, width in zip("ABCD", (24, 60, 18, 36), strict=True):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class RowResult:
    row: int
    code: str
    staff: str
    counter: str
    procedure: str
    received_on: str
    action: str = ""  # "create" | "exists"
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    rows: list[RowResult]
    inputs: list[DossierInput]

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def existing(self) -> int:
        return sum(1 for r in self.rows if r.action == "exists")


def _inputs(organisation: Organisation, rows: list[dict[str, Any]]) -> list[DossierInput]:
    staff = {
        member.staff_code.casefold(): member for member in registration.staff_choices(organisation)
    }
    counters: dict[str, Counter | None] = {}
    for found in Counter.objects.filter(organisation=organisation, is_active=True):
        key = fold(found.name)
        counters[key] = None if key in counters else found  # two with one name: ambiguous
    inputs: list[DossierInput] = []
    for raw in rows:
        errors: registration.Errors = {}
        member = None
        staff_code = str(raw.get("staff_code", "")).strip()
        if staff_code:
            member = staff.get(staff_code.casefold())
            if member is None:
                errors["staff"] = [
                    _(
                        "Không có cán bộ mã “%(code)s” trong cơ quan này. / "
                        "No staff member with this code in this organisation."
                    )
                    % {"code": staff_code}
                ]
        counter: Counter | None = None
        counter_name = str(raw.get("counter", "")).strip()
        if counter_name:
            counter = counters.get(fold(counter_name))
            if counter is None:
                errors["counter"] = [
                    _(
                        "Không tìm thấy quầy “%(name)s” (hoặc có hai quầy cùng tên). / "
                        "Counter not found, or the name is ambiguous."
                    )
                    % {"name": counter_name}
                ]
        received_on = None
        received_text = str(raw.get("received_on", "")).strip()
        if received_text:
            received_on = _parse_date(received_text)
            if received_on is None:
                errors["received_on"] = [
                    _("Ngày không hợp lệ, cần dạng dd/mm/yyyy. / Invalid date, use dd/mm/yyyy.")
                ]
        inputs.append(
            DossierInput(
                code=str(raw.get("code", "")),
                organisation=organisation,
                staff=member,
                counter=counter,
                procedure=str(raw.get("procedure", "")),
                received_on=received_on,
                errors=errors,
            )
        )
    return inputs


def validate(organisation: Organisation, rows: list[dict[str, Any]], *, actor: Any) -> Preview:
    """Check every row and say what the commit would do; writes nothing."""
    inputs = _inputs(organisation, rows)
    cleaned, problems, existing = registration.check_dossiers(inputs, actor=actor)
    results: list[RowResult] = []
    for index, (raw, clean) in enumerate(zip(rows, cleaned, strict=True)):
        result = RowResult(
            row=int(raw.get("row", 0)),
            code=clean.code,
            staff=str(raw.get("staff_code", "")),
            counter=str(raw.get("counter", "")),
            procedure=clean.procedure,
            received_on=str(raw.get("received_on", "")),
        )
        for messages in problems.get(index, {}).values():
            result.errors.extend(messages)
        if not result.errors:
            result.action = "exists" if clean.code in existing else "create"
        results.append(result)
    return Preview(results, inputs)


def commit(
    organisation: Organisation, rows: list[dict[str, Any]], *, actor: Any
) -> tuple[Preview, list[Dossier]]:
    """Validate again (the data may have changed since the preview) and register every row.

    Nothing is written when the preview has errors (the caller checks `error_count`).
    """
    preview = validate(organisation, rows, actor=actor)
    if preview.error_count:
        return preview, []
    try:
        dossiers = registration.register_dossiers(
            preview.inputs, source=Dossier.Source.UPLOAD, actor=actor
        )
    except registration.RowsRejected:
        return validate(organisation, rows, actor=actor), []
    return preview, dossiers
