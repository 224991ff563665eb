"""Reading an uploaded workbook: whole-file checks, then the data rows as dicts.

The staff and organisation imports, the planning task table and the dossier
list all open their workbook here (`_load`), and each upload is checked by
`check_upload` before anything is stored: a workbook is a ZIP, so a zip bomb is
refused by name (`core.uploads.check_zip`) before openpyxl opens it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from congvu.core import uploads as shared
from congvu.core.text import fold

from .columns import COLUMNS

MAX_ROWS = 100_000
#: What an import workbook may expand to: `MAX_ROWS` staff rows are about 60 MB of XML.
#: The ratio and entry bounds are `core.uploads`' (real workbooks compress 10 to 30 times).
MAX_UNZIPPED_BYTES = 150 * 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is for the user."""


def _not_xlsx() -> ImportFileError:
    return ImportFileError(
        _(
            "Tệp không phải bảng tính Excel .xlsx hợp lệ. Hãy dùng tệp mẫu và lưu ở định dạng "
            ".xlsx. / The file is not a valid Excel .xlsx workbook."
        )
    )


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Tệp có quá %(max)s dòng dữ liệu; hãy chia thành nhiều tệp. / More than %(max)s rows.")
        % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
    )


def _load(fileobj: IO[bytes], *, name: str | None = None) -> Any:
    """The workbook, read-only; ImportFileError for a file that is not one or a zip bomb."""
    fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise _not_xlsx()
    if name is None:
        name = Path(str(getattr(fileobj, "name", "") or "")).name or "tệp"
    try:
        shared.check_zip(fileobj, name=name, max_unzipped=MAX_UNZIPPED_BYTES)
    except ValidationError as refused:
        raise ImportFileError(refused.messages[0]) from None
    fileobj.seek(0)
    try:
        return openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types on a broken package
        raise _not_xlsx() from exc


def check_upload(upload: UploadedFile) -> None:
    """Reject what cannot be imported before anything is stored: size, type, row count."""
    limit = settings.CONGVU_IMPORT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ImportFileError(
            _("Tệp lớn hơn giới hạn %(mb)s MB. / The file is larger than %(mb)s MB.")
            % {"mb": limit // (1024 * 1024)}
        )
    handle = upload.file
    if handle is None:
        raise _not_xlsx()
    wb = _load(handle, name=shared.display_name(upload, max_length=255))
    try:
        if not wb.worksheets:
            raise _not_xlsx()
        max_row = wb.worksheets[0].max_row
        if max_row is not None and max_row - 1 > MAX_ROWS:
            raise _too_many_rows()
    finally:
        wb.close()
        handle.seek(0)


def _cell_text(value: Any, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.datetime):
        return value.date().strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return str(value)
        text = str(int(value))
        # Excel drops the leading zero of a phone number typed into a number cell.
        if key == "phone" and len(text) == 9:
            text = "0" + text
        return text
    return " ".join(str(value).split())


def _header_key(text: Any) -> str:
    folded = fold(re.sub(r"\(.*?\)", "", str(text or "")).replace("*", ""))
    return folded


def read_rows(fileobj: IO[bytes], kind: str) -> list[dict[str, Any]]:
    """The data rows of the first sheet as dicts keyed by column key, plus "row" (Excel row)."""
    columns = COLUMNS[kind]
    by_header: dict[str, str] = {}
    for column in columns:
        for name in (column.label, column.label_en, column.key):
            by_header[_header_key(name)] = column.key
    wb = _load(fileobj)
    try:
        if not wb.worksheets:
            raise _not_xlsx()
        rows_iter = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows_iter, None)
        positions: list[tuple[int, str]] = []
        seen: set[str] = set()
        for index, text in enumerate(header or ()):
            key = by_header.get(_header_key(text))
            if key and key not in seen:
                seen.add(key)
                positions.append((index, key))
        missing = [c.label for c in columns if c.required and c.key not in seen]
        if missing:
            raise ImportFileError(
                _(
                    "Thiếu cột bắt buộc ở dòng tiêu đề: %(cols)s. Hãy dùng tệp mẫu. / "
                    "Required columns missing from the header row."
                )
                % {"cols": ", ".join(missing)}
            )
        rows: list[dict[str, Any]] = []
        for number, values in enumerate(rows_iter, start=2):
            row: dict[str, Any] = {"row": number}
            blank = True
            for index, key in positions:
                text = _cell_text(values[index] if index < len(values) else None, key)
                row[key] = text
                blank = blank and not text
            if blank:
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(row)
    finally:
        wb.close()
    if not rows:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào. / The file has no data rows."))
    return rows
