from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from congvu.audit.models import AuditEvent
from congvu.core.models import Notification
from congvu.reporting import services, workflow
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db

S = OrganisationReport.Status
ILLEGAL = [
    (source, target)
    for source in S.values
    for target in S.values
    if target not in workflow.ALLOWED[source]
]


def test_the_yearly_period_is_due_on_15_november_and_covers_the_year_before(
    province: Any,
) -> None:
    period = services.ensure_yearly_period(2026, issuing_organisation=province["root"])
    assert period.name == "Báo cáo kết quả thực hiện văn hóa công vụ năm 2026"
    assert period.due_on == dt.date(2026, 11, 15)
    assert period.covers_from == dt.date(2025, 11, 16)
    assert period.covers_to == dt.date(2026, 11, 15)
    assert period.place == "Hưng Yên"
    assert period.compiling_organisation == province["dept_home"]
    assert {k.code for k in period.reporting_kinds.all()} == {
        "department",
        "commune_pc",
        "public_service_unit",
    }
    assert services.ensure_yearly_period(2026, issuing_organisation=province["root"]) == period


def test_the_yearly_due_date_is_configurable(province: Any) -> None:
    period = services.ensure_yearly_period(
        2027, issuing_organisation=province["root"], due_month=12, due_day=10
    )
    assert period.due_on == dt.date(2027, 12, 10)
    assert period.covers_from == dt.date(2026, 12, 11)


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused(
    draft: OrganisationReport, officer: Any, head: Any, source: str, target: str
) -> None:
    OrganisationReport.objects.filter(pk=draft.pk).update(status=source)
    actor = head if target in workflow.BY_REPORTER else officer
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(draft, target, actor=actor, note="ghi chú")
    draft.refresh_from_db()
    assert draft.status == source


def test_a_report_goes_from_draft_to_accepted_through_a_return(
    draft: OrganisationReport, officer: Any, head: Any
) -> None:
    report = services.submit_report(draft, actor=head)
    assert report.status == S.SUBMITTED
    report = services.return_report(report, actor=officer, comments="Bổ sung số liệu quý IV.")
    assert report.status == S.RETURNED
    assert report.reviewer_comments == "Bổ sung số liệu quý IV."
    report = services.edit_report(report, actor=head, results="Đã bổ sung.")
    report = services.submit_report(report, actor=head)
    report = services.accept_report(report, actor=officer)
    assert report.status == S.ACCEPTED
    actions = list(
        AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True)
    )
    assert actions.count("report.submit") == 2
    assert "report.return" in actions and "report.accept" in actions
    titles = list(Notification.objects.filter(user=head).values_list("title", flat=True))
    assert any("trả lại" in t for t in titles) and any("tiếp nhận" in t for t in titles)


def test_a_submission_after_the_due_date_is_marked_late(
    draft: OrganisationReport, head: Any
) -> None:
    ReportPeriod.objects.filter(pk=draft.period_id).update(due_on=dt.date(2020, 1, 1))
    report = services.submit_report(draft, actor=head)
    assert report.is_late is True


def test_a_submission_before_the_due_date_is_not_late(draft: OrganisationReport, head: Any) -> None:
    ReportPeriod.objects.filter(pk=draft.period_id).update(due_on=dt.date(2999, 1, 1))
    assert services.submit_report(draft, actor=head).is_late is False


def test_a_report_returned_and_sent_again_keeps_its_first_submission_on_time(
    draft: OrganisationReport, head: Any, officer: Any
) -> None:
    ReportPeriod.objects.filter(pk=draft.period_id).update(due_on=dt.date(2999, 1, 1))
    report = services.submit_report(draft, actor=head)
    report = services.return_report(report, actor=officer, comments="Bổ sung.")
    ReportPeriod.objects.filter(pk=draft.period_id).update(due_on=dt.date(2020, 1, 1))
    assert services.submit_report(report, actor=head).is_late is False


def test_returning_without_comments_is_refused(
    draft: OrganisationReport, head: Any, officer: Any
) -> None:
    report = services.submit_report(draft, actor=head)
    with pytest.raises(ValidationError):
        services.return_report(report, actor=officer, comments="  ")


def test_a_report_without_results_cannot_be_submitted(draft: OrganisationReport, head: Any) -> None:
    report = services.edit_report(draft, actor=head, results="")
    with pytest.raises(ValidationError):
        services.submit_report(report, actor=head)


def test_the_head_cannot_accept_their_own_report(
    draft: OrganisationReport, head: Any, viewer: Any, outsider: Any
) -> None:
    report = services.submit_report(draft, actor=head)
    with pytest.raises(PermissionDenied):
        services.accept_report(report, actor=head)
    with pytest.raises(PermissionDenied):
        services.accept_report(report, actor=viewer)
    with pytest.raises(Http404):
        services.accept_report(report, actor=outsider)


def test_a_viewer_cannot_edit_or_submit(draft: OrganisationReport, viewer: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.edit_report(draft, actor=viewer, results="x")
    with pytest.raises(PermissionDenied):
        services.submit_report(draft, actor=viewer)


def test_a_closed_period_takes_no_more_reports(
    period: ReportPeriod, province: Any, head: Any, officer: Any
) -> None:
    services.set_period_status(period, actor=officer, status=ReportPeriod.Status.CLOSED)
    period.refresh_from_db()
    with pytest.raises(ValidationError):
        services.create_report(period, organisation=province["dept_justice"], actor=head)


def test_divisions_do_not_report(period: ReportPeriod, province: Any, head: Any) -> None:
    with pytest.raises(ValidationError):
        services.create_report(period, organisation=province["division_justice"], actor=head)


def test_decisions_taken_in_english_are_logged_in_vietnamese(
    draft: OrganisationReport, officer: Any, head: Any
) -> None:
    # The summary is permanent and hash-chained: it must not depend on who clicked.
    with translation.override("en"):
        report = services.submit_report(draft, actor=head)
        services.accept_report(report, actor=officer)
    summaries = list(
        AuditEvent.objects.filter(
            object_id=str(report.pk), action__in=["report.submit", "report.accept"]
        )
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    name = report.organisation_name
    assert summaries == [f"{name}: Dự thảo → Đã nộp", f"{name}: Đã nộp → Đã tiếp nhận"]
