"""What becomes of a closed organisation's open work: the handover to its successor.

`restructuring` calls `hand_over` once per organisation a merge, a split or a
dissolution closes, after the staff and sub-units moved. The successor is the
organisation it merged into, the part a split keeps (`successor_index`, the first
part by default), or a dissolution's successor (else where its staff went).

* **Assignments** not completed move to the successor: the duty of the period is
  still to be done, and the people who do it now work there. When the successor
  already has the same task and period, one row is kept: the one with work on it
  (progress, updates, extension requests), the successor's own on a tie; an
  untouched duplicate is deleted, a worked-on one the successor does not take stays
  with the closed organisation as the record of what was done there. Without a
  successor, untouched assignments of periods that begin after the last day go away.
* **Cases** still open (not closed, not rejected) handled by the closed organisation
  move to the successor's handling: an entry on the case's timeline, the assignee
  kept only if they may handle the successor's cases, then given to the successor's
  default handler like a new case, or its heads are told.
* **Inspections** planned (not started) of the closed organisation are cancelled
  with the reason (its organisation's people, and its lead and members, are told),
  and open items of inspection programmes for it are marked cancelled: an inspection
  is of one organisation as it is (its announcement, its checklist of staff); the
  inspectors plan the successor's own.
* **Role grants** on the closed organisation are not moved (that would widen access
  without anyone deciding it): the people who manage accounts there are told who
  holds them, with a link to each user's page to grant again.

Completed work stays where it was done. Everything is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import RoleGrant
from congvu.audit.services import record
from congvu.core.bulk_notices import notify_many

from . import notices
from .models import Organisation


def closing_reason(closed: Organisation, successor: Organisation | None, effective: dt.date) -> str:
    """Why the work moved or stopped, as the record says it (in Vietnamese)."""
    if successor is None:
        return f"{closed.name} giải thể từ {effective:%d/%m/%Y}"
    return f"{closed.name} đã sáp nhập vào {successor.name} từ {effective:%d/%m/%Y}"


def hand_over(
    closed: Organisation, successor: Organisation | None, *, effective: dt.date, actor: Any
) -> dict[str, int]:
    """Move or stop the open work of `closed` (inside the restructuring's transaction)."""
    # What is written on timelines and in reasons is a record: in Vietnamese, whoever clicked.
    with translation.override(settings.LANGUAGE_CODE):
        reason = closing_reason(closed, successor, effective)
        counts = {
            **_assignments(closed, successor, effective=effective),
            **_cases(closed, successor, effective=effective, actor=actor),
            **_inspections(closed, successor, reason=reason, effective=effective, actor=actor),
            **_grants(closed, successor),
        }
    record(
        "organisations.handover",
        actor=actor,
        obj=closed,
        organisation=closed,
        summary=reason,
        data={"successor": successor.code if successor else None, **counts},
    )
    return counts


# --- assignments ------------------------------------------------------------------------------


def _worked_on() -> Any:
    from congvu.planning.models import Assignment, ExtensionRequest, ProgressUpdate

    return (
        Assignment.objects.exclude(progress=Assignment.Progress.NOT_STARTED)
        | Assignment.objects.filter(
            Exists(ProgressUpdate.objects.filter(assignment=OuterRef("pk")))
        )
        | Assignment.objects.filter(
            Exists(ExtensionRequest.objects.filter(assignment=OuterRef("pk")))
        )
    )


def _assignments(
    closed: Organisation, successor: Organisation | None, *, effective: dt.date
) -> dict[str, int]:
    from congvu.planning import rollups
    from congvu.planning.models import Assignment

    open_rows = list(
        Assignment.objects.filter(organisation=closed, completed_on__isnull=True).order_by("pk")
    )
    if not open_rows:
        return {"assignments_moved": 0, "assignments_removed": 0, "assignments_kept": 0}
    worked = set(
        _worked_on().filter(pk__in=[a.pk for a in open_rows] + [0]).values_list("pk", flat=True)
    )
    moved = removed = kept = 0
    touched: dict[int, set[str]] = defaultdict(set)  # plan → periods to recount
    if successor is None:
        for row in open_rows:
            if row.period_start >= effective and row.pk not in worked:
                row.delete()
                removed += 1
                touched[row.task.plan_id].add(row.period)
        organisations = [closed.pk]
    else:
        theirs = {
            (a.task_id, a.period): a
            for a in Assignment.objects.filter(
                organisation=successor, task__in={r.task_id for r in open_rows}
            )
        }
        their_work = set(
            _worked_on()
            .filter(pk__in=[a.pk for a in theirs.values()] + [0])
            .values_list("pk", flat=True)
        )
        for row in open_rows:
            plan_id = row.task.plan_id
            touched[plan_id].add(row.period)
            existing = theirs.get((row.task_id, row.period))
            if existing is not None:
                existing_counts = existing.completed_on is not None or existing.pk in their_work
                if row.pk in worked and not existing_counts:
                    existing.delete()  # the successor's untouched copy gives way
                    removed += 1
                elif row.pk in worked:
                    kept += 1  # both worked on: each keeps its own record
                    continue
                else:
                    row.delete()
                    removed += 1
                    continue
            row.organisation = successor
            row.save(update_fields=["organisation", "updated_at"])
            theirs[(row.task_id, row.period)] = row
            their_work.update({row.pk} & worked)
            moved += 1
        organisations = [closed.pk, successor.pk]
    for plan_id, periods in touched.items():
        rollups.refresh(plan_id=plan_id, organisation_ids=organisations, periods=periods)
    return {"assignments_moved": moved, "assignments_removed": removed, "assignments_kept": kept}


# --- cases ------------------------------------------------------------------------------------


def _cases(
    closed: Organisation, successor: Organisation | None, *, effective: dt.date, actor: Any
) -> dict[str, int]:
    if successor is None:
        return {"cases_moved": 0}
    from congvu.cases.models import Case

    codes = list(
        Case.objects.filter(handling_organisation=closed)
        .exclude(status__in=[Case.Status.CLOSED, Case.Status.REJECTED])
        .order_by("received_at")
        .values_list("code", flat=True)
    )
    for code in codes:
        _move_case(code, closed=closed, successor=successor, effective=effective, actor=actor)
    return {"cases_moved": len(codes)}


def _move_case(
    code: str, *, closed: Organisation, successor: Organisation, effective: dt.date, actor: Any
) -> None:
    from congvu.cases import assignment, default_handler, history, timeline
    from congvu.cases.models import Case, CaseEvent

    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("assignee", "handling_organisation")
        .get(code=code)
    )
    case.handling_organisation = successor
    case.save(update_fields=["handling_organisation", "updated_at"])
    timeline.add(
        case,
        kind=CaseEvent.Kind.ROUTED,
        actor=actor,
        action="case.route",
        body=history.ROUTED_ON_CLOSURE.write(
            previous=closed.name, handler=successor.name, day=f"{effective:%d/%m/%Y}"
        ),
        data={"from": closed.code, "to": successor.code},
    )
    assignee = case.assignee
    if assignee is not None and not assignment.eligible(case).filter(pk=assignee.pk).exists():
        assignment.take_back(case, actor=actor)
    if case.assignee is None and not default_handler.auto_assign(case):
        heads = list(
            access.holders(Perm.CASE_ASSIGN, successor, duty=True).values_list("pk", flat=True)
        )
        params = {"code": code, "previous": closed.name}
        notify_many(
            ((user_id, params, f"/cases/{code}/") for user_id in heads),
            kind="case_assigned",
            key=notices.CASE_HANDED_OVER.key,
        )


# --- inspections ------------------------------------------------------------------------------


def _tell_team(
    inspection: Any,
    closed: Organisation,
    successor: Organisation | None,
    *,
    effective: dt.date,
    actor: Any,
) -> None:
    """The lead and members of a cancelled inspection: they had planned the visit."""
    team = [inspection.lead_id, *inspection.members.values_list("pk", flat=True)]
    people = [pk for pk in dict.fromkeys(team) if actor is None or pk != actor.pk]
    params = {
        "code": inspection.code,
        "organisation": closed.name,
        "successor": successor.name if successor else "",
        "day": effective,
    }
    url = f"/inspections/{inspection.code}/"
    notify_many(
        ((user_id, params, url) for user_id in people),
        kind="inspection",
        key=notices.INSPECTION_CANCELLED.key,
    )


def _inspections(
    closed: Organisation,
    successor: Organisation | None,
    *,
    reason: str,
    effective: dt.date,
    actor: Any,
) -> dict[str, int]:
    from congvu.inspections import notices as inspection_notices
    from congvu.inspections.models import Inspection, ProgrammeItem

    now = timezone.now()
    planned = list(Inspection.objects.filter(organisation=closed, status=Inspection.Status.PLANNED))
    for inspection in planned:
        inspection.status = Inspection.Status.CANCELLED
        inspection.cancel_reason = reason
        inspection.cancelled_at = now
        inspection.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
        record(
            "inspection.cancelled",
            actor=None,
            obj=inspection,
            organisation=closed,
            summary=f"{inspection.code}: {reason}",
            data={"from": "planned", "to": "cancelled", "reason": "organisation_closed"},
        )
        inspection_notices.cancelled(inspection, actor=None)
        _tell_team(inspection, closed, successor, effective=effective, actor=actor)
    items = [
        item
        for item in ProgrammeItem.objects.filter(organisation=closed, cancelled_at__isnull=True)
        .exclude(inspections__status__in=[Inspection.Status.IN_PROGRESS, "concluded"])
        .select_related("programme")
        .distinct()
        if item.period_end >= effective
    ]
    for item in items:
        item.cancelled_at = now
        item.cancel_reason = reason
        item.save(update_fields=["cancelled_at", "cancel_reason"])
        record(
            "inspection.programme_item_cancelled",
            actor=None,
            obj=item,
            organisation=closed,
            summary=f"{item.programme}: {reason}",
            data={"programme": item.programme_id, "reason": "organisation_closed"},
        )
    return {"inspections_cancelled": len(planned), "programme_items_cancelled": len(items)}


# --- role grants ------------------------------------------------------------------------------


def _grants(closed: Organisation, successor: Organisation | None) -> dict[str, int]:
    grants = list(
        RoleGrant.objects.filter(organisation=closed, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    if not grants:
        return {"grants_on_closed": 0}
    rows = [
        {"name": str(g.user), "role": g.role, "path": f"/accounts/users/{g.user_id}/"}
        for g in grants
    ]
    holders_of = {g.user_id for g in grants}
    place = successor or closed
    managers = [
        pk
        for pk in access.holders(Perm.GRANT_MANAGE, place).values_list("pk", flat=True)
        if pk not in holders_of
    ]
    params = {
        "organisation": closed.name,
        "successor": successor.name if successor else "",
        "grants": rows,
    }

    notify_many(
        ((user_id, params, "/accounts/users/?closed=1") for user_id in managers),
        kind="account",
        key=notices.GRANTS_ON_CLOSED.key,
    )
    return {"grants_on_closed": len(grants)}
