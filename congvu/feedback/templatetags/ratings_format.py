"""Figures of the ratings pages: percentages, an index with its interval, a difference.

Filters instead of `{% include %}`: the province page prints several hundred
figures (50 organisations, 25 × 10 cells of the map of weak spots, the
trend), and an include costs about ten times a filter. The output is the one
`floatformat` gives (half-up rounding, the language's decimal separator).
The HTML is built with f-strings: only numbers and the CSS classes of
`views.band` go into it, never text from a user.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_STEPS = {0: Decimal("1"), 1: Decimal("0.1"), 2: Decimal("0.01")}
_SEPARATORS: dict[str | None, str] = {}
_NONE = mark_safe('<span class="muted">–</span>')


def decimal_separator() -> str:
    """The active language's decimal separator (looked up once per language)."""
    language = get_language()
    if language not in _SEPARATORS:
        _SEPARATORS[language] = str(get_format("DECIMAL_SEPARATOR"))
    return _SEPARATORS[language]


def number(value: float, decimals: int = 1, separator: str | None = None) -> str:
    """`value` rounded half-up to `decimals` places, with the language's decimal separator
    (or `separator`, when a caller printing many numbers has looked it up once)."""
    rounded = Decimal(repr(value)).quantize(_STEPS.get(decimals, Decimal("0.1")), ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)  # no "-0,0"
    return str(rounded).replace(".", separator or decimal_separator())


@register.filter
def pct(value: float | None, decimals: int = 1) -> str:
    """A share (0–1) as a percentage number without the sign: 0.8 → "80,0"; None → "–"."""
    if value is None:
        return "–"
    return number(100 * value, int(decimals))


@register.filter
def share(index: Any) -> SafeString:
    """An index (or anything with share, low, high) as "80,0 % (49,0–94,3 %)"."""
    if index is None or index.share is None:
        return _NONE
    return mark_safe(  # noqa: S308 - numbers only
        f'<span class="rt-share">{pct(index.share)} %</span> '
        f'<span class="muted rt-ci">({pct(index.low)}–{pct(index.high)} %)</span>'
    )


@register.filter
def diff(value: float | None) -> SafeString:
    """A difference in percentage points, signed and coloured: +2,5 / -3,1 / 0."""
    if value is None:
        return _NONE
    text = number(value)
    if not text.strip("0,."):
        return mark_safe("<span>0</span>")
    if value > 0:
        return mark_safe(f'<span class="rt-up">+{text}</span>')  # noqa: S308 - a number
    return mark_safe(f'<span class="rt-down">{text}</span>')  # noqa: S308 - a number


@register.filter
def heat_cells(cells: Iterable[tuple[Any, str]]) -> SafeString:
    """The behaviour cells of one row of the map of weak spots, from (CriterionRate or None,
    CSS class) pairs: one <td> each with the rate, "kept/answered" as its title."""
    html = []
    for rate, css in cells:
        if rate is None or rate.rate is None:
            html.append(f'<td class="rt-cell {css}">–</td>')
        else:
            html.append(
                f'<td class="rt-cell {css}"><abbr title="{rate.kept}/{rate.answered}">'
                f"{pct(rate.rate, 0)}</abbr></td>"
            )
    return mark_safe("".join(html))  # noqa: S308 - numbers and views.band classes only
