"""Text that users typed, made safe to put in a spreadsheet cell (CSV/formula injection).

A cell starting with = + - @ (or a tab or carriage return, which some programs skip
before reading the rest) is a formula to a spreadsheet program: an organisation named
`=HYPERLINK("http://…","Xem")` would become a link in the downloaded file. openpyxl
itself stores a string starting with "=" as a formula. A leading apostrophe keeps it
text. Every CSV and xlsx writer passes user-typed text through `safe_cell` (or a whole
row through `safe_row`); numbers, dates and None pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, TypeVar

FORMULA_STARTS: Final = frozenset("=+-@\t\r")

T = TypeVar("T")


def safe_cell(value: T) -> T:
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value  # type: ignore[return-value]
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
