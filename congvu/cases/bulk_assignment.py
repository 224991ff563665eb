"""Assigning or unassigning several cases in one action, all of them or none.

Each case follows the rules of `assignment.assign` / `assignment.unassign` exactly: the
actor needs CASE_ASSIGN on every case's handling organisation (404 / 403 as for one
case), the person must be among those who may handle each case there and must not be
the staff member it is about, replacing someone needs a reason, a case already given
to that person (or, to unassign, given to nobody) is refused. If one case is refused,
nothing is written and every refused case is named with its reason (`Refused`).

The same works on every case matching the list's filters (`whole_list=True`): the
caller resolves the filters on the server, scoped by `visible_to`; the count refused
over `MANY_MAX` says to narrow the filters, and a matched case the actor may not assign
is a refusal named like the others (not a 403: the actor did not pick it by hand).

Each case gets its own timeline entry and audit event, as if done alone; the assignee
gets one notice naming all the cases (`notices.many_after_commit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core.text import bounded

from . import assignment, notices, timeline
from .models import Case
from .visibility import can_assign, is_subject, require_handler

#: Cases one action may change: a page of the list is 50; more is a mistake or a script.
MANY_MAX: Final = 200


@dataclass(frozen=True)
class Refusal:
    code: str
    reason: str


class Refused(Exception):
    """Nothing was done: `refusals` says which cases could not be changed and why."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "Không thực hiện được: %(count)d vụ việc không đáp ứng điều kiện; chưa vụ việc nào "
            "được thay đổi. / Not done: %(count)d cases do not qualify; no case was changed."
        ) % {"count": len(self.refusals)}


def check_count(count: int) -> None:
    """Refuse an empty choice or one over `MANY_MAX` (before the cases are even read)."""
    if not count:
        raise ValidationError(
            {"cases": _("Hãy chọn ít nhất một vụ việc. / Choose at least one case.")}
        )
    if count > MANY_MAX:
        raise ValidationError(
            {
                "cases": _(
                    "Mỗi lần tối đa %(max)d vụ việc; bạn đã chọn %(count)d. / At most %(max)d "
                    "cases at a time; you chose %(count)d."
                )
                % {"max": MANY_MAX, "count": count}
            }
        )


def check_matching_count(count: int) -> None:
    """Refuse a filtered list that matches no case, or more than `MANY_MAX`."""
    if not count:
        raise ValidationError(
            {"cases": _("Không có vụ việc nào khớp bộ lọc. / No case matches these filters.")}
        )
    if count > MANY_MAX:
        raise ValidationError(
            {
                "cases": _(
                    "%(count)d vụ việc khớp bộ lọc, mỗi lần tối đa %(max)d: hãy thu hẹp bộ lọc "
                    "(ví dụ theo cơ quan, loại đơn, trạng thái hoặc tháng tiếp nhận). / "
                    "%(count)d cases match these filters; at most %(max)d at a time: narrow "
                    "the filters (e.g. by organisation, track, status or month received)."
                )
                % {"max": MANY_MAX, "count": count}
            }
        )


def _locked(
    cases: Sequence[Case], actor: Any, *, whole_list: bool
) -> tuple[list[Case], list[Refusal]]:
    """The cases locked in a stable order (no deadlock between two bulk actions), each
    checked for the actor's CASE_ASSIGN: 404 / 403 as for one case, or for a filtered
    list a refusal naming the case."""
    rows = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation", "assignee")
        .filter(pk__in={case.pk for case in cases})
        .order_by("pk")
    )
    refusals = []
    for case in rows:
        if whole_list and not can_assign(actor, case):
            refusals.append(
                Refusal(
                    case.code,
                    _("Bạn không có quyền giao vụ việc này. / You may not assign this case."),
                )
            )
        else:
            require_handler(actor, case, Perm.CASE_ASSIGN)
    return rows, refusals


def _check_count(count: int, *, whole_list: bool) -> None:
    (check_matching_count if whole_list else check_count)(count)


@timeline.in_vietnamese
@transaction.atomic
def assign_many(
    cases: Sequence[Case],
    *,
    assignee: User | None,
    actor: Any,
    reason: str = "",
    whole_list: bool = False,
) -> list[Case]:
    """Give every case of `cases` to `assignee`, or none of them (`Refused`)."""
    _check_count(len(cases), whole_list=whole_list)
    reason = bounded(reason, assignment.REASON_MAX, "reason")
    if assignee is None:
        raise ValidationError(
            {"assignee": _("Hãy chọn cán bộ được giao. / Choose the officer to assign.")}
        )
    rows, refusals = _locked(cases, actor, whole_list=whole_list)
    refused = {refusal.code for refusal in refusals}
    # Who may handle is a question per handling organisation, not per case.
    handles: dict[int, bool] = {}
    for case in rows:
        if case.code in refused:
            continue
        org = case.handling_organisation
        if org.pk not in handles:
            handles[org.pk] = access.holders(Perm.CASE_HANDLE, org).filter(pk=assignee.pk).exists()
        if is_subject(assignee, case):
            refusals.append(
                Refusal(
                    case.code,
                    _(
                        "Người này là cán bộ bị phản ánh trong vụ việc. / This person is the "
                        "staff member concerned in the case."
                    ),
                )
            )
            continue
        refusal = assignment.assign_refusal(case, assignee, reason, may_handle=handles[org.pk])
        if refusal:
            refusals.extend(Refusal(case.code, message) for message in refusal.values())
    if refusals:
        raise Refused(refusals)
    for case in rows:
        assignment.give(case, assignee, actor=actor, reason=reason)
    notices.many_after_commit(assignee.pk, [case.code for case in rows])
    return rows


@timeline.in_vietnamese
@transaction.atomic
def unassign_many(
    cases: Sequence[Case], *, actor: Any, reason: str = "", whole_list: bool = False
) -> list[Case]:
    """Take every case of `cases` back from its assignee, or none of them (`Refused`)."""
    _check_count(len(cases), whole_list=whole_list)
    reason = bounded(reason, assignment.REASON_MAX, "reason")
    rows, refusals = _locked(cases, actor, whole_list=whole_list)
    refused = {refusal.code for refusal in refusals}
    refusals += [
        Refusal(case.code, assignment.not_assigned_message())
        for case in rows
        if case.assignee is None and case.code not in refused
    ]
    if refusals:
        raise Refused(refusals)
    for case in rows:
        assignment.take_back(case, actor=actor, reason=reason)
    return rows
