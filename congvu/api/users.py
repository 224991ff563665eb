"""User accounts and role grants, within the caller's GRANT_MANAGE scope.

A user is visible when one of their grants lies in that scope (superusers see
everyone); an invisible user or grant is 404; a role the caller does not hold
on that organisation is 403 (accounts.access.grantable_roles decides). Grants
on organisations the caller cannot see are left out of every answer.

Mounted at the API root: the paths are /users… and /grants/{id}.
"""

from datetime import datetime
from typing import Annotated, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictBool, StringConstraints

from congvu.accounts import access, services, two_factor
from congvu.accounts.access import Perm
from congvu.accounts.models import ApiToken, Role, RoleGrant, User
from congvu.accounts.selectors import search_users
from congvu.organisations.models import Organisation, StaffMember

from .common import NO_NUL, NOT_BLANK, BodyId, Id, OrganisationRef, Pagination, SearchText
from .errors import ErrorOut, ValidationErrorOut
from .plans import get_organisation
from .security import AUTH, user_of

router = Router(tags=["users"], auth=AUTH)


class RejectedItemOut(Schema):
    loc: list[str | int]
    msg: str
    type: str | None = None


class RequestRejectedOut(Schema):
    detail: list[RejectedItemOut]


# 400: a body that is not JSON (ErrorOut), or a request carrying a NUL character,
# refused by core.middleware before it gets here (items without "type").
_ERRORS: dict[int, Any] = {
    400: ErrorOut | RequestRejectedOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


class GrantOut(Schema):
    id: int
    role: Role
    role_label: str
    organisation: OrganisationRef
    include_subtree: bool

    @staticmethod
    def resolve_role_label(obj: RoleGrant) -> str:
        return str(obj.get_role_display())


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_active: bool
    must_change_password: bool = Field(
        ...,
        description="Còn dùng mật khẩu được cấp: phải tự đặt mật khẩu trước khi làm việc khác "
        "trên trang web / still holds a password they were given, and must set their own "
        "before anything else on the site",
    )
    staff_member_id: int | None = Field(None, description="Hồ sơ cán bộ / linked staff member")
    two_factor: bool = Field(..., description="Đã bật đăng nhập hai bước / has two-step sign-in on")
    grants: list[GrantOut] = Field(
        ..., description="Quyền tại các cơ quan bạn thấy / grants on organisations you can see"
    )

    @staticmethod
    def resolve_staff_member_id(obj: User) -> int | None:
        staff = getattr(obj, "staff_member", None)
        return staff.pk if staff is not None else None

    @staticmethod
    def resolve_two_factor(obj: User) -> bool:
        return bool(getattr(obj, "two_factor_on", False))

    @staticmethod
    def resolve_grants(obj: User) -> list[RoleGrant]:
        return list(getattr(obj, "visible_grants", []))


class UserCreatedOut(UserOut):
    password: str = Field(
        ..., description="Mật khẩu một lần, chỉ trả về lúc này / one-time password, shown once"
    )


class UserFilters(Schema):
    q: SearchText | None = Field(
        None, description="Tìm không dấu theo họ tên, tên đăng nhập / name or username"
    )
    active: bool | None = Field(None, description="Đang hoạt động / active accounts")


Username = Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=NOT_BLANK)]


class UserIn(Schema):
    username: Username
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NOT_BLANK)]
    email: Annotated[str, StringConstraints(max_length=254, pattern=NO_NUL)] = ""
    organisation: BodyId = Field(..., description="Cơ quan của quyền đầu tiên / first grant's")
    role: Role = Field(Role.STAFF, description="Vai trò đầu tiên / first role")
    include_subtree: StrictBool = False
    staff_member: BodyId | None = Field(None, description="Liên kết hồ sơ cán bộ / staff id")


class GrantIn(Schema):
    role: Role
    organisation: BodyId
    include_subtree: StrictBool = True


def _users(request: HttpRequest) -> QuerySet[User]:
    user = user_of(request)
    access.require_anywhere(user, Perm.GRANT_MANAGE)
    visible_grants = (
        RoleGrant.objects.filter(organisation__in=Organisation.objects.visible_to(user))
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )
    return (
        access.visible_users(user)
        .annotate(
            two_factor_on=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .select_related("staff_member")
        .prefetch_related(Prefetch("grants", queryset=visible_grants, to_attr="visible_grants"))
    )


def _user(request: HttpRequest, user_id: int) -> User:
    found = _users(request).filter(pk=user_id).first()
    if found is None:
        raise Http404
    return found


@router.get(
    "/users",
    response={200: list[UserOut], **_ERRORS},
    summary="Danh sách người dùng / list users",
)
@paginate(Pagination)
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> Any:
    qs = _users(request)
    if filters.q:
        qs = search_users(qs, filters.q)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("username", "pk")


@router.get("/users/{id}", response={200: UserOut, **_ERRORS}, summary="Một người dùng / one user")
def get_user(request: HttpRequest, id: Id) -> Any:
    return _user(request, id)


@router.post(
    "/users",
    response={201: UserCreatedOut, **_ERRORS},
    summary="Tạo tài khoản / create a user",
)
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    actor = user_of(request)
    access.require_anywhere(actor, Perm.GRANT_MANAGE)
    organisation = get_organisation(user_of(request), Perm.ORG_VIEW, payload.organisation)
    staff = None
    if payload.staff_member is not None:
        staff = StaffMember.objects.visible_to(actor).filter(pk=payload.staff_member).first()
        if staff is None:
            raise Http404
    created, password = services.create_user(
        actor=actor,
        username=payload.username,
        full_name=payload.full_name,
        email=payload.email,
        organisation=organisation,
        role=payload.role,
        include_subtree=payload.include_subtree,
        staff_member=staff,
    )
    out = _user(request, created.pk)
    setattr(out, "password", password)  # noqa: B010 - for the response only, never saved
    return Status(201, out)


@router.post(
    "/users/{id}/grants",
    response={201: GrantOut, **_ERRORS},
    summary="Cấp vai trò / grant a role",
)
def create_grant(request: HttpRequest, id: Id, payload: GrantIn) -> Any:
    subject = _user(request, id)
    organisation = get_organisation(user_of(request), Perm.ORG_VIEW, payload.organisation)
    grant = services.grant_role(
        subject,
        role=payload.role,
        organisation=organisation,
        include_subtree=payload.include_subtree,
        actor=user_of(request),
    )
    return Status(201, grant)


@router.post(
    "/users/{id}/two-factor/reset",
    response={204: None, **_ERRORS},
    summary="Đặt lại đăng nhập hai bước (mất điện thoại) / reset two-step sign-in (lost phone)",
    description="Xóa ứng dụng xác thực và mã dự phòng của người dùng; người đó được báo. "
    "422 khi người đó chưa bật. / Removes the user's authenticator and recovery codes; "
    "they are told. 422 when they have not turned it on.",
)
def reset_two_factor(request: HttpRequest, id: Id) -> Any:
    two_factor.reset(_user(request, id), actor=user_of(request))
    return Status(204, None)


class ApiTokenOut(Schema):
    """A user's API token as an account manager sees it: never the key, nor part of it."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = Field(..., description="Hết hạn lúc / expires; null = never")
    revoked_at: datetime | None = Field(..., description="Thu hồi lúc / revoked")


class TokensRevokedOut(Schema):
    revoked: int = Field(..., description="Số mã đã thu hồi / how many tokens were revoked")


@router.get(
    "/users/{id}/tokens",
    response={200: list[ApiTokenOut], **_ERRORS},
    summary="Mã truy cập API của người dùng / a user's API tokens",
)
def list_tokens(request: HttpRequest, id: Id) -> Any:
    return list(ApiToken.objects.filter(user=_user(request, id)))


@router.post(
    "/users/{id}/tokens/{token_id}/revoke",
    response={200: ApiTokenOut, **_ERRORS},
    summary="Thu hồi một mã truy cập API / revoke one API token",
    description="Mã được giữ lại, đánh dấu đã thu hồi; người dùng được báo. 403 khi bạn không "
    "quản lý được tài khoản này. / The token is kept, marked revoked; its owner is told. 403 "
    "when you may not manage this account.",
)
def revoke_token(request: HttpRequest, id: Id, token_id: Id) -> Any:
    token = ApiToken.objects.filter(user=_user(request, id), pk=token_id).first()
    if token is None:
        raise Http404
    return services.revoke_api_token(token, actor=user_of(request))


@router.post(
    "/users/{id}/tokens/revoke",
    response={200: TokensRevokedOut, **_ERRORS},
    summary="Thu hồi mọi mã truy cập API / revoke every API token of a user",
    description="Người dùng được báo. / Their owner is told.",
)
def revoke_tokens(request: HttpRequest, id: Id) -> Any:
    return {"revoked": services.revoke_api_tokens(_user(request, id), actor=user_of(request))}


@router.delete(
    "/grants/{id}",
    response={204: None, **_ERRORS},
    summary="Thu hồi vai trò / revoke a grant",
)
def delete_grant(request: HttpRequest, id: Id) -> Any:
    grant = RoleGrant.objects.filter(pk=id, user__in=_users(request)).first()
    if grant is None:
        raise Http404
    services.revoke_grant(grant, actor=user_of(request))
    return Status(204, None)
