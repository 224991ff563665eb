"""Who handles a case and its tags: assign, unassign, the eligible officers, the case's
tags, and the province's list of tags.

Handlers only (like the rest of `/cases`): a case outside the caller's scope is a 404,
one in scope without the permission a 403 — CASE_ASSIGN to assign or unassign (the
head of the handling organisation), CASE_HANDLE to change the tags, CASE_RULES_MANAGE
to keep the province's list. The writes are `cases.assignment` and `cases.tags`.
Nothing here is reachable without an account, and the citizen's calls
(`/public/cases…`, Open311) never return a handler or a tag.
"""

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Router, Status
from pydantic import StrictBool, StringConstraints, WithJsonSchema

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import assignment, rules, tags
from congvu.cases.models import CaseTag
from congvu.organisations.models import Organisation

from .cases.lookups import get_case
from .cases.schemas import CaseCode, CaseDetailOut, TagRef
from .common import NO_NUL, NOT_BLANK, BodyId, Id
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, UserRef, one_of
from .security import AUTH, user_of

router = Router(tags=["Vụ việc / Cases"], auth=AUTH)

Colour = Annotated[CaseTag.Colour, WithJsonSchema(one_of(CaseTag.Colour))]
TagName = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NOT_BLANK)]
Reason = Annotated[str, StringConstraints(max_length=2000, pattern=NO_NUL)]


class AssignIn(BodyIn):
    assignee: BodyId = Field(..., description="Mã người dùng được giao / the user's id")
    reason: Reason = Field(
        "", description="Bắt buộc khi giao lại / required when replacing the assignee"
    )


class UnassignIn(BodyIn):
    reason: Reason = ""


class CaseTagsIn(BodyIn):
    tags: Annotated[list[BodyId], Field(max_length=50)] = Field(
        ..., description="Toàn bộ nhãn của vụ việc / every tag the case should have"
    )


class TagOut(TagRef):
    is_active: bool


class TagIn(BodyIn):
    name: TagName
    colour: Colour = CaseTag.Colour.GREY
    is_active: StrictBool = True


class TagPatch(BodyIn):
    name: TagName | None = None
    colour: Colour | None = None
    is_active: StrictBool | None = None


def _user(user_id: int) -> User:
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        raise ValidationError({"assignee": "Không tìm thấy người dùng. / No such user."})
    return found


@router.get(
    "/cases/{code}/assignees",
    response={200: list[UserRef], **READ_ERRORS},
    summary="Người có thể được giao xử lý / who the case may be assigned to (CASE_ASSIGN)",
)
def list_case_assignees(request: HttpRequest, code: CaseCode) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    access.require(user, Perm.CASE_ASSIGN, case.handling_organisation)
    return list(assignment.eligible(case))


@router.post(
    "/cases/{code}/assign",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Giao, giao lại xử lý / assign or reassign a case (CASE_ASSIGN)",
    description="Chỉ người có quyền xử lý vụ việc tại cơ quan xử lý; giao lại cần lý do. Người "
    "được giao nhận thông báo. / Only to someone who may handle the handling organisation's "
    "cases; a reassignment needs a reason. The assignee is notified.",
)
def assign_case(request: HttpRequest, code: CaseCode, payload: AssignIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    assignment.assign(case, assignee=_user(payload.assignee), actor=user, reason=payload.reason)
    return get_case(user, code)


@router.post(
    "/cases/{code}/unassign",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Thôi giao xử lý / unassign a case (CASE_ASSIGN)",
)
def unassign_case(request: HttpRequest, code: CaseCode, payload: UnassignIn) -> Any:
    user = user_of(request)
    assignment.unassign(get_case(user, code), actor=user, reason=payload.reason)
    return get_case(user, code)


@router.put(
    "/cases/{code}/tags",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Đặt nhãn cho vụ việc / set a case's tags (CASE_HANDLE)",
    description="Danh sách đầy đủ: nhãn thêm vào phải đang dùng. / The whole list: tags added "
    "must be active.",
)
def set_case_tags(request: HttpRequest, code: CaseCode, payload: CaseTagsIn) -> Any:
    user = user_of(request)
    tags.set_tags(get_case(user, code), tag_ids=payload.tags, actor=user)
    return get_case(user, code)


# --- the province's list ----------------------------------------------------------------------


def _visible_tags(user: User) -> QuerySet[CaseTag]:
    """The tags of the provinces where the user sees cases."""
    scope = access.organisations_for(user, Perm.CASE_VIEW)
    roots = [
        root.pk
        for root in Organisation.objects.filter(parent__isnull=True)
        if scope.filter(path__startswith=root.path).exists()
    ]
    return CaseTag.objects.filter(province_id__in=roots)


@router.get(
    "/case-tags",
    response={200: list[TagOut], **READ_ERRORS},
    summary="Nhãn vụ việc / the handlers' tags of the caller's province (CASE_VIEW)",
)
def list_case_tags(request: HttpRequest) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.CASE_VIEW)
    return list(_visible_tags(user))


def _managed(user: User, tag_id: int) -> CaseTag:
    root = rules.require_manage(user)
    tag = tags.of_province(root.pk).filter(pk=tag_id).first()
    if tag is None:
        raise Http404
    return tag


@router.post(
    "/case-tags",
    response={201: TagOut, **WRITE_ERRORS},
    summary="Thêm nhãn vụ việc / add a tag (CASE_RULES_MANAGE)",
)
def create_case_tag(request: HttpRequest, payload: TagIn) -> Any:
    user = user_of(request)
    tag = tags.create_tag(
        actor=user, name=payload.name, colour=payload.colour, is_active=payload.is_active
    )
    return Status(201, tag)


@router.patch(
    "/case-tags/{tag_id}",
    response={200: TagOut, **WRITE_ERRORS},
    summary="Sửa, ngừng dùng nhãn / change or deactivate a tag (CASE_RULES_MANAGE)",
)
def update_case_tag(request: HttpRequest, tag_id: Id, payload: TagPatch) -> Any:
    user = user_of(request)
    return tags.update_tag(
        _managed(user, tag_id),
        actor=user,
        name=payload.name,
        colour=payload.colour,
        is_active=payload.is_active,
    )
