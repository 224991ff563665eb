"""The dashboards' bar charts, drawn by the server as inline SVG (`{% column_chart %}`,
`{% bar_chart %}`): what they draw, in the reader's language."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.template import Context, Template
from django.utils import translation

from congvu.feedback.templatetags.bar_chart import BOTTOM, TOP, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(html: str) -> ET.Element:
    return ET.fromstring(f"<div>{html}</div>")  # noqa: S314 - our own output, in a test


def titles(root: ET.Element) -> list[str]:
    """The hover titles of the bars or columns (not the chart's own title)."""
    svg = root.find("svg")
    assert svg is not None
    return [t.text or "" for t in svg.iter("title")][1:]


def by_class(root: ET.Element, css: str) -> list[ET.Element]:
    return [e for e in root.iter() if css in (e.get("class") or "").split()]


def months(**extra: Any) -> dict[str, Any]:
    return {
        "labels": ["01/2026", "02/2026", "03/2026"],
        "series": [
            {"key": "received", "name": "Tiếp nhận", "colour": "#0b4f8a", "values": [40, 0, 1200]},
            {"key": "breaches", "name": "Có vi phạm", "colour": "#a4161a", "values": [100, 0, 300]},
        ],
        "axis": "Số vụ việc",
        **extra,
    }


def heights(root: ET.Element, key: str) -> list[float]:
    (group,) = [g for g in by_class(root, "dash-chart-series") if g.get("data-series") == key]
    return [float(r.get("height", "0")) for r in group.iter("rect")]


def test_a_column_chart_is_an_image_named_with_a_description_and_its_figures_per_month() -> None:
    with translation.override("vi"):
        html = str(column_chart(months(), "Số vụ việc theo tháng", "Số liệu ở bảng Theo tháng"))
    root = parsed(html)
    svg = root.find("svg")
    assert svg is not None
    assert svg.get("role") == "img" and svg.get("aria-label") == "Số vụ việc theo tháng"
    assert svg.findtext("title") == "Số vụ việc theo tháng"
    assert svg.findtext("desc") == "Số liệu ở bảng Theo tháng"
    # Each month's figures, the thousands with the Vietnamese separator.
    assert titles(root) == [
        "01/2026\nTiếp nhận: 40\nCó vi phạm: 100",
        "02/2026\nTiếp nhận: 0\nCó vi phạm: 0",
        "03/2026\nTiếp nhận: 1.200\nCó vi phạm: 300",
    ]
    # A month of 0 has no column; the others are as tall as their counts, side by side.
    received, breaches = heights(root, "received"), heights(root, "breaches")
    assert len(received) == 2 and len(breaches) == 2
    assert received[1] / received[0] == pytest.approx(1200 / 40, rel=0.02)
    assert breaches[1] / breaches[0] == pytest.approx(3, rel=0.02)
    # The count axis reaches 1.200 in four round steps; its labels use the separator too.
    ticks = [t.text for t in by_class(root, "dash-chart-count-ticks")[0]]
    assert ticks == ["0", "300", "600", "900", "1.200"]
    legend = ["".join(li.itertext()) for li in root.iter("li")]
    assert legend == ["Tiếp nhận", "Có vi phạm"]
    assert "<script" not in html and "style=" not in html


def test_the_english_chart_uses_the_english_separators() -> None:
    with translation.override("en"):
        html = str(
            column_chart(
                months(line={"name": "Done (%)", "axis": "%", "values": [12.25, None, 93.3]}),
                "Cases by month",
            )
        )
    assert titles(parsed(html))[2] == "03/2026\nTiếp nhận: 1,200\nCó vi phạm: 300\nDone (%): 93.3 %"
    assert titles(parsed(html))[1].endswith("Done (%): –")
    with translation.override("vi"):
        html = str(
            column_chart(
                months(line={"name": "Hoàn thành (%)", "axis": "%", "values": [12.25, None, 93.3]}),
                "Số vụ việc",
            )
        )
    assert titles(parsed(html))[0].endswith("Hoàn thành (%): 12,3 %")


def test_stacked_columns_sit_on_each_other_and_the_share_line_breaks_at_a_gap() -> None:
    data = {
        "labels": ["Năm 2025", "Năm 2026", "Một lần"],
        "series": [
            {"key": "done", "name": "Xong", "colour": "#1e6b32", "values": [2, 1, 0]},
            {"key": "overdue", "name": "Quá hạn", "colour": "#a4161a", "values": [2, 3, 0]},
        ],
        "stacked": True,
        "axis": "Số nhiệm vụ",
        "line": {"name": "Tỷ lệ", "axis": "%", "values": [50.0, 25.0, None]},
    }
    with translation.override("vi"):
        root = parsed(str(column_chart(data, "Nhiệm vụ")))
    done = next(g for g in by_class(root, "dash-chart-series") if g.get("data-series") == "done")
    late = next(g for g in by_class(root, "dash-chart-series") if g.get("data-series") == "overdue")
    (first_done, _second) = done.iter("rect")
    (first_late, second_late) = late.iter("rect")
    # Overdue is drawn on top of done: its foot is done's top.
    assert float(first_late.get("y", "0")) + float(first_late.get("height", "0")) == (
        pytest.approx(float(first_done.get("y", "0")))
    )
    # 4 on an axis of 4: the first column reaches the top; 4 of 4 in the second too.
    assert float(first_late.get("y", "0")) == pytest.approx(TOP)
    assert float(second_late.get("y", "0")) == pytest.approx(TOP)
    # The share: two dots (50 % half way up, 25 % a quarter), none for the empty category.
    dots = by_class(root, "dash-chart-share-dots")[0].get("d", "")
    assert dots.count("h0") == 2
    half = BOTTOM - (BOTTOM - TOP) / 2
    assert f" {half:g}h0" in dots or f" {half:.1f}h0" in dots


def test_names_are_escaped() -> None:
    data = months()
    data["labels"] = ["<b>01</b>", "02", "03"]
    data["series"][0]["name"] = 'A & "B" <script>'
    html = str(column_chart(data, "<x>", "<y>"))
    assert "<script>" not in html and "<b>" not in html and "<x>" not in html
    root = parsed(html)  # still well-formed
    assert root.find("svg") is not None


def test_a_bar_chart_prints_each_count_and_its_share_of_the_total() -> None:
    data = {
        "rows": [("Phản ánh", 2), ("Khiếu nại", 0), ("Tố cáo", 1)],
        "total": 3,
        "colours": ["#a4161a", "#8a5200", "#1e6b32"],
    }
    with translation.override("vi"):
        html = str(bar_chart(data, "Số vụ việc theo loại đơn", "Số liệu ở bảng Theo loại đơn"))
    root = parsed(html)
    svg = root.find("svg")
    assert svg is not None and svg.get("role") == "img"
    assert svg.findtext("desc") == "Số liệu ở bảng Theo loại đơn"
    assert titles(root) == [
        "Phản ánh: 2 (66,7 %)",
        "Khiếu nại: 0 (0,0 %)",
        "Tố cáo: 1 (33,3 %)",
    ]
    figures = [t.text for t in by_class(root, "dash-chart-figure")]
    assert figures == ["2 (66,7 %)", "0 (0,0 %)", "1 (33,3 %)"]
    # Lengths proportional to the counts; a row of 0 draws no bar; each bar its colour.
    bars = [
        [r for r in g.iter("rect") if r.get("fill-opacity") != "0"]
        for g in by_class(root, "dash-chart-bar")
    ]
    assert [len(b) for b in bars] == [1, 0, 1]
    assert float(bars[0][0].get("width", "0")) == pytest.approx(
        2 * float(bars[2][0].get("width", "0")), rel=0.01
    )
    assert [bars[0][0].get("fill"), bars[2][0].get("fill")] == ["#a4161a", "#1e6b32"]
    with translation.override("en"):
        english = str(bar_chart(data, "Cases by track"))
    assert "Phản ánh: 2 (66.7 %)" in titles(parsed(english))


def test_a_long_name_is_shortened_in_the_chart_and_whole_in_its_title() -> None:
    name = "1.2 Không sử dụng đồ uống có cồn trong giờ làm việc, giờ nghỉ trưa của ngày làm việc"
    root = parsed(str(bar_chart({"rows": [(name, 1200)]}, "Chuẩn mực")))
    text = [t.text or "" for t in root.iter("text")]
    assert text[0].endswith("…") and len(text[0]) <= 50
    with translation.override("vi"):
        root = parsed(str(bar_chart({"rows": [(name, 1200)]}, "Chuẩn mực")))
    assert titles(root) == [f"{name}: 1.200"]


def test_the_tags_load_in_a_template() -> None:
    template = Template(
        "{% load bar_chart %}{% bar_chart rows 'Tên' %}{% column_chart columns 'Tên' 'Ghi chú' %}"
    )
    html = template.render(Context({"rows": {"rows": [("A", 1)]}, "columns": months()}))
    assert html.count("<svg") == 2 + 2  # two charts, a legend of two keys
