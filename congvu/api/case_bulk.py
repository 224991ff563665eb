"""Assigning many cases in one call, and the organisations' default handlers.

`POST /cases/assign` and `/cases/unassign` do what the case list's bulk form does
(`cases.bulk_assignment`): all the cases or none. A code the caller cannot see is a
404 and one they see without CASE_ASSIGN a 403, as for one case; when the person may
not be given one of the cases (or a rule of the single assignment refuses it), the
answer is 409 with every refused case and its reason, and nothing changed. More than
200 codes, or none, is a 422. Instead of `codes`, a call may send a `filter` (the
filters of `GET /cases`): every case matching it in the caller's scope, at most 200
(more is a 422 asking to narrow the filters); a matched case the caller may not assign
is then named in the 409 rather than answered with a 403.

`GET/PUT /organisations/{id}/case-default-handler`: who receives the organisation's
new cases automatically (`cases.default_handler`), CASE_ASSIGN on it; the GET also
lists the default of each track, and `…/case-default-handler/{track}` reads or sets one.

This router is mounted before the cases router: `/cases/assign` must not be read as
the case whose code is "assign".
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, model_validator

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import bulk_assignment, default_handler, selectors
from congvu.cases.models import Case, DefaultHandler, Track
from congvu.organisations.models import Organisation

from .cases.lookups import filtered_cases
from .cases.schemas import CaseCode, CaseFilters, CaseTrack
from .common import NO_NUL, BodyId, Id, OrganisationRef
from .errors import ErrorOut
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, get_organisation
from .security import AUTH, user_of

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)

Reason = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
# The service refuses more than 200 with a readable message; the schema only keeps a
# runaway list away from the database.
Codes = Annotated[list[CaseCode], Field(min_length=1, max_length=1000)]


class BulkFilterIn(CaseFilters):
    """The filters of `GET /cases`. An unknown key is refused: a misspelt filter ignored
    would widen the list the action applies to."""

    model_config = ConfigDict(extra="forbid")


class _Which(BodyIn):
    """Either the cases' codes or a filter (exactly one of the two)."""

    codes: Codes | None = Field(
        None, description="Mã theo dõi các vụ việc / the cases' codes (or `filter`)"
    )
    filter: BulkFilterIn | None = Field(
        None,
        description="Mọi vụ việc khớp bộ lọc (như GET /cases) thay cho `codes`; tối đa 200, "
        "vụ việc không có quyền giao được nêu trong 409 / every case matching these filters "
        "(as GET /cases) instead of `codes`; at most 200, a case the caller may not assign "
        "is named in the 409",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "_Which":
        if (self.codes is None) == (self.filter is None):
            raise ValueError(
                "Cần đúng một trong hai: codes hoặc filter. / Exactly one of codes and filter "
                "is required."
            )
        return self


class BulkAssignIn(_Which):
    assignee: BodyId = Field(..., description="Mã người dùng được giao / the user's id")
    reason: Reason = Field(
        "", description="Bắt buộc khi giao lại / required when replacing an assignee"
    )


class BulkUnassignIn(_Which):
    reason: Reason = ""


class BulkCaseOut(Schema):
    code: str
    assignee: UserRef | None


class BulkOut(Schema):
    count: int
    cases: list[BulkCaseOut]


class RefusalOut(Schema):
    code: str
    reason: str


class RefusedOut(ErrorOut):
    refused: list[RefusalOut]


BULK_ERRORS: dict[int, Any] = {409: RefusedOut, **WRITE_ERRORS}


def _which(user: User, payload: _Which) -> tuple[list[Case], bool]:
    """The cases the call names, and whether they are a filtered list (`whole_list`)."""
    if payload.filter is None:
        return _cases(user, payload.codes or []), False
    access.require_anywhere(user, Perm.CASE_ASSIGN)
    matched = filtered_cases(user, payload.filter)
    bulk_assignment.check_matching_count(matched.count())
    return list(matched.select_related("handling_organisation")), True


def _cases(user: User, codes: list[str]) -> list[Case]:
    wanted = sorted({code.strip().upper() for code in codes})
    bulk_assignment.check_count(len(wanted))
    found = list(
        selectors.handler_cases(user)
        .filter(code__in=wanted)
        .select_related("handling_organisation")
    )
    if len(found) != len(wanted):
        # Unknown, out of scope or about the caller: a 404, as for one case.
        raise Http404
    return found


def _refused(refused: bulk_assignment.Refused) -> Any:
    return Status(
        409,
        {
            "detail": refused.message,
            "refused": [{"code": r.code, "reason": r.reason} for r in refused.refusals],
        },
    )


def _done(cases: list[Case]) -> dict[str, Any]:
    rows = Case.objects.filter(pk__in=[c.pk for c in cases]).select_related("assignee")
    return {"count": len(cases), "cases": list(rows.order_by("code"))}


@router.post(
    "/cases/assign",
    response={200: BulkOut, **BULK_ERRORS},
    summary="Giao nhiều vụ việc / assign several cases at once (CASE_ASSIGN)",
    description="Tất cả hoặc không: nếu một vụ việc không giao được cho người này, không vụ "
    "việc nào thay đổi và câu trả lời 409 nêu từng vụ việc với lý do. Tối đa 200. Người được "
    "giao nhận một thông báo. Gửi `codes` hoặc `filter` (đúng một). / All or nothing: when one "
    "case cannot be given to this person, none changes and the 409 names each case with its "
    "reason. At most 200. The assignee gets one notice. Send `codes` or `filter` (exactly one).",
)
def assign_cases(request: HttpRequest, payload: BulkAssignIn) -> Any:
    user = user_of(request)
    cases, whole_list = _which(user, payload)
    assignee = User.objects.filter(pk=payload.assignee).first()
    if assignee is None:
        raise ValidationError({"assignee": "Không tìm thấy người dùng. / No such user."})
    try:
        done = bulk_assignment.assign_many(
            cases, assignee=assignee, actor=user, reason=payload.reason, whole_list=whole_list
        )
    except bulk_assignment.Refused as refused:
        return _refused(refused)
    return _done(done)


@router.post(
    "/cases/unassign",
    response={200: BulkOut, **BULK_ERRORS},
    summary="Thôi giao nhiều vụ việc / unassign several cases at once (CASE_ASSIGN)",
    description="Tất cả hoặc không (409 nêu các vụ việc chưa giao cho ai). Gửi `codes` hoặc "
    "`filter` (đúng một). / All or nothing (the 409 names the cases assigned to nobody). Send "
    "`codes` or `filter` (exactly one).",
)
def unassign_cases(request: HttpRequest, payload: BulkUnassignIn) -> Any:
    user = user_of(request)
    cases, whole_list = _which(user, payload)
    try:
        done = bulk_assignment.unassign_many(
            cases, actor=user, reason=payload.reason, whole_list=whole_list
        )
    except bulk_assignment.Refused as refused:
        return _refused(refused)
    return _done(done)


# --- default handlers -------------------------------------------------------------------------


class TrackDefaultOut(Schema):
    track: CaseTrack
    handler: UserRef | None = Field(
        None,
        description="null: theo người nhận chung của cơ quan (trừ khi cần thay) / null: the "
        "organisation-wide default applies (unless needs_replacement)",
    )
    set_at: dt.datetime | None
    lost_handler: UserRef | None = Field(
        None, description="Người đã mất quyền, cần thay / who lost the role and must be replaced"
    )
    lost_at: dt.datetime | None
    needs_replacement: bool


class DefaultHandlerOut(Schema):
    organisation: OrganisationRef
    handler: UserRef | None = Field(
        None, description="Người nhận chung của cơ quan / the organisation-wide default"
    )
    set_at: dt.datetime | None
    lost_handler: UserRef | None = Field(
        None, description="Người đã mất quyền, cần thay / who lost the role and must be replaced"
    )
    lost_at: dt.datetime | None
    needs_replacement: bool
    tracks: list[TrackDefaultOut] = Field(
        ...,
        description="Người nhận riêng theo loại đơn, được ưu tiên hơn người nhận chung / the "
        "default per track, which takes precedence over the organisation-wide one",
    )


class DefaultHandlerIn(BodyIn):
    handler: BodyId | None = Field(
        ..., description="Mã người dùng, hoặc null để bỏ / the user's id, or null for nobody"
    )


def _row_out(row: DefaultHandler | None) -> dict[str, Any]:
    return {
        "handler": row.handler if row is not None else None,
        "set_at": row.set_at if row is not None else None,
        "lost_handler": row.lost_handler if row is not None else None,
        "lost_at": row.lost_at if row is not None else None,
        "needs_replacement": default_handler.needs_replacement(row),
    }


def _track_out(track: str, row: DefaultHandler | None) -> dict[str, Any]:
    return {"track": track, **_row_out(row)}


def _out(organisation: Organisation) -> dict[str, Any]:
    rows = default_handler.all_of(organisation)
    return {
        "organisation": organisation,
        **_row_out(rows.get("")),
        "tracks": [_track_out(track, rows.get(track)) for track in Track.values],
    }


def _handler(payload: DefaultHandlerIn) -> User | None:
    if payload.handler is None:
        return None
    handler = User.objects.filter(pk=payload.handler).first()
    if handler is None:
        raise ValidationError({"handler": "Không tìm thấy người dùng. / No such user."})
    return handler


@router.get(
    "/organisations/{id}/case-default-handler",
    response={200: DefaultHandlerOut, **READ_ERRORS},
    summary="Người nhận vụ việc mặc định / an organisation's default case handler (CASE_ASSIGN)",
)
def get_default_handler(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    return _out(get_organisation(user, Perm.CASE_ASSIGN, id))


@router.put(
    "/organisations/{id}/case-default-handler",
    response={200: DefaultHandlerOut, **WRITE_ERRORS},
    summary="Đặt người nhận vụ việc mặc định / set an organisation's default case handler "
    "(CASE_ASSIGN)",
    description="Vụ việc mới do chính cơ quan này xử lý được tự động giao cho người này (không "
    "áp dụng cho đơn vị cấp dưới). / New cases handled by this organisation itself are "
    "assigned to this person automatically (not those of the units under it).",
)
def put_default_handler(request: HttpRequest, id: Id, payload: DefaultHandlerIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.CASE_ASSIGN, id)
    default_handler.set_default(organisation, handler=_handler(payload), actor=user)
    return _out(organisation)


@router.get(
    "/organisations/{id}/case-default-handler/{track}",
    response={200: TrackDefaultOut, **READ_ERRORS},
    summary="Người nhận vụ việc mặc định của một loại đơn / an organisation's default case "
    "handler for one track (CASE_ASSIGN)",
)
def get_track_default_handler(request: HttpRequest, id: Id, track: CaseTrack) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.CASE_ASSIGN, id)
    return _track_out(track, default_handler.of(organisation, track))


@router.put(
    "/organisations/{id}/case-default-handler/{track}",
    response={200: TrackDefaultOut, **WRITE_ERRORS},
    summary="Đặt người nhận vụ việc mặc định của một loại đơn / set an organisation's default "
    "case handler for one track (CASE_ASSIGN)",
    description="Vụ việc mới thuộc loại đơn này được giao cho người này thay cho người nhận chung "
    "của cơ quan; null: bỏ, áp dụng người nhận chung. Nếu người này mất quyền, vụ việc mới của "
    "loại đơn không được giao tự động cho đến khi đặt lại. / New cases of this track go to this "
    "person instead of the organisation-wide default; null: none, the organisation-wide default "
    "applies. When the person loses the role, the track's new cases are assigned to nobody "
    "until it is set again.",
)
def put_track_default_handler(
    request: HttpRequest, id: Id, track: CaseTrack, payload: DefaultHandlerIn
) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.CASE_ASSIGN, id)
    row = default_handler.set_default(
        organisation, handler=_handler(payload), actor=user, track=track
    )
    return _track_out(track, default_handler.of(organisation, row.track))
