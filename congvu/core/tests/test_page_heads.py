"""Every page a browser opens names its icon: without the link, each visit (a citizen's
scan of a badge's QR code on a cheap phone included) also asks for /favicon.ico and gets
a 404."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Printed or rendered to PDF, never opened as a page; and the bare page of a server error.
NOT_PAGES = {"badge_sheet.html", "error_500.html"}


def page_templates() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        if "<head>" in path.read_text(encoding="utf-8")
        and "pdf" not in path.parts
        and path.name not in NOT_PAGES
    ]


def test_every_page_names_its_icon() -> None:
    pages = page_templates()
    assert len(pages) >= 5  # base, the citizens' pages, the kiosk, the badge, the API docs
    missing = [str(p.relative_to(ROOT)) for p in pages if 'rel="icon"' not in p.read_text("utf-8")]
    assert missing == []
