"""`{% column_chart data label note %}` and `{% bar_chart data label note %}`: the dashboards'
bar charts, drawn on the server as inline SVG, as the ratings pages' `{% trend_chart %}`.

They replaced Chart.js (205 KB of script) on the plan and case dashboards: the charts show
on any phone, without JavaScript, and weigh a few KB. The same rules as `trend_chart`
(whose axis steps and coordinates they reuse): a viewBox the width of a phone, so that
the text stays readable at 320 px (`.dash-chart` caps the width on a wide screen); colours
as SVG presentation attributes (the CSP allows no `style`); only numbers and escaped text
in the markup. Every figure is also in a table on the page: the SVG is an image
(`role="img"`) named by `label`, its `<desc>` (`note`) says where the table is, and each
bar has a hover title with its figures, printed with the language's separators
(1.234 and 93,3 % in Vietnamese, 1,234 and 93.3 % in English).

- `column_chart`: categories along the bottom (months, periods), one or more series as
  columns side by side, or stacked (`"stacked": True`), and an optional share (0–100 %,
  a dark line with a dot per category, on a right-hand axis). Its legend is an HTML
  list under it: long names wrap, they would be cut off inside an SVG.
- `bar_chart`: one horizontal bar per row, its name on a line above it (long names
  are shortened, the hover title and the table keep them whole), its count (and its
  share of `total`, when given) after the bar. It stands in for the doughnuts too:
  lengths compare better than angles.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .ratings_format import decimal_separator, number
from .trend_chart import FONT, GRID, TEXT, _n, count_top

register = template.Library()

WIDTH: Final = 320
HEIGHT: Final = 200
DIGIT: Final = 0.6 * FONT
#: A letter of a category's label is about 0.55 em wide.
LETTER: Final = 0.55 * FONT
TOP: Final = 8
BOTTOM: Final = HEIGHT - 24
LINE_COLOUR: Final = "#1b1f24"
BAR_COLOUR: Final = "#0b4f8a"
#: Horizontal bars: a line of text, the bar under it, a gap.
ROW: Final = 38
BAR: Final = 14
#: The longest name written in full above a bar (about the viewBox's width at 12 units).
NAME_LETTERS: Final = 50


def count(value: int) -> str:
    """A count with the language's thousands separator (1.234 / 1,234)."""
    return str(number_format(int(value), force_grouping=True))


def percent(value: float | None, separator: str) -> str:
    return "–" if value is None else f"{number(value, 1, separator)} %"


def _svg_open(label: str, note: str, width: int, height: int, css: str) -> str:
    return (
        f'<svg class="dash-chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" data-testid="{css}"><title>{escape(label)}</title>'
        + (f"<desc>{escape(note)}</desc>" if note else "")
    )


def _key(colour: str, line: bool = False) -> str:
    """A legend's key: a small square of the series' colour, or a line with its dot."""
    shape = (
        f'<path d="M1 6H19M10 6h0" stroke="{colour}" stroke-width="2.5" stroke-linecap="round"/>'
        if line
        else f'<rect x="3" y="1" width="14" height="10" fill="{colour}"/>'
    )
    return (
        '<svg class="dash-key" viewBox="0 0 20 12" width="20" height="12" aria-hidden="true">'
        f"{shape}</svg>"
    )


def _legend(items: Sequence[tuple[str, str, bool]]) -> str:
    return (
        '<ul class="dash-legend">'
        + "".join(f"<li>{_key(colour, line)}{escape(name)}</li>" for name, colour, line in items)
        + "</ul>"
    )


# --- Columns ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Where categories and values land in the column chart's viewBox."""

    categories: int
    top: int
    share: bool
    longest_label: int

    @cached_property
    def left(self) -> float:
        """Room for the axis' title and its longest tick label (the top one)."""
        return 4 + FONT + 4 + len(count(self.top)) * DIGIT + 4

    @cached_property
    def right(self) -> float:
        # The share's ticks ("100") and its title on the right, else a margin.
        return WIDTH - (4 + FONT + 4 + 3 * DIGIT + 4 if self.share else 8)

    @cached_property
    def slot(self) -> float:
        return (self.right - self.left) / max(self.categories, 1)

    def x(self, i: int) -> float:
        return self.left + (i + 0.5) * self.slot

    def y(self, value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * value / self.top

    @staticmethod
    def y_share(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * min(max(value, 0.0), 100.0) / 100

    def labelled(self) -> list[int]:
        """The categories labelled under the axis, counted back from the latest, so that the
        labels do not overlap."""
        fits = max(1, int((self.right - self.left) // (self.longest_label * LETTER + 10)))
        step = max(1, math.ceil(self.categories / fits))
        return [i for i in range(self.categories) if (self.categories - 1 - i) % step == 0]


def _column_axes(frame: Columns, data: Mapping[str, Any]) -> list[str]:
    left, right = _n(frame.left), _n(frame.right)
    grid = "".join(f"M{left} {_n(frame.y(frame.top * q / 4))}H{right}" for q in range(1, 5))
    parts = [f'<path d="{grid}" stroke="{GRID}"/>', f'<g font-size="{FONT}" fill="{TEXT}">']
    parts.append('<g text-anchor="end" class="dash-chart-count-ticks">')
    for quarter in range(5):
        value = frame.top * quarter // 4
        parts.append(
            f'<text x="{_n(frame.left - 4)}" y="{_n(frame.y(value) + 4)}">{count(value)}</text>'
        )
    parts.append("</g>")
    if frame.share:
        parts.append('<g class="dash-chart-share-ticks">')
        for value in (0, 25, 50, 75, 100):
            parts.append(
                f'<text x="{_n(frame.right + 4)}" y="{_n(frame.y_share(value) + 4)}">{value}</text>'
            )
        parts.append("</g>")
    labels = data.get("labels", [])
    parts.append('<g text-anchor="middle" class="dash-chart-labels">')
    for i in frame.labelled():
        parts.append(f'<text x="{_n(frame.x(i))}" y="{BOTTOM + 16}">{escape(labels[i])}</text>')
    middle = _n((TOP + BOTTOM) / 2)
    parts.append(
        "</g>"
        f'<text text-anchor="middle" transform="translate(11 {middle}) rotate(-90)">'
        f"{escape(data.get('axis', ''))}</text>"
    )
    if frame.share:
        parts.append(
            f'<text text-anchor="middle" transform="translate({WIDTH - 4 - FONT} {middle}) '
            f'rotate(90)">{escape(data["line"].get("axis", ""))}</text>'
        )
    parts.append("</g>")
    ticks = "".join(f"M{_n(frame.x(i))} {BOTTOM}v4" for i in frame.labelled())
    parts.append(f'<path d="M{left} {BOTTOM}H{right}{ticks}" stroke="{TEXT}"/>')
    return parts


def _columns(frame: Columns, series: Sequence[Mapping[str, Any]], stacked: bool) -> list[str]:
    """One group per series (its colour once); stacked segments are parted by a white edge."""
    width = min(frame.slot * (0.7 if stacked else 0.8), 28 if stacked else 16 * len(series))
    each = width if stacked else width / max(len(series), 1)
    base = [0] * frame.categories
    parts = []
    for number_, one in enumerate(series):
        rects = []
        for i, value in enumerate(one["values"]):
            if value <= 0:
                continue
            low = base[i] if stacked else 0
            top, bottom = frame.y(low + value), frame.y(low)
            x = frame.x(i) - width / 2 + (0 if stacked else number_ * each)
            rects.append(
                f'<rect x="{_n(x)}" y="{_n(top)}" width="{_n(each)}" height="{_n(bottom - top)}"/>'
            )
            if stacked:
                base[i] += value
        if rects:
            edge = ' stroke="#fff" stroke-width=".75"' if stacked or len(series) > 1 else ""
            parts.append(
                f'<g class="dash-chart-series" data-series="{escape(one.get("key", ""))}" '
                f'fill="{one["colour"]}"{edge}>' + "".join(rects) + "</g>"
            )
    return parts


def _share_line(frame: Columns, values: Sequence[float | None]) -> str:
    """The share as a line (broken where a category has none) with a dot per category, on a
    white halo so that it stays visible over the columns."""
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((frame.x(i), frame.y_share(value)))
    runs = [run for run in runs if run]
    if not runs:
        return ""
    line = " ".join(
        "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in run) for run in runs if len(run) > 1
    )
    dots = "".join(f"M{_n(x)} {_n(y)}h0" for run in runs for x, y in run)
    dot = _n(min(6.0, max(3.5, frame.slot * 0.5)))
    halo = _n(min(6.0, max(3.5, frame.slot * 0.5)) + 2.5)
    return (
        '<g class="dash-chart-share" fill="none" stroke-linecap="round" stroke-linejoin="round">'
        + (f'<path d="{line}" stroke="#fff" stroke-width="5"/>' if line else "")
        + f'<path d="{dots}" stroke="#fff" stroke-width="{halo}"/>'
        + (
            f'<path class="dash-chart-share-line" d="{line}" stroke="{LINE_COLOUR}" '
            'stroke-width="2.5"/>'
            if line
            else ""
        )
        + f'<path class="dash-chart-share-dots" d="{dots}" stroke="{LINE_COLOUR}" '
        f'stroke-width="{dot}"/>' + "</g>"
    )


def _column_titles(frame: Columns, data: Mapping[str, Any]) -> str:
    """A transparent column over each category with its figures as a title (the tooltip)."""
    separator = decimal_separator()
    line = data.get("line")
    columns = []
    for i, label in enumerate(data.get("labels", [])):
        lines: list[str] = [escape(label)]
        lines += [f"{escape(one['name'])}: {count(one['values'][i])}" for one in data["series"]]
        if line is not None:
            lines.append(f"{escape(line['name'])}: {percent(line['values'][i], separator)}")
        columns.append(
            f'<rect x="{_n(frame.left + i * frame.slot)}" y="{TOP}" width="{_n(frame.slot)}" '
            f'height="{BOTTOM - TOP}"><title>{chr(10).join(lines)}</title></rect>'
        )
    return f'<g fill="#fff" fill-opacity="0">{"".join(columns)}</g>'


@register.simple_tag
def column_chart(data: Mapping[str, Any], label: str, note: str = "") -> SafeString:
    """Columns per category (`data`: labels, series [{key, name, colour, values}], stacked,
    axis, and an optional line {name, axis, values in % or None}), then the legend."""
    labels: Sequence[str] = data.get("labels", [])
    series: Sequence[Mapping[str, Any]] = data.get("series", [])
    stacked = bool(data.get("stacked"))
    heights = [
        sum(one["values"][i] for one in series)
        if stacked
        else max((one["values"][i] for one in series), default=0)
        for i in range(len(labels))
    ]
    line = data.get("line")
    frame = Columns(
        categories=len(labels),
        top=count_top(max(heights, default=0)),
        share=line is not None,
        longest_label=max((len(label) for label in labels), default=1),
    )
    parts = [
        _svg_open(label, note, WIDTH, HEIGHT, "column-chart"),
        *_column_axes(frame, data),
        *_columns(frame, series, stacked),
    ]
    if line is not None:
        parts.append(_share_line(frame, line["values"]))
    parts += [_column_titles(frame, data), "</svg>"]
    keys = [(one["name"], one["colour"], False) for one in series]
    if line is not None:
        keys.append((line["name"], LINE_COLOUR, True))
    return mark_safe("".join(parts) + _legend(keys))  # noqa: S308 - numbers and escaped text


# --- Horizontal bars --------------------------------------------------------------------------


def _short(name: str) -> str:
    return name if len(name) <= NAME_LETTERS else name[: NAME_LETTERS - 1].rstrip() + "…"


@register.simple_tag
def bar_chart(data: Mapping[str, Any], label: str, note: str = "") -> SafeString:
    """One bar per row (`data`: rows [(name, count)], a colour or one per row (`colours`),
    and `total` to print each count's share of it)."""
    rows: Sequence[tuple[str, int]] = data.get("rows", [])
    total = data.get("total")
    colours: Sequence[str] = data.get("colours", [])
    separator = decimal_separator()
    figures = []
    for _name, value in rows:
        text = count(value)
        if total:
            text += f" ({percent(100 * value / total, separator)})"
        figures.append(text)
    room = max((len(text) for text in figures), default=1) * DIGIT + 8
    left, right = 4.0, WIDTH - 4 - room
    largest = max((value for _name, value in rows), default=0)
    height = max(1, len(rows)) * ROW + 4
    parts = [
        _svg_open(label, note, WIDTH, height, "bar-chart"),
        f'<g font-size="{FONT}" fill="{TEXT}">',
    ]
    bars, names = [], []
    for i, ((name, value), text) in enumerate(zip(rows, figures, strict=True)):
        y = i * ROW + 4
        length = (right - left) * value / largest if largest else 0
        names.append(f'<text x="{_n(left)}" y="{_n(y + FONT)}">{escape(_short(name))}</text>')
        names.append(
            f'<text class="dash-chart-figure" x="{_n(left + length + 4)}" '
            f'y="{_n(y + FONT + 4 + BAR - 3)}">{escape(text)}</text>'
        )
        colour = f' fill="{colours[i]}"' if colours else ""
        bar = (
            f'<rect x="{_n(left)}" y="{_n(y + FONT + 4)}" width="{_n(length)}" '
            f'height="{BAR}"{colour}/>'
            if value > 0
            else ""
        )
        bars.append(
            f'<g class="dash-chart-bar">{bar}<rect x="0" y="{_n(y)}" width="{WIDTH}" '
            f'height="{ROW}" fill-opacity="0"><title>{escape(name)}: {escape(text)}</title>'
            "</rect></g>"
        )
    parts += names
    parts.append("</g>")
    parts.append(f'<g fill="{data.get("colour", BAR_COLOUR)}">' + "".join(bars) + "</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text
