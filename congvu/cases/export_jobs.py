"""Large cases exports made on the background worker, and what keeps their files short-lived.

The export of a whole province's cases (30,000 rows) takes 8–16 s: too long for a
request. Up to `CASES_EXPORT_INLINE_MAX_ROWS` rows (2,000 by default, about a second)
the workbook is still written in the request; above, `request_export` records a
`CaseExport` for the user and the filter, the worker writes it (`make`), and the user
watches the status page and polling of `core.pdf_exports` (with the workbook's
wording and content type) until the file is offered. The API does the same
(`api.cases.exports`).

Unlike a provincial report's PDF, the file is one user's and carries reporters' names
and phone numbers, so it has its own access check and retention:

* only the user who asked sees it (anyone else: 404);
* it is served only while the user still holds every grant they held when they asked
  (`still_allowed`; otherwise 403 and the file is deleted at once), and
  `forget_user` deletes a user's exports as soon as a grant of theirs is revoked or
  their account is deactivated (`apps.CasesConfig.ready` connects it);
* it lives `CASES_EXPORT_KEEP_MINUTES` (60 by default) after it is made: after that
  it is not served (410 Gone) and `purge` deletes the row and the file — the daily
  job, and each finished export for the ones before it;
* who asked for what (the filter, the number of rows) is in the audit log
  (`case.export`), and so is each download of a finished file (`case.export_download`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import Any, Final

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.core import pdf_exports as jobs

from . import exports, selectors
from .forms import list_filters
from .models import Case, CaseExport

logger = logging.getLogger(__name__)

Status = CaseExport.Status
INLINE_DEFAULT: Final = 2000
KEEP_MINUTES_DEFAULT: Final = 60
WEB_TASK: Final = "congvu.cases.tasks.make_export"
FAILED: Final = gettext_lazy(
    "Không tạo được tệp Excel do lỗi hệ thống; hãy thử lại sau. / "
    "The workbook could not be made (system error); try again later."
)
FAILED_CSV: Final = gettext_lazy(
    "Không tạo được tệp CSV do lỗi hệ thống; hãy thử lại sau. / "
    "The CSV file could not be made (system error); try again later."
)
RIGHT_LOST: Final = gettext_lazy(
    "Bạn không còn quyền như lúc yêu cầu tệp này; tệp đã bị xóa. / "
    "You no longer hold the rights you had when you asked for this file; it was deleted."
)

#: How the worker finds the cases of an export again: (user, its `query`) → cases.
Builder = Callable[[Any, str], QuerySet[Case]]


def inline_max_rows() -> int:
    return int(getattr(settings, "CASES_EXPORT_INLINE_MAX_ROWS", INLINE_DEFAULT))


def keep_for() -> dt.timedelta:
    return dt.timedelta(
        minutes=int(getattr(settings, "CASES_EXPORT_KEEP_MINUTES", KEEP_MINUTES_DEFAULT))
    )


def download_name(export: CaseExport) -> str:
    stamp = f"{timezone.localtime(export.requested_at):%Y%m%d-%H%M}"
    return f"vu-viec-{stamp}.{export.file_format}"


def content_type(export: CaseExport) -> str:
    return exports.FORMATS.get(export.file_format, exports.XLSX)


BAD_FORMAT: Final = gettext_lazy(
    "Định dạng tệp xuất không hợp lệ: chọn xlsx hoặc csv. / "
    "Unknown export format: choose xlsx or csv."
)


def file_format_of(asked: str | None) -> str | None:
    """The format asked ("" or None: the default, xlsx); None when it is not one we write."""
    if not asked:
        return exports.DEFAULT_FORMAT
    asked = asked.strip().lower()
    return asked if asked in exports.FORMATS else None


# --- the filter --------------------------------------------------------------------------


def web_query(data: QueryDict) -> str:
    """The list page's filters as a stable query string (the page number and empty
    fields left out), so that the same filter is the same export."""
    pairs = sorted(
        (key, value)
        for key, values in data.lists()
        for value in values
        if value and key not in ("page", "format")
    )
    clean = QueryDict(mutable=True)
    for key, value in pairs:
        clean.appendlist(key, value)
    return clean.urlencode()


def web_cases(user: Any, query: str) -> QuerySet[Case]:
    """The cases the list page shows `user` for `query` (what the export writes)."""
    _form, filters = list_filters(user, QueryDict(query))
    return selectors.filter_cases(
        selectors.handler_cases(user), filters, today=timezone.localdate()
    ).filter(**({"status": filters.status} if filters.status else {}))


# --- the rights it was made with ---------------------------------------------------------


def grants_key(user: Any) -> list[list[Any]]:
    """The user's grants as data ("admin" first for a superuser), in a stable order."""
    held: list[list[Any]] = sorted(
        [str(grant.role.value), grant.organisation_id, grant.include_subtree]
        for grant in access.grants_of(user)
    )
    if access.is_superuser(user):
        held.insert(0, ["admin", 0, True])
    return held


def allowed_check(user: Any) -> Callable[[CaseExport], bool]:
    """`still_allowed` for the exports of one user, their grants read (afresh) once: may
    an export made with these grants still be served to them?"""
    access.forget(user)
    if not user.is_active or not access.can_anywhere(user, Perm.CASE_VIEW):
        return lambda _export: False
    now = grants_key(user)
    return lambda export: all(grant in now for grant in export.grants)


def still_allowed(export: CaseExport) -> bool:
    """Does the export's user still hold CASE_VIEW and every grant the file was made with?"""
    return allowed_check(export.user)(export)


def is_expired(export: CaseExport, now: dt.datetime | None = None) -> bool:
    return export.expires_at <= (now or timezone.now())


# --- asking and making -------------------------------------------------------------------


def fingerprint(source: str, query: str, language: str, file_format: str = "xlsx") -> str:
    # The xlsx's fingerprint is the one it had before CSV was offered.
    suffix = "" if file_format == "xlsx" else f"\n{file_format}"
    return hashlib.sha256(f"{source}\n{language}\n{query}{suffix}".encode()).hexdigest()


def audit_export(
    user: Any,
    *,
    source: str,
    query: str,
    rows: int,
    export: Any = None,
    file_format: str = "xlsx",
) -> None:
    """`case.export`: who exported which filter, how many rows, in the request or not."""
    with in_record_language():
        record(
            "case.export",
            actor=user,
            obj=export,
            summary=f"{rows} vụ việc" + (f" ({query})" if query else ""),
            data={
                "source": source,
                "filters": query,
                "rows": rows,
                "background": export is not None,
                "format": file_format,
            },
        )


def audit_download(user: Any, export: CaseExport) -> None:
    """`case.export_download`: a finished background export's file was served."""
    _audit_made(user, "case.export_download", export)


def _audit_made(user: Any, action: str, export: CaseExport, **extra: Any) -> None:
    """An event about a background export already made: its filter, rows and format, as
    `case.export` recorded them (no personal data)."""
    with in_record_language():
        record(
            action,
            actor=user,
            obj=export,
            summary=f"{export.rows} vụ việc" + (f" ({export.query})" if export.query else ""),
            data={
                "source": export.source,
                "filters": export.query,
                "rows": export.rows,
                "format": export.file_format,
                **extra,
            },
        )


def request_export(
    user: Any,
    *,
    source: str,
    query: str,
    rows: int,
    task: str = WEB_TASK,
    file_format: str = "xlsx",
) -> CaseExport:
    """The export being made for this user and filter, else a new one queued after the
    commit. A finished one is not served again: the cases change, so asking again
    means a fresh file (the older one is deleted when the new one is done)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    current = fingerprint(source, query, language, file_format)
    now = timezone.now()
    with transaction.atomic():
        running = (
            CaseExport.objects.select_for_update()
            .filter(
                user=user,
                fingerprint=current,
                status__in=[Status.QUEUED, Status.RUNNING],
                requested_at__gt=now - jobs.STALE_AFTER,
            )
            .order_by("-pk")
            .first()
        )
        if running is not None:
            return running
        export = CaseExport.objects.create(
            user=user,
            requested_by=user,
            fingerprint=current,
            source=source,
            query=query,
            language=language,
            file_format=file_format,
            rows=rows,
            grants=grants_key(user),
            expires_at=now + jobs.STALE_AFTER + keep_for(),
        )
        audit_export(
            user, source=source, query=query, rows=rows, export=export, file_format=file_format
        )
        queued = import_string(task)
        transaction.on_commit(lambda: queued.enqueue(export.pk), robust=True)
    return export


def make(export_id: int, cases_of: Builder) -> str:
    """Write one export's workbook (the task's body); returns what happened."""
    claimed = CaseExport.objects.filter(pk=export_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return "not queued"
    export = CaseExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:  # deleted by its owner just after the claim
        return "deleted meanwhile"
    if not still_allowed(export):
        CaseExport.objects.filter(pk=export_id).update(
            status=Status.FAILED, finished_at=timezone.now(), message=str(RIGHT_LOST)
        )
        return "right lost"
    try:
        with translation.override(export.language):
            cases = cases_of(export.user, export.query)
            content = exports.write(export.file_format, export.user, cases)
    except Exception:
        logger.exception("Cases export #%s failed", export_id)
        failed = FAILED_CSV if export.file_format == "csv" else FAILED
        CaseExport.objects.filter(pk=export_id).update(
            status=Status.FAILED, finished_at=timezone.now(), message=str(failed)
        )
        return "failed"
    with transaction.atomic():
        # A random stored name; the user's file name is `download_name`, given when served.
        stored = f"{secrets.token_hex(16)}.{export.file_format}"
        export.file.save(stored, ContentFile(content), save=False)
        export.status = Status.DONE
        export.finished_at = timezone.now()
        export.expires_at = export.finished_at + keep_for()
        saved = CaseExport.objects.filter(pk=export.pk).update(
            file=export.file.name,
            status=export.status,
            finished_at=export.finished_at,
            expires_at=export.expires_at,
        )
        if not saved:
            # Its owner deleted it meanwhile (`jobs.may_delete`): the file belongs to no row.
            export.file.storage.delete(export.file.name)
            return "deleted meanwhile"
        older = CaseExport.objects.filter(
            user=export.user, fingerprint=export.fingerprint, status=Status.DONE
        ).exclude(pk=export.pk)
        _delete(older)  # the same filter's older file: out of date
    purge()
    return "done"


# --- forgetting ----------------------------------------------------------------------------
#
# A file is deleted as soon as it may no longer be served; its row stays a week without
# it (the filter and the number of rows, no personal data), so that its URLs answer
# 410 (expired) or 403 (right lost) rather than 404, then goes too.

ROW_KEPT: Final = dt.timedelta(days=7)


def _drop_files(exports_: Iterable[CaseExport], *, right_lost: bool = False) -> int:
    """Delete the exports' files (once the transaction commits) and forget their names;
    for a right lost, the row also says why it is no longer served."""
    found = list(exports_)
    if not found:
        return 0
    jobs.forget_files(found)
    changes: dict[str, Any] = {"file": ""}
    if right_lost:
        changes.update(status=Status.FAILED, message=str(RIGHT_LOST))
    CaseExport.objects.filter(pk__in=[export.pk for export in found]).update(**changes)
    for export in found:
        export.file.name = ""
    return len(found)


def _delete(exports_: Iterable[CaseExport]) -> int:
    """Delete the rows now and their files once the transaction commits."""
    found = list(exports_)
    if not found:
        return 0
    CaseExport.objects.filter(pk__in=[export.pk for export in found]).delete()
    jobs.forget_files(found)
    return len(found)


def delete(export: CaseExport, *, actor: Any) -> None:
    """Its user deletes the export ("Tệp xuất của tôi"): the row now, the file once the
    transaction commits; `case.export_delete` records the same as `case.export` (the
    filter, the rows, the format, no personal data). A waiting or running one is refused
    (`jobs.StillRunning`) unless its worker is taken as lost (`jobs.may_delete`)."""
    with transaction.atomic():
        locked = CaseExport.objects.select_for_update().filter(pk=export.pk).first()
        if locked is None:  # deleted meanwhile (a second click): nothing left to do
            return
        export = locked
        if not jobs.may_delete(export):
            raise jobs.StillRunning
        _audit_made(actor, "case.export_delete", export, status=export.status)
        _delete([export])


def void(export: CaseExport, *, right_lost: bool) -> None:
    """The export may no longer be served (expired, or its user lost a right): its
    file goes now."""
    with transaction.atomic():
        _drop_files([export], right_lost=right_lost)


def purge(day: dt.date | None = None) -> dict[str, int]:
    """Delete the files of the expired exports and of those whose user lost a right they
    were made with, and the rows a week after they expired (the daily job
    `cases.export_purge`; also after each finished export)."""
    now = timezone.now()
    with transaction.atomic():
        rows = _delete(CaseExport.objects.filter(expires_at__lte=now - ROW_KEPT))
        expired = _drop_files(CaseExport.objects.filter(expires_at__lte=now).exclude(file=""))
        lost = _drop_files(
            (
                export
                for export in CaseExport.objects.select_related("user").exclude(file="")
                if not still_allowed(export)
            ),
            right_lost=True,
        )
    return {"files_expired": expired, "files_right_lost": lost, "rows_deleted": rows}


def forget_user(user_id: int) -> int:
    """Delete the files of every export of the user (a grant revoked or changed, the
    account deactivated); the rows then answer 403."""
    with transaction.atomic():
        return _drop_files(
            CaseExport.objects.filter(user_id=user_id).exclude(file=""), right_lost=True
        )


def json_query(filters: dict[str, Any]) -> str:
    """The API's filters (those set), stored as the export's `query`."""
    return json.dumps({k: v for k, v in filters.items() if v is not None}, sort_keys=True)
