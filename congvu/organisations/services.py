"""Every write on organisations and staff members: checked, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
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
    if division is not None and not division.path.startswith(organisation.path):
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
