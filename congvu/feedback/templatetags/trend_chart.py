"""`{% trend_chart chart_data label %}`: the ratings pages' monthly trend, drawn on the server.

An inline SVG instead of Chart.js (205 KB of script for one chart): it shows on any
phone, without JavaScript, and weighs a few KB. It draws `views.trend_chart`'s dict:
the share satisfied per month (0–100 % on the left axis), an optional comparison
line (dashed, grey), the counted ratings as light bars on a right-hand axis, and
below it a legend naming the series. A month without a share is a gap: the line
stops there and starts again, it never joins across an empty month. A period without
any counted rating (and no comparison to show) is a sentence, not empty axes.

The viewBox is small (the width of a phone), so that the SVG, scaled to its box,
keeps its text readable at 320 px; on a wide screen the stylesheet caps its width
(`.rt-trend` in static/css/ratings.css). With many months only every few months
are labelled, the latest always. Every month has a hover title with its figures,
as the old chart's tooltip had; the table under the chart holds every figure.

The CSP allows no `style` attribute: colours, strokes and fonts are SVG
presentation attributes. Only numbers and escaped text go into the markup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .ratings_format import decimal_separator, number

register = template.Library()

WIDTH: Final = 320
HEIGHT: Final = 200
FONT: Final = 12
#: A digit is about 0.6 em wide; a month label "mm/yyyy" about 7 × 0.55 em.
DIGIT: Final = 0.6 * FONT
LABEL_WIDTH: Final = 7 * 0.55 * FONT + 10
#: The plot area inside the viewBox: room for the axes' titles and tick labels around it
#: (on the right as wide as the count axis' longest label needs).
LEFT: Final = 42
TOP: Final = 8
BOTTOM: Final = HEIGHT - 24

SHARE_COLOUR: Final = "#0b4f8a"
COMPARE_COLOUR: Final = "#8c959f"  # 3.0:1 on white, the least a graphical object needs
BAR_FILL: Final = "#c9def1"  # ratings.js's rgba(156, 195, 230, .55) on white
BAR_EDGE: Final = "#5e8fc2"  # 3.4:1 on white: the bars' tops stay visible
GRID: Final = "#dde3e9"
TEXT: Final = "#505a66"  # --muted: 7:1 on white

#: Steps of the count axis, in tenths of a power of ten: four of them reach the axis' top,
#: level with the share's 25 % grid lines.
_STEPS: Final = (10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100)


@dataclass(frozen=True)
class Frame:
    """Where months and values land in the viewBox."""

    months: int
    count_top: int

    @cached_property
    def right(self) -> float:
        """The plot's right edge: the count labels and the axis title after it."""
        return WIDTH - 4 - FONT - 4 - len(str(self.count_top)) * DIGIT - 4

    @cached_property
    def slot(self) -> float:
        return (self.right - LEFT) / max(self.months, 1)

    def x(self, i: int) -> float:
        """The centre of month i's slot."""
        return LEFT + (i + 0.5) * self.slot

    @staticmethod
    def y_share(percent: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * min(max(percent, 0.0), 100.0) / 100

    def y_count(self, count: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * count / self.count_top


def count_top(largest: int) -> int:
    """The count axis' top: four equal, round steps reaching `largest`; at least 4."""
    quarter = largest / 4
    if quarter <= 1:
        return 4
    scale = 10 ** math.floor(math.log10(quarter))  # an int: quarter > 1
    for tenths in _STEPS:
        step, rest = divmod(tenths * scale, 10)
        if not rest and step >= quarter:
            return 4 * step
    return 40 * scale  # pragma: no cover - the last step, 10 × scale, always reaches it


def label_step(frame: Frame) -> int:
    """Label every `step` months so that the labels do not overlap."""
    fits = max(1, int((frame.right - LEFT) // LABEL_WIDTH))
    return max(1, math.ceil(frame.months / fits))


def _n(value: float) -> str:
    """A coordinate: one decimal at most, always a dot (never the language's comma)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _runs(frame: Frame, values: Sequence[float | None]) -> list[list[tuple[float, float]]]:
    """The points of a line, split where a month has no value."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((frame.x(i), frame.y_share(value)))
    if current:
        runs.append(current)
    return runs


def _line(
    frame: Frame, values: Sequence[float | None], css: str, colour: str, width: float, dash: str
) -> str:
    """One path per line (a new "M" after each gap), and its points as round dots: a dot is a
    zero-length segment with a round cap, so a month alone between two gaps still shows; with
    many months the dots shrink towards the line's width, or they would hide it."""
    runs = _runs(frame, values)
    if not runs:
        return ""
    line = " ".join(
        "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in run) for run in runs if len(run) > 1
    )
    dots = "".join(f"M{_n(x)} {_n(y)}h0" for run in runs for x, y in run)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    path = (
        f'<path class="{css}" d="{line}" fill="none" stroke="{colour}" '
        f'stroke-width="{_n(width)}"{dashes}/>'
        if line
        else ""
    )
    return (
        f'{path}<path class="{css}-dots" d="{dots}" stroke="{colour}" '
        f'stroke-width="{_n(min(width * 2.4, max(width * 1.3, frame.slot * 0.6)))}" '
        'stroke-linecap="round"/>'
    )


def _labelled(frame: Frame) -> list[int]:
    """The months labelled under the axis: every `label_step`, counted back from the latest."""
    step = label_step(frame)
    return [i for i in range(frame.months) if (frame.months - 1 - i) % step == 0]


def _axes(frame: Frame, labels: Sequence[str], text: Mapping[str, Any]) -> list[str]:
    """The grid lines at every 25 %, the tick labels and the axes' titles."""
    right = _n(frame.right)
    grid = "".join(f"M{LEFT} {_n(frame.y_share(p))}H{right}" for p in (0, 25, 50, 75, 100))
    parts = [f'<path d="{grid}" stroke="{GRID}"/>', f'<g font-size="{FONT}" fill="{TEXT}">']
    # Tick labels: the share on the left, the count on the right, level with each grid line.
    parts.append('<g text-anchor="end" class="rt-trend-share-ticks">')
    for percent in (0, 25, 50, 75, 100):
        parts.append(f'<text x="{LEFT - 4}" y="{_n(frame.y_share(percent) + 4)}">{percent}</text>')
    parts.append('</g><g class="rt-trend-count-ticks">')
    for quarter in range(5):
        count = frame.count_top * quarter // 4
        y = _n(frame.y_count(count) + 4)
        parts.append(f'<text x="{_n(frame.right + 4)}" y="{y}">{count}</text>')
    parts.append('</g><g text-anchor="middle" class="rt-trend-months">')
    for i in _labelled(frame):
        parts.append(f'<text x="{_n(frame.x(i))}" y="{BOTTOM + 16}">{escape(labels[i])}</text>')
    middle = _n((TOP + BOTTOM) / 2)
    parts.append(
        "</g>"
        f'<text text-anchor="middle" transform="translate(11 {middle}) rotate(-90)">'
        f"{escape(text.get('axis_share', ''))}</text>"
        f'<text text-anchor="middle" transform="translate({WIDTH - 4 - FONT} {middle}) rotate(90)">'
        f"{escape(text.get('axis_count', ''))}</text>"
        "</g>"
    )
    return parts


def _baseline(frame: Frame) -> str:
    """The x axis over the bars' feet, with a tick under each labelled month."""
    ticks = "".join(f"M{_n(frame.x(i))} {BOTTOM}v4" for i in _labelled(frame))
    return f'<path d="M{LEFT} {BOTTOM}H{_n(frame.right)}{ticks}" stroke="{TEXT}"/>'


def _bars(frame: Frame, counted: Sequence[int]) -> str:
    width = min(frame.slot * 0.7, 24)
    bars = []
    for i, count in enumerate(counted):
        if count > 0:
            top = frame.y_count(count)
            bars.append(
                f'<rect x="{_n(frame.x(i) - width / 2)}" y="{_n(top)}" '
                f'width="{_n(width)}" height="{_n(BOTTOM - top)}"/>'
            )
    if not bars:
        return ""
    return (
        f'<g class="rt-trend-bars" fill="{BAR_FILL}" stroke="{BAR_EDGE}" stroke-width=".75">'
        + "".join(bars)
        + "</g>"
    )


def _percent(value: float | None, separator: str) -> str:
    return "–" if value is None else f"{number(value, 1, separator)} %"


def _hover(frame: Frame, data: Mapping[str, Any]) -> str:
    """A transparent column over each month with its figures as a title (the mouse's tooltip)."""
    text = data.get("text", {})
    share, counted, compare = data["share"], data["counted"], data.get("compare")
    names = {key: escape(text.get(key, "")) for key in ("share", "compare", "counted")}
    separator = decimal_separator()
    width = _n(frame.slot)
    columns = []
    for i, label in enumerate(data.get("labels", [])):
        lines = [escape(label), f"{names['share']}: {_percent(share[i], separator)}"]
        if compare is not None:
            lines.append(f"{names['compare']}: {_percent(compare[i], separator)}")
        lines.append(f"{names['counted']}: {counted[i]}")
        columns.append(
            f'<rect x="{_n(LEFT + i * frame.slot)}" y="{TOP}" width="{width}" '
            f'height="{BOTTOM - TOP}"><title>{chr(10).join(lines)}</title></rect>'
        )
    return f'<g fill="#fff" fill-opacity="0">{"".join(columns)}</g>'


def _legend(data: Mapping[str, Any]) -> SafeString:
    text = data.get("text", {})
    items = [("share", text.get("share", ""))]
    if data.get("compare") is not None:
        items.append(("compare", text.get("compare", "")))
    items.append(("counted", text.get("counted", "")))
    return format_html(
        '<ul class="rt-trend-legend">{}</ul>',
        format_html_join("", '<li><span class="rt-key rt-key-{}"></span>{}</li>', items),
    )


@register.simple_tag
def trend_chart(data: Mapping[str, Any], label: str, empty: str = "") -> SafeString:
    """The SVG chart of `data` (see `views.trend_chart`) named `label`, then its legend;
    `empty`: what to say instead when there is nothing to draw (a default otherwise)."""
    labels: Sequence[str] = data.get("labels", [])
    counted: Sequence[int] = data.get("counted", [])
    if not any(counted) and not any(v is not None for v in data.get("compare") or ()):
        # Nothing to draw (a new province, a new badge): empty axes with a count scale
        # invented from nothing read as a broken chart; say what is missing instead.
        return format_html(
            '<p class="muted" data-testid="trend-empty">{}</p>',
            empty
            or _(
                "Chưa có lượt đánh giá nào được tính trong khoảng thời gian này, nên chưa có "
                "biểu đồ. Người dân đánh giá qua mã QR trên thẻ cán bộ, trên giấy biên nhận "
                "hồ sơ hoặc tại quầy một cửa."
            ),
        )
    frame = Frame(months=len(labels), count_top=count_top(max(counted, default=0)))
    parts = [
        format_html(
            '<svg class="rt-trend" viewBox="0 0 {} {}" role="img" aria-label="{}" '
            'data-testid="trend-chart"><title>{}</title>',
            WIDTH,
            HEIGHT,
            label,
            label,
        ),
        *_axes(frame, labels, data.get("text", {})),
        _bars(frame, counted),
        _baseline(frame),
    ]
    if data.get("compare") is not None:
        parts.append(_line(frame, data["compare"], "rt-trend-compare", COMPARE_COLOUR, 2, "6 4"))
    parts.append(_line(frame, data.get("share", []), "rt-trend-share", SHARE_COLOUR, 2.5, ""))
    parts.append(_hover(frame, data))
    parts.append("</svg>")
    return mark_safe("".join(parts) + _legend(data))  # noqa: S308 - numbers and escaped text
