"""The officer a case is given to (cán bộ được giao xử lý): assign, reassign, unassign.

The head of the handling organisation (CASE_ASSIGN there, `accounts.access`) gives a
case to one user who may handle cases there (CASE_HANDLE through a grant on the
handling organisation or above it), never to the staff member the case is about.
Replacing someone needs a reason. Every change is a timeline entry for the handlers
only (the reporter and the staff member concerned never learn who handles the case)
and the new assignee gets an in-app notification once the change is committed.

Eligibility is read at the moment it matters, not copied: a handler who loses their
role (grant revoked, account deactivated) keeps the assignment on record, but no
longer sees the case (their scope is gone with the role), and the case shows as
needing reassignment (`stale_pairs`) and counts as unassigned in the filters.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core.text import bounded
from congvu.organisations.models import Organisation

from . import history, notices, timeline
from .models import Case, CaseEvent
from .visibility import require_handler

K = CaseEvent.Kind
A = CaseEvent.Audience
REASON_MAX: Final = 2000


def eligible(case: Case) -> QuerySet[User]:
    """The users `case` may be given to: CASE_HANDLE on its handling organisation, not
    the staff member it is about (nobody handles a case about themselves)."""
    users = access.holders(Perm.CASE_HANDLE, case.handling_organisation)
    if case.subject_staff_id is not None:
        users = users.exclude(staff_member__pk=case.subject_staff_id)
    return users.order_by("full_name", "username")


def _name(user: User) -> str:
    return str(user)


def _notify_assignee(case: Case, user_id: int) -> None:
    """The one place a case's assignee is notified, after the commit."""
    notices.after_commit(
        user_id, notices.ASSIGNED, case, kind="case_assigned", url=f"/cases/{case.code}/"
    )


def _locked(case: Case, actor: Any) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation", "assignee")
        .get(pk=case.pk)
    )
    require_handler(actor, case, Perm.CASE_ASSIGN)
    return case


def not_eligible_message(case: Case) -> str:
    return _(
        "Người này không được xử lý vụ việc của cơ quan %(org)s. / This person may "
        "not handle the cases of %(org)s."
    ) % {"org": case.handling_organisation.name}


def assign_refusal(case: Case, assignee: User, reason: str, *, may_handle: bool) -> dict[str, str]:
    """Why `case` may not be given to `assignee` ({field: message}); empty when it may.

    `may_handle`: whether `assignee` is among `eligible(case)` (the caller asks once per
    handling organisation when it has many cases)."""
    if not may_handle:
        return {"assignee": not_eligible_message(case)}
    previous = case.assignee
    if previous is not None and previous.pk == assignee.pk:
        return {
            "assignee": _(
                "Vụ việc đã được giao cho người này. / The case is already assigned to this person."
            )
        }
    if previous is not None and not reason:
        return {
            "reason": _(
                "Nêu lý do giao lại cho người khác. / Give the reason for the reassignment."
            )
        }
    return {}


def give(
    case: Case, assignee: User, *, actor: Any, reason: str = "", automatic: bool = False
) -> None:
    """Write the assignment of a locked, checked `case` and its timeline entry (no notice:
    the caller tells the assignee, once however many cases)."""
    previous = case.assignee
    case.assignee = assignee
    case.assigned_at = timezone.now()
    case.save(update_fields=["assignee", "assigned_at", "updated_at"])
    data = {"assignee": assignee.pk, "previous": previous.pk if previous else None}
    entry = functools.partial(
        timeline.add, case, kind=K.ASSIGNED, actor=actor, audience=A.INTERNAL, data=data
    )
    if automatic:
        entry(action="case.auto_assign", body=history.AUTO_ASSIGNED.write(handler=_name(assignee)))
    elif previous is None:
        body = history.ASSIGNED.write(handler=_name(assignee))
        entry(action="case.assign", body=f"{body}\n{reason}" if reason else body)
    else:
        body = history.REASSIGNED.write(
            handler=_name(assignee), previous=_name(previous), reason=reason
        )
        entry(action="case.reassign", body=body)


def take_back(case: Case, *, actor: Any, reason: str = "") -> None:
    """Write the unassignment of a locked, assigned `case` and its timeline entry."""
    previous = case.assignee
    assert previous is not None
    case.assignee = None
    case.assigned_at = None
    case.save(update_fields=["assignee", "assigned_at", "updated_at"])
    body = history.UNASSIGNED.write(handler=_name(previous))
    timeline.add(
        case,
        kind=K.ASSIGNED,
        actor=actor,
        action="case.unassign",
        audience=A.INTERNAL,
        body=f"{body}\n{reason}" if reason else body,
        data={"previous": previous.pk},
    )


def not_assigned_message() -> str:
    return _("Vụ việc chưa giao cho ai. / The case is not assigned to anyone.")


@timeline.in_vietnamese
@transaction.atomic
def assign(case: Case, *, assignee: User | None, actor: Any, reason: str = "") -> Case:
    """Give `case` to `assignee`; replacing someone else needs `reason`."""
    case = _locked(case, actor)
    reason = bounded(reason, REASON_MAX, "reason")
    if assignee is None:
        raise ValidationError({"assignee": not_eligible_message(case)})
    may_handle = eligible(case).filter(pk=assignee.pk).exists()
    refusal = assign_refusal(case, assignee, reason, may_handle=may_handle)
    if refusal:
        raise ValidationError(refusal)
    give(case, assignee, actor=actor, reason=reason)
    _notify_assignee(case, assignee.pk)
    return case


@timeline.in_vietnamese
@transaction.atomic
def unassign(case: Case, *, actor: Any, reason: str = "") -> Case:
    """Take `case` back from its assignee (it then waits for someone to be named)."""
    case = _locked(case, actor)
    reason = bounded(reason, REASON_MAX, "reason")
    if case.assignee is None:
        raise ValidationError({"assignee": not_assigned_message()})
    take_back(case, actor=actor, reason=reason)
    return case


# --- who still may handle what they were given ------------------------------------------------


def stale_pairs(cases: QuerySet[Case]) -> set[tuple[int, int]]:
    """(assignee, handling organisation) pairs among `cases` where the assignee may no
    longer handle that organisation's cases. Five queries, however many assignees: the
    pairs, the users, the organisations, and the users' grants (`access.prime_grants`)."""
    pairs = set(
        cases.filter(assignee__isnull=False)
        .order_by()
        .values_list("assignee_id", "handling_organisation_id")
        .distinct()
    )
    if not pairs:
        return set()
    users = {u.pk: u for u in User.objects.filter(pk__in={a for a, _o in pairs})}
    organisations = Organisation.objects.in_bulk({o for _a, o in pairs})
    access.prime_grants(users.values())
    return {
        (user_id, org_id)
        for user_id, org_id in pairs
        if not _still_handles(users.get(user_id), organisations.get(org_id))
    }


def _still_handles(user: User | None, organisation: Organisation | None) -> bool:
    return (
        user is not None
        and organisation is not None
        and user.is_active
        and access.can(user, Perm.CASE_HANDLE, organisation)
    )


def stale_q(pairs: Iterable[tuple[int, int]]) -> Q:
    q = Q(pk__in=[])
    for user_id, org_id in pairs:
        q |= Q(assignee_id=user_id, handling_organisation_id=org_id)
    return q


def needs_reassignment(case: Case) -> bool:
    """Is `case` given to someone who may no longer handle it?"""
    return case.assignee_id is not None and not _still_handles(
        case.assignee, case.handling_organisation
    )
