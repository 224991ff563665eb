"""The home page's work list, reporting's part: reports owed, and reports to review."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.api.tests.test_reports_api import make_period, make_report
from congvu.conftest import make_user
from congvu.core import worklist
from congvu.organisations.models import Organisation
from congvu.reporting.models import OrganisationReport


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def test_a_focal_point_is_told_of_the_report_their_organisation_owes_until_it_is_filed(
    province: dict[str, Organisation], officer: User
) -> None:
    period = make_period(province["root"])
    focal = make_user("focal", Role.FOCAL_POINT, province["dept_justice"])

    item = work_of(focal)["reporting.reports_to_submit"]
    assert item.count == 1
    assert item.entries[0].url == f"/reports/periods/{period.pk}/"
    assert "Sở Tư pháp" in item.entries[0].text and period.name in item.entries[0].text
    # Home Affairs writes no one else's report.
    assert "reporting.reports_to_submit" not in work_of(officer)

    report = make_report(period, province["dept_justice"])
    assert work_of(focal)["reporting.reports_to_submit"].count == 1  # a draft is still owed
    report.status = OrganisationReport.Status.SUBMITTED
    report.save(update_fields=["status"])
    assert "reporting.reports_to_submit" not in work_of(focal)
    # …and it now waits for the compiling side.
    review = work_of(officer)["reporting.reports_to_review"]
    assert review.entries[0].url == f"/reports/{report.pk}/"


def test_a_report_past_its_deadline_is_overdue(province: dict[str, Organisation]) -> None:
    period = make_period(province["root"])
    period.due_on = timezone.localdate() - dt.timedelta(days=1)
    period.save(update_fields=["due_on"])
    focal = make_user("focal", Role.FOCAL_POINT, province["commune"])

    item = work_of(focal)["reporting.reports_overdue"]
    assert (item.count, item.urgency) == (1, worklist.OVERDUE)
    assert item.entries[0].due_on == period.due_on
