"""`{{ message|bilingual }}`: the English half of a "Vietnamese / English" message marked English.

Error and flash messages are one msgid in both languages ("Chưa lưu. / Not
saved."). On a Vietnamese page a screen reader (TalkBack, NVDA) reads the
whole string with the Vietnamese voice unless the English half carries
``lang="en"`` (WCAG 3.1.2, language of parts). On a Vietnamese page this
filter gives ``Chưa lưu. / <span lang="en">Not saved.</span>``; on an English
page ``Not saved.`` (the catalogue gives most messages in English alone, but
the errors of a service that runs in the record's language, Vietnamese —
`cases.timeline.in_vietnamese` — reach the page in both); for a text of
another shape, the text as it is. Both halves are
escaped unless the text was already safe: it never double-escapes and never
lets user input through as HTML.

The rule, for texts that carry user input in either half ("Mã A / B lặp lại.
/ Code A / B repeated."): the English half is the longest tail that starts
after a " / " (a slash with a space each side, so "28/11/2026" and
"dd/mm/yyyy" never split) and reads as English: it has a letter, and every
letter outside quotation marks is ASCII (a quoted Vietnamese term such as
“Mã hồ sơ” may stand in an English sentence). The head must then read as
Vietnamese: at least one letter with a diacritic. Labels whose two sides are
both Vietnamese ("Vi phạm / 100 cán bộ") or both English ("A / B / C") are
left alone.

It is a template builtin (config/settings.py TEMPLATES OPTIONS): no ``{% load %}``.
Django's error lists use it through congvu/templates/django/forms/errors/list/ul.html.
"""

from __future__ import annotations

import re
from typing import Final

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()

SEPARATOR: Final = " / "
_QUOTED: Final = re.compile(r"“[^”]*”|\"[^\"]*\"|‘[^’]*’")


def _reads_english(text: str) -> bool:
    letters = [c for c in _QUOTED.sub("", text) if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def _reads_vietnamese(text: str) -> bool:
    return any(c.isalpha() and not c.isascii() for c in text)


def for_reader(text: str) -> str:
    """The English half of a "Vietnamese / English" message when the reader's language is
    English (an API client that asked for it), else the text as it is: the API's fixed
    messages are bilingual constants, and an English reader gets the English alone, like
    every translated message."""
    halves = split(text) if (get_language() or "").startswith("en") else None
    return halves[1] if halves else text


def split(text: str) -> tuple[str, str] | None:
    """(Vietnamese, English) if `text` is "<Vietnamese> / <English>", else None."""
    start = 0
    while (at := text.find(SEPARATOR, start)) != -1:
        head, tail = text[:at], text[at + len(SEPARATOR) :]
        if _reads_english(tail):
            # Any later split has this head and more of the English in it.
            return (head, tail) if _reads_vietnamese(head) else None
        start = at + 1
    return None


def _vietnamese_page() -> bool:
    return (get_language() or "").split("-")[0] == "vi"


def _english_page() -> bool:
    return (get_language() or "").split("-")[0] == "en"


@register.filter(needs_autoescape=True)
def bilingual(value: object, autoescape: bool = True) -> str:
    text = str(value)  # lazy translations, messages framework's Message
    safe = isinstance(text, SafeData)
    halves = split(text) if not (safe and "<" in text) else None
    if halves is None or not (_vietnamese_page() or _english_page()):
        return conditional_escape(text) if autoescape else text
    head, tail = halves
    if safe or not autoescape:
        # Halves of a text already safe (no tags: checked above) stay safe.
        head, tail = mark_safe(head), mark_safe(tail)  # noqa: S308
    if _english_page():
        # A message that reached the page in both languages (a service that words its
        # errors in the record's language, Vietnamese, says both): the English alone.
        return conditional_escape(tail) if autoescape else tail
    return format_html('{}{}<span lang="en">{}</span>', head, SEPARATOR, tail)
