"""The Vietnamese administrative format (Decree 30/2020/NĐ-CP, Appendix I) for python-docx.

A4 paper; margins top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm;
Times New Roman 13–14 pt. The heading is a two-column block: the issuing body
(its governing body above it) with the number and symbol on the left, the
national name and motto with the place and date on the right. Then the
document type ("BÁO CÁO") and the subject, the body, the recipients ("Nơi
nhận") and the signer.

The font is set on every run, for Latin text and for the East Asian slot that
Word uses for Vietnamese in some locales; machines without Times New Roman
render with Liberation Serif or Tinos, which have the same metrics.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"
BODY_PT = 14
HEADER_PT = 13
TABLE_PT = 12
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)
NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
#: Above the heading of a paper that is not final yet (a report not filed, minutes of an
#: inspection not concluded, a decision not signed); the PDFs say it with
#: `reporting/pdf/_draft.html`.
DRAFT = "DỰ THẢO"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def vn_date(day: dt.date) -> str:
    """ "ngày 05 tháng 02 năm 2026": Decree 30 pads days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: dt.date) -> str:
    return f"{place}, {vn_date(day)}" if place else vn_date(day).capitalize()


def upper_name(name: str) -> str:
    """Issuing bodies in capitals; "Ủy ban nhân dân" is shortened as offices do ("UBND")."""
    return name.replace("Ủy ban nhân dân", "UBND").replace("Uỷ ban nhân dân", "UBND").upper()


def full_stop(text: str) -> str:
    """`text` ending in one full stop: a reason typed with its own stop keeps it (not
    "thực tế.."), a trailing comma or semicolon gives way to it."""
    text = text.rstrip()
    if not text or text.endswith((".", "!", "?", "…")):
        return text
    return text.rstrip(",;:").rstrip() + "."


def sentences(lines: Iterable[str]) -> str:
    """Sentences run together on one line (a sheet's subtitle), each with its stop, not
    "15/01/2026.; Điều chỉnh…"."""
    return " ".join(full_stop(line) for line in lines if line.strip())


def _set_fonts(element: Any, name: str = FONT) -> None:
    """Set ascii/hAnsi/eastAsia/cs fonts on an rPr element."""
    fonts = element.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        element.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)


def style_run(
    run: Run,
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
) -> Run:
    run.font.name = FONT
    _set_fonts(run._element.get_or_add_rPr())
    run.font.size = Pt(size or BODY_PT)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None
    return run


def paragraph(
    container: Any,
    text: str = "",
    *,
    size: float | None = None,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    align: Any = JUSTIFY,
    first_line_mm: float | None = None,
    before: float = 0,
    after: float = 0,
) -> Paragraph:
    para = container.add_paragraph()
    para.alignment = align
    fmt = para.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if first_line_mm is not None:
        fmt.first_line_indent = Mm(first_line_mm)
    if text:
        style_run(para.add_run(text), size=size, bold=bold, italic=italic, underline=underline)
    return para


def new_document() -> DocumentObject:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    return document


def landscape_section(document: DocumentObject) -> None:
    """A new landscape A4 section (appendix tables), same margins turned with the page."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(A4_MM[1]), Mm(A4_MM[0])
    section.top_margin = Mm(MARGINS_MM["right"] + 5)
    section.bottom_margin = Mm(MARGINS_MM["right"] + 5)
    section.left_margin = Mm(MARGINS_MM["top"])
    section.right_margin = Mm(MARGINS_MM["bottom"])


def _column_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, on the grid and on every cell. Word reads the cells' widths;
    LibreOffice lays a fixed table out by its grid (`w:tblGrid/w:gridCol`), which python-docx
    leaves at equal widths: without it the heading's national name breaks ("… VIỆT / NAM")
    and the STT column is as wide as the content."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _rule(cell: Any, indent_mm: float) -> None:
    """A short horizontal line under a heading line (a bottom border on an empty paragraph)."""
    para = cell.add_paragraph()
    fmt = para.paragraph_format
    fmt.left_indent = Mm(indent_mm)
    fmt.right_indent = Mm(indent_mm)
    fmt.space_after = Pt(0)
    p_pr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
    run = para.add_run("")
    style_run(run, size=4)


def _cell_paragraph(cell: Any, first: bool) -> Paragraph:
    return cell.paragraphs[0] if first else cell.add_paragraph()


def heading_block(
    document: DocumentObject,
    *,
    governing_body: str,
    issuing_body: str,
    number: str,
    place: str,
    day: dt.date,
) -> Table:
    """The two-column heading of Decree 30 (items 1–4 of Appendix I)."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _column_widths(table, (68, 97))
    _no_borders(table)
    left, right = table.rows[0].cells

    first = True
    if governing_body:
        para = _cell_paragraph(left, first)
        para.alignment = CENTER
        style_run(para.add_run(governing_body), size=HEADER_PT)
        first = False
    para = _cell_paragraph(left, first)
    para.alignment = CENTER
    style_run(para.add_run(issuing_body), size=HEADER_PT, bold=True)
    _rule(left, 20)
    para = left.add_paragraph()
    para.alignment = CENTER
    para.paragraph_format.space_before = Pt(6)
    style_run(para.add_run(f"Số: {number}"), size=HEADER_PT)

    para = right.paragraphs[0]
    para.alignment = CENTER
    style_run(para.add_run(NATIONAL_NAME), size=HEADER_PT - 1, bold=True)
    para = right.add_paragraph()
    para.alignment = CENTER
    style_run(para.add_run(MOTTO), size=BODY_PT, bold=True, underline=True)
    para = right.add_paragraph()
    para.alignment = CENTER
    para.paragraph_format.space_before = Pt(12)
    style_run(para.add_run(place_and_date(place, day)), size=BODY_PT, italic=True)
    return table


def draft_mark(document: DocumentObject) -> None:
    """ "DỰ THẢO" in bold on the right, above the heading block."""
    paragraph(document, DRAFT, bold=True, align=RIGHT, after=6)


def title_block(document: DocumentObject, kind: str, subject: str) -> None:
    paragraph(document, kind, bold=True, align=CENTER, before=18)
    paragraph(document, subject, bold=True, align=CENTER, after=12)


def section_heading(document: DocumentObject, text: str) -> None:
    paragraph(document, text, bold=True, align=JUSTIFY, first_line_mm=10, before=6, after=3)


def body_text(document: DocumentObject, text: str, *, empty: str = "") -> None:
    """Narrative text: one justified paragraph per line, first line indented 1 cm."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines and empty:
        paragraph(document, empty, italic=True, first_line_mm=10, after=3)
    for line in lines:
        paragraph(document, line, first_line_mm=10, after=3)


def data_table(
    document: DocumentObject,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths_mm: Sequence[float],
    size: float = TABLE_PT,
    total: Sequence[Any] | None = None,
    numeric_from: int = 2,
) -> Table:
    """A bordered table with a repeated bold header row.

    Thousands of rows are built by copying one prepared row element and filling its
    text nodes: going through python-docx cell by cell costs seconds per thousand
    rows, which the 2,000-organisation compilation cannot afford.
    """
    table = document.add_table(rows=3, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _column_widths(table, widths_mm)
    header_row, plain_row, bold_row = table.rows
    tr_pr = header_row._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header_row.cells, headers, strict=True):
        para = cell.paragraphs[0]
        para.alignment = CENTER
        style_run(para.add_run(str(text)), size=size, bold=True)
    for row, bold in ((plain_row, False), (bold_row, True)):
        for index, cell in enumerate(row.cells):
            para = cell.paragraphs[0]
            para.alignment = RIGHT if index >= numeric_from else (CENTER if index == 0 else LEFT)
            style_run(para.add_run("x"), size=size, bold=bold)
    tbl = table._tbl
    templates = {False: plain_row._tr, True: bold_row._tr}
    for element in templates.values():
        tbl.remove(element)

    def add(values: Sequence[Any], bold: bool = False) -> None:
        row = copy.deepcopy(templates[bold])
        for node, value in zip(row.iter(qn("w:t")), values, strict=True):
            node.text = "" if value is None else str(value)
        tbl.append(row)

    for values in rows:
        add(values)
    if total is not None:
        add(total, bold=True)
    return table


def recipients_and_signer(
    document: DocumentObject,
    *,
    recipients: Sequence[str],
    signer_title: str,
    signer_name: str,
) -> None:
    """ "Nơi nhận:" (12 pt bold italic, items 11 pt) on the left, the signer on the right."""
    paragraph(document, "", after=6)
    table = document.add_table(rows=1, cols=2)
    _column_widths(table, (80, 85))
    _no_borders(table)
    left, right = table.rows[0].cells
    para = left.paragraphs[0]
    para.alignment = LEFT
    style_run(para.add_run("Nơi nhận:"), size=12, bold=True, italic=True)
    for index, item in enumerate(recipients):
        para = left.add_paragraph()
        para.alignment = LEFT
        end = "." if index == len(recipients) - 1 else ";"
        style_run(para.add_run(f"- {item}{end}"), size=11)
    para = right.paragraphs[0]
    para.alignment = CENTER
    style_run(para.add_run(signer_title.upper()), size=BODY_PT, bold=True)
    for _blank in range(4):
        right.add_paragraph()
    para = right.add_paragraph()
    para.alignment = CENTER
    style_run(para.add_run(signer_name), size=BODY_PT, bold=True)


def two_signers(
    document: DocumentObject,
    *,
    left: Sequence[str],
    right: Sequence[str],
    left_name: str = "",
    right_name: str = "",
) -> None:
    """Two signature blocks side by side (a biên bản: the inspected body on the left, the
    team on the right): each block's title lines in bold capitals, room to sign, the name."""
    paragraph(document, "", after=6)
    table = document.add_table(rows=1, cols=2)
    _column_widths(table, (82, 83))
    _no_borders(table)
    cells = table.rows[0].cells
    for cell, titles, name in ((cells[0], left, left_name), (cells[1], right, right_name)):
        for index, title in enumerate(titles):
            para = _cell_paragraph(cell, index == 0)
            para.alignment = CENTER
            style_run(para.add_run(title.upper()), size=BODY_PT - 1, bold=True)
        for _blank in range(4):
            cell.add_paragraph()
        para = cell.add_paragraph()
        para.alignment = CENTER
        style_run(para.add_run(name), size=BODY_PT, bold=True)
