"""Who sees what of a case.

* Handlers (CASE_VIEW where the case is handled or about) see the whole timeline.
* The reporter's name and contact (Law on Denunciation 2018 art. 47-48, Decree
  13/2023: only to those settling the case): shown directly to CASE_IDENTITY holders who
  hold it as the handling organisation's own — a grant there, a duty role there or above
  it, its own staff, the officer the case is assigned to (`can_see_identity`). Home
  Affairs' and the administrator's oversight (every permission, granted higher up) sees
  "[…]" and may reveal it for one case with a reason, audited and told to the handlers
  (`may_reveal_identity`, `cases.identity`). Never the subject, even if they hold the role.
* The reporter (code + passphrase) sees events addressed to them or to both parties.
* The subject sees events addressed to them or to both parties: never the
  reporter's identity, the reporter's messages or the internal notes.
* A handler who is the subject of a case can neither handle it nor see who reported it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import contacts

from .models import Case, CaseEvent, CaseFile

A = CaseEvent.Audience
S = Case.Status

#: What replaces the reporter's name, phone or e-mail in a text they may not read (the
#: one mask of the project: a rating's comment shows contact details the same way).
MASK: Final = contacts.MASK

REPORTER_AUDIENCES: Final = (A.REPORTER, A.PARTIES)
SUBJECT_AUDIENCES: Final = (A.SUBJECT, A.PARTIES)

#: What a citizen (and an Open311 client) is told about a case's status.
PUBLIC_LABELS: Final = {
    S.RECEIVED: _("Đã tiếp nhận, đang xem xét"),
    S.ACCEPTED: _("Đã thụ lý"),
    S.REJECTED: _("Không thụ lý"),
    S.INVESTIGATING: _("Đang xác minh, giải quyết"),
    S.CONCLUDED: _("Đã có kết luận"),
    S.CLOSED: _("Đã kết thúc"),
}


def _staff_id_of(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from congvu.organisations.models import StaffMember

    cached = getattr(user, "_congvu_staff_id", False)
    if cached is False:
        cached = StaffMember.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
        user._congvu_staff_id = cached
    return cached


def is_subject(user: Any, case: Case) -> bool:
    """Is `user` the staff member the case is about?"""
    staff_id = _staff_id_of(user)
    return staff_id is not None and case.subject_staff_id == staff_id


def can_handle(user: Any, case: Case) -> bool:
    return not is_subject(user, case) and access.can(
        user, Perm.CASE_HANDLE, case.handling_organisation
    )


def can_assign(user: Any, case: Case) -> bool:
    """May `user` name (or change) the officer who handles `case`?"""
    return not is_subject(user, case) and access.can(
        user, Perm.CASE_ASSIGN, case.handling_organisation
    )


def require_handler(user: Any, case: Case, perm: Perm = Perm.CASE_HANDLE) -> None:
    """404/403 as `access.require` on the handling organisation; 403 for the subject."""
    access.require(user, perm, case.handling_organisation)
    if is_subject(user, case):
        # Conflict of interest: nobody handles a case about themselves.
        raise PermissionDenied


def _staff_organisation_of(user: Any) -> int | None:
    """The organisation where `user` works as an active staff member (None: nowhere)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    from congvu.organisations.models import StaffMember

    cached = getattr(user, "_congvu_staff_organisation", False)
    if cached is False:
        cached = (
            StaffMember.objects.filter(user_id=user.pk, is_active=True)
            .values_list("organisation_id", flat=True)
            .first()
        )
        user._congvu_staff_organisation = cached
    return cached


def sees_identity_at(user: Any, organisation: Any) -> bool:
    """Does `user` see the reporters of the cases `organisation` handles, as one of its
    own (CASE_IDENTITY through a grant there or a duty role, or as its own staff member)?
    The case's own exceptions (the subject, the assigned officer) are `can_see_identity`'s.
    """
    if not access.can(user, Perm.CASE_IDENTITY, organisation):
        return False
    if access.holds_as_own(user, Perm.CASE_IDENTITY, organisation):
        return True
    # Home Affairs' own cases: its officers hold their role on the province, but they
    # are the department's staff, and the department settles those cases itself.
    return _staff_organisation_of(user) == organisation.pk


def can_see_identity(user: Any, case: Case, *, at_organisation: bool | None = None) -> bool:
    """Does `user` see the reporter's identity directly: as one of the handling
    organisation's own (`sees_identity_at`, given as `at_organisation` when known) or as
    the officer the case is assigned to, and not the subject?"""
    if is_subject(user, case):
        return False
    if at_organisation is None:
        at_organisation = sees_identity_at(user, case.handling_organisation)
    if at_organisation:
        return True
    return (
        case.assignee_id is not None
        and case.assignee_id == getattr(user, "pk", None)
        and access.can(user, Perm.CASE_IDENTITY, case.handling_organisation)
    )


def has_identity(case: Case) -> bool:
    """Is there a reporter's identity to show (not anonymous, not erased)?"""
    return not case.is_anonymous and case.identity_erased_at is None


def may_reveal_identity(user: Any, case: Case) -> bool:
    """May `user` reveal the reporter's identity of `case` for themselves, with a reason?

    Those who reach the case only through oversight (CASE_IDENTITY through a role holding
    every permission, granted above the handling organisation; a superuser): they may step
    in on any case, so they may see who reported it — saying why, on the record."""
    return (
        has_identity(case)
        and not is_subject(user, case)
        and access.can(user, Perm.CASE_IDENTITY, case.handling_organisation)
        and not can_see_identity(user, case)
    )


def events_for_reporter(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(audience__in=REPORTER_AUDIENCES).order_by("created_at", "pk")


def events_for_subject(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(audience__in=SUBJECT_AUDIENCES).order_by("created_at", "pk")


def files_for_reporter(case: Case) -> QuerySet[CaseFile]:
    return case.files.filter(audience__in=REPORTER_AUDIENCES)


def files_for_subject(case: Case) -> QuerySet[CaseFile]:
    return case.files.filter(audience__in=SUBJECT_AUDIENCES)


def public_status(case: Case) -> str:
    """The status a citizen or an Open311 client sees (a readable label)."""
    return str(PUBLIC_LABELS.get(S(case.status), case.get_status_display()))


def open311_status(case: Case) -> str:
    """GeoReport v2 knows two statuses: "open" and "closed"."""
    return "closed" if case.status in (S.CLOSED, S.REJECTED) else "open"


def reporter_identity(user: Any, case: Case, *, revealed: bool = False) -> dict[str, str] | None:
    """The reporter's name and contacts for `user`, or None when not theirs to see.
    `revealed`: the user revealed them for this case (`cases.identity`)."""
    if case.is_anonymous or not (revealed or can_see_identity(user, case)):
        return None
    return {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "email": case.reporter_email,
    }


def shown_file_name(file: CaseFile, *, identity: bool) -> str:
    """The name a reader sees for a case file.

    A reporter's own file keeps its original name only for those who may see the
    reporter's identity: people name a photo after themselves more often than one
    would think. Others see a neutral name with the same extension.
    """
    if file.audience in REPORTER_AUDIENCES and not identity:
        return f"tep-{file.pk}{Path(file.original_name).suffix.lower()[:10]}"
    return file.original_name


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("84"):
        digits = digits[2:]
    digits = digits.lstrip("0")
    if len(digits) < 6:
        return None
    # 0912 345 678, 0912.345.678, +84 912 345 678: any separators, either prefix.
    return r"(?:\+?84|0)?[\s.\-]*" + r"[\s.\-]*".join(digits) + r"(?!\d)"


def identity_pattern(case: Case) -> re.Pattern[str] | None:
    """What of the reporter's identity to mask in the quoted texts (None: nothing known).

    A reporter writes their own name or number into the description more often than one
    would think: the conclusion paper goes to the person they reported, and the case page
    to readers who may not know who reported (`masked_for`)."""
    if case.is_anonymous:
        return None
    parts = []
    name = " ".join(case.reporter_name.split())
    if len(name) >= 2:
        parts.append(r"(?<!\w)" + r"\s+".join(map(re.escape, name.split())) + r"(?!\w)")
    email = case.reporter_email.strip()
    if email:
        parts.append(re.escape(email))
    phone = _phone_pattern(case.reporter_phone)
    if phone:
        parts.append(phone)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def masked_for(user: Any, case: Case, *, identity: bool | None = None) -> Callable[[str], str]:
    """The case's texts as `user` may read them: the reporter's name, phone and e-mail,
    typed into the description, the place or a note, shown only to those who may see
    the reporter's identity (`can_see_identity`); "[…]" for everyone else (an inspector,
    Home Affairs' oversight until it reveals them, a viewer). `identity`: whether the
    user sees them (`can_see_identity`, or revealed), if known."""
    sees = can_see_identity(user, case) if identity is None else identity
    pattern = None if sees else identity_pattern(case)
    if pattern is None:
        return lambda text: text
    return lambda text: pattern.sub(MASK, text) if text else text
