"""The demo's yearly report, as the demo users meet it: Home Affairs has a report to
review and one accepted, the commune's focal point a draft to finish."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.conftest import client_for, make_user
from congvu.organisations.models import Organisation
from congvu.reporting.demo import load_demo_reports
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db

S = OrganisationReport.Status


def test_the_demo_opens_this_years_period_with_an_accepted_a_waiting_and_a_draft_report(
    province: dict[str, Organisation],
) -> None:
    officer = make_user("noivu", Role.HOME_AFFAIRS, province["root"])
    head = make_user("giamdoc", Role.HEAD, province["dept_justice"])
    focal = make_user("daumoi", Role.FOCAL_POINT, province["commune"])

    period = load_demo_reports(province["root"])

    assert period is not None
    today = timezone.localdate()
    assert period.name.endswith(f"năm {today.year}")
    # Never opened already overdue, whatever day the demo is built.
    assert period.due_on >= today
    statuses = {r.organisation_id: r.status for r in period.reports.all()}
    assert statuses == {
        province["dept_justice"].pk: S.ACCEPTED,
        province["dept_home"].pk: S.SUBMITTED,
        province["commune"].pk: S.DRAFT,
    }
    accepted = period.reports.get(status=S.ACCEPTED)
    assert accepted.submitted_by == head and accepted.first_submitted_at is not None
    assert "4 xin, 4 luôn" in accepted.shortcomings_and_causes

    # Home Affairs sees the period's progress and has the waiting report to review.
    page = client_for(officer).get(reverse("reporting:period", args=[period.pk]))
    assert page.status_code == 200
    waiting = period.reports.get(status=S.SUBMITTED)
    review = client_for(officer).get(reverse("reporting:report", args=[waiting.pk]))
    assert reverse("reporting:report_review", args=[waiting.pk]) in review.content.decode()
    # The focal point finds the draft and may still submit it.
    draft = period.reports.get(status=S.DRAFT)
    mine = client_for(focal).get(reverse("reporting:report", args=[draft.pk])).content.decode()
    assert "hội nghị phổ biến quy tắc ứng xử" in mine
    assert reverse("reporting:report_submit", args=[draft.pk]) in mine
    # Written through the services: audited, the chain intact.
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_without_users_the_demo_opens_no_period(province: dict[str, Organisation]) -> None:
    assert load_demo_reports(province["root"]) is None
    assert not ReportPeriod.objects.exists()
