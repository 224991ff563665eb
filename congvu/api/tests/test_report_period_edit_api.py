"""Editing a reporting period through /api/v1/: `PATCH /report-periods/{id}` with the
page's rules, and the due date's history in the period's GET."""

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from congvu.accounts.models import Role, User
from congvu.api.tests.conftest import bearer
from congvu.conftest import make_user
from congvu.core.models import Notification
from congvu.organisations.models import Organisation
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport, ReportPeriod, ReportPeriodDueChange

from .test_reports_api import PERIODS, make_period, make_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site_urls(settings: Any) -> None:
    """The whole site's URLs: a notice of the new due date links to the period's page."""
    settings.ROOT_URLCONF = "config.urls"


@pytest.fixture
def period(province: dict[str, Organisation]) -> ReportPeriod:
    return make_period(province["root"])


def patch(client: Client, period: ReportPeriod, body: Any, **headers: Any) -> Any:
    return client.patch(f"{PERIODS}/{period.pk}", body, content_type="application/json", **headers)


def test_home_affairs_extends_a_period_and_its_get_shows_the_history(
    api_officer: Client, officer: User, head: User, period: ReportPeriod
) -> None:
    assert api_officer.get(f"{PERIODS}/{period.pk}").json()["due_changes"] == []
    response = patch(
        api_officer,
        period,
        {"due_on": "2099-11-30", "reason": "Gia hạn theo Công văn 12", "number": "120/BC-SNV"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["due_on"], body["number"], body["name"]) == (
        "2099-11-30",
        "120/BC-SNV",
        "Báo cáo năm 2099",
    )
    [change] = api_officer.get(f"{PERIODS}/{period.pk}").json()["due_changes"]
    assert (change["old_due_on"], change["new_due_on"], change["reason"]) == (
        "2099-11-15",
        "2099-11-30",
        "Gia hạn theo Công văn 12",
    )
    assert change["changed_by"]["id"] == officer.pk
    # The head of Sở Tư pháp, which has not reported, is told.
    assert Notification.objects.filter(user=head).count() == 1


def test_a_new_due_date_without_a_reason_is_422_and_nothing_changes(
    api_officer: Client, period: ReportPeriod
) -> None:
    response = patch(api_officer, period, {"due_on": "2099-11-30", "name": "Tên mới"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "reason"]
    assert "Say why the due date changes." in detail[0]["msg"]
    period.refresh_from_db()
    assert (period.due_on, period.name) == (dt.date(2099, 11, 15), "Báo cáo năm 2099")
    assert not ReportPeriodDueChange.objects.exists()


def test_removing_a_kind_an_organisation_reported_under_is_422_naming_it(
    api_officer: Client, period: ReportPeriod, province: dict[str, Organisation]
) -> None:
    make_report(period, province["commune"], status=OrganisationReport.Status.SUBMITTED)
    response = patch(api_officer, period, {"reporting_kinds": ["department"]})
    assert response.status_code == 422
    assert "Ủy ban nhân dân xã An Bình" in response.json()["detail"][0]["msg"]
    unknown = patch(api_officer, period, {"reporting_kinds": ["nope"]})
    assert unknown.status_code == 422
    added = patch(
        api_officer, period, {"reporting_kinds": ["commune_pc", "department", "province_pc"]}
    )
    assert added.status_code == 200
    assert added.json()["reporting_kinds"] == ["commune_pc", "department", "province_pc"]


def test_an_edit_over_someone_elses_is_412_with_if_match(
    api_officer: Client, officer: User, period: ReportPeriod
) -> None:
    tag = api_officer.get(f"{PERIODS}/{period.pk}")["ETag"]
    services.update_period(period, actor=officer, signer_name="Trần Thị Bình")
    response = patch(api_officer, period, {"number": "1/BC"}, HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    period.refresh_from_db()
    assert period.number == ""
    fresh = api_officer.get(f"{PERIODS}/{period.pk}")["ETag"]
    assert patch(api_officer, period, {"number": "1/BC"}, HTTP_IF_MATCH=fresh).status_code == 200


def test_an_outsider_gets_404_and_those_who_report_get_403(
    api_outsider: Client,
    api_head: Client,
    api_viewer: Client,
    period: ReportPeriod,
    province: dict[str, Organisation],
) -> None:
    theirs = make_period(province["dept_justice"], "Báo cáo riêng của Sở Tư pháp")
    assert patch(api_outsider, theirs, {"number": "1/BC"}).status_code == 404
    focal = bearer(make_user("focal", Role.FOCAL_POINT, province["dept_justice"]))
    for client in (api_head, api_viewer, focal):
        assert patch(client, period, {"number": "1/BC"}).status_code == 403
    period.refresh_from_db()
    assert period.number == ""
