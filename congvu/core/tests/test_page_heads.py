"""Every page a browser opens names its icon: without the link, each visit (a citizen's
scan of a badge's QR code on a cheap phone included) also asks for /favicon.ico and gets
a 404."""

from __future__ import annotations

from pathlib import Path

from django.template import engines
from django.template.base import TextNode
from django.template.loader_tags import BlockNode

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


def title_holds_markup(source: str) -> bool:
    """Whether a template's `{% block title %}` holds a tag in its own text: an
    `{% endblock %}` put after the page's first section leaves that section inside <title>,
    where the browser shows nothing of it (the case rules page lost its tags table so)."""
    template = engines["django"].engine.from_string(source)  # type: ignore[attr-defined]
    return any(
        "<" in node.s
        for block in template.nodelist.get_nodes_by_type(BlockNode)
        if block.name == "title"
        for node in block.nodelist.get_nodes_by_type(TextNode)
    )


def test_no_page_title_holds_markup() -> None:
    templates = sorted(ROOT.rglob("templates/**/*.html"))
    assert len(templates) > 100
    wrong = [
        str(path.relative_to(ROOT))
        for path in templates
        if title_holds_markup(path.read_text(encoding="utf-8"))
    ]
    assert wrong == []


def test_the_title_check_sees_a_section_left_inside_the_title() -> None:
    assert title_holds_markup(
        '{% extends "base.html" %}{% block title %}Quy định\n<section><h2>Nhãn</h2>'
        "</section>{% endblock %}{% block content %}<h1>Quy định</h1>{% endblock %}"
    )
    assert not title_holds_markup(
        '{% extends "base.html" %}{% load i18n %}{% block title %}{% translate "Quy định" %}'
        "{% if x %} · {{ x }}{% endif %}{% endblock %}{% block content %}<h1>Quy định</h1>"
        "{% endblock %}"
    )


def printed_comments(source: str) -> list[str]:
    """The `{# … #}` comments of a template that Django prints as text: such a comment ends
    on its own line, and one spread over two lines is no comment ("{# No session, no CSRF
    token…" stood in English on the Vietnamese transparency pages)."""
    template = engines["django"].engine.from_string(source)  # type: ignore[attr-defined]
    return [
        " ".join(node.s[node.s.index("{#") :].split())[:80]
        for node in template.nodelist.get_nodes_by_type(TextNode)
        if "{#" in node.s
    ]


def test_no_template_prints_a_comment_as_text() -> None:
    templates = sorted(ROOT.rglob("templates/**/*.html")) + sorted(ROOT.rglob("templates/**/*.txt"))
    assert len(templates) > 100
    printed = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := printed_comments(path.read_text(encoding="utf-8")))
    }
    assert printed == {}


def test_the_comment_check_sees_a_comment_over_two_lines() -> None:
    assert printed_comments("<p>{# one\n two #}</p>") == ["{# one two #}</p>"]
    assert printed_comments("<p>{# one line #}{% comment %}two\nlines{% endcomment %}</p>") == []
