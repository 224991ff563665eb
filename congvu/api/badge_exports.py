"""Badge sheets (printable staff badges with QR codes, PDF) through the API, made on the
background worker like the cases export (`api.case_exports`).

`POST /organisations/{id}/badge-exports` with the page's choices (`subtree`: the units
below it too; `part`: which file when the scope needs several, `badges.SHEET_MAX` cards
each) answers 202 with its status URL (also in `Location`); `GET /badge-exports/{id}`
tells its progress and, once done, the file's URL; `GET /badge-exports/{id}/file`
serves the PDF. Every sheet asked here goes to the worker, however small: one flow for
callers (a finished file of the same cards is given back at once, `status` "done").

Scoped as the page `/org/<id>/badges.pdf` (`organisations.badge_exports`): BADGE_PRINT on
the organisation (invisible: 404, visible without it: 403), the cards those the caller
may print. A sheet is its requester's alone: another user's is a 404; once the caller
may no longer print badges there, 403 (the page answers the same).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Status
from ninja.errors import HttpError

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import pdf_exports as jobs
from congvu.organisations import badge_exports, badges
from congvu.organisations.badge_models import BadgeExport
from congvu.organisations.models import Organisation

from .background_files import BackgroundFileOut, background_file_out
from .common import Id, file_responses
from .errors import ErrorOut, ValidationErrorOut
from .security import AUTH, user_of

router = Router(tags=["organisations"], auth=AUTH)

ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
NO_STAFF = gettext_lazy(
    "Không có cán bộ nào mà bạn được in thẻ trong phạm vi này. / "
    "There is no staff member in this scope whose badge you may print."
)
PART_NEEDED = gettext_lazy(
    "Có %(n)s thẻ trong phạm vi này, chia thành %(parts)s tệp (mỗi tệp tối đa %(max)s "
    "thẻ): chọn part từ 1 đến %(parts)s. / There are %(n)s badges in this scope, in "
    "%(parts)s files (at most %(max)s each): choose part 1 to %(parts)s."
)
ONE_PART = gettext_lazy(
    "Phạm vi này chỉ có một tệp thẻ: bỏ part hoặc chọn part=1. / "
    "This scope fits one file: leave part out or choose part=1."
)


class BadgeExportOut(BackgroundFileOut):
    """A badge sheet being made on the background worker, or made."""

    rows: int = Field(..., description="Số thẻ / badges in it")
    organisation_id: int
    subtree: bool = Field(..., description="Gồm đơn vị trực thuộc / with the units below")
    part: int = Field(..., description="Tệp số (0: cả phạm vi trong một tệp) / 0: one file")
    format: str = Field("pdf", description="pdf")


def _out(export: BadgeExport) -> dict[str, Any]:
    out = background_file_out(export, f"/api/v1/badge-exports/{export.pk}")
    sheet = export.sheet
    out.update(
        organisation_id=sheet.organisation_id, subtree=sheet.subtree, part=sheet.part, format="pdf"
    )
    return out


def _own(request: HttpRequest, export_id: int) -> BadgeExport:
    """The caller's export (404 for anyone else's), while they may still print there."""
    user = user_of(request)
    export = (
        BadgeExport.objects.select_related("sheet", "sheet__organisation")
        .filter(pk=export_id, sheet__user=user)
        .first()
    )
    if export is None:
        raise Http404
    access.require(user, Perm.BADGE_PRINT, export.sheet.organisation)
    return export


@router.post(
    "/organisations/{id}/badge-exports",
    response={202: BadgeExportOut, **ERRORS},
    summary="In thẻ cán bộ (PDF, tạo nền) / print the staff badges of an organisation, "
    "made in the background",
    description=(
        "Như nút “In thẻ (PDF)” trên trang cơ quan: thẻ của cán bộ đang làm việc mà người "
        "gọi được in (BADGE_PRINT); `subtree=true`: cả đơn vị trực thuộc; khi quá "
        f"{badges.SHEET_MAX} thẻ, thẻ chia thành nhiều tệp và phải chọn `part` (1, 2, …; "
        "thiếu hoặc ngoài khoảng: 400 kèm số tệp). Không có thẻ nào: 400. Trả 202 kèm địa "
        "chỉ hỏi tình trạng (Location); nếu tệp của đúng các thẻ ấy đã có thì trả ngay với "
        "`status` done. / Like the organisation page's “print badges”: the active staff "
        "whose badges the caller may print; `subtree=true`: the units below too; over "
        f"{badges.SHEET_MAX} badges the sheet is split into files and `part` (1, 2, …) "
        "must be chosen (missing or out of range: 400, saying how many). No badge: 400. "
        "Answers 202 with the status URL (also `Location`); a finished file of the same "
        "cards is given back at once, `status` done."
    ),
)
def start_badge_export(
    request: HttpRequest,
    id: Id,
    response: HttpResponse,
    subtree: bool = Query(False, description="Gồm đơn vị trực thuộc / the units below too"),
    part: int | None = Query(
        None, ge=1, le=10_000, description="Tệp số khi cần nhiều tệp / which file (1, 2, …)"
    ),
) -> Any:
    user = user_of(request)
    organisation = access.get_for(
        user, Perm.BADGE_PRINT, Organisation.objects.all(), organisation_of="", pk=id
    )
    staff = badge_exports.printable_staff(user, organisation, subtree=subtree)
    if not staff:
        raise HttpError(400, str(NO_STAFF))
    parts = badge_exports.part_count(len(staff))
    if parts == 1:
        if part not in (None, 1):
            raise HttpError(400, str(ONE_PART))
        chosen = 0
    elif part is None or part > parts:
        raise HttpError(
            400, str(PART_NEEDED % {"n": len(staff), "parts": parts, "max": badges.SHEET_MAX})
        )
    else:
        chosen = part
    cards = badge_exports.cards_of(staff, chosen)
    export = badge_exports.request_pdf(
        organisation,
        user=user,
        subtree=subtree,
        part=chosen,
        cards=cards,
        title=badge_exports.title_of(organisation, chosen, parts),
        source="api",
    )
    out = _out(export)
    response["Location"] = out["status_url"]
    if export.is_running:
        response["Retry-After"] = "5"
    return Status(202, out)


@router.get(
    "/badge-exports/{export_id}",
    response={200: BadgeExportOut, **ERRORS},
    summary="Tình trạng tệp thẻ cán bộ / a badge sheet's progress",
)
def get_badge_export(request: HttpRequest, export_id: Id) -> Any:
    return _out(_own(request, export_id))


@router.get(
    "/badge-exports/{export_id}/file",
    response=ERRORS,
    summary="Tệp thẻ cán bộ đã tạo / a finished badge sheet (404 until it is done)",
    openapi_extra=file_responses(jobs.PDF),
)
def get_badge_export_file(request: HttpRequest, export_id: Id) -> Any:
    export = _own(request, export_id)
    served = jobs.finished_file(export, badge_exports.download_name(export.sheet))
    badge_exports.audit_download(user_of(request), export, source="api")  # served, not a 404
    return served
