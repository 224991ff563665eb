"""Reading back the papers the site makes (Word and PDF), as a test asserts on them."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.table import Table
from pypdf import PdfReader


def docx_text(body: bytes) -> str:
    """The paragraphs and the tables' rows ("a | b | c") in the document's order."""
    parts: list[str] = []
    for block in Document(io.BytesIO(body)).iter_inner_content():
        if isinstance(block, Table):
            parts.extend(" | ".join(cell.text for cell in row.cells) for row in block.rows)
        else:
            parts.append(block.text)
    return "\n".join(parts)


def pdf_text(body: bytes) -> str:
    """A PDF's text, whitespace (line breaks included) folded into single spaces."""
    assert body.startswith(b"%PDF")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    return re.sub(r"\s+", " ", text)
