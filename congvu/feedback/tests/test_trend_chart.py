"""The ratings pages' trend chart, drawn by the server as an inline SVG (`{% trend_chart %}`)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congvu.conftest import client_for
from congvu.feedback.templatetags.trend_chart import (
    BOTTOM,
    TOP,
    Frame,
    count_top,
    trend_chart,
)
from congvu.feedback.tests.ratings_helpers import load_catalogue
from congvu.feedback.tests.test_selectors import badge, rate_many
from congvu.organisations.models import Organisation, StaffMember

TEXT = {
    "share": "Sở Tư pháp",
    "counted": "Số lượt được tính",
    "axis_share": "Tỷ lệ hài lòng (%)",
    "axis_count": "Lượt",
}


def chart(
    share: list[float | None],
    counted: list[int] | None = None,
    *,
    compare: list[float | None] | None = None,
    label: str = "Chỉ số hài lòng theo tháng; số liệu ở bảng bên dưới",
    text: dict[str, str] | None = None,
) -> str:
    data: dict[str, Any] = {
        "labels": [f"{(i % 12) + 1:02d}/{2024 + i // 12}" for i in range(len(share))],
        "share": share,
        "counted": counted if counted is not None else [10] * len(share),
        "text": {**TEXT, **(text or {})},
    }
    if compare is not None:
        data["compare"] = compare
        data["text"]["compare"] = "Toàn tỉnh"
    with translation.override("vi"):
        return str(trend_chart(data, label))


def parsed(html: str) -> ET.Element:
    return ET.fromstring(f"<div>{html}</div>")  # noqa: S314 - our own output, in a test


def one(root: ET.Element, css: str) -> ET.Element | None:
    found = [e for e in root.iter() if css in (e.get("class") or "").split()]
    assert len(found) <= 1
    return found[0] if found else None


def segments(path: ET.Element | None) -> list[list[tuple[float, float]]]:
    """The runs of a line's path: one list of (x, y) per "M"."""
    if path is None:
        return []
    return [
        [(float(x), float(y)) for x, y in re.findall(r"(-?[\d.]+) (-?[\d.]+)", run)]
        for run in path.get("d", "").split("M")
        if run.strip()
    ]


def dots(root: ET.Element, css: str) -> list[tuple[float, float]]:
    return [point for run in segments(one(root, f"{css}-dots")) for point in run]


# --- The drawing -------------------------------------------------------------------------------


def test_zero_percent_sits_on_the_axis_and_a_hundred_at_the_top() -> None:
    root = parsed(chart([0.0, 50.0, 100.0]))

    [points] = segments(one(root, "rt-trend-share"))

    assert [y for _x, y in points] == [BOTTOM, (TOP + BOTTOM) / 2, TOP]
    frame = Frame(months=3, count_top=count_top(10))
    assert [x for x, _y in points] == pytest.approx([frame.x(0), frame.x(1), frame.x(2)], abs=0.05)
    assert [x for x, _y in points] == sorted(x for x, _y in points)


def test_a_month_without_a_share_breaks_the_line() -> None:
    root = parsed(chart([80.0, 90.0, None, 70.0, 75.0, None, 60.0]))

    runs = segments(one(root, "rt-trend-share"))
    frame = Frame(months=7, count_top=count_top(10))

    # Two lines, neither crossing the empty month; the month alone after the second gap is
    # a dot, not joined to anything.
    assert [[round(x, 1) for x, _y in run] for run in runs] == [
        [round(frame.x(0), 1), round(frame.x(1), 1)],
        [round(frame.x(3), 1), round(frame.x(4), 1)],
    ]
    assert len(dots(root, "rt-trend-share")) == 5
    assert round(frame.x(6), 1) in [round(x, 1) for x, _y in dots(root, "rt-trend-share")]


def test_a_period_without_any_rating_says_so_instead_of_drawing_empty_axes() -> None:
    html = chart([None, None, None], [0, 0, 0])

    assert "<svg" not in html
    assert 'data-testid="trend-empty"' in html
    assert "Chưa có lượt đánh giá nào được tính trong khoảng thời gian này" in html


def test_a_period_without_a_share_but_with_the_comparison_draws_the_axes_and_no_line() -> None:
    root = parsed(chart([None, None, None], [0, 0, 0], compare=[80.0, None, 75.0]))

    assert one(root, "rt-trend-share") is None and one(root, "rt-trend-share-dots") is None
    assert one(root, "rt-trend-bars") is None
    assert len(dots(root, "rt-trend-compare")) == 2
    assert [t.text for t in root.iter("text")][:5] == ["0", "25", "50", "75", "100"]


def test_the_comparison_line_is_drawn_dashed_only_when_given() -> None:
    without = parsed(chart([80.0, 85.0]))
    with_it = parsed(chart([80.0, 85.0], compare=[70.0, None]))

    assert one(without, "rt-trend-compare-dots") is None
    assert "Toàn tỉnh" not in ET.tostring(without, encoding="unicode")
    assert one(with_it, "rt-trend-compare") is None  # one month only: a dot, no line
    compare_dots = dots(with_it, "rt-trend-compare")
    assert [y for _x, y in compare_dots] == [pytest.approx(BOTTOM - (BOTTOM - TOP) * 0.7)]
    dashed = parsed(chart([80.0, 85.0], compare=[70.0, 75.0]))
    line = one(dashed, "rt-trend-compare")
    assert line is not None and line.get("stroke-dasharray") and line.get("stroke") == "#8c959f"
    legend = ["".join(li.itertext()) for li in dashed.iter("li")]
    assert legend == ["Sở Tư pháp", "Toàn tỉnh", "Số lượt được tính"]


def test_bar_heights_are_proportional_to_the_counted_ratings() -> None:
    root = parsed(chart([80.0, 80.0, 80.0, None], [10, 20, 40, 0]))

    bars = one(root, "rt-trend-bars")
    assert bars is not None
    rects = list(bars.iter("rect"))
    heights = [float(r.get("height", "0")) for r in rects]

    assert len(rects) == 3  # no bar for the month without ratings
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.1)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.1)
    # The count axis ends at 40, level with the 100 % line: the highest bar reaches it.
    assert float(rects[2].get("y", "0")) == TOP
    assert all(float(r.get("y", "0")) + float(r.get("height", "0")) == BOTTOM for r in rects)
    ticks = one(root, "rt-trend-count-ticks")
    assert ticks is not None and [t.text for t in ticks.iter("text")] == [
        "0",
        "10",
        "20",
        "30",
        "40",
    ]


@pytest.mark.parametrize(
    ("largest", "top"),
    [
        (0, 4),
        (1, 4),
        (4, 4),
        (5, 8),
        (10, 12),
        (40, 40),
        (41, 48),
        (428, 480),
        (1234, 1600),
        (95_000, 100_000),
    ],
)
def test_the_count_axis_ends_on_four_round_steps(largest: int, top: int) -> None:
    assert count_top(largest) == top
    assert top % 4 == 0 and top >= largest


def test_with_many_months_only_some_are_labelled_the_latest_always() -> None:
    few = parsed(chart([80.0] * 3))
    many = parsed(chart([80.0] * 60))

    few_months = one(few, "rt-trend-months")
    many_months = one(many, "rt-trend-months")
    assert few_months is not None and many_months is not None
    assert [t.text for t in few_months.iter("text")] == ["01/2024", "02/2024", "03/2024"]
    labels = [t.text for t in many_months.iter("text")]
    assert 2 <= len(labels) <= 5 and labels[-1] == "12/2028"


def test_the_chart_is_one_named_image_without_style_or_script() -> None:
    html = chart([80.0, None, 90.0], compare=[75.0, 76.0, 77.0])
    root = parsed(html)

    svg = root.find("svg")
    assert svg is not None
    assert svg.get("role") == "img"
    label = "Chỉ số hài lòng theo tháng; số liệu ở bảng bên dưới"
    assert svg.get("aria-label") == label
    assert svg.get("viewBox") is not None and svg.get("width") is None
    assert svg[0].tag == "title" and svg[0].text == label
    assert "style=" not in html and "<style" not in html and "<script" not in html


def test_names_are_escaped() -> None:
    html = chart([80.0], text={"share": '<img src=x onerror="alert(1)">'}, label="a <b> & c")

    assert "<img" not in html and "<b>" not in html
    root = parsed(html)
    assert "".join(next(root.iter("li")).itertext()) == '<img src=x onerror="alert(1)">'


def test_each_month_has_its_figures_as_the_page_prints_them() -> None:
    html = chart([80.25, None], [12, 0], compare=[66.666, 70.0])

    titles = [t.text for t in parsed(html).iter("title")][1:]
    assert titles[0] == "01/2024\nSở Tư pháp: 80,3 %\nToàn tỉnh: 66,7 %\nSố lượt được tính: 12"
    assert titles[1] == "02/2024\nSở Tư pháp: –\nToàn tỉnh: 70,0 %\nSố lượt được tính: 0"


# --- The pages ---------------------------------------------------------------------------------


def assert_drawn_by_the_server(html: str) -> None:
    assert '<svg class="rt-trend"' in html and 'data-testid="trend-chart"' in html
    assert "chart.umd.min.js" not in html and "js/ratings.js" not in html
    assert "<canvas" not in html and 'id="ratings-data"' not in html


@pytest.fixture
def rated(province: dict[str, Organisation], staff_member: StaffMember) -> None:
    """Sở Tư pháp: 30 ratings this month, 24 satisfied (80 %)."""
    load_catalogue(province)
    rate_many(badge(staff_member), satisfied=24, unsatisfied=6)


def this_months_share(html: str) -> float:
    """Where the chart puts this month's share, read back as a percentage."""
    svg = html[html.index('<svg class="rt-trend"') : html.index("</svg>") + 6]
    [(_x, y)] = dots(parsed(svg), "rt-trend-share")
    return round(100 * (BOTTOM - y) / (BOTTOM - TOP), 1)


@pytest.mark.django_db
def test_the_public_page_draws_the_province_trend_without_javascript(rated: None) -> None:
    response = Client().get(reverse("transparency:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_drawn_by_the_server(html)
    assert this_months_share(html) == 80.0
    assert "<script" not in html.replace('<script src="/static/js/tables.js" defer></script>', "")


@pytest.mark.django_db
def test_the_province_and_organisation_pages_draw_the_trend_against_the_province(
    rated: None, as_head: Client, province: dict[str, Organisation]
) -> None:
    for url in (
        reverse("feedback:province"),
        reverse("feedback:organisation", args=[province["dept_justice"].pk]),
    ):
        response = as_head.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_drawn_by_the_server(html)
        assert this_months_share(html) == 80.0
        assert 'class="rt-trend-compare-dots"' in html and "rt-key-compare" in html


@pytest.mark.django_db
def test_the_staff_pages_draw_the_trend(
    rated: None, as_head: Client, staff_user: Any, staff_member: StaffMember
) -> None:
    for client, url in (
        (as_head, reverse("feedback:staff", args=[staff_member.pk])),
        (client_for(staff_user), reverse("feedback:mine")),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert_drawn_by_the_server(html)
        assert this_months_share(html) == 80.0
        assert "rt-trend-compare" not in html
