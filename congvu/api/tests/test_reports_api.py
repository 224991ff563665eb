"""Reporting periods and organisations' periodic reports through /api/v1/."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport, ReportPeriod

PERIODS = "/api/v1/report-periods"
REPORTS = "/api/v1/reports"


@pytest.fixture
def site_urls(settings: Any) -> None:
    """The whole site's URLs: the workflow links its notifications to the report page."""
    settings.ROOT_URLCONF = "config.urls"


def make_period(issuer: Organisation, name: str = "Báo cáo năm 2099") -> ReportPeriod:
    # Far in the future so that nothing is late and the period is open.
    return services.create_period(
        actor=None,
        issuing_organisation=issuer,
        name=name,
        kind=ReportPeriod.Kind.YEARLY,
        covers_from=dt.date(2025, 1, 1),
        covers_to=dt.date(2099, 11, 15),
        due_on=dt.date(2099, 11, 15),
        reporting_kinds=OrganisationKind.objects.filter(code__in=["department", "commune_pc"]),
    )


def make_report(
    period: ReportPeriod, organisation: Organisation, **extra: Any
) -> OrganisationReport:
    return OrganisationReport.objects.create(
        period=period, organisation=organisation, organisation_name=organisation.name, **extra
    )


@pytest.fixture
def period(province: dict[str, Organisation]) -> ReportPeriod:
    return make_period(province["root"])


@pytest.fixture
def report(period: ReportPeriod, province: dict[str, Organisation]) -> OrganisationReport:
    return make_report(period, province["dept_justice"])


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- reads --------------------------------------------------------------------------------


def test_everyone_in_the_province_sees_its_periods(
    api_officer: Client, api_outsider: Client, period: ReportPeriod
) -> None:
    for client in (api_officer, api_outsider):
        response = client.get(PERIODS)
        assert ids(response) == [period.pk]
    body = api_officer.get(f"{PERIODS}/{period.pk}").json()
    assert body["due_on"] == "2099-11-15"
    assert body["reporting_kinds"] == ["commune_pc", "department"]
    assert body["issuing_organisation"]["code"] == "H56"
    assert ids(api_officer.get(PERIODS, {"status": "closed"})) == []


def test_a_period_issued_elsewhere_is_404(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    theirs = make_period(province["dept_justice"], "Báo cáo riêng của Sở Tư pháp")
    assert api_outsider.get(f"{PERIODS}/{theirs.pk}").status_code == 404


def test_officer_lists_reports_with_filters(
    api_officer: Client,
    period: ReportPeriod,
    report: OrganisationReport,
    province: dict[str, Organisation],
) -> None:
    commune = make_report(period, province["commune"], status="submitted", is_late=True)
    assert ids(api_officer.get(REPORTS)) == [report.pk, commune.pk]
    assert ids(api_officer.get(REPORTS, {"status": "submitted"})) == [commune.pk]
    assert ids(api_officer.get(REPORTS, {"late": "true"})) == [commune.pk]
    justice = province["dept_justice"].pk
    assert ids(api_officer.get(REPORTS, {"organisation": justice})) == [report.pk]
    assert ids(api_officer.get(REPORTS, {"period": period.pk})) == [report.pk, commune.pk]


def test_outsider_gets_404_for_another_organisations_report(
    api_outsider: Client, report: OrganisationReport
) -> None:
    assert ids(api_outsider.get(REPORTS)) == []
    assert api_outsider.get(f"{REPORTS}/{report.pk}").status_code == 404


def test_a_role_without_plan_view_gets_403(staff_user: User, report: OrganisationReport) -> None:
    client = client_for(staff_user)
    assert client.get(REPORTS).status_code == 403
    assert client.get(f"{REPORTS}/{report.pk}").status_code == 403


def test_anonymous_callers_get_401(anonymous: Client, report: OrganisationReport) -> None:
    for url in (PERIODS, REPORTS, f"{REPORTS}/{report.pk}"):
        assert anonymous.get(url).status_code == 401, url
    assert anonymous.post(f"{REPORTS}/{report.pk}/submit").status_code == 401


# --- writes -------------------------------------------------------------------------------


def test_head_drafts_edits_and_submits_their_report(
    api_head: Client, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    justice = {"organisation": province["dept_justice"].pk}
    created = api_head.post(
        f"{PERIODS}/{period.pk}/reports", justice, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft"
    assert "values" in draft["indicators"]
    again = api_head.post(
        f"{PERIODS}/{period.pk}/reports", justice, content_type="application/json"
    )
    assert again.status_code == 200
    assert again.json()["id"] == draft["id"]

    url = f"{REPORTS}/{draft['id']}"
    empty = api_head.post(f"{url}/submit")
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["loc"] == ["body", "results"]

    edited = api_head.patch(
        url,
        {"results": "Đã quán triệt đến 100% cán bộ", "number": "15/BC-STP"},
        content_type="application/json",
    )
    assert edited.status_code == 200, edited.content
    assert (edited.json()["results"], edited.json()["number"]) == (
        "Đã quán triệt đến 100% cán bộ",
        "15/BC-STP",
    )
    submitted = api_head.post(f"{url}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["is_late"] is False
    assert submitted.json()["submitted_by"]["full_name"] == "head"
    # A submitted report is no longer editable.
    assert api_head.patch(url, {"results": "x"}, content_type="application/json").status_code == 422


def test_a_division_or_an_organisation_outside_the_period_cannot_report(
    api_officer: Client, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    response = api_officer.post(
        f"{PERIODS}/{period.pk}/reports",
        {"organisation": province["division_justice"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "organisation"]


def test_viewer_gets_403_drafting_or_submitting(
    api_viewer: Client, period: ReportPeriod, report: OrganisationReport
) -> None:
    response = api_viewer.post(
        f"{PERIODS}/{period.pk}/reports",
        {"organisation": report.organisation_id},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert api_viewer.post(f"{REPORTS}/{report.pk}/submit").status_code == 403
    edit = api_viewer.patch(
        f"{REPORTS}/{report.pk}", {"results": "x"}, content_type="application/json"
    )
    assert edit.status_code == 403


def test_outsider_gets_404_drafting_for_another_organisation(
    api_outsider: Client, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    response = api_outsider.post(
        f"{PERIODS}/{period.pk}/reports",
        {"organisation": province["dept_justice"].pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_officer_returns_a_report_with_comments_then_accepts_it(
    api_officer: Client, api_head: Client, report: OrganisationReport, site_urls: None
) -> None:
    url = f"{REPORTS}/{report.pk}"
    api_head.patch(url, {"results": "Kết quả"}, content_type="application/json")
    assert api_head.post(f"{url}/submit").status_code == 200

    no_comment = api_officer.post(
        f"{url}/decision", {"decision": "return"}, content_type="application/json"
    )
    assert no_comment.status_code == 422
    returned = api_officer.post(
        f"{url}/decision",
        {"decision": "return", "comments": "Bổ sung số liệu quý IV"},
        content_type="application/json",
    )
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["reviewer_comments"] == "Bổ sung số liệu quý IV"

    assert api_head.post(f"{url}/submit").status_code == 200
    accepted = api_officer.post(
        f"{url}/decision", {"decision": "accept"}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    # Accepted is final.
    final = api_officer.post(
        f"{url}/decision", {"decision": "accept"}, content_type="application/json"
    )
    assert final.status_code == 422


def test_the_reporting_head_gets_403_reviewing_their_own_report(
    api_head: Client, report: OrganisationReport
) -> None:
    response = api_head.post(
        f"{REPORTS}/{report.pk}/decision", {"decision": "accept"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_officer_opens_a_period_and_others_may_not(
    api_officer: Client, api_head: Client, api_viewer: Client, province: dict[str, Organisation]
) -> None:
    body = {
        "issuing_organisation": province["root"].pk,
        "name": "Báo cáo 6 tháng đầu năm 2026",
        "kind": "half_year",
        "covers_from": "2026-01-01",
        "covers_to": "2026-06-30",
        "due_on": "2026-07-10",
        "reporting_kinds": ["department"],
    }
    assert api_viewer.post(PERIODS, body, content_type="application/json").status_code == 404
    own = body | {"issuing_organisation": province["dept_justice"].pk}
    assert api_head.post(PERIODS, own, content_type="application/json").status_code == 403
    response = api_officer.post(PERIODS, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reporting_kinds"] == ["department"]
    assert response.json()["place"] == "Hưng Yên"
    reversed_dates = body | {"name": "Sai ngày", "covers_to": "2025-12-31"}
    bad = api_officer.post(PERIODS, reversed_dates, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "covers_to"]


def test_officer_closes_a_period_and_drafting_is_then_refused(
    api_officer: Client, api_head: Client, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    url = f"{PERIODS}/{period.pk}/status"
    closed = api_officer.post(url, {"status": "closed"}, content_type="application/json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    response = api_head.post(
        f"{PERIODS}/{period.pk}/reports",
        {"organisation": province["dept_justice"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert (
        api_head.post(url, {"status": "open"}, content_type="application/json").status_code == 403
    )
