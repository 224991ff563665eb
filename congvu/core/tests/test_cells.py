"""`core.cells`: user-typed text stays text in a spreadsheet."""

from __future__ import annotations

import datetime as dt

import pytest

from congvu.core.cells import safe_cell, safe_row

#: What the security walk named an organisation through the API (finding 5).
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("typed", [FORMULA, "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_read_as_a_formula_gets_an_apostrophe(typed: str) -> None:
    assert safe_cell(typed) == "'" + typed


def test_other_values_pass_unchanged() -> None:
    day = dt.date(2026, 11, 28)
    assert safe_row(["Sở Tư pháp", "", None, -3, 2.5, day]) == [
        "Sở Tư pháp",
        "",
        None,
        -3,
        2.5,
        day,
    ]
