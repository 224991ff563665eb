"""A user's own background exports, of every kind, for "Tệp xuất của tôi" and `/me/exports`.

Two kinds are made on the worker for one user: the cases export (`cases.CaseExport`,
xlsx or CSV) and badge sheets (`organisations.BadgeExport`, through a `BadgeSheet` of
the user). Each is listed while its row is kept — a cases export a week after its file
expired (then "expired"), a badge sheet while it is the sheet's latest — with the same
rights check as its status page at each look:

* a cases export only while the user still holds CASE_VIEW and every grant it was
  made with (`cases.export_jobs.allowed_check`); one that fails it is not listed, and
  its file, if still there, is deleted now, as its page would;
* a badge sheet only while the user may still print badges (BADGE_PRINT) at its
  organisation; else it is not listed (its page answers 403 or 404).

A user has few such exports (a week of cases exports, one file per badge sheet), so
both kinds are read whole, checked, merged newest first and paged in Python.

The user may delete one of them once it is finished (`delete`): one they may not see
in the list (another user's, or made with rights they no longer hold) is not found;
or all their finished ones at once (`delete_all`), keeping those being made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.cases import export_jobs
from congvu.cases.models import CaseExport
from congvu.organisations import badge_exports
from congvu.organisations.badge_models import BadgeExport

from . import pdf_exports as jobs
from .models import PdfExportBase

Status = CaseExport.Status

#: A listed export's state, and its label.
WAITING: Final = "waiting"
RUNNING: Final = "running"
READY: Final = "ready"
FAILED: Final = "failed"
EXPIRED: Final = "expired"
STATES: Final = {
    WAITING: gettext_lazy("Đang chờ"),
    RUNNING: gettext_lazy("Đang tạo"),
    READY: gettext_lazy("Sẵn sàng tải về"),
    FAILED: gettext_lazy("Thất bại"),
    EXPIRED: gettext_lazy("Đã hết hạn"),
}
KINDS: Final = {
    "cases": gettext_lazy("Xuất danh sách vụ việc"),
    "badges": gettext_lazy("Thẻ cán bộ"),
}


@dataclass(frozen=True)
class MyExport:
    kind: str  # a key of KINDS
    id: int
    what: str
    detail: str
    rows: int
    file_format: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    state: str  # a key of STATES
    message: str
    #: The web page that follows it (None once expired) and its file (once ready).
    page_url: str | None
    file_url: str | None
    #: The same through the API (None once expired) and its file (once ready).
    api_url: str | None
    api_file_url: str | None
    #: Until when the file is served (cases exports; a badge sheet's stays while current).
    expires_at: dt.datetime | None
    #: May the user delete it now (`jobs.may_delete`: finished, or its worker lost)?
    deletable: bool = False

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])


def _state(export: Any, *, expired: bool) -> str:
    if export.status == Status.QUEUED:
        return WAITING
    if export.status == Status.RUNNING:
        return RUNNING
    if export.status == Status.FAILED:
        return FAILED
    return EXPIRED if expired or not jobs.file_is_there(export) else READY


def _cases(user: Any, *, only: int | None = None) -> list[MyExport]:
    found = CaseExport.objects.filter(user=user).order_by("-requested_at", "-pk")
    if only is not None:
        found = found.filter(pk=only)
    allowed = export_jobs.allowed_check(user)
    listed = []
    for export in found:
        if not allowed(export):
            if export.file.name:
                export_jobs.void(export, right_lost=True)  # as its page would
            continue
        expired = export_jobs.is_expired(export)
        # Expired whatever its state (its page answers 410 from then on).
        state = EXPIRED if expired else _state(export, expired=False)
        if expired and export.file.name:
            export_jobs.void(export, right_lost=False)
        details = [
            _("%(n)s vụ việc") % {"n": intcomma(export.rows)},
            export.file_format.upper(),
        ]
        if export.source == CaseExport.Source.API:
            details.append("API")
        api = f"/api/v1/cases/exports/{export.pk}"
        ready = state == READY
        listed.append(
            MyExport(
                kind="cases",
                id=export.pk,
                what=str(KINDS["cases"]),
                detail=" · ".join(details),
                rows=export.rows,
                file_format=export.file_format,
                requested_at=export.requested_at,
                finished_at=export.finished_at,
                state=state,
                message=export.message if state == FAILED else "",
                page_url=None
                if state == EXPIRED
                else reverse("cases:export_status", args=[export.pk]),
                file_url=reverse("cases:export_file", args=[export.pk]) if ready else None,
                api_url=None if state == EXPIRED else api,
                api_file_url=f"{api}/file" if ready else None,
                expires_at=export.expires_at,
                deletable=state == EXPIRED or jobs.may_delete(export),
            )
        )
    return listed


def _badges(user: Any, *, only: int | None = None) -> list[MyExport]:
    found = BadgeExport.objects.filter(sheet__user=user).select_related(
        "sheet", "sheet__organisation"
    )
    if only is not None:
        found = found.filter(pk=only)
    listed = []
    for export in found:
        sheet = export.sheet
        organisation = sheet.organisation
        if not access.can(user, Perm.BADGE_PRINT, organisation):
            continue
        state = _state(export, expired=False)
        what = _("Thẻ cán bộ: %(organisation)s") % {"organisation": organisation.name}
        if sheet.subtree:
            what += " " + _("(gồm đơn vị trực thuộc)")
        details = [_("%(n)s thẻ") % {"n": intcomma(export.rows)}, "PDF"]
        if sheet.part:
            details.insert(0, _("tệp số %(part)s") % {"part": sheet.part})
        ready = state == READY
        api = f"/api/v1/badge-exports/{export.pk}"
        listed.append(
            MyExport(
                kind="badges",
                id=export.pk,
                what=what,
                detail=" · ".join(details),
                rows=export.rows,
                file_format="pdf",
                requested_at=export.requested_at,
                finished_at=export.finished_at,
                state=state,
                message=export.message if state == FAILED else "",
                page_url=None
                if state == EXPIRED
                else reverse("organisations:badge_export", args=[export.pk]),
                file_url=reverse("organisations:badge_export_file", args=[export.pk])
                if ready
                else None,
                api_url=api,
                api_file_url=f"{api}/file" if ready else None,
                expires_at=None,
                deletable=jobs.may_delete(export),
            )
        )
    return listed


def of(user: Any) -> list[MyExport]:
    """The user's own exports still kept and still theirs to see, newest first."""
    listed = _cases(user) + _badges(user)
    listed.sort(key=lambda export: (export.requested_at, export.kind, export.id), reverse=True)
    return listed


def find(user: Any, kind: str, pk: int) -> MyExport:
    """One export as the user's list shows it (with the list's checks and their effects);
    404 where the list would not show it: another user's, an unknown kind or id, one
    made with rights the user no longer holds."""
    if kind not in KINDS:
        raise Http404
    found = _cases(user, only=pk) if kind == "cases" else _badges(user, only=pk)
    if not found:
        raise Http404
    return found[0]


def delete_url(kind: str, export: PdfExportBase) -> str:
    """The confirmation page of the export's deletion, for its own status page to offer
    as the list does (`jobs.may_delete`); "" while it is being made. The page has already
    checked what `find` checks (the user's own, rights still held, not expired)."""
    if not jobs.may_delete(export):
        return ""
    return reverse("core:my_export_delete", args=[kind, export.pk])


def delete(user: Any, kind: str, pk: int) -> MyExport:
    """The user deletes one of their exports once finished (`find`'s 404s;
    `jobs.StillRunning` while it is being made); audited by each kind's service.
    Returns what was deleted, as it was listed."""
    listed = find(user, kind, pk)
    _delete_found(user, listed)
    return listed


def _delete_found(user: Any, listed: MyExport) -> None:
    """Its kind's service deletes an export the list shows the user."""
    if listed.kind == "cases":
        case_export = CaseExport.objects.filter(pk=listed.id).first()
        if case_export is not None:  # else deleted meanwhile (a second click)
            export_jobs.delete(case_export, actor=user)
    else:
        badge_export = BadgeExport.objects.filter(pk=listed.id).first()
        if badge_export is not None:
            badge_exports.delete(badge_export, actor=user)


@dataclass(frozen=True)
class Cleared:
    """What `delete_all` did: how many exports it deleted, how many it kept (being made)."""

    deleted: int
    kept: int


def delete_all(user: Any) -> Cleared:
    """The user deletes every finished export of theirs the list shows (on every page),
    each through its kind's service (audited one by one, files removed on commit), in one
    transaction; those still being made are kept and counted."""
    with transaction.atomic():
        listed = of(user)
        deleted = 0
        for export in listed:
            if not export.deletable:
                continue
            try:
                _delete_found(user, export)
            except jobs.StillRunning:
                # Not expected, the list having just been read (a finished export stays
                # finished, a lost worker's stays old); kept rather than failing the rest.
                continue
            deleted += 1
    return Cleared(deleted=deleted, kept=len(listed) - deleted)
