"""The life of an organisation's report, as a table.

    draft ──submit──▶ submitted ──accept──▶ accepted
                        │   ▲
                 return │   │ submit again
                        ▼   │
                      returned

The organisation (head or focal point: REPORT_SUBMIT) submits; the issuing
side (Home Affairs: PLAN_MANAGE on the period's issuing organisation) returns
with comments or accepts. An accepted report is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core.notices import Message, notify

from . import indicators, notices
from .models import OrganisationReport

S = OrganisationReport.Status

ALLOWED: Final[Mapping[str, frozenset[str]]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.RETURNED, S.ACCEPTED}),
    S.RETURNED: frozenset({S.SUBMITTED}),
    S.ACCEPTED: frozenset(),
}

# Who may move a report *into* each state, and on which organisation.
BY_REPORTER: Final = frozenset({S.SUBMITTED})
BY_REVIEWER: Final = frozenset({S.RETURNED, S.ACCEPTED})

ACTIONS: Final[Mapping[str, str]] = {
    S.SUBMITTED: "report.submit",
    S.RETURNED: "report.return",
    S.ACCEPTED: "report.accept",
}


class TransitionNotAllowed(ValidationError):
    pass


def require_reporter(actor: Any, report: OrganisationReport) -> None:
    access.require(actor, Perm.REPORT_SUBMIT, report.organisation)


def require_reviewer(actor: Any, report: OrganisationReport) -> None:
    """PLAN_MANAGE on the period's issuing organisation (the province: Home Affairs).

    Someone who sees the report but does not hold the province gets 403, others 404.
    """
    if access.can(actor, Perm.PLAN_MANAGE, report.period.issuing_organisation):
        return
    access.require(actor, Perm.ORG_VIEW, report.organisation)
    raise PermissionDenied


def may(actor: Any, report: OrganisationReport, to: str) -> bool:
    """Would `transition(report, to, actor=actor)` pass the permission check?"""
    if to in BY_REPORTER:
        return access.can(actor, Perm.REPORT_SUBMIT, report.organisation)
    return access.can(actor, Perm.PLAN_MANAGE, report.period.issuing_organisation)


def next_states(actor: Any, report: OrganisationReport) -> list[str]:
    """The moves the page offers this user: allowed by the table and by their role."""
    return [to for to in sorted(ALLOWED[report.status]) if may(actor, report, to)]


def _notify(report: OrganisationReport, message: Message, note: str) -> None:
    if report.submitted_by_id is None:
        return
    notify(
        report.submitted_by_id,
        kind=f"report.{report.status}",
        key=message.key,
        params={"period": report.period.name, "note": note},
        url=reverse("reporting:report", args=[report.pk]),
    )


@transaction.atomic
def transition(
    report: OrganisationReport, to: str, *, actor: Any, note: str = ""
) -> OrganisationReport:
    """Move `report` to `to`, recording who did it and why."""
    report = (
        OrganisationReport.objects.select_for_update()
        .select_related("period", "period__issuing_organisation", "organisation")
        .get(pk=report.pk)
    )
    if to in BY_REPORTER:
        require_reporter(actor, report)
    else:
        require_reviewer(actor, report)
    if to not in ALLOWED[report.status]:
        raise TransitionNotAllowed(
            _("Không thể chuyển báo cáo từ “%(from)s” sang “%(to)s”. / Not allowed.")
            % {"from": S(report.status).label, "to": S(to).label},
            code="transition",
        )
    note = note.strip()
    now = timezone.now()
    previous = report.status
    if to == S.SUBMITTED:
        if not report.period.is_open:
            raise ValidationError(
                _("Kỳ báo cáo đã đóng. / The reporting period is closed."), code="closed"
            )
        report.indicators = indicators.compute_one(report.period, report.organisation_id)
        report.indicators_computed_at = now
        report.submitted_at = now
        report.submitted_by = actor
        if report.first_submitted_at is None:
            # Lateness is judged on the first submission: a report returned for more
            # detail and sent again after the deadline was still filed on time.
            report.first_submitted_at = now
            report.is_late = timezone.localdate(now) > report.period.due_on
    else:
        if to == S.RETURNED and not note:
            raise ValidationError(
                {
                    "comments": _(
                        "Vui lòng ghi rõ nội dung cần bổ sung, chỉnh sửa. / "
                        "Please say what needs to change."
                    )
                }
            )
        report.reviewer_comments = note
        report.reviewed_by = actor
        report.reviewed_at = now
    report.status = to
    report.save()
    with in_record_language():
        record(
            ACTIONS[to],
            actor=actor,
            obj=report,
            organisation=report.organisation,
            summary=f"{report.organisation_name}: {S(previous).label} → {S(to).label}",
            data={"from": previous, "to": to, "note": note, "late": report.is_late},
        )
    if to == S.RETURNED:
        _notify(report, notices.RETURNED, note)
    elif to == S.ACCEPTED:
        _notify(report, notices.ACCEPTED, note)
    return report
