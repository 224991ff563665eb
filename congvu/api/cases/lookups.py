"""Lookups shared by the cases endpoints (these and `case_handling`, `case_bulk`,
`case_documents`): the caller's cases, one case by its code, the list's filters, and
the clauses and the rest of what a report says (an officer's intake or a citizen's
report).

The scope is `cases.selectors.handler_cases` (handled in or about the caller's
organisations, never a case about themselves): a case outside it is a 404 whether it
exists or not, one inside the scope without the permission a 403.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import selectors, services, unattended
from congvu.cases.models import Case
from congvu.conduct.models import Clause
from congvu.organisations.models import Organisation, StaffMember

from ..plans import get_organisation
from .schemas import CaseFilters


def cases_of(user: User) -> QuerySet[Case]:
    return unattended.flag(
        selectors.handler_cases(user)
        .select_related(
            "organisation", "handling_organisation", "subject_staff", "main_case", "assignee"
        )
        .prefetch_related("tags")
    )


def _assignee_filter(user: User, value: str | None) -> int | None:
    if value == "me":
        return int(user.pk)
    return int(value) if value and value.isdigit() else None


def get_case(user: User, code: str) -> Case:
    """The case `code` in the caller's scope: 403 when its organisations are visible to the
    caller without CASE_VIEW, else 404 (unknown, out of scope, or about the caller)."""
    code = code.strip().upper()
    case = cases_of(user).filter(code=code).first()
    if case is not None:
        return case
    other = (
        Case.objects.select_related("handling_organisation")
        .filter(code=code)
        .exclude(subject_staff__user=user)
        .first()
    )
    if other is not None:
        access.require(user, Perm.CASE_VIEW, other.handling_organisation)
    raise Http404


def filtered_cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The caller's cases matching `filters` (an organisation out of scope: 404 / 403)."""
    organisation = (
        get_organisation(user, Perm.CASE_VIEW, filters.organisation)
        if filters.organisation is not None
        else None
    )
    qs = selectors.filter_cases(
        cases_of(user),
        selectors.CaseFilters(
            track=filters.track or "",
            organisation=organisation,
            due="overdue" if filters.overdue else "",
            assignee_id=_assignee_filter(user, filters.assigned_to),
            unassigned=filters.assigned_to == "none",
            tag=filters.tag or "",
            discipline_proposed=filters.discipline == "proposed",
            q=filters.q or "",
        ),
        today=timezone.localdate(),
    )
    if filters.unattended is not None:
        nobody = unattended.only(Case.objects.all()).values("pk")
        qs = unattended.only(qs) if filters.unattended else qs.exclude(pk__in=nobody)
    if filters.overdue is False:
        qs = qs.exclude(selectors.overdue_q(timezone.localdate()))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return qs


def known_clauses(ids: list[int]) -> list[int]:
    """`ids` without repeats, in order; an unknown clause is a 422 on `clause_ids`."""
    found = set(Clause.objects.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"clause_ids": f"Không tìm thấy chuẩn mực: {missing}. / Unknown clauses: {missing}."}
        )
    return list(dict.fromkeys(ids))


def report_input(
    payload: Any,
    *,
    channel: str,
    subject_staff: StaffMember | None,
    organisation: Organisation | None,
) -> services.ReportInput:
    """What an officer's intake or a citizen's report says, for `services` (both bodies
    carry the same fields but the channel and whom the report names)."""
    return services.ReportInput(
        track=payload.track,
        channel=channel,
        subject_staff=subject_staff,
        organisation=organisation,
        subject_description=payload.subject_description,
        clause_ids=known_clauses(payload.clause_ids),
        other_standard=payload.other_standard,
        occurred_on=payload.occurred_on,
        occurred_place=payload.occurred_place,
        description=payload.description,
        is_anonymous=payload.is_anonymous,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        reporter_email=payload.reporter_email,
    )
