"""Open cases that nobody would see as their work (vụ việc chưa có người xử lý).

A case is waited on by its handling organisation's own people: whoever holds
CASE_HANDLE there as a duty (a head, a focal point, a case handler, through a grant on
it or on an organisation above it with its subtree: `access.holders(…, duty=True)`,
the rule `core.worklist.duty_q` lists work by) and the officer it is given to while
they still may handle it. The Department of Home Affairs and the administrator hold
every permission to oversee, so their grants put nobody's work on their list
(`core.worklist.duty_q`). An organisation with neither — a new province's first day,
a head who left, the only handler's grant removed, an account deactivated — would
leave a citizen's report in no one's list until its deadline passed.

Such a case is *unattended*: it shows on the work list of those overseeing it (CASE_HANDLE
through a role that holds every permission, over the handling organisation), in the
case list's filter, on the case page, and they are told once a spell (`tell_at_filing` when
it is filed that way, `daily_job` for one that became so later, or again after someone had
it for a while: `Case.unattended_told_at`). A default handler counts
through what it does: a new case is given to them at filing (`default_handler.auto_assign`)
and then has an officer; a case filed before the default was named is still unattended.

The subject of a case never counts as someone: a head or the only case handler of a
commune reported on holds the duty there, yet never sees the case (`handler_cases`), so a
report about them would wait unseen (`held_where(…, besides="subject_staff")`); nor are
they told of it.

Set-based: one `Exists` per rule over the cases (`access.held_where`), never a loop over
users per case.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Final

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.core.notices import notify

from .models import Case
from .notices import UNATTENDED, UNATTENDED_MANY

KIND: Final = "case_unattended"
ACTION: Final = "case.unattended_notice"
_CHUNK: Final = 5000  # well under SQLite's limit on an IN list's values
#: `selectors.OPEN_STATUSES` (which reads this module).
OPEN: Final = (Case.Status.RECEIVED, Case.Status.ACCEPTED, Case.Status.INVESTIGATING)


def attended() -> Q:
    """Whether a case has someone who would see it as their work (over `Case` rows)."""
    return access.held_where(
        Perm.CASE_HANDLE, "handling_organisation", duty=True, besides="subject_staff"
    ) | (
        Q(assignee__isnull=False)
        & Q(assignee__is_active=True)
        & access.held_where(Perm.CASE_HANDLE, "handling_organisation", user="assignee")
    )


def only(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The open cases of `qs` that are unattended."""
    return qs.filter(status__in=OPEN).exclude(attended())


def flag(qs: QuerySet[Case]) -> QuerySet[Case]:
    """`qs` with `is_unattended` on every row (for a list read once)."""
    return qs.annotate(
        is_unattended=ExpressionWrapper(
            Q(status__in=OPEN) & ~attended(), output_field=BooleanField()
        )
    )


def is_unattended(case: Case) -> bool:
    found = getattr(case, "is_unattended", None)
    if found is not None:
        return bool(found)
    return only(Case.objects.filter(pk=case.pk)).exists()


def overseers(perm: Perm = Perm.CASE_HANDLE) -> list[Any]:
    """The roles through which one oversees rather than works (every permission)."""
    everything = frozenset(Perm)
    return [
        role for role, perms in access.ROLE_PERMS.items() if perms == everything and perm in perms
    ]


def oversight_q(user: Any, prefix: str = "handling_organisation__") -> Q | None:
    """Where `user` oversees the cases (CASE_HANDLE through a role holding every
    permission), as a filter on cases; None: nowhere. `duty_q`'s other half."""
    roles = set(overseers())
    q: Q | None = None
    for grant in access.grants_of(user):
        if grant.role in roles:
            q = grant.q(prefix) if q is None else q | grant.q(prefix)
    return q


def oversees(user: Any) -> bool:
    """May `user` be shown the unattended cases (the list's filter, the case page's hint)?"""
    return access.is_superuser(user) or oversight_q(user) is not None


def _record(case: Case, recipients: list[int]) -> None:
    record(
        "case.unattended_notice",  # ACTION, written out for the audit labels' scan
        actor=None,
        obj=case,
        organisation=case.handling_organisation_id,
        summary=f"{case.code}: {len(recipients)}",
        data={"recipients": recipients},
    )


def _recipients(holders: set[int] | list[int], subject_user_id: int | None) -> list[int]:
    """Those to tell of a case: never its subject (who may hold a duty there, and is then
    why nobody else does, but must not learn of the case)."""
    return sorted(pk for pk in holders if pk != subject_user_id)


def tell_at_filing(case: Case) -> None:
    """Inside the filing transaction: if `case` has nobody, tell its overseers once the
    transaction commits (and mark it told, so that the daily job does not tell them again)."""
    if not only(Case.objects.filter(pk=case.pk)).exists():
        return
    # Nobody but the subject holds CASE_HANDLE there as a duty: whoever else holds it oversees.
    holders = access.holders(Perm.CASE_HANDLE, case.handling_organisation)
    subject = case.subject_staff.user_id if case.subject_staff is not None else None
    recipients = _recipients(list(holders.values_list("pk", flat=True)), subject)
    _record(case, recipients)
    case.unattended_told_at = timezone.now()
    Case.objects.filter(pk=case.pk).update(unattended_told_at=case.unattended_told_at)
    code = case.code

    def send() -> None:
        for user_id in recipients:
            notify(
                user_id, kind=KIND, key=UNATTENDED.key, params={"code": code}, url=f"/cases/{code}/"
            )

    transaction.on_commit(send)


def daily_job(today: dt.date | None = None) -> dict[str, int]:
    """Tell the overseers of every open case that became unattended since (grants removed,
    accounts deactivated, a case moved to an organisation with nobody) and that they
    were not told of in this spell: one notice per person, however many cases.

    Once per spell, not once ever: a told case that someone has taken on since (granted
    there, given to an officer, closed) is no longer marked told, so that when it loses
    them it is told again. Both are one UPDATE and one SELECT over the cases (`attended`
    and the mark), not a read of every notice ever recorded in the audit log. A spell
    shorter than a day (granted in the morning, revoked in the afternoon) falls between
    two runs: the case is then still in the spell it was told of."""
    # Someone has it again (or it is closed): the spell it was told of is over.
    Case.objects.filter(unattended_told_at__isnull=False).filter(
        ~Q(status__in=OPEN) | attended()
    ).update(unattended_told_at=None)
    cases = list(
        only(Case.objects.filter(unattended_told_at__isnull=True))
        .order_by("received_at", "pk")
        .annotate(subject_user_id=F("subject_staff__user_id"))
        .only("pk", "code", "handling_organisation_id", "subject_staff_id")
    )
    if not cases:
        return {"cases": 0, "notices": 0}
    by_org = access.holders_by_organisation(
        Perm.CASE_HANDLE, {case.handling_organisation_id for case in cases}
    )
    codes: dict[int, list[str]] = defaultdict(list)
    now = timezone.now()
    with transaction.atomic():
        for case in cases:
            recipients = _recipients(
                by_org.get(case.handling_organisation_id, set()), case.subject_user_id
            )
            _record(case, recipients)
            for user_id in recipients:
                codes[user_id].append(case.code)
        told = [case.pk for case in cases]
        for start in range(0, len(told), _CHUNK):
            Case.objects.filter(pk__in=told[start : start + _CHUNK]).update(unattended_told_at=now)
        for user_id, mine in codes.items():
            if len(mine) == 1:
                notify(
                    user_id,
                    kind=KIND,
                    key=UNATTENDED.key,
                    params={"code": mine[0]},
                    url=f"/cases/{mine[0]}/",
                )
            else:
                notify(
                    user_id,
                    kind=KIND,
                    key=UNATTENDED_MANY.key,
                    params={"codes": mine},
                    url="/cases/?unattended=yes",
                )
    return {"cases": len(cases), "notices": len(codes)}
