"""/me: who the caller is, and what they may do where."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from congvu.accounts import access, trusted_browsers, two_factor
from congvu.accounts.models import Role

from .errors import ErrorOut
from .security import AUTH, user_of
from .users import GrantOut

router = Router(tags=["accounts"], auth=AUTH)


class RoleOut(Schema):
    code: Role
    label: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    is_superuser: bool
    staff_member_id: int | None
    roles: list[RoleOut]
    grants: list[GrantOut]
    two_factor: bool = Field(..., description="Đăng nhập hai bước đã bật / two-step sign-in on")
    two_factor_required: bool = Field(
        ..., description="Vai trò bắt buộc đăng nhập hai bước / a role requires it"
    )
    two_factor_remembered_browsers: int = Field(
        ...,
        description="Số trình duyệt được ghi nhớ (bỏ qua mã) / browsers remembered (code skipped)",
    )


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="Người dùng hiện tại / current user")
def me(request: HttpRequest) -> Any:
    user = user_of(request)
    staff = getattr(user, "staff_member", None)
    grants = user.grants.select_related("organisation").order_by("organisation__path", "role")
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "is_superuser": user.is_superuser,
        "staff_member_id": staff.pk if staff is not None else None,
        "roles": [
            {"code": role, "label": str(role.label)}
            for role in sorted(access.roles_of(user), key=lambda r: r.value)
        ],
        "grants": list(grants),
        "two_factor": two_factor.is_on(user),
        "two_factor_required": two_factor.required_for(user),
        "two_factor_remembered_browsers": trusted_browsers.active(user).count(),
    }
