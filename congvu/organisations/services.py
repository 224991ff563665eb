"""Creating organisations, and every write on staff members: checked, atomic, audited.

Structural changes to existing organisations (rename, move, merge, split,
dissolve) are in `restructuring.py`, which shares the helpers marked below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.core.text import name_key

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


def may_create_root(actor: Any) -> bool:
    """May `actor` start a tree (a province's top organisation)?

    Only with organisation management over a whole tree: Home Affairs granted on one
    department made a top organisation it could then not see (security walk, finding 6).
    """
    return access.holds_province_wide(actor, Perm.ORG_MANAGE)


def require_parent_perm(actor: Any, parent: Organisation | None) -> None:
    """Creating at the top of the tree is for province-wide roles only."""
    if actor is None:  # system jobs: demo loader, management commands
        return
    if parent is None:
        if not may_create_root(actor):
            raise PermissionDenied
        return
    access.require(actor, Perm.ORG_MANAGE, parent)


def check_name_free(
    name: str,
    *,
    parent_id: int | None,
    day: dt.date,
    exclude: Collection[int] = (),
    field: str = "name",
) -> None:
    """Refuse `name` if a sibling (same parent) bears it on `day` or later: two entries
    in the citizen's report form that differ only in case ("Văn phòng", "VĂN PHÒNG")
    cannot be told apart. Accents count ("Hòa" and "Hóa" are two names), not the tone
    mark's place ("Hòa" and "Hoà" are one); spaces are collapsed (`core.text.name_key`).
    Divisions and units under different parents ("Văn phòng" in every department) may
    share a name. `exclude`: the organisation itself, or those a merge or split closes
    the day before `day` (a new commune often keeps the name of one it replaces).
    `field`: where the form shows it (a move's is the new parent)."""
    clash = (
        OrganisationVersion.objects.filter(name_key=name_key(name), parent_id=parent_id)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .filter(Q(organisation__valid_to__isnull=True) | Q(organisation__valid_to__gte=day))
        .exclude(organisation_id__in=list(exclude))
        .select_related("organisation")
        .order_by("valid_from")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                field: _(
                    "%(code)s cũng trực thuộc cơ quan này và mang tên «%(name)s» từ %(day)s; "
                    "hãy chọn tên khác. / Another organisation under the same parent has "
                    "this name on that day."
                )
                % {
                    "code": clash.organisation.code,
                    "name": clash.name,
                    "day": format_day(max(clash.valid_from, day)),
                }
            }
        )


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
    replacing: Collection[int] = (),
) -> Organisation:
    """`replacing`: the organisations a merge or split closes as this one begins."""
    require_parent_perm(actor, parent)
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
    if parent is not None and valid_from < parent.valid_from:
        # Else the tree as of a day in between shows the unit as a second root.
        raise ValidationError(
            {
                "valid_from": _(
                    "Ngày hiệu lực phải từ %(day)s trở đi: %(parent)s có hiệu lực từ ngày đó. / "
                    "A unit cannot begin before its parent organisation does."
                )
                % {"day": format_day(parent.valid_from), "parent": parent.name}
            }
        )
    check_name_free(
        name, parent_id=parent.pk if parent else None, day=valid_from, exclude=replacing
    )
    org = Organisation(
        code=code,
        name=" ".join(name.split()),
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


def _check_staff_code(code: str) -> None:
    """The Excel import's rule for a new or changed code: unaccented letters, digits, . _ / -."""
    from .importing.validation import CODE_MAX, CODE_RE, msg_code

    if len(code) > CODE_MAX or not CODE_RE.match(code):
        raise ValidationError({"staff_code": msg_code()})


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
    _check_staff_code(staff_code.strip())
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


# --- Dates and assignment history (also used by restructuring.py) ---------------------

ONE_DAY = dt.timedelta(days=1)
EARLIEST = dt.date(1900, 1, 1)


def format_day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def record_assignments(staff: Sequence[StaffMember], *, effective: dt.date, note: str) -> None:
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
    if staff_code != member.staff_code:
        _check_staff_code(staff_code)
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
                    % {"day": format_day(current.valid_from)}
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
        record_assignments([member], effective=effective, note="")
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
