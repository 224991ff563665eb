"""Dissemination sessions and acknowledgements of the code of conduct (seed I.2.a).

Writes: recording and editing a session and its attendance list (a focal point
or head of the organisation, `Perm.ACKNOWLEDGE_RECORD`); a staff member with an
account acknowledging the code in force for them; a focal point recording the
acknowledgement of staff without an account. Reads: which versions a staff
member still has to acknowledge, coverage, and the staff not yet covered.

"The code in force" for an organisation is `conduct.selectors.applicable_versions`:
the active provincial catalogue and the supplements of the organisation and its
ancestors. An acknowledgement is per staff member and version (a DB constraint),
so when a new catalogue version is activated everyone acknowledges again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.conduct.models import CodeVersion
from congvu.conduct.selectors import applicable_versions
from congvu.core.forms import FIRST_YEAR, out_of_range_message
from congvu.organisations.models import Organisation, StaffMember, StaffQuerySet

from .coverage import Coverage, coverage_by_organisation
from .models import Acknowledgement, Dissemination

# --- Sessions -----------------------------------------------------------------------------


def eligible_attendees(organisation: Organisation) -> StaffQuerySet:
    """Staff who can be ticked as attending: active staff of the organisation."""
    return StaffMember.objects.filter(organisation=organisation, is_active=True).order_by(
        "sort_name", "pk"
    )


def _check_session(
    *, held_on: dt.date, format: str, content: str, participants: int, attendees: int
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _(
            "Chỉ ghi nhận buổi đã tổ chức; ngày tổ chức không được sau hôm nay. / "
            "Only sessions already held can be recorded."
        )
    elif held_on.year < FIRST_YEAR:
        errors["held_on"] = out_of_range_message()
    if format not in Dissemination.Format.values:
        errors["format"] = _("Hình thức không hợp lệ. / Invalid format.")
    if not content.strip():
        errors["content"] = _("Hãy nhập nội dung. / Enter the content.")
    if participants < attendees:
        errors["participants"] = _(
            "Số người tham dự không được ít hơn danh sách tham dự (%(count)d người). / "
            "Participants cannot be fewer than the attendance list."
        ) % {"count": attendees}
    if errors:
        raise ValidationError(errors)
    return {
        "held_on": held_on,
        "format": format,
        "content": content.strip(),
        "participants": participants,
    }


def _audit(action: str, session: Dissemination, *, actor: Any, summary: str) -> None:
    record(
        action,
        actor=actor,
        obj=session,
        organisation=session.organisation,
        summary=summary,
        data={
            "held_on": session.held_on,
            "format": session.format,
            "participants": session.participants,
            "attendees": sorted(session.attendees.values_list("pk", flat=True)),
        },
    )


@transaction.atomic
def record_session(
    organisation: Organisation,
    *,
    actor: Any,
    held_on: dt.date,
    format: str,
    content: str,
    participants: int,
) -> Dissemination:
    """Record a dissemination session held by `organisation` (attendance comes next)."""
    access.require(actor, Perm.ACKNOWLEDGE_RECORD, organisation)
    fields = _check_session(
        held_on=held_on, format=format, content=content, participants=participants, attendees=0
    )
    session = Dissemination.objects.create(organisation=organisation, recorded_by=actor, **fields)
    _audit("dissemination.record", session, actor=actor, summary=str(session))
    return session


@transaction.atomic
def edit_session(
    session: Dissemination,
    *,
    actor: Any,
    held_on: dt.date,
    format: str,
    content: str,
    participants: int,
) -> Dissemination:
    session = Dissemination.objects.select_for_update().get(pk=session.pk)
    access.require(actor, Perm.ACKNOWLEDGE_RECORD, session.organisation)
    fields = _check_session(
        held_on=held_on,
        format=format,
        content=content,
        participants=participants,
        attendees=session.attendees.count(),
    )
    for name, value in fields.items():
        setattr(session, name, value)
    session.save()
    _audit("dissemination.edit", session, actor=actor, summary=str(session))
    return session


@transaction.atomic
def set_attendance(
    session: Dissemination,
    *,
    actor: Any,
    shown: Iterable[StaffMember],
    present: Iterable[StaffMember],
) -> Dissemination:
    """Update the attendance list for the staff the user was shown (one page of a long
    list): those in `present` attended, the others of `shown` did not; everyone
    else keeps their mark. The participant count rises to the list's size if lower.
    """
    session = Dissemination.objects.select_for_update().get(pk=session.pk)
    access.require(actor, Perm.ACKNOWLEDGE_RECORD, session.organisation)
    shown_ids = {member.pk for member in shown}
    present_ids = {member.pk for member in present}
    if not present_ids <= shown_ids:
        raise ValidationError(_("Danh sách tham dự không hợp lệ. / Invalid attendance list."))
    eligible = set(eligible_attendees(session.organisation).values_list("pk", flat=True))
    if not shown_ids <= eligible:
        raise ValidationError(
            _(
                "Chỉ chọn được cán bộ đang công tác tại cơ quan tổ chức. / "
                "Only active staff of the organisation can be ticked."
            )
        )
    before = set(session.attendees.values_list("pk", flat=True))
    after = (before - shown_ids) | present_ids
    session.attendees.remove(*(before - after))
    session.attendees.add(*(after - before))
    if session.participants < len(after):
        session.participants = len(after)
        session.save(update_fields=["participants", "updated_at"])
    with in_record_language():
        _audit(
            "dissemination.attendance",
            session,
            actor=actor,
            summary=_("%(session)s: %(count)d người trong danh sách tham dự")
            % {"session": session, "count": len(after)},
        )
    return session


# --- Acknowledgements --------------------------------------------------------------------


def acknowledged_versions(staff: StaffMember, versions: Iterable[CodeVersion]) -> dict[int, Any]:
    """{version pk: acknowledgement} of `staff` among `versions`."""
    return {
        ack.code_version_id: ack
        for ack in Acknowledgement.objects.filter(
            staff=staff, code_version__in=[v.pk for v in versions]
        )
    }


def pending_versions(staff: StaffMember) -> list[CodeVersion]:
    """The versions in force for `staff` that they have not acknowledged yet."""
    versions = applicable_versions(staff.organisation)
    done = acknowledged_versions(staff, versions)
    return [v for v in versions if v.pk not in done]


def _no_catalogue() -> ValidationError:
    return ValidationError(
        _(
            "Chưa có bộ quy tắc ứng xử nào đang áp dụng cho cơ quan. / "
            "No code of conduct is in force for this organisation."
        )
    )


def _create(
    staff: Iterable[StaffMember],
    versions: list[CodeVersion],
    *,
    method: Acknowledgement.Method,
    actor: Any,
) -> list[Acknowledgement]:
    members = list(staff)
    existing = set(
        Acknowledgement.objects.filter(staff__in=members, code_version__in=versions).values_list(
            "staff_id", "code_version_id"
        )
    )
    now = timezone.now()
    new = [
        Acknowledgement(
            staff=member,
            code_version=version,
            method=method,
            recorded_by=actor,
            acknowledged_at=now,
        )
        for member in members
        for version in versions
        if (member.pk, version.pk) not in existing
    ]
    # A double submit racing this one may insert the same pair first: the constraint
    # keeps one row and the loser simply has nothing left to add.
    Acknowledgement.objects.bulk_create(new, ignore_conflicts=True)
    return new


@transaction.atomic
def acknowledge(staff: StaffMember, *, actor: Any) -> list[Acknowledgement]:
    """`actor`, the staff member's own account, confirms having read and committing to
    comply with every version in force for them not acknowledged yet."""
    if staff.user_id is None or staff.user_id != getattr(actor, "pk", None):
        raise ValidationError(
            _(
                "Chỉ chính cán bộ mới tự xác nhận được. / "
                "Only the staff member can acknowledge for themselves."
            )
        )
    if not staff.is_active:
        raise ValidationError(
            _("Cán bộ đã thôi công tác. / This staff member has left the organisation.")
        )
    versions = applicable_versions(staff.organisation)
    if not versions:
        raise _no_catalogue()
    created = _create([staff], versions, method=Acknowledgement.Method.SELF, actor=actor)
    if created:
        with in_record_language():
            record(
                "acknowledgement.self",
                actor=actor,
                obj=staff,
                organisation=staff.organisation,
                summary=_("%(staff)s xác nhận đã đọc và cam kết thực hiện quy tắc ứng xử")
                % {"staff": staff.full_name},
                data={"versions": [ack.code_version_id for ack in created]},
            )
    return created


def recordable_staff(organisation: Organisation) -> StaffQuerySet:
    """Staff whose acknowledgement a focal point may record: active, no account."""
    return StaffMember.objects.filter(
        organisation=organisation, is_active=True, user__isnull=True
    ).order_by("sort_name", "pk")


@transaction.atomic
def record_acknowledgements(
    organisation: Organisation, *, actor: Any, staff: Iterable[StaffMember]
) -> list[Acknowledgement]:
    """A focal point records that these staff (without accounts) have read the code in
    force and committed to comply. Staff with an account confirm for themselves."""
    access.require(actor, Perm.ACKNOWLEDGE_RECORD, organisation)
    members = list(staff)
    if not members:
        raise ValidationError(_("Hãy chọn ít nhất một cán bộ. / Choose at least one person."))
    allowed = set(
        recordable_staff(organisation)
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    if len(allowed) != len({m.pk for m in members}):
        raise ValidationError(
            _(
                "Chỉ ghi nhận được cho cán bộ đang công tác tại cơ quan và chưa có tài khoản. / "
                "Only active staff of the organisation without an account can be recorded."
            )
        )
    versions = applicable_versions(organisation)
    if not versions:
        raise _no_catalogue()
    created = _create(members, versions, method=Acknowledgement.Method.RECORDED, actor=actor)
    if created:
        with in_record_language():
            record(
                "acknowledgement.record",
                actor=actor,
                object_type="organisations.organisation",
                object_id=str(organisation.pk),
                organisation=organisation,
                summary=_("Ghi nhận %(count)d cán bộ đã xác nhận quy tắc ứng xử")
                % {"count": len({ack.staff_id for ack in created})},
                data={
                    "staff": sorted({ack.staff_id for ack in created}),
                    "versions": sorted({ack.code_version_id for ack in created}),
                },
            )
    return created


# --- Coverage --------------------------------------------------------------------------------


def version_ids(organisation: Organisation) -> list[int]:
    return [v.pk for v in applicable_versions(organisation)]


def coverage_of(organisation: Organisation, versions: Iterable[int] | None = None) -> Coverage:
    """Acknowledged active staff / active staff employed directly by `organisation`."""
    ids = list(versions) if versions is not None else version_ids(organisation)
    return coverage_by_organisation([organisation.pk], ids).get(organisation.pk, Coverage(0, 0))


def not_covered(organisation: Organisation, versions: Iterable[int] | None = None) -> StaffQuerySet:
    """Active staff of `organisation` who have acknowledged none of the versions in force,
    in Vietnamese name order."""
    ids = list(versions) if versions is not None else version_ids(organisation)
    return (
        StaffMember.objects.filter(organisation=organisation, is_active=True)
        .exclude(acknowledgements__code_version_id__in=ids)
        .select_related("division", "user")
        .order_by("sort_name", "pk")
    )


def active_version_ids() -> list[int]:
    """Every active version (provincial catalogues and supplements), for the province-wide
    table: one query instead of `applicable_versions` per organisation. Staff acknowledge
    only versions that apply to them, so the numbers agree with the per-organisation page
    except for someone who moved and acknowledged their former organisation's supplement."""
    return list(
        CodeVersion.objects.filter(status=CodeVersion.Status.ACTIVE).values_list("pk", flat=True)
    )
