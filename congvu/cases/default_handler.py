"""Who receives an organisation's new cases automatically (người nhận vụ việc mặc định).

The head of an organisation (CASE_ASSIGN there: heads, Home Affairs, administrators)
names one person among those who may handle its cases (`eligible`, the same people
`assignment.eligible` offers for a case). Every case then created with that
organisation as its handling organisation — a citizen's report, an officer's intake, a
case from a rating or an inspection: all go through `services.submit_report` — is
given to that person in the same transaction (`auto_assign`), audited as
`case.auto_assign`, and the person is notified after the commit.

Only the organisation itself: a default set on a department does not reach the
cases handled by the units under it (each head names their own).

The head may also name a default per track (`Track`: feedback, complaint,
denunciation) — a denunciation, with its reporter protection, is often handled by
someone else than a feedback. A new case goes to its track's default if one is set,
else to the organisation-wide one. A track default that was cleared because its person
lost the role stays in the way (no fallback to the organisation-wide person) until the
head names someone or clears it: the head chose a separate person for that track on
purpose, and only they may decide who else reads those cases.

A person who loses the role (grant revoked, account deactivated) is never given a
new case: `auto_assign` checks at that moment, clears the default and keeps who it
was (`lost_handler`, audited as `case.default_handler_lost`); the daily job
`sweep` does the same for organisations that received no case meanwhile, and the
page and the API flag a default whose person may no longer handle the cases
(`needs_replacement`) even before either has run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.organisations.models import Organisation

from . import assignment, notices
from .models import Case, DefaultHandler, Track
from .visibility import is_subject


def eligible(organisation: Organisation) -> QuerySet[User]:
    """The people who may be named: CASE_HANDLE on `organisation` (a grant there or
    above it with its subtree), active, superusers aside."""
    return access.holders(Perm.CASE_HANDLE, organisation).order_by("full_name", "username")


#: The rows of an organisation, in the order pages and the API show them.
TRACKS: Final[tuple[str, ...]] = ("", *Track.values)


def of(organisation: Organisation, track: str = "") -> DefaultHandler | None:
    """The organisation-wide default (`track` empty) or that of one track."""
    return (
        DefaultHandler.objects.select_related("handler", "lost_handler", "set_by")
        .filter(organisation=organisation, track=track)
        .first()
    )


def all_of(organisation: Organisation) -> dict[str, DefaultHandler]:
    """Every row of `organisation` by track ("" for the organisation-wide one)."""
    rows = DefaultHandler.objects.select_related("handler", "lost_handler", "set_by")
    return {row.track: row for row in rows.filter(organisation=organisation)}


def track_label(track: str) -> str:
    return str(Track(track).label) if track else _("Người nhận chung của cơ quan (mọi loại đơn)")


def is_set(row: DefaultHandler | None) -> bool:
    """Does this row decide (a person named, or one lost and not yet replaced)?"""
    return row is not None and (row.handler_id is not None or row.lost_handler_id is not None)


def _still_handles(row: DefaultHandler) -> bool:
    return row.handler is not None and eligible(row.organisation).filter(pk=row.handler.pk).exists()


def needs_replacement(row: DefaultHandler | None) -> bool:
    """Is there a default to replace: cleared because its person lost the role, or set to
    someone who may no longer handle the organisation's cases?"""
    if row is None:
        return False
    if row.handler is None:
        return row.lost_handler_id is not None
    return not _still_handles(row)


@transaction.atomic
def set_default(
    organisation: Organisation, *, handler: User | None, actor: Any, track: str = ""
) -> DefaultHandler:
    """Name `handler` (None: nobody) as the receiver of `organisation`'s new cases, or of
    those of one `track` (None there: the organisation-wide default applies)."""
    access.require(actor, Perm.CASE_ASSIGN, organisation)
    if track and track not in Track.values:
        raise ValidationError({"track": _("Loại đơn không hợp lệ. / Unknown track.")})
    if handler is not None and not eligible(organisation).filter(pk=handler.pk).exists():
        raise ValidationError(
            {
                "handler": _(
                    "Người này không được xử lý vụ việc của cơ quan %(org)s. / This person may "
                    "not handle the cases of %(org)s."
                )
                % {"org": organisation.name}
            }
        )
    row = (
        DefaultHandler.objects.select_for_update()
        .filter(organisation=organisation, track=track)
        .first()
    )
    previous = row.handler_id if row is not None else None
    if row is None:
        row = DefaultHandler(organisation=organisation, track=track)
    row.handler = handler
    row.set_by = actor
    row.set_at = timezone.now()
    row.lost_handler = None
    row.lost_at = None
    row.save()
    record(
        "case.default_handler_set" if handler is not None else "case.default_handler_clear",
        actor=actor,
        obj=row,
        organisation=organisation,
        summary=f"{organisation.name}{_track_suffix(track)}: "
        f"{handler if handler is not None else '-'}",
        data={
            "handler": handler.pk if handler is not None else None,
            "previous": previous,
            "track": track,
        },
    )
    return row


def _track_suffix(track: str) -> str:
    return f" ({Track(track).label})" if track else ""


def _clear_lost(row: DefaultHandler) -> None:
    """Clear a default whose person may no longer handle the cases (call it locked)."""
    lost = row.handler
    row.lost_handler = lost
    row.lost_at = timezone.now()
    row.handler = None
    row.save(update_fields=["handler", "lost_handler", "lost_at"])
    record(
        "case.default_handler_lost",
        actor=None,
        obj=row,
        organisation=row.organisation_id,
        summary=f"{row.organisation.name}{_track_suffix(row.track)}: {lost}",
        data={
            "handler": None,
            "previous": lost.pk if lost is not None else None,
            "track": row.track,
        },
    )


def auto_assign(case: Case) -> bool:
    """Give a new `case` to its handling organisation's default handler for the case's
    track, else to the organisation-wide one, if that person may still handle it (inside
    the creating transaction). Whether it was given."""
    rows = {
        row.track: row
        for row in DefaultHandler.objects.select_for_update(of=("self",))
        .select_related("handler", "organisation")
        .filter(organisation_id=case.handling_organisation_id, track__in=["", case.track])
        .order_by("pk")
    }
    row = rows.get(case.track) if is_set(rows.get(case.track)) else rows.get("")
    if row is None or row.handler is None:
        return False
    if not _still_handles(row):
        _clear_lost(row)
        return False
    if is_subject(row.handler, case):
        # Nobody handles a case about themselves: the head assigns this one by hand.
        return False
    assignment.give(case, row.handler, actor=None, automatic=True)
    notices.after_commit(
        row.handler.pk, notices.ASSIGNED, case, kind="case_assigned", url=f"/cases/{case.code}/"
    )
    return True


def sweep(today: dt.date | None = None) -> dict[str, int]:
    """The daily job: clear every default whose person lost the role."""
    cleared = 0
    rows = DefaultHandler.objects.filter(handler__isnull=False).values_list("pk", flat=True)
    for pk in list(rows):
        with transaction.atomic():
            row = (
                DefaultHandler.objects.select_for_update(of=("self",))
                .select_related("handler", "organisation")
                .get(pk=pk)
            )
            if row.handler is not None and not _still_handles(row):
                _clear_lost(row)
                cleared += 1
    return {"cleared": cleared}
