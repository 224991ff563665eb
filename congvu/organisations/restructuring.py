"""Structural changes to the organisation tree: rename, move, merge, split, dissolve.

The `Organisation` row mirrors the organisation's version in force today (so the
materialised path is today's tree and every page, list and search reads today's
name from the row, in one query); `OrganisationVersion` rows carry the dates,
and `tree_as_of` rebuilds any day from them.

Only a rename may be dated after today: it is stored as a future version and
reaches the row on its day (`apply_due_names`, a daily job, and `_locked` before
any later change). Move, merge, split and dissolve move staff and sub-units at
once, so they are refused for a future date: they are recorded on the day they
take effect (decisions.md, 28/11/2026). Every change that takes effect on
day D closes what came before on D - 1, so the versions of one organisation
never overlap and old records (ratings, cases, assignments) keep pointing at the
organisation they were made for. Creating organisations and staff members, and
editing staff, is in `services.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record

from .models import (
    Organisation,
    OrganisationKind,
    OrganisationVersion,
    StaffMember,
    valid_on_q,
)
from .services import (
    EARLIEST,
    ONE_DAY,
    check_name_free,
    create_organisation,
    format_day,
    path_for,
    record_assignments,
    require_parent_perm,
)

PATH_MAX_LENGTH = 255  # Organisation.path


@dataclass(frozen=True)
class NewOrganisation:
    """One organisation to create in a split (or a merge into a new organisation)."""

    code: str
    name: str
    kind: OrganisationKind
    short_name: str = ""
    parent: Organisation | None = None  # None: under the split organisation's parent


def _require_manage(actor: Any, organisation: Organisation) -> None:
    if actor is not None:  # system jobs
        access.require(actor, Perm.ORG_MANAGE, organisation)


def _locked(organisation: Organisation) -> Organisation:
    """Re-read the row under a lock: two officers must not restructure it at once.

    A rename that fell due since the daily job ran reaches the row first, so the
    version this change opens starts from the name in force today.
    """
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    _catch_up(org, timezone.localdate())
    return org


def _catch_up(org: Organisation, day: dt.date) -> None:
    version = (
        OrganisationVersion.objects.filter(valid_on_q(day), organisation=org)
        .order_by("-valid_from")
        .first()
    )
    if version is not None and (version.name, version.short_name) != (org.name, org.short_name):
        org.name, org.short_name = version.name, version.short_name
        org.refresh_search_text()
        org.save(update_fields=["name", "short_name", "search_text", "updated_at"])


def apply_due_names(day: dt.date) -> int:
    """The daily job: each organisation's row takes the name of its version in force on
    `day` (a rename recorded ahead of its date). Returns how many rows changed."""
    due = (
        OrganisationVersion.objects.filter(valid_on_q(day) & valid_on_q(day, "organisation__"))
        .exclude(name=F("organisation__name"), short_name=F("organisation__short_name"))
        .values_list("organisation_id", flat=True)
    )
    changed = 0
    for pk in list(due):
        with transaction.atomic():
            org = Organisation.objects.select_for_update().get(pk=pk)
            _catch_up(org, day)
        changed += 1
    return changed


def _not_future(effective: dt.date) -> None:
    """Move, merge, split and dissolve act on staff and sub-units at once: a date after
    today would move them before the decision takes effect."""
    today = timezone.localdate()
    if effective > today:
        raise ValidationError(
            {
                "effective": _(
                    "Ngày hiệu lực %(day)s chưa đến: hãy ghi nhận thay đổi này vào đúng ngày "
                    "nó có hiệu lực (hôm nay là %(today)s). / The effective date is after "
                    "today: record this change on the day it takes effect."
                )
                % {"day": format_day(effective), "today": format_day(today)}
            }
        )


def _fresh(organisation: Organisation | None) -> Organisation | None:
    """Re-read after a bulk path update, which leaves objects in memory stale."""
    return None if organisation is None else Organisation.objects.get(pk=organisation.pk)


def _open_version(organisation: Organisation) -> OrganisationVersion | None:
    return (
        OrganisationVersion.objects.filter(organisation=organisation, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )


def _require_open(organisation: Organisation) -> None:
    if organisation.valid_to is not None:
        raise ValidationError(
            _(
                "%(name)s đã hết hiệu lực (ngày cuối cùng: %(day)s). / "
                "This organisation is already closed (its last day: %(day)s)."
            )
            % {"name": organisation.name, "day": format_day(organisation.valid_to)}
        )


def _check_change(organisation: Organisation, effective: dt.date, *, closing: bool) -> None:
    """A change must fall in the organisation's life, on or after its latest version began.

    Closing (merge, split, dissolve) needs a later day: the organisation's last day
    is `effective - 1`, which may not come before its first.
    """
    if effective < EARLIEST:
        raise ValidationError({"effective": _("Ngày hiệu lực không hợp lệ. / Invalid date.")})
    _require_open(organisation)
    latest = _open_version(organisation)
    start = max(organisation.valid_from, latest.valid_from if latest else organisation.valid_from)
    if effective < start or (closing and effective == start):
        raise ValidationError(
            {
                "effective": _(
                    "Ngày hiệu lực phải sau ngày %(day)s (lần thay đổi gần nhất của %(name)s). / "
                    "The effective date must be after the organisation's latest change."
                )
                % {"day": format_day(start), "name": organisation.name}
            }
        )


def _check_target(
    target: Organisation, effective: dt.date, closing: Sequence[Organisation]
) -> None:
    """A receiving organisation must be open on `effective` and outside what closes."""
    if not (target.valid_from <= effective and target.valid_to is None):
        raise ValidationError(
            _(
                "%(name)s không còn hiệu lực vào ngày hiệu lực. / "
                "The receiving organisation is not open on the effective date."
            )
            % {"name": target.name}
        )
    for organisation in closing:
        if target.path.startswith(organisation.path):
            raise ValidationError(
                _(
                    "%(name)s là %(closing)s hoặc đơn vị trực thuộc của nó. / "
                    "The receiving organisation cannot be one being closed or below it."
                )
                % {"name": target.name, "closing": organisation.name}
            )


def _new_version(organisation: Organisation, effective: dt.date, **changes: Any) -> None:
    """Close the open version the day before `effective`; open one from the row's fields
    with `changes` (a future rename's name, which the row does not take yet)."""
    latest = _open_version(organisation)
    fields = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "kind_id": organisation.kind_id,
        "parent_id": organisation.parent_id,
        **changes,
    }
    if latest is not None and latest.valid_from == effective:
        # A second change on the same day corrects that day's version.
        for attr, value in fields.items():
            setattr(latest, attr, value)
        latest.save()
        return
    if latest is not None:
        latest.valid_to = effective - ONE_DAY
        latest.save(update_fields=["valid_to"])
    OrganisationVersion.objects.create(organisation=organisation, valid_from=effective, **fields)


def _reparent(organisation: Organisation, parent: Organisation | None, effective: dt.date) -> None:
    """Put `organisation` under `parent`: a version row, then path and depth of its subtree."""
    old_path = organisation.path
    new_path = path_for(organisation.pk, parent)
    delta = ((parent.depth + 1) if parent else 0) - organisation.depth
    subtree = Organisation.objects.filter(path__startswith=old_path)
    longest = max(len(p) for p in subtree.values_list("path", flat=True))
    if longest - len(old_path) + len(new_path) > PATH_MAX_LENGTH:
        raise ValidationError(_("Cây cơ quan quá sâu. / The organisation tree would be too deep."))
    subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()),
        depth=F("depth") + delta,
    )
    organisation.path, organisation.depth, organisation.parent = (
        new_path,
        organisation.depth + delta,
        parent,
    )
    organisation.save(update_fields=["parent", "updated_at"])
    _new_version(organisation, effective)


def _close(organisation: Organisation, effective: dt.date, successor: Organisation | None) -> None:
    organisation.valid_to = effective - ONE_DAY
    organisation.successor = successor
    organisation.save(update_fields=["valid_to", "successor", "updated_at"])
    OrganisationVersion.objects.filter(organisation=organisation, valid_to__isnull=True).update(
        valid_to=organisation.valid_to
    )


def _open_children(organisations: Sequence[Organisation]) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            parent__in=[o.pk for o in organisations], valid_to__isnull=True
        ).order_by("path")
    )


def _division_paths(staff: Sequence[StaffMember]) -> dict[int, str]:
    """Current paths of the staff members' divisions, read once after the paths moved."""
    ids = {m.division_id for m in staff if m.division_id is not None}
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "path"))


def _division_within(
    division_id: int | None, organisation: Organisation, paths: Mapping[int, str]
) -> int | None:
    """Keep a division only if it (still) lies inside `organisation`."""
    if division_id is None:
        return None
    return division_id if paths.get(division_id, "\0").startswith(organisation.path) else None


def _active_staff(q: Q) -> list[StaffMember]:
    return list(StaffMember.objects.filter(q, is_active=True).select_related("organisation"))


@transaction.atomic
def rename_organisation(
    organisation: Organisation,
    *,
    actor: Any,
    name: str,
    short_name: str | None = None,
    effective: dt.date | None = None,
) -> Organisation:
    """Give the organisation a new name from `effective`; the old name stays in its history.

    A date after today is kept as a future version: until then the row, and so every
    page, list and search, keeps the name in force today.
    """
    org = _locked(organisation)
    _require_manage(actor, org)
    effective = effective or timezone.localdate()
    latest = _open_version(org)
    old_name, old_short = (latest.name, latest.short_name) if latest else (org.name, org.short_name)
    name = " ".join(name.split())
    short_name = old_short if short_name is None else " ".join(short_name.split())
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên mới. / Enter the new name.")})
    if name == old_name and short_name == old_short:
        raise ValidationError(
            {"name": _("Tên mới trùng với tên hiện tại. / The new name is the current name.")}
        )
    _check_change(org, effective, closing=False)
    if name != old_name:
        check_name_free(name, parent_id=org.parent_id, day=effective, exclude=[org.pk])
    if effective > timezone.localdate():
        _new_version(org, effective, name=name, short_name=short_name)
        org.save(update_fields=["updated_at"])  # a second tab's form is now stale
    else:
        org.name, org.short_name = name, short_name
        org.refresh_search_text()
        org.save(update_fields=["name", "short_name", "search_text", "updated_at"])
        _new_version(org, effective)
    record(
        "organisations.rename",
        actor=actor,
        obj=org,
        organisation=org,
        summary=f"{old_name} → {name}",
        data={"from": old_name, "to": name, "short_name": short_name, "effective": effective},
    )
    return org


def pending_renames(organisation: Organisation) -> list[OrganisationVersion]:
    """The renames recorded ahead of their day, earliest first (none has reached the row)."""
    return list(
        OrganisationVersion.objects.filter(
            organisation=organisation, valid_from__gt=timezone.localdate()
        ).order_by("valid_from")
    )


def _no_pending(day: dt.date | None) -> ValidationError:
    if day is None:
        return ValidationError(
            _(
                "Không có việc đổi tên nào đang chờ hiệu lực. / "
                "There is no rename waiting for its date."
            ),
            code="no_pending_rename",
        )
    return ValidationError(
        {
            "effective": _(
                "Không có việc đổi tên nào chờ hiệu lực từ ngày %(day)s. / "
                "There is no rename waiting to take effect on that date."
            )
            % {"day": format_day(day)}
        },
        code="no_pending_rename",
    )


@transaction.atomic
def withdraw_rename(
    organisation: Organisation, *, actor: Any, effective: dt.date | None = None
) -> Organisation:
    """Withdraw a rename recorded ahead of its day (the one from `effective`, or else the
    latest): its version goes, and the name before it stays in force past that day.

    Only a pending rename can be withdrawn: one in force is history, corrected by another
    rename. The name kept must still be free under the parent from that day (a sibling
    may have taken it since this organisation was to give it up).
    """
    org = _locked(organisation)
    _require_manage(actor, org)
    _require_open(org)
    pending = pending_renames(org)
    if effective is not None:
        pending = [v for v in pending if v.valid_from == effective]
    if not pending:
        raise _no_pending(effective)
    withdrawn = pending[-1]
    before = (
        OrganisationVersion.objects.filter(organisation=org, valid_from__lt=withdrawn.valid_from)
        .order_by("-valid_from")
        .first()
    )
    if before is None:  # the organisation itself begins that day: nothing to fall back on
        raise ValidationError(
            _(
                "%(name)s bắt đầu hiệu lực từ ngày đó; không có tên trước để giữ. / "
                "The organisation begins on that date; there is no earlier name to keep."
            )
            % {"name": org.name}
        )
    if before.name != withdrawn.name:
        check_name_free(
            before.name, parent_id=org.parent_id, day=withdrawn.valid_from, exclude=[org.pk]
        )
    before.valid_to = withdrawn.valid_to
    withdrawn.delete()
    before.save(update_fields=["valid_to"])
    org.save(update_fields=["updated_at"])  # a second tab's rename form is now stale
    record(
        "organisations.rename_withdrawn",
        actor=actor,
        obj=org,
        organisation=org,
        summary=f"{withdrawn.name} ({format_day(withdrawn.valid_from)}) → {before.name}",
        data={
            "withdrawn": withdrawn.name,
            "short_name": withdrawn.short_name,
            "effective": withdrawn.valid_from,
            "kept": before.name,
        },
    )
    return org


@transaction.atomic
def move_organisation(
    organisation: Organisation,
    *,
    actor: Any,
    parent: Organisation | None,
    effective: dt.date | None = None,
) -> Organisation:
    """Place the organisation (and its whole subtree) under `parent` from `effective`."""
    org = _locked(organisation)
    _require_manage(actor, org)
    require_parent_perm(actor, parent)
    parent = _fresh(parent)
    effective = effective or timezone.localdate()
    _not_future(effective)
    if parent is not None and parent.path.startswith(org.path):
        raise ValidationError(
            {
                "parent": _(
                    "Không thể chuyển cơ quan vào đơn vị trực thuộc của chính nó. / "
                    "Cannot move an organisation under its own descendant."
                )
            }
        )
    if (parent.pk if parent else None) == org.parent_id:
        raise ValidationError(
            {
                "parent": _(
                    "Cơ quan đã trực thuộc cơ quan này. / "
                    "The organisation is already under this parent."
                )
            }
        )
    if parent is not None and not parent.valid_on(effective):
        raise ValidationError(
            {
                "parent": _(
                    "Cơ quan cấp trên không có hiệu lực vào ngày hiệu lực. / "
                    "The new parent is not open on the effective date."
                )
            }
        )
    _check_change(org, effective, closing=False)
    # The same rule as creating and renaming: two siblings of one name cannot be told
    # apart in the citizen's report form. (A pending rename refuses the move above.)
    check_name_free(
        org.name,
        parent_id=parent.pk if parent else None,
        day=effective,
        exclude=[org.pk],
        field="parent",
    )
    old_parent = org.parent
    _reparent(org, parent, effective)
    record(
        "organisations.move",
        actor=actor,
        obj=org,
        organisation=org,
        summary=f"{org.name}: {old_parent or '—'} → {parent or '—'}",
        data={
            "from": old_parent.code if old_parent else None,
            "to": parent.code if parent else None,
            "effective": effective,
        },
    )
    return org


@transaction.atomic
def merge_organisations(
    organisations: Sequence[Organisation],
    *,
    actor: Any,
    effective: dt.date,
    into: Organisation | None = None,
    new: NewOrganisation | None = None,
) -> Organisation:
    """Merge `organisations` into `into` (an existing one) or into a `new` one.

    Their active staff and open children move to the receiving organisation (one
    assignment row per staff member); they close the day before `effective` with
    the receiving organisation as successor. Everything recorded earlier keeps
    pointing at them, so history stays readable.
    """
    sources: list[Organisation] = []
    for organisation in organisations:
        if all(organisation.pk != s.pk for s in sources):
            sources.append(_locked(organisation))
    for source in sources:
        _require_manage(actor, source)
    _not_future(effective)
    if (into is None) == (new is None):
        raise ValidationError(
            _(
                "Hãy chọn một cơ quan tiếp nhận hoặc nhập cơ quan mới. / "
                "Choose an existing receiving organisation or describe a new one."
            )
        )
    if not sources or (into is None and len(sources) < 2):
        raise ValidationError(
            _(
                "Cần ít nhất hai cơ quan để hợp nhất thành cơ quan mới. / "
                "Merging into a new organisation needs at least two organisations."
            )
        )
    for source in sources:
        _check_change(source, effective, closing=True)
        for other in sources:
            if other.pk != source.pk and other.path.startswith(source.path):
                raise ValidationError(
                    _(
                        "%(child)s trực thuộc %(parent)s; không thể hợp nhất chúng. / "
                        "An organisation cannot be merged with its own sub-unit."
                    )
                    % {"child": other.name, "parent": source.name}
                )
    if into is not None:
        target = _locked(into)
        _require_manage(actor, target)
        _check_target(target, effective, sources)
    else:
        assert new is not None
        parent = _fresh(new.parent) if new.parent is not None else _fresh(sources[0].parent)
        if parent is not None:
            _check_target(parent, effective, sources)
        target = create_organisation(
            actor=actor,
            code=new.code,
            name=new.name,
            kind=new.kind,
            parent=parent,
            short_name=new.short_name,
            valid_from=effective,
            audit=False,
            replacing=[s.pk for s in sources],
        )
    source_ids = {s.pk for s in sources}
    children = _open_children(sources)
    for child in children:
        _reparent(child, _fresh(target), effective)
    target = Organisation.objects.get(pk=target.pk)
    staff = _active_staff(Q(organisation__in=source_ids) | Q(division__in=source_ids))
    paths = _division_paths(staff)
    for member in staff:
        if member.organisation_id in source_ids:
            member.organisation = target
            member.division_id = (
                None
                if member.division_id in source_ids
                else _division_within(member.division_id, target, paths)
            )
        else:  # the merged organisation was their division
            member.division_id = (
                target.pk if target.path.startswith(member.organisation.path) else None
            )
    # History notes are records, kept in Vietnamese whatever language the actor uses.
    note = f"Hợp nhất vào {target.name}"
    record_assignments(staff, effective=effective, note=note)
    for source in sources:
        _close(source, effective, target)
    _hand_over_open_work(sources, target, effective=effective, actor=actor)
    record(
        "organisations.merge",
        actor=actor,
        obj=target,
        organisation=target,
        summary=" + ".join(s.name for s in sources) + f" → {target.name}",
        data={
            "sources": [s.code for s in sources],
            "into": target.code,
            "created": into is None,
            "staff_moved": len(staff),
            "children_moved": [c.code for c in children],
            "effective": effective,
        },
    )
    return target


@transaction.atomic
def split_organisation(
    organisation: Organisation,
    *,
    actor: Any,
    effective: dt.date,
    parts: Sequence[NewOrganisation],
    successor_index: int = 0,
    staff_to: Mapping[int, int] | None = None,
    children_to: Mapping[int, int] | None = None,
) -> list[Organisation]:
    """Split the organisation into new ones created from `parts`.

    `staff_to` maps a staff member's pk to the index of the part they move to
    (default: the first part); `children_to` does the same for open children
    (default: the successor). The organisation closes the day before `effective`
    with `parts[successor_index]` as successor.
    """
    org = _locked(organisation)
    _require_manage(actor, org)
    _not_future(effective)
    staff_to, children_to = staff_to or {}, children_to or {}
    if len(parts) < 2:
        raise ValidationError(
            _("Cần ít nhất hai cơ quan mới khi chia tách. / A split needs at least two new parts.")
        )
    indexes = [successor_index, *staff_to.values(), *children_to.values()]
    if any(not 0 <= index < len(parts) for index in indexes):
        raise ValidationError(
            _("Số thứ tự cơ quan mới không hợp lệ. / A part number is out of range.")
        )
    _check_change(org, effective, closing=True)
    created: list[Organisation] = []
    for part in parts:
        parent = _fresh(part.parent) if part.parent is not None else _fresh(org.parent)
        if parent is not None:
            _check_target(parent, effective, [org])
        created.append(
            create_organisation(
                actor=actor,
                code=part.code,
                name=part.name,
                kind=part.kind,
                parent=parent,
                short_name=part.short_name,
                valid_from=effective,
                audit=False,
                replacing=[org.pk],
            )
        )
    successor = created[successor_index]
    children = _open_children([org])
    for child in children:
        _reparent(child, _fresh(created[children_to.get(child.pk, successor_index)]), effective)
    created = [Organisation.objects.get(pk=o.pk) for o in created]
    staff = _active_staff(Q(organisation=org) | Q(division=org))
    paths = _division_paths(staff)
    for member in staff:
        if member.organisation_id == org.pk:
            member.organisation = created[staff_to.get(member.pk, 0)]
            member.division_id = _division_within(member.division_id, member.organisation, paths)
        else:  # the split organisation was their division
            unit = created[staff_to.get(member.pk, 0)]
            member.division_id = unit.pk if unit.path.startswith(member.organisation.path) else None
    note = f"Chia tách từ {org.name}"
    record_assignments(staff, effective=effective, note=note)
    _close(org, effective, successor)
    _hand_over_open_work([org], successor, effective=effective, actor=actor)
    record(
        "organisations.split",
        actor=actor,
        obj=org,
        organisation=org,
        summary=f"{org.name} → " + ", ".join(o.name for o in created),
        data={
            "parts": [o.code for o in created],
            "successor": successor.code,
            "staff_moved": len(staff),
            "children_moved": [c.code for c in children],
            "effective": effective,
        },
    )
    return created


@transaction.atomic
def dissolve_organisation(
    organisation: Organisation,
    *,
    actor: Any,
    effective: dt.date,
    successor: Organisation | None = None,
    move_staff_to: Organisation | None = None,
    move_children_to: Organisation | None = None,
) -> Organisation:
    """Close the organisation the day before `effective`.

    Refused while it has active staff or open children, unless the caller says
    where they go. Staff whose division it was simply lose that division.
    """
    org = _locked(organisation)
    _require_manage(actor, org)
    _not_future(effective)
    _check_change(org, effective, closing=True)
    for other in {o.pk: o for o in (successor, move_staff_to, move_children_to) if o}.values():
        _require_manage(actor, other)
        _check_target(_fresh(other) or other, effective, [org])
    staff = _active_staff(Q(organisation=org))
    if staff and move_staff_to is None:
        raise ValidationError(
            {
                "move_staff_to": _(
                    "Cơ quan còn %(count)d cán bộ đang công tác; hãy chọn nơi chuyển đến. / "
                    "It still has %(count)d active staff members; choose where they go."
                )
                % {"count": len(staff)}
            }
        )
    children = _open_children([org])
    if children and move_children_to is None:
        raise ValidationError(
            {
                "move_children_to": _(
                    "Cơ quan còn %(count)d đơn vị trực thuộc; hãy chọn nơi chuyển đến. / "
                    "It still has %(count)d open sub-units; choose where they go."
                )
                % {"count": len(children)}
            }
        )
    for child in children:
        _reparent(child, _fresh(move_children_to), effective)
    if staff:
        target = _fresh(move_staff_to)
        assert target is not None
        paths = _division_paths(staff)
        for member in staff:
            member.organisation = target
            member.division_id = _division_within(member.division_id, target, paths)
    division_staff = _active_staff(Q(division=org) & ~Q(organisation=org))
    for member in division_staff:
        member.division = None
    note = f"Giải thể {org.name}"
    record_assignments(staff + division_staff, effective=effective, note=note)
    _close(org, effective, successor)
    _hand_over_open_work([org], successor or move_staff_to, effective=effective, actor=actor)
    record(
        "organisations.dissolve",
        actor=actor,
        obj=org,
        organisation=org,
        summary=org.name,
        data={
            "successor": successor.code if successor else None,
            "staff_moved": len(staff),
            "children_moved": [c.code for c in children],
            "effective": effective,
        },
    )
    return org


# --- the open work of what closes (findings 4 and 5 of the reorganisation walk) ---------------


def _hand_over_open_work(
    closed: Sequence[Organisation],
    successor: Organisation | None,
    *,
    effective: dt.date,
    actor: Any,
) -> None:
    """Move each closed organisation's open work to `successor` (`handover.hand_over`).

    A split's open work goes to the part it names as successor (the first part unless
    told otherwise); a dissolution's to its successor, else where its staff went."""
    from . import handover  # it reads planning, cases and inspections, which read us

    target = _fresh(successor)
    for organisation in closed:
        handover.hand_over(
            Organisation.objects.get(pk=organisation.pk),
            target,
            effective=effective,
            actor=actor,
        )
