"""Changing the rules cases run on: track clocks, routing rules, discipline forms.

They are provincial data kept by the Department of Home Affairs (CASE_RULES_MANAGE
on a root of the organisation tree: a grant on one department does not reach the
province's rules). Every change is audited with the values before and after.
Existing cases keep the deadlines and handlers they were given; new rules apply to
what happens next.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.organisations.models import Organisation

from .models import DisciplineForm, RoutingRule, TrackClock

CLOCK_FIELDS = (
    "acknowledge_days",
    "settle_days",
    "settle_in_working_days",
    "extension_days",
    "max_extensions",
    "due_soon_days",
)
RULE_FIELDS = (
    "name",
    "order",
    "subject_is_leader",
    "organisation_kind",
    "track",
    "route_to",
    "fixed_organisation",
    "is_active",
)
FORM_FIELDS = (
    "name",
    "name_en",
    "rank",
    "limitation_years",
    "for_official",
    "for_civil_servant",
    "for_leader",
    "for_public_employee",
    "for_public_employee_manager",
    "is_active",
)


def rules_root(user: Any) -> Organisation | None:
    """The root organisation on which `user` may manage the rules, if any."""
    for root in Organisation.objects.filter(parent__isnull=True).order_by("pk"):
        if access.can(user, Perm.CASE_RULES_MANAGE, root):
            return root
    return None


def may_manage(user: Any) -> bool:
    return rules_root(user) is not None


def require_manage(user: Any) -> Organisation:
    """403 unless `user` manages the rules (the rules belong to no organisation one can
    fail to see, so there is no 404 case)."""
    root = rules_root(user)
    if root is None:
        raise PermissionDenied
    return root


def _values(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return model_to_dict(obj, fields=list(names))


def _changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _apply(obj: Any, names: tuple[str, ...], values: dict[str, Any]) -> None:
    unknown = set(values) - set(names)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(obj, name, value)


@transaction.atomic
def update_clock(clock: TrackClock, *, actor: Any, **values: Any) -> TrackClock:
    """Change a track's clock (acknowledgement, settlement, extensions, warning)."""
    root = require_manage(actor)
    clock = TrackClock.objects.select_for_update().get(pk=clock.pk)
    before = _values(clock, CLOCK_FIELDS)
    _apply(clock, CLOCK_FIELDS, values)
    clock.full_clean()
    clock.save()
    with in_record_language():
        record(
            "cases.clock_update",
            actor=actor,
            obj=clock,
            organisation=root,
            summary=f"Thời hạn xử lý: {clock.get_track_display()}",
            data={"changed": _changed(before, _values(clock, CLOCK_FIELDS))},
        )
    return clock


def _check_rule(rule: RoutingRule) -> None:
    if rule.route_to == RoutingRule.Route.FIXED and rule.fixed_organisation_id is None:
        raise ValidationError(
            {
                "fixed_organisation": _(
                    "Chọn cơ quan xử lý cố định. / Choose the fixed handling organisation."
                )
            }
        )
    if rule.route_to != RoutingRule.Route.FIXED:
        rule.fixed_organisation = None
    rule.full_clean()


@transaction.atomic
def create_routing_rule(*, actor: Any, **values: Any) -> RoutingRule:
    root = require_manage(actor)
    rule = RoutingRule()
    _apply(rule, RULE_FIELDS, values)
    _check_rule(rule)
    rule.save()
    record(
        "cases.routing_rule_create",
        actor=actor,
        obj=rule,
        organisation=root,
        summary=f"Thêm quy tắc chuyển xử lý: {rule.name}",
        data={"values": _values(rule, RULE_FIELDS)},
    )
    return rule


@transaction.atomic
def update_routing_rule(rule: RoutingRule, *, actor: Any, **values: Any) -> RoutingRule:
    root = require_manage(actor)
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    before = _values(rule, RULE_FIELDS)
    _apply(rule, RULE_FIELDS, values)
    _check_rule(rule)
    rule.save()
    record(
        "cases.routing_rule_update",
        actor=actor,
        obj=rule,
        organisation=root,
        summary=f"Sửa quy tắc chuyển xử lý: {rule.name}",
        data={"changed": _changed(before, _values(rule, RULE_FIELDS))},
    )
    return rule


@transaction.atomic
def move_routing_rule(rule: RoutingRule, *, actor: Any, up: bool) -> RoutingRule:
    """Swap `rule` with its neighbour in the order rules are tried (the first match wins)."""
    root = require_manage(actor)
    rules = list(RoutingRule.objects.select_for_update().order_by("order", "pk"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule.pk), None)
    if index is None:
        raise ValidationError(_("Không tìm thấy quy tắc. / Rule not found."))
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rules):
        return rules[index]
    rules[index], rules[other] = rules[other], rules[index]
    # Renumber in steps of 10 so that equal orders (tried by pk) become explicit.
    for position, item in enumerate(rules, start=1):
        if item.order != position * 10:
            item.order = position * 10
            item.save(update_fields=["order"])
    moved = rules[other]
    record(
        "cases.routing_rule_move",
        actor=actor,
        obj=moved,
        organisation=root,
        summary=f"Đổi thứ tự quy tắc chuyển xử lý: {moved.name}",
        data={"order": [r.pk for r in rules]},
    )
    return moved


@transaction.atomic
def update_discipline_form(form: DisciplineForm, *, actor: Any, **values: Any) -> DisciplineForm:
    """Activate or retire a form, change its limitation period or the categories it fits."""
    root = require_manage(actor)
    form = DisciplineForm.objects.select_for_update().get(pk=form.pk)
    before = _values(form, FORM_FIELDS)
    _apply(form, FORM_FIELDS, values)
    form.full_clean()
    form.save()
    record(
        "cases.discipline_form_update",
        actor=actor,
        obj=form,
        organisation=root,
        summary=f"Sửa hình thức kỷ luật: {form.name}",
        data={"changed": _changed(before, _values(form, FORM_FIELDS))},
    )
    return form
