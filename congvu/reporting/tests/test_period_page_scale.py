"""The period page at provincial scale: it loads the organisations and figures of the rows
it lists only, yet its totals are the whole compilation's (never a stale copy); its
"draft a report" chooser searches instead of listing every organisation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congvu.accounts.models import Role
from congvu.conftest import client_for, kind, make_user
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation
from congvu.planning.models import Dissemination, Plan
from congvu.reporting import selectors, services, views
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db


def participants_row(html: str) -> str:
    """The "Lượt người tham dự" line of the totals table, as shown."""
    found = re.search(r"<td>Lượt người tham dự</td><td class=\"num\">([^<]*)</td>", html)
    assert found, "no participants line in the totals"
    return found[1]


def shown_totals(client: Client, period: ReportPeriod) -> tuple[dict[str, Any], str]:
    response = client.get(reverse("reporting:period", args=[period.pk]))
    assert response.status_code == 200
    totals = response.context["compilation"].totals
    # The page's totals are the full compilation's (the exports'), whatever it loaded.
    assert totals == selectors.compile_period(period).totals
    return totals, participants_row(response.content.decode())


def test_the_totals_follow_a_submission_and_an_edited_figure_at_once(
    as_officer: Client,
    justice_tasks: Plan,
    draft: OrganisationReport,
    period: ReportPeriod,
    head: Any,
    officer: Any,
    province: Any,
) -> None:
    totals, shown = shown_totals(as_officer, period)
    assert totals["dissemination_participants"] == 65 and shown == "65"
    assert totals["tasks_total"] == 6

    services.submit_report(draft, actor=head)
    session = Dissemination.objects.get(organisation=province["dept_justice"], participants=40)
    session.participants = 400  # after the submission: the filed report keeps its 40
    session.save()
    Dissemination.objects.create(  # the commune has not filed: its live figures count
        organisation=province["commune"],
        held_on=dt.date(2026, 5, 5),
        format=Dissemination.Format.CONFERENCE,
        content="Hội nghị quán triệt",
        participants=30,
        recorded_by=officer,
    )
    totals, shown = shown_totals(as_officer, period)
    assert totals["dissemination_participants"] == 95 and shown == "95"
    assert totals["dissemination_sessions"] == 3

    session = Dissemination.objects.get(organisation=province["commune"])
    session.participants = 1234
    session.save()
    totals, shown = shown_totals(as_officer, period)
    assert totals["dissemination_participants"] == 65 + 1234 and shown == "1.299"


def test_the_page_lists_the_same_rows_and_counts_as_the_compilation(
    as_officer: Client, justice_tasks: Plan, draft: OrganisationReport, period: ReportPeriod
) -> None:
    whole = selectors.compile_period(period)
    response = as_officer.get(reverse("reporting:period", args=[period.pk]))
    rows = list(response.context["page"])
    assert [(r.number, r.organisation, r.report, r.snapshot["values"]) for r in rows] == [
        (r.number, r.organisation, r.report, r.snapshot["values"]) for r in whole.rows
    ]
    summary = response.context["compilation"]
    assert (summary.expected, summary.filed, summary.late) == (3, 0, 0)
    assert summary.by_status == whole.by_status
    assert "Đã nộp 0/3 cơ quan, đơn vị (nộp muộn: 0)." in response.content.decode()
    assert [r.organisation for r in response.context["not_submitted_shown"]] == [
        r.organisation for r in whole.not_submitted
    ]


def add_departments(root: Organisation, numbers: range) -> None:
    for n in numbers:
        org_services.create_organisation(
            actor=None,
            code=f"H56.{50 + n}",
            name=f"Sở Thử nghiệm {n}",
            kind=kind("department"),
            parent=root,
            valid_from=root.valid_from,
        )


def queries_of(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


def test_the_pages_queries_do_not_grow_with_the_organisations(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod, province: Any
) -> None:
    url = reverse("reporting:period", args=[period.pk])
    add_departments(province["root"], range(2))
    few, response = queries_of(as_officer, url)
    assert response.context["compilation"].expected == 5
    add_departments(province["root"], range(2, 27))
    many, response = queries_of(as_officer, url)
    assert response.context["compilation"].expected == 30
    assert len(response.context["page"]) == 30
    assert many == few


# --- The "draft a report" chooser ------------------------------------------------------------


@pytest.fixture
def short_chooser(monkeypatch: Any) -> None:
    """Two options at most: the fixture's three organisations need the search box."""
    monkeypatch.setattr(views, "CHOOSER_SHOWN", 2)


def options(html: str) -> list[str]:
    select = re.search(r'<select name="organisation".*?</select>', html, re.S)
    assert select, "no organisation chooser"
    return re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select[0])


def test_home_affairs_finds_an_organisation_by_name_without_accents_and_drafts_for_it(
    as_officer: Client, period: ReportPeriod, province: Any, short_chooser: None
) -> None:
    url = reverse("reporting:period", args=[period.pk])
    html = as_officer.get(url).content.decode()
    assert 'name="org_q"' in html and len(options(html)) == 2
    assert "Danh sách chỉ hiện một phần" in html
    html = as_officer.get(url, {"org_q": "tu phap"}).content.decode()
    assert options(html) == ["Sở Tư pháp (H56.02)"]
    assert 'value="tu phap"' in html
    response = as_officer.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["dept_justice"].pk, "org_q": "tu phap"},
    )
    report = OrganisationReport.objects.get(period=period)
    assert report.organisation == province["dept_justice"]
    assert response["Location"] == reverse("reporting:report", args=[report.pk])


def test_a_search_finding_nothing_says_so(
    as_officer: Client, period: ReportPeriod, short_chooser: None
) -> None:
    url = reverse("reporting:period", args=[period.pk])
    html = as_officer.get(url, {"org_q": "khong co dau"}).content.decode()
    assert options(html) == []
    assert "Không tìm thấy cơ quan nào; hãy thử từ khác." in html


def test_an_organisation_not_listed_by_the_search_is_still_accepted(
    as_officer: Client, period: ReportPeriod, province: Any, short_chooser: None
) -> None:
    """The list shows a search's matches; the choice is checked against every
    organisation the user may draft for (a bookmarked or older page still works)."""
    response = as_officer.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["commune"].pk},
    )
    assert response.status_code == 302
    assert OrganisationReport.objects.get(period=period).organisation == province["commune"]


def test_a_unit_sees_its_few_organisations_listed_without_a_search_box(
    as_head: Client, period: ReportPeriod
) -> None:
    html = as_head.get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert options(html) == ["Sở Tư pháp (H56.02)"]
    assert 'name="org_q"' not in html


def test_a_choice_outside_ones_scope_is_refused_clearly_keeping_the_search(
    as_head: Client, period: ReportPeriod, province: Any
) -> None:
    response = as_head.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["commune"].pk, "org_q": "an binh"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?org_q=an+binh#report-create")
    html = as_head.get(response["Location"]).content.decode()
    assert "Bạn không lập được báo cáo kỳ này cho cơ quan đã chọn" in html
    assert not OrganisationReport.objects.filter(period=period).exists()
    for bad in ("abc", ""):
        response = as_head.post(
            reverse("reporting:report_create", args=[period.pk]), {"organisation": bad}
        )
        assert response.status_code == 302
        assert not OrganisationReport.objects.filter(period=period).exists()
    assert "Vui lòng nhập thông tin này" in as_head.get(response["Location"]).content.decode()


def test_a_viewer_may_not_draft_and_has_no_chooser(
    as_viewer: Client, period: ReportPeriod, province: Any
) -> None:
    html = as_viewer.get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert 'name="organisation"' not in html
    response = as_viewer.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["dept_justice"].pk},
    )
    assert response.status_code == 403
    assert not OrganisationReport.objects.exists()


def test_another_provinces_officer_gets_404_searching_or_drafting(
    period: ReportPeriod, province: Any
) -> None:
    other = org_services.create_organisation(
        actor=None, code="T01", name="Ủy ban nhân dân tỉnh Khác", kind=kind("province_pc")
    )
    stranger = client_for(make_user("stranger", Role.HOME_AFFAIRS, other))
    url = reverse("reporting:period", args=[period.pk])
    assert stranger.get(url, {"org_q": "tu phap"}).status_code == 404
    response = stranger.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["dept_justice"].pk},
    )
    assert response.status_code == 404
    assert not OrganisationReport.objects.exists()
