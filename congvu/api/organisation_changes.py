"""Restructuring the tree through the API: rename, move, merge, split, dissolve.

The same services as the organisation's page (`organisations.restructuring`), scoped the
same way: the organisation acted on is 404 when invisible and 403 without ORG_MANAGE;
an organisation named in the body is 404 when invisible, and the service answers 403
where the caller may not manage it. Move, merge, split and dissolve are refused (422)
for a date after today; a rename may be dated ahead and shows from that day, and may
be withdrawn until then (`/rename/withdraw`).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router
from pydantic import ConfigDict, StringConstraints

from congvu.accounts.access import Perm
from congvu.organisations import restructuring
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember

from .common import NO_NUL, NOT_BLANK, BodyId, Id, IsoDate, Slug
from .errors import ErrorOut, ValidationErrorOut
from .organisations import OrganisationOut
from .plans import BodyIn, get_organisation
from .security import AUTH, user_of

router = Router(tags=["organisations"], auth=AUTH)

_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}

Name = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK)]
ShortName = Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK)]
EFFECTIVE = "Ngày hiệu lực (YYYY-MM-DD), không sau hôm nay / effective date, not after today"


class _In(BodyIn):
    """An unknown key is refused (422), never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class RenameIn(_In):
    name: Name
    short_name: ShortName | None = Field(
        None, description="Tên viết tắt mới; bỏ qua = giữ nguyên / new short name; omit: keep"
    )
    effective: IsoDate | None = Field(
        None,
        description="Ngày hiệu lực (YYYY-MM-DD), mặc định hôm nay; có thể sau hôm nay: tên "
        "mới hiện từ ngày đó / effective date, default today; may be ahead: the new name "
        "shows from that day",
    )


class WithdrawRenameIn(_In):
    effective: IsoDate | None = Field(
        None,
        description="Ngày hiệu lực của tên mới chờ rút lại (YYYY-MM-DD); bỏ qua = lần đổi tên "
        "chờ hiệu lực muộn nhất / the pending rename's date; omit: the latest pending rename",
    )


class MoveIn(_In):
    parent: BodyId | None = Field(
        ...,
        description="Cơ quan cấp trên mới; null = cấp cao nhất / the new parent; null = top level",
    )
    effective: IsoDate | None = Field(None, description=EFFECTIVE + "; default today")


class NewOrganisationIn(_In):
    code: Code
    name: Name
    kind: Slug = Field(..., description="Mã loại cơ quan / kind code")
    short_name: ShortName = ""


class MergeIn(_In):
    partners: list[BodyId] = Field(
        ...,
        max_length=200,
        description="Các cơ quan hợp nhất cùng cơ quan này / the organisations merged with it",
    )
    into: BodyId | None = Field(
        None, description="Cơ quan tiếp nhận đã có / an existing receiving organisation"
    )
    new: NewOrganisationIn | None = Field(
        None, description="Hoặc cơ quan mới / or a new one (exactly one of `into`, `new`)"
    )
    effective: IsoDate = Field(..., description=EFFECTIVE)


class SplitIn(_In):
    parts: list[NewOrganisationIn] = Field(..., min_length=2, max_length=20)
    successor: int = Field(
        1, ge=1, le=20, description="Số thứ tự (từ 1) của cơ quan kế thừa / successor, 1-based"
    )
    staff_to: dict[int, int] = Field(
        default_factory=dict,
        description="Mã cán bộ (id) → số thứ tự cơ quan mới (từ 1); mặc định cơ quan 1 / "
        "staff id → part number (1-based); default part 1",
    )
    effective: IsoDate = Field(..., description=EFFECTIVE)


class DissolveIn(_In):
    effective: IsoDate = Field(..., description=EFFECTIVE)
    successor: BodyId | None = None
    move_staff_to: BodyId | None = None
    move_children_to: BodyId | None = None


def _named(request: HttpRequest, organisation_id: int | None) -> Organisation | None:
    """An organisation named in the body: 404 if the caller cannot see it."""
    if organisation_id is None:
        return None
    return get_organisation(user_of(request), Perm.ORG_VIEW, organisation_id)


def _new(part: NewOrganisationIn, field: str) -> restructuring.NewOrganisation:
    kind = OrganisationKind.objects.filter(code=part.kind).first()
    if kind is None:
        raise ValidationError({field: "Loại cơ quan không tồn tại. / Unknown organisation kind."})
    return restructuring.NewOrganisation(
        code=part.code, name=part.name, kind=kind, short_name=part.short_name
    )


def _answer(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_related("kind").get(pk=organisation.pk)


@router.post(
    "/organisations/{id}/rename",
    response={200: OrganisationOut, **_ERRORS},
    summary="Đổi tên cơ quan / rename an organisation",
)
def rename(request: HttpRequest, id: Id, payload: RenameIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    return _answer(
        restructuring.rename_organisation(
            organisation,
            actor=user_of(request),
            name=payload.name,
            short_name=payload.short_name,
            effective=payload.effective,
        )
    )


@router.post(
    "/organisations/{id}/rename/withdraw",
    response={200: OrganisationOut, **_ERRORS},
    summary="Rút lại việc đổi tên chờ hiệu lực / withdraw a rename not yet in force",
)
def withdraw_rename(request: HttpRequest, id: Id, payload: WithdrawRenameIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    return _answer(
        restructuring.withdraw_rename(
            organisation, actor=user_of(request), effective=payload.effective
        )
    )


@router.post(
    "/organisations/{id}/move",
    response={200: OrganisationOut, **_ERRORS},
    summary="Chuyển cơ quan sang cơ quan cấp trên khác / move under another parent",
)
def move(request: HttpRequest, id: Id, payload: MoveIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    return _answer(
        restructuring.move_organisation(
            organisation,
            actor=user_of(request),
            parent=_named(request, payload.parent),
            effective=payload.effective,
        )
    )


@router.post(
    "/organisations/{id}/merge",
    response={200: OrganisationOut, **_ERRORS},
    summary="Hợp nhất, sáp nhập / merge (answers the receiving organisation)",
)
def merge(request: HttpRequest, id: Id, payload: MergeIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    partners = [_named(request, pk) for pk in payload.partners]
    return _answer(
        restructuring.merge_organisations(
            [organisation, *(p for p in partners if p is not None)],
            actor=user_of(request),
            effective=payload.effective,
            into=_named(request, payload.into),
            new=_new(payload.new, "new") if payload.new is not None else None,
        )
    )


@router.post(
    "/organisations/{id}/split",
    response={200: list[OrganisationOut], **_ERRORS},
    summary="Chia tách / split into new organisations (answers them, in order)",
)
def split(request: HttpRequest, id: Id, payload: SplitIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    staff = set(
        StaffMember.objects.filter(
            organisation=organisation, is_active=True, pk__in=list(payload.staff_to)
        ).values_list("pk", flat=True)
    )
    unknown = sorted(set(payload.staff_to) - staff)
    if unknown:
        listed = ", ".join(map(str, unknown))
        raise ValidationError(
            {
                "staff_to": f"Không phải cán bộ đang công tác tại cơ quan này: {listed}. / "
                "Not active staff of this organisation."
            }
        )
    created = restructuring.split_organisation(
        organisation,
        actor=user_of(request),
        effective=payload.effective,
        parts=[_new(part, "parts") for part in payload.parts],
        successor_index=payload.successor - 1,
        staff_to={pk: index - 1 for pk, index in payload.staff_to.items()},
    )
    return [_answer(o) for o in created]


@router.post(
    "/organisations/{id}/dissolve",
    response={200: OrganisationOut, **_ERRORS},
    summary="Giải thể / dissolve",
)
def dissolve(request: HttpRequest, id: Id, payload: DissolveIn) -> Any:
    organisation = get_organisation(user_of(request), Perm.ORG_MANAGE, id)
    return _answer(
        restructuring.dissolve_organisation(
            organisation,
            actor=user_of(request),
            effective=payload.effective,
            successor=_named(request, payload.successor),
            move_staff_to=_named(request, payload.move_staff_to),
            move_children_to=_named(request, payload.move_children_to),
        )
    )
