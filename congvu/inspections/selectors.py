"""Reads of inspections: scoping, fetching with access, the checklist, evidence, filters,
and the inspection a case came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases.models import Case
from congvu.conduct.models import ClauseQuerySet, CodeVersion
from congvu.conduct.selectors import clauses_of
from congvu.core.text import search_terms
from congvu.organisations.models import Organisation, StaffMember, StaffQuerySet

from .models import Inspection, InspectionFile, Observation


def checklist_clauses(version: CodeVersion) -> ClauseQuerySet:
    """The clauses an inspection of `version` checks: its observable ones, in catalogue order."""
    return clauses_of([version]).filter(observable=True)


def organisation_staff(organisation: Organisation) -> StaffQuerySet:
    """Whom the team may name on a checklist: the organisation's active staff."""
    return (
        StaffMember.objects.filter(organisation=organisation).active().order_by("sort_name", "pk")
    )


def may_use(user: Any) -> bool:
    """Does the user see inspections at all (menu, list page)?"""
    return access.can_anywhere(user, Perm.INSPECTION_RUN) or access.can_anywhere(
        user, Perm.INSPECTION_RESPOND
    )


def require_use(user: Any) -> None:
    if not may_use(user):
        raise PermissionDenied


def may_run(user: Any, inspection: Inspection) -> bool:
    return access.can(user, Perm.INSPECTION_RUN, inspection.organisation)


def may_see_findings(user: Any, inspection: Inspection) -> bool:
    """The team sees the checklist as it is filled in; the organisation once it is concluded."""
    return may_run(user, inspection) or (
        inspection.findings_released
        and access.can(user, Perm.INSPECTION_RESPOND, inspection.organisation)
    )


def may_respond(user: Any, inspection: Inspection) -> bool:
    return inspection.findings_released and access.can(
        user, Perm.INSPECTION_RESPOND, inspection.organisation
    )


def get_inspection(user: Any, code: str) -> Inspection:
    """The inspection `code` as `user` may see it: 404 when it is unknown or invisible
    (an unannounced inspection not yet started, for the inspected organisation), 403
    when it is announced and its organisation visible but the user holds neither
    INSPECTION_RUN nor INSPECTION_RESPOND there."""
    code = str(code or "").strip().upper()
    base = Inspection.objects.select_related("organisation", "lead", "code_version")
    found = base.visible_to(user).filter(code=code).first()
    if found is not None:
        return found
    other = base.filter(code=code).first()
    if other is None or not (other.kind == Inspection.Kind.SCHEDULED or other.started_at):
        raise Http404
    access.require(user, Perm.INSPECTION_RUN, other.organisation)
    raise Http404  # not reached: require raised 404 or 403


def get_observation(inspection: Inspection, pk: Any) -> Observation:
    try:
        return inspection.observations.select_related("clause", "staff", "case").get(pk=pk)
    except (Observation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def team_evidence(inspection: Inspection) -> dict[int, list[InspectionFile]]:
    """The team's evidence files (not the organisation's proof), per observation id."""
    found: dict[int, list[InspectionFile]] = {}
    files = InspectionFile.objects.filter(
        observation__inspection=inspection, corrective_action=None
    ).order_by("uploaded_at", "pk")
    for item in files:
        found.setdefault(item.observation_id, []).append(item)
    return found


def get_file(user: Any, inspection: Inspection, pk: Any) -> InspectionFile:
    """An evidence file of `inspection` (already fetched with access): 404 unless the user
    sees its findings (the team; the organisation once concluded)."""
    if not may_see_findings(user, inspection):
        raise Http404
    try:
        return InspectionFile.objects.get(observation__inspection=inspection, pk=pk)
    except (InspectionFile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class Filters:
    status: str = ""
    kind: str = ""
    q: str = ""


def filter_inspections(qs: QuerySet[Inspection], filters: Filters) -> QuerySet[Inspection]:
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    for term in search_terms(filters.q):
        # The organisation's folded name: "so tu phap" finds "Sở Tư pháp".
        qs = qs.filter(Q(organisation__search_text__contains=term) | Q(code__icontains=term))
    return qs


def list_rows(qs: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return (
        qs.select_related("organisation", "lead")
        .annotate(breaches=Count("observations", filter=Q(observations__result="breached")))
        .order_by("-planned_on", "-pk")
    )


def may_plan(user: Any) -> bool:
    return access.can_anywhere(user, Perm.INSPECTION_RUN)


@dataclass(frozen=True)
class CaseSource:
    """The inspection a case was opened from, and its finding when the user sees findings."""

    inspection: Inspection
    observation: Observation | None


def case_source(user: Any, case: Case) -> CaseSource | None:
    """Where `case` came from (`services.open_case` links the breach to it), as `user` may
    follow it: None unless they may open the inspection; the observation only when they
    see its findings (the team; the inspected organisation once concluded)."""
    if case.channel != Case.Channel.INSPECTION:
        return None
    finding = Observation.objects.select_related("clause").filter(case_id=case.pk).first()
    if finding is None:  # recorded by hand as "from an inspection", not opened from one
        return None
    inspection = (
        Inspection.objects.visible_to(user)
        .select_related("organisation")
        .filter(pk=finding.inspection_id)
        .first()
    )
    if inspection is None:
        return None
    return CaseSource(inspection, finding if may_see_findings(user, inspection) else None)


def inspecting_body(inspection: Inspection) -> Organisation:
    """Who inspects, as the documents' heading names it: the body that issued the yearly
    programme the inspection carries out; else the lead's own organisation (their staff
    record); else the organisation of the lead's narrowest INSPECTION_RUN grant over the
    inspected organisation; else the top of the inspected organisation's tree."""
    item = inspection.programme_item
    if item is not None:
        return item.programme.organisation
    staff = (
        StaffMember.objects.filter(user_id=inspection.lead_id)
        .select_related("organisation")
        .first()
    )
    if staff is not None:
        return staff.organisation
    grants = [
        grant
        for grant in access.grants_of(inspection.lead)
        if Perm.INSPECTION_RUN in access.ROLE_PERMS[grant.role]
        and grant.covers(inspection.organisation)
    ]
    if grants:
        narrowest = max(grants, key=lambda grant: len(grant.path))
        return Organisation.objects.get(pk=narrowest.organisation_id)
    return Organisation.objects.get(pk=inspection.organisation.ancestor_ids()[0])
