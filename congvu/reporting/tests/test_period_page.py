"""A period's page lists its organisations a page at a time, filtered by state; the
summary, the totals and the exports still count every organisation."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role
from congvu.conftest import client_for, kind, make_user
from congvu.organisations import services as org_services
from congvu.reporting import selectors, services, views
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def short_pages(monkeypatch: Any) -> None:
    """Three organisations report in the fixture province: two a page, one name listed."""
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(views, "NOT_SUBMITTED_SHOWN", 1)


def listed(response: Any) -> list[str]:
    return [row.organisation.name for row in response.context["page"]]


def test_the_rows_come_a_page_at_a_time_with_the_whole_provinces_totals(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    url = reverse("reporting:period", args=[period.pk])
    first, second = as_officer.get(url), as_officer.get(url, {"page": "2"})
    assert listed(first) == ["Sở Nội vụ", "Sở Tư pháp"]
    assert listed(second) == ["Ủy ban nhân dân xã An Bình"]
    whole = selectors.compile_period(period)
    for response in (first, second):
        html = response.content.decode()
        assert "Đã nộp 0/3 cơ quan, đơn vị" in html
        assert "3 cơ quan, đơn vị" in html
        assert response.context["compilation"].totals == whole.totals
    assert "Trang 1/2" in first.content.decode() and "?page=2" in first.content.decode()


def test_the_state_filter_lists_only_those_rows_and_keeps_itself_across_pages(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    url = reverse("reporting:period", args=[period.pk])
    drafts = as_officer.get(url, {"state": "draft"})
    assert listed(drafts) == ["Sở Tư pháp"]
    assert 'value="draft" selected' in drafts.content.decode()
    not_filed = as_officer.get(url, {"state": "not_filed"})
    assert not_filed.context["page"].paginator.count == 3
    assert "?state=not_filed&amp;page=2" in not_filed.content.decode()
    assert listed(as_officer.get(url, {"state": "accepted"})) == []


def test_an_unknown_state_is_said_and_every_row_listed(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    response = as_officer.get(reverse("reporting:period", args=[period.pk]), {"state": "x"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in response.content.decode()
    assert response.context["page"].paginator.count == 3


def test_the_not_submitted_list_names_a_few_and_links_to_all(
    as_officer: Client, period: ReportPeriod
) -> None:
    html = as_officer.get(reverse("reporting:period", args=[period.pk])).content.decode()
    assert "Xem cả 3 cơ quan, đơn vị chưa nộp" in html
    assert 'href="?state=not_filed#h-organisations"' in html


def test_the_export_lists_every_organisation_whatever_the_page(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    response = as_officer.get(
        reverse("reporting:period_export", args=[period.pk, "xlsx"]), {"page": "2"}
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert {"Sở Nội vụ", "Sở Tư pháp", "Ủy ban nhân dân xã An Bình"} <= cells


def test_a_head_pages_through_their_own_rows_and_may_not_export(
    as_head: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    response = as_head.get(reverse("reporting:period", args=[period.pk]))
    assert response.status_code == 200
    assert listed(response) == ["Sở Tư pháp"]
    export = reverse("reporting:period_export", args=[period.pk, "xlsx"])
    assert as_head.get(export).status_code == 403


def test_the_period_of_another_province_is_404(period: ReportPeriod) -> None:
    other = org_services.create_organisation(
        actor=None, code="T01", name="Ủy ban nhân dân tỉnh Khác", kind=kind("province_pc")
    )
    stranger = client_for(make_user("stranger", Role.HOME_AFFAIRS, other))
    url = reverse("reporting:period", args=[period.pk])
    assert stranger.get(url).status_code == 404
    assert stranger.get(url, {"state": "draft", "page": "2"}).status_code == 404


def test_a_submitted_report_is_found_by_its_state(
    as_officer: Client, head: Any, draft: OrganisationReport, period: ReportPeriod
) -> None:
    services.submit_report(draft, actor=head)
    url = reverse("reporting:period", args=[period.pk])
    assert listed(as_officer.get(url, {"state": "submitted"})) == ["Sở Tư pháp"]
