"""Which organisation handles a case: routing rules are data, tried in order.

The default rules (data migration `0004_default_rules`): a leader's case goes to
the supervising organisation, because a head cannot investigate themselves
(conflict of interest); everyone else's to their employer. The Department of
Home Affairs sees every case through its province-wide grant, whatever the rule.
"""

from __future__ import annotations

from congvu.organisations.models import Organisation, StaffMember

from .models import RoutingRule

Route = RoutingRule.Route


def _matches(rule: RoutingRule, *, is_leader: bool, organisation: Organisation, track: str) -> bool:
    if rule.subject_is_leader is not None and rule.subject_is_leader != is_leader:
        return False
    if rule.organisation_kind_id is not None and rule.organisation_kind_id != organisation.kind_id:
        return False
    return not (rule.track and rule.track != track)


def supervisor_of(organisation: Organisation) -> Organisation:
    """The organisation above `organisation`; a root supervises itself."""
    return organisation.parent if organisation.parent_id is not None else organisation  # type: ignore[return-value]


def matching_rule(
    *, subject_staff: StaffMember | None, organisation: Organisation, track: str
) -> RoutingRule | None:
    is_leader = bool(subject_staff is not None and subject_staff.is_leader)
    for rule in RoutingRule.objects.filter(is_active=True).order_by("order", "pk"):
        if _matches(rule, is_leader=is_leader, organisation=organisation, track=track):
            return rule
    return None


def route(
    *, subject_staff: StaffMember | None, organisation: Organisation, track: str
) -> Organisation:
    """The handling organisation for a case about `subject_staff` of `organisation`.

    Without any matching rule the employer handles it, unless the subject is a
    leader: then the supervisor, so that nobody ever handles their own case.
    """
    rule = matching_rule(subject_staff=subject_staff, organisation=organisation, track=track)
    if rule is None:
        leader = subject_staff is not None and subject_staff.is_leader
        return supervisor_of(organisation) if leader else organisation
    if rule.route_to == Route.SUPERVISOR:
        return supervisor_of(organisation)
    if rule.route_to == Route.FIXED and rule.fixed_organisation is not None:
        return rule.fixed_organisation
    return organisation
