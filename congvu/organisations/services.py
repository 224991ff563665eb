"""Every write on organisations and staff members: checked, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import Role
from congvu.audit.services import record

from .models import (
    PATH_SEGMENT,
    Organisation,
    OrganisationKind,
    OrganisationVersion,
    StaffAssignment,
    StaffMember,
    new_badge_token,
)


def path_for(pk: int, parent: Organisation | None) -> str:
    return (parent.path if parent else "") + str(pk).zfill(PATH_SEGMENT)


def _require_parent_perm(actor: Any, parent: Organisation | None) -> None:
    """Creating at the top of the tree is for province-wide roles only."""
    if actor is None:  # system jobs: demo loader, management commands
        return
    if parent is None:
        if not (
            getattr(actor, "is_superuser", False)
            or access.any_role(actor, {Role.ADMIN, Role.HOME_AFFAIRS})
        ):
            raise PermissionDenied
        return
    access.require(actor, Perm.ORG_MANAGE, parent)


@transaction.atomic
def create_organisation(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: OrganisationKind,
    parent: Organisation | None = None,
    short_name: str = "",
    valid_from: dt.date | None = None,
    audit: bool = True,
) -> Organisation:
    _require_parent_perm(actor, parent)
    code = code.strip()
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("Mã định danh %(code)s đã tồn tại. / Code already exists.") % {"code": code}}
        )
    valid_from = valid_from or timezone.localdate()
    if parent is not None and parent.valid_to is not None and parent.valid_to < valid_from:
        raise ValidationError(
            {"parent": _("Cơ quan cấp trên đã hết hiệu lực. / The parent organisation is closed.")}
        )
    org = Organisation(
        code=code,
        name=name.strip(),
        short_name=short_name.strip(),
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        depth=(parent.depth + 1) if parent else 0,
    )
    org.refresh_search_text()
    org.save()
    org.path = path_for(org.pk, parent)
    org.save(update_fields=["path"])
    OrganisationVersion.objects.create(
        organisation=org,
        name=org.name,
        short_name=org.short_name,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
    )
    if audit:
        record(
            "organisations.create",
            actor=actor,
            obj=org,
            organisation=org,
            summary=f"{org.code} {org.name}",
            data={"parent": parent.code if parent else None, "valid_from": valid_from},
        )
    return org


def _check_staff_fields(organisation: Organisation, division: Organisation | None) -> None:
    if division is not None and (
        division.pk == organisation.pk or not division.path.startswith(organisation.path)
    ):
        raise ValidationError(
            {
                "division": _(
                    "Phòng, bộ phận phải thuộc cơ quan đã chọn. / "
                    "The division must belong to the chosen organisation."
                )
            }
        )


@transaction.atomic
def create_staff(
    *,
    actor: Any,
    organisation: Organisation,
    full_name: str,
    staff_code: str,
    category: str,
    position_title: str = "",
    is_leader: bool = False,
    division: Organisation | None = None,
    email: str = "",
    phone: str = "",
    valid_from: dt.date | None = None,
) -> StaffMember:
    if actor is not None:
        access.require(actor, Perm.STAFF_MANAGE, organisation)
    _check_staff_fields(organisation, division)
    if StaffMember.objects.filter(staff_code=staff_code.strip()).exists():
        raise ValidationError(
            {"staff_code": _("Mã cán bộ đã tồn tại. / Staff code already exists.")}
        )
    staff = StaffMember(
        full_name=" ".join(full_name.split()),
        staff_code=staff_code.strip(),
        category=category,
        position_title=position_title.strip(),
        is_leader=is_leader,
        organisation=organisation,
        division=division,
        email=email.strip(),
        phone=phone.strip(),
    )
    staff.refresh_name_keys()
    staff.full_clean(exclude=["user", "badge_token"])
    staff.save()
    StaffAssignment.objects.create(
        staff=staff,
        organisation=organisation,
        division=division,
        position_title=staff.position_title,
        is_leader=is_leader,
        valid_from=valid_from or timezone.localdate(),
    )
    record(
        "staff.create",
        actor=actor,
        obj=staff,
        organisation=organisation,
        summary=f"{staff.staff_code} {staff.full_name}",
    )
    return staff


@transaction.atomic
def rotate_badge(staff: StaffMember, *, actor: Any) -> StaffMember:
    """Issue a new badge token; the old QR code stops working at once."""
    if actor is not None:
        access.require_staff(actor, Perm.STAFF_MANAGE, staff)
    staff.badge_token = new_badge_token()
    staff.save(update_fields=["badge_token", "updated_at"])
    record("staff.rotate_badge", actor=actor, obj=staff, organisation=staff.organisation_id)
    return staff


# --- Restructuring: rename, move, merge, split, dissolve ------------------------------
#
# The `Organisation` row always mirrors the organisation's latest version (so the
# materialised path is the newest tree); `OrganisationVersion` rows carry the dates,
# and `tree_as_of` rebuilds any day from them. Every change that takes effect on
# day D closes what came before on D - 1, so the versions of one organisation
# never overlap and old records (ratings, cases, assignments) keep pointing at the
# organisation they were made for.

ONE_DAY = dt.timedelta(days=1)
EARLIEST = dt.date(1900, 1, 1)
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
    """Re-read the row under a lock: two officers must not restructure it at once."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _fresh(organisation: Organisation | None) -> Organisation | None:
    """Re-read after a bulk path update, which leaves objects in memory stale."""
    return None if organisation is None else Organisation.objects.get(pk=organisation.pk)


def _open_version(organisation: Organisation) -> OrganisationVersion | None:
    return (
        OrganisationVersion.objects.filter(organisation=organisation, valid_to__isnull=True)
        .order_by("-valid_from")
        .first()
    )


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def _check_change(organisation: Organisation, effective: dt.date, *, closing: bool) -> None:
    """A change must fall in the organisation's life, on or after its latest version began.

    Closing (merge, split, dissolve) needs a later day: the organisation's last day
    is `effective - 1`, which may not come before its first.
    """
    if effective < EARLIEST:
        raise ValidationError({"effective": _("Ngày hiệu lực không hợp lệ. / Invalid date.")})
    if organisation.valid_to is not None:
        raise ValidationError(
            _("%(name)s đã hết hiệu lực từ %(day)s. / This organisation is already closed.")
            % {"name": organisation.name, "day": _day(organisation.valid_to)}
        )
    latest = _open_version(organisation)
    start = max(organisation.valid_from, latest.valid_from if latest else organisation.valid_from)
    if effective < start or (closing and effective == start):
        raise ValidationError(
            {
                "effective": _(
                    "Ngày hiệu lực phải sau ngày %(day)s (lần thay đổi gần nhất của %(name)s). / "
                    "The effective date must be after the organisation's latest change."
                )
                % {"day": _day(start), "name": organisation.name}
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


def _new_version(organisation: Organisation, effective: dt.date) -> None:
    """Close the open version the day before `effective`; open one from the row's fields."""
    latest = _open_version(organisation)
    fields = {
        "name": organisation.name,
        "short_name": organisation.short_name,
        "kind_id": organisation.kind_id,
        "parent_id": organisation.parent_id,
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


def _record_assignments(staff: Sequence[StaffMember], *, effective: dt.date, note: str) -> None:
    """Save the staff members' new placement and keep one history row per move.

    Each open assignment closes the day before `effective`; one that began on or
    after that day is corrected in place rather than left with no days at all.
    """
    if not staff:
        return
    StaffMember.objects.bulk_update(
        staff, ["organisation", "division", "position_title", "is_leader"], batch_size=500
    )
    current = {
        a.staff_id: a
        for a in StaffAssignment.objects.filter(
            staff__in=[s.pk for s in staff], valid_to__isnull=True
        ).order_by("valid_from")
    }
    closed, corrected, opened = [], [], []
    for member in staff:
        placement = {
            "organisation_id": member.organisation_id,
            "division_id": member.division_id,
            "position_title": member.position_title,
            "is_leader": member.is_leader,
            "note": note[:200],
        }
        row = current.get(member.pk)
        if row is not None and row.valid_from >= effective:
            for attr, value in placement.items():
                setattr(row, attr, value)
            corrected.append(row)
            continue
        if row is not None:
            row.valid_to = effective - ONE_DAY
            closed.append(row)
        opened.append(StaffAssignment(staff=member, valid_from=effective, **placement))
    StaffAssignment.objects.bulk_update(closed, ["valid_to"], batch_size=500)
    StaffAssignment.objects.bulk_update(
        corrected,
        ["organisation", "division", "position_title", "is_leader", "note"],
        batch_size=500,
    )
    StaffAssignment.objects.bulk_create(opened, batch_size=500)


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
    """Give the organisation a new name from `effective`; the old name stays in its history."""
    org = _locked(organisation)
    _require_manage(actor, org)
    effective = effective or timezone.localdate()
    name = " ".join(name.split())
    short_name = org.short_name if short_name is None else " ".join(short_name.split())
    if not name:
        raise ValidationError({"name": _("Hãy nhập tên mới. / Enter the new name.")})
    if name == org.name and short_name == org.short_name:
        raise ValidationError(
            {"name": _("Tên mới trùng với tên hiện tại. / The new name is the current name.")}
        )
    _check_change(org, effective, closing=False)
    old_name = org.name
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
    _require_parent_perm(actor, parent)
    parent = _fresh(parent)
    effective = effective or timezone.localdate()
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
    note = _("Hợp nhất vào %(name)s") % {"name": target.name}
    _record_assignments(staff, effective=effective, note=note)
    for source in sources:
        _close(source, effective, target)
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
    note = _("Chia tách từ %(name)s") % {"name": org.name}
    _record_assignments(staff, effective=effective, note=note)
    _close(org, effective, successor)
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
    note = _("Giải thể %(name)s") % {"name": org.name}
    _record_assignments(staff + division_staff, effective=effective, note=note)
    _close(org, effective, successor)
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


# --- Staff -------------------------------------------------------------------------------


@transaction.atomic
def update_staff(
    staff: StaffMember,
    *,
    actor: Any,
    full_name: str,
    staff_code: str,
    category: str,
    position_title: str,
    is_leader: bool,
    organisation: Organisation,
    division: Organisation | None,
    email: str,
    phone: str,
    effective: dt.date | None = None,
) -> StaffMember:
    """Change a staff member's details; a new placement opens a new assignment row."""
    member = StaffMember.objects.select_for_update().get(pk=staff.pk)
    if actor is not None:
        access.require_staff(actor, Perm.STAFF_MANAGE, member)
        if organisation.pk != member.organisation_id:
            access.require(actor, Perm.STAFF_MANAGE, organisation)
    _check_staff_fields(organisation, division)
    staff_code = staff_code.strip()
    if StaffMember.objects.filter(staff_code=staff_code).exclude(pk=member.pk).exists():
        raise ValidationError(
            {"staff_code": _("Mã cán bộ đã tồn tại. / Staff code already exists.")}
        )
    effective = effective or timezone.localdate()
    moved = (
        organisation.pk != member.organisation_id
        or (division.pk if division else None) != member.division_id
        or position_title.strip() != member.position_title
        or is_leader != member.is_leader
    )
    if moved:
        if not member.is_active:
            raise ValidationError(
                _(
                    "Cán bộ đã thôi công tác; không thể thay đổi nơi công tác. / "
                    "The staff member has left; their placement cannot change."
                )
            )
        if not organisation.valid_on(effective):
            raise ValidationError(
                {
                    "organisation": _(
                        "Cơ quan không có hiệu lực vào ngày hiệu lực. / "
                        "The organisation is not open on the effective date."
                    )
                }
            )
        current = member.assignments.filter(valid_to__isnull=True).order_by("-valid_from").first()
        if current is not None and effective < current.valid_from:
            raise ValidationError(
                {
                    "effective": _(
                        "Ngày hiệu lực phải từ %(day)s trở đi. / "
                        "The effective date must be on or after the current assignment's start."
                    )
                    % {"day": _day(current.valid_from)}
                }
            )
    before = {"organisation": member.organisation_id, "position_title": member.position_title}
    member.full_name = " ".join(full_name.split())
    member.staff_code = staff_code
    member.category = category
    member.position_title = position_title.strip()
    member.is_leader = is_leader
    member.organisation = organisation
    member.division = division
    member.email = email.strip()
    member.phone = phone.strip()
    member.refresh_name_keys()
    member.full_clean(exclude=["user", "badge_token"])
    member.save()
    if moved:
        _record_assignments([member], effective=effective, note="")
    record(
        "staff.update",
        actor=actor,
        obj=member,
        organisation=organisation,
        summary=f"{member.staff_code} {member.full_name}",
        data={"before": before, "moved": moved, "effective": effective if moved else None},
    )
    return member


@transaction.atomic
def mark_staff_left(
    staff: StaffMember, *, actor: Any, left_on: dt.date, note: str = ""
) -> StaffMember:
    """The staff member stopped working here: their badge stops working too."""
    member = StaffMember.objects.select_for_update().get(pk=staff.pk)
    if actor is not None:
        access.require_staff(actor, Perm.STAFF_MANAGE, member)
    if not member.is_active:
        raise ValidationError(_("Cán bộ đã thôi công tác. / The staff member has already left."))
    current = member.assignments.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if left_on < EARLIEST or (current is not None and left_on < current.valid_from):
        raise ValidationError(
            {
                "left_on": _(
                    "Ngày thôi công tác phải từ ngày bắt đầu công tác hiện tại trở đi. / "
                    "The leaving date cannot be before the current assignment began."
                )
            }
        )
    member.is_active = False
    member.left_on = left_on
    member.save(update_fields=["is_active", "left_on", "updated_at"])
    if current is not None:
        current.valid_to = left_on
        if note:
            current.note = note[:200]
        current.save(update_fields=["valid_to", "note"])
    record(
        "staff.leave",
        actor=actor,
        obj=member,
        organisation=member.organisation_id,
        summary=f"{member.staff_code} {member.full_name}",
        data={"left_on": left_on, "note": note},
    )
    return member
