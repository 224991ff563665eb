"""The cases dashboard: the numbers match the cases created."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from congvu.accounts.models import User
from congvu.cases.dashboard_views import _days
from congvu.conduct.models import Clause
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for
from congvu.core.tests.test_crawl import Page, repeated_landmarks
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from .. import selectors
from ..models import Case, Track
from .office_helpers import file_report, media, move  # noqa: F401

DASHBOARD = reverse("cases:dashboard")


@pytest.fixture
def clause(province: dict[str, Organisation]) -> Clause:
    version = load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    found = Clause.objects.filter(section__version=version).order_by("pk").first()
    assert found is not None
    return found


@pytest.fixture
def cases(head: User, staff_member: StaffMember, clause: Clause) -> list[Case]:
    # Three more active staff: four in Sở Tư pháp in all.
    for n in range(3):
        org_services.create_staff(
            actor=None,
            organisation=staff_member.organisation,
            full_name=f"Cán bộ {n}",
            staff_code=f"STP-1{n}",
            category=StaffMember.Category.CIVIL_SERVANT,
            valid_from=staff_member.organisation.valid_from,
        )
    a = move(
        file_report(staff=staff_member, clause_ids=(clause.pk,)),
        "accepted",
        "investigating",
        "concluded",
        "closed",
        actor=head,
    )
    b = move(
        file_report(staff=staff_member, track=Track.DENUNCIATION, clause_ids=(clause.pk,)),
        "accepted",
        "investigating",
        "concluded",
        actor=head,
        outcome=Case.Outcome.UNSUBSTANTIATED,
    )
    c = file_report(staff=staff_member)
    Case.objects.filter(pk=c.pk).update(acknowledge_due=timezone.localdate() - dt.timedelta(days=1))
    return [a, b, c]


def test_the_dashboard_counts_match_the_cases(as_head: Client, cases: list[Case]) -> None:
    response = as_head.get(DASHBOARD)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.total == 3
    assert board.by_track == {"feedback": 2, "complaint": 0, "denunciation": 1}
    assert board.by_outcome == {"substantiated": 1, "partly": 0, "unsubstantiated": 1}
    assert board.by_status["closed"] == 1 and board.by_status["received"] == 1
    assert sum(n for _m, n, _b in board.by_month) == 3
    assert [(n, b) for _code, _title, n, b in board.by_clause] == [(2, 1)]
    assert board.overdue_count == 1 and [c.code for c in board.overdue] == [cases[2].code]
    assert board.first_response.count == 2
    assert board.to_close.count == 1
    (row,) = board.organisations
    assert (row.total, row.breaches, row.staff, row.overdue) == (3, 1, 4, 1)
    assert row.per_100_staff == 25.0
    html = response.content.decode()
    assert "25,00" in html or "25.00" in html
    assert cases[2].code in html  # the overdue list


def test_the_period_filter_leaves_out_other_periods(as_head: Client, cases: list[Case]) -> None:
    response = as_head.get(DASHBOARD, {"date_from": "2001-01-01", "date_to": "2001-12-31"})
    assert response.context["board"].total == 0
    bad = as_head.get(DASHBOARD, {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert bad.status_code == 200
    assert "Ngày kết thúc trước ngày bắt đầu" in bad.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"date_from": "01/01/0001"}, {"date_to": "31/12/9999"}, {"date_to": "9999-12-31"}],
)
def test_a_date_outside_the_calendar_is_refused_with_a_message_not_a_server_error(
    as_head: Client, cases: list[Case], query: dict[str, str]
) -> None:
    response = as_head.get(DASHBOARD, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ngày phải trong khoảng năm 2000–2100" in html
    assert next(iter(query.values())) in html  # the input is kept for correction
    assert response.context["board"].total == len(cases)


def test_an_outsider_sees_none_of_the_cases(as_outsider: Client, cases: list[Case]) -> None:
    response = as_outsider.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["board"].total == 0
    assert cases[2].code not in response.content.decode()


def test_a_viewer_and_a_staff_user_get_403(
    as_viewer: Client, staff_user: User, cases: list[Case]
) -> None:
    assert as_viewer.get(DASHBOARD).status_code == 403
    assert client_for(staff_user).get(DASHBOARD).status_code == 403


def svg_titles(html: str) -> dict[str, list[str]]:
    """Each chart's name and the hover titles of its bars or columns."""
    charts = {}
    for match in re.finditer(r"<svg class=\"dash-chart.*?</svg>", html, re.S):
        root = ET.fromstring(match.group(0))  # noqa: S314 - our own page, in a test
        name, *titles = [t.text or "" for t in root.iter("title")]
        charts[name] = titles
    return charts


def test_the_charts_are_drawn_by_the_server_with_the_figures_of_the_tables(
    as_head: Client, cases: list[Case], clause: Clause
) -> None:
    html = as_head.get(DASHBOARD).content.decode()
    # No Chart.js and no script for the charts: four SVG images, each pointing at its table.
    assert "chart.umd" not in html and "cases-dashboard-data" not in html
    assert "js/cases.js" not in html
    assert 'data-testid="month-table"' in html and 'data-testid="org-table"' in html
    assert "<desc>Số liệu ở bảng Theo tháng</desc>" in html
    charts = svg_titles(html)
    month = f"{timezone.localdate():%m/%Y}"
    assert charts["Số vụ việc tiếp nhận và có vi phạm theo tháng"] == [
        f"{month}\nTiếp nhận: 3\nCó vi phạm: 1"
    ]
    assert charts["Số vụ việc theo loại đơn"] == [
        "Phản ánh, kiến nghị: 2 (66,7 %)",
        "Khiếu nại: 0 (0,0 %)",
        "Tố cáo: 1 (33,3 %)",
    ]
    assert charts["Số vụ việc theo kết luận"] == [
        "Đúng: 1 (50,0 %)",
        "Đúng một phần: 0 (0,0 %)",
        "Sai, không có căn cứ: 1 (50,0 %)",
    ]
    assert charts["Số vụ việc theo chuẩn mực"] == [f"{clause.code} {clause.short_title}: 2"]


def test_the_charts_in_english(as_head: Client, cases: list[Case]) -> None:
    as_head.cookies["congvu_lang"] = "en"
    charts = svg_titles(as_head.get(DASHBOARD).content.decode())
    assert charts["Cases by outcome"][0].endswith(": 1 (50.0 %)")
    assert len(charts) == 4
    # The clause is named by its English short title (the seed's), in the chart and table.
    assert charts["Cases by standard"] == ["II.1.a Taking on and completing assigned tasks: 2"]


def test_the_case_page_names_its_clause_in_the_readers_language(
    as_head: Client, cases: list[Case]
) -> None:
    url = reverse("cases:detail", args=[cases[0].code])
    assert "<div>II.1.a Nhận và hoàn thành nhiệm vụ được giao</div>" in (
        as_head.get(url).content.decode()
    )
    as_head.cookies["congvu_lang"] = "en"
    html = as_head.get(url).content.decode()
    assert "<div>II.1.a Taking on and completing assigned tasks</div>" in html
    # Without English, the Vietnamese.
    Clause.objects.filter(code="II.1.a").update(short_title_en="")
    assert "<div>II.1.a Nhận và hoàn thành nhiệm vụ được giao</div>" in (
        as_head.get(url).content.decode()
    )


def test_each_table_has_a_caption_and_no_two_landmarks_share_a_name(
    as_head: Client, cases: list[Case]
) -> None:
    html = as_head.get(DASHBOARD).content.decode()
    main = html[html.index("<main") :]
    assert main.count("<table") == main.count("<caption") == 8
    named_sections = set(re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', main))
    scrolling = re.findall(r'role="region"[^>]*aria-labelledby="([^"]+)"', main)
    assert len(scrolling) == len(set(scrolling)) and not named_sections & set(scrolling)
    page = Page()
    page.feed(html)
    assert page.landmarks and repeated_landmarks(page) == []


def test_percentiles_interpolate_between_ranks() -> None:
    assert selectors.percentile([], 50) is None
    assert selectors.percentile([4.0], 90) == 4.0
    assert selectors.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert selectors.percentile([float(n) for n in range(1, 11)], 90) == pytest.approx(9.1)


def test_handling_days_use_the_readers_decimal_separator() -> None:
    with translation.override("vi"):
        assert (_days(5.06), _days(None)) == ("5,1", "–")
    with translation.override("en"):
        assert _days(5.06) == "5.1"
