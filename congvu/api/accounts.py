"""/me: who the caller is, and what they may do where."""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from congvu.accounts import access, passkeys, sign_ins, trusted_browsers, two_factor
from congvu.accounts.models import Role, SignIn, User
from congvu.core import mail_groups

from .common import Id
from .errors import ErrorOut, ValidationErrorOut
from .plans import READ_ERRORS, BodyIn
from .security import AUTH, user_of
from .users import GrantOut

router = Router(tags=["accounts"], auth=AUTH)


class RoleOut(Schema):
    code: Role
    label: str


MAIL_GROUPS = (
    "Nhóm thông báo → có gửi e-mail không (bản thông báo trong ứng dụng luôn có): planning "
    "(kế hoạch, nhiệm vụ, báo cáo và nhắc việc), inspections (kiểm tra và biện pháp khắc "
    "phục), cases (đánh giá, phản ánh, vụ việc và kỷ luật), security (tài khoản và bảo mật: "
    "luôn true). mail_notices=false tắt e-mail từng thông báo; thư tổng hợp hằng ngày theo "
    "nhóm. / Group of notices → whether it is e-mailed (the in-app notice is always made): "
    "planning (plans, tasks, reports and reminders), inspections (inspections and corrective "
    "actions), cases (ratings, reports, cases and discipline), security (account and "
    "security: always true). mail_notices=false stops each notice's e-mail; the daily "
    "digests follow their group."
)


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
    mail_notices: bool = Field(
        ..., description="Gửi e-mail mỗi thông báo / each notice is also e-mailed"
    )
    mail_language: Literal["", "vi", "en"] = Field(
        ...,
        description="Ngôn ngữ e-mail; rỗng: theo ngôn ngữ đang dùng / e-mail language; "
        "empty: the site's language as last chosen",
    )
    mail_groups: dict[str, bool] = Field(..., description=MAIL_GROUPS)


class MePatchIn(BodyIn):
    """What is left out stays as it is."""

    mail_notices: StrictBool | None = None
    mail_language: Literal["", "vi", "en"] | None = None
    mail_groups: dict[str, StrictBool] | None = Field(
        None,
        description='Chỉ các nhóm cần đổi, ví dụ {"inspections": false}; nhóm không có, hoặc '
        'tắt security: 400. / Only the groups to change, e.g. {"inspections": false}; an '
        "unknown group, or turning security off: 400.",
    )


@router.get("", response={200: MeOut, 401: ErrorOut}, summary="Người dùng hiện tại / current user")
def me(request: HttpRequest) -> Any:
    return _me(user_of(request))


@router.patch(
    "",
    response={200: MeOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="Đổi cách nhận thông báo qua e-mail / change how one's notices are e-mailed",
)
def update_me(request: HttpRequest, payload: MePatchIn) -> Any:
    user = user_of(request)
    changed = {k: v for k, v in payload.dict().items() if v is not None}
    if "mail_groups" in changed:
        try:
            changed["mail_muted_groups"] = mail_groups.changed(user, changed.pop("mail_groups"))
        except mail_groups.UnknownGroups as refused:
            return Status(400, {"detail": str(refused)})
    for key, value in changed.items():
        setattr(user, key, value)
    if changed:
        user.save(update_fields=list(changed))
    return _me(user)


def _me(user: User) -> dict[str, Any]:
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
        "mail_notices": user.mail_notices,
        "mail_language": user.mail_language,
        "mail_groups": mail_groups.mailed(user),
    }


# --- browsers remembered at the two-step sign-in (accounts/trusted_browsers.py) -------------


class TrustedBrowserOut(Schema):
    id: int
    label: str = Field(..., description="Trình duyệt và hệ điều hành / browser and system")
    created_at: dt.datetime
    expires_at: dt.datetime
    last_used_at: dt.datetime | None


class ForgottenOut(Schema):
    forgotten: int = Field(..., description="Số trình duyệt đã quên / browsers forgotten")


@router.get(
    "/trusted-browsers",
    response={200: list[TrustedBrowserOut], **READ_ERRORS},
    summary="Trình duyệt được ghi nhớ / the caller's remembered browsers",
    description="Trình duyệt bỏ qua mã đăng nhập hai bước (chưa hết hạn, chưa quên). / "
    "Browsers that skip the two-step code (not expired, not forgotten).",
)
def list_trusted_browsers(request: HttpRequest) -> Any:
    return list(trusted_browsers.active(user_of(request)))


@router.delete(
    "/trusted-browsers/{id}",
    response={204: None, **READ_ERRORS},
    summary="Quên một trình duyệt / forget one remembered browser",
    description="Lần đăng nhập tới trên trình duyệt đó sẽ hỏi mã. Trình duyệt của người "
    "khác: 404. / The next sign-in there asks for the code. Another user's: 404.",
)
def forget_trusted_browser(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    trusted = trusted_browsers.active(user).filter(pk=id).first()
    if trusted is None:
        raise Http404
    trusted_browsers.forget(trusted, actor=user)
    return Status(204, None)


@router.delete(
    "/trusted-browsers",
    response={200: ForgottenOut, **READ_ERRORS},
    summary="Quên mọi trình duyệt / forget every remembered browser",
)
def forget_all_trusted_browsers(request: HttpRequest) -> Any:
    user = user_of(request)
    return {"forgotten": trusted_browsers.forget_all(user, actor=user)}


# --- the caller's sign-in history (accounts/sign_ins.py) ------------------------------------


class SignInOut(Schema):
    at: dt.datetime
    method: SignIn.Method = Field(..., description="Cách đăng nhập / how they signed in")
    method_label: str = Field(
        ..., description="Theo ngôn ngữ của yêu cầu / in the request's language"
    )
    browser: str = Field(
        ..., description='Tên trình duyệt, "" nếu không rõ / browser, "" if unknown'
    )
    platform: str = Field(..., description='Hệ điều hành, "" nếu không rõ / system, "" if unknown')
    outcome: SignIn.Outcome = Field(
        ...,
        description="Kết quả: success (đăng nhập được), wrong_password (sai mật khẩu), "
        "wrong_code (mật khẩu đúng, sai mã bước thứ hai — `method` cho biết mã ứng dụng hay mã "
        "dự phòng), locked_out (bị khóa tạm thời sau nhiều lần sai, hoặc thử khi đang bị "
        "khóa). Với wrong_password và locked_out, `method` không có ý nghĩa. / The outcome: "
        "success, wrong_password, wrong_code (right password, wrong second-step code — "
        "`method` tells an app code from a recovery code), locked_out (the lockout after "
        "repeated failures, or a try while locked). For wrong_password and locked_out, "
        "`method` means nothing.",
    )
    outcome_label: str = Field(
        ..., description="Theo ngôn ngữ của yêu cầu / in the request's language"
    )
    attempts: int = Field(
        ...,
        description="Số lần thử gộp trong dòng này (lần thất bại liền nhau cùng loại, cùng "
        "trình duyệt); 1 với lần thành công / attempts this row stands for (repeated failures "
        "of one kind from the same browser); 1 for a success",
    )
    last_at: dt.datetime | None = Field(
        ..., description="Lần thử cuối khi attempts > 1 / the last attempt when attempts > 1"
    )


@router.get(
    "/sign-ins",
    response={200: list[SignInOut], **READ_ERRORS},
    summary="Lịch sử đăng nhập / the caller's recent sign-ins",
    description="Các lần đăng nhập gần nhất của chính người gọi, và các lần đăng nhập không "
    "thành công vào tài khoản (`outcome`), mới nhất trước; không có địa chỉ IP, chuỗi user "
    "agent hay những gì đã nhập. Mã API không tạo lần đăng nhập. / The caller's own recent "
    "sign-ins and the failed attempts on their account (`outcome`), newest first; no IP "
    "address, user agent nor typed value is kept. API tokens are not sign-ins.",
)
def list_sign_ins(request: HttpRequest) -> Any:
    return [
        {
            "at": sign_in.at,
            "method": sign_in.method,
            "method_label": sign_in.get_method_display(),
            "browser": sign_in.browser,
            "platform": sign_in.platform,
            "outcome": sign_in.outcome,
            "outcome_label": sign_in.get_outcome_display(),
            "attempts": sign_in.attempts,
            "last_at": sign_in.last_at,
        }
        for sign_in in sign_ins.of(user_of(request))
    ]


# --- passkeys, the other second sign-in step (accounts/passkeys.py) ---------------------------


class PasskeyOut(Schema):
    id: int
    name: str = Field(..., description="Tên người dùng đặt / the name the user gave it")
    created_at: dt.datetime | None = Field(..., description="Ngày thêm / added on")
    last_used_at: dt.datetime | None = Field(..., description="Dùng lần cuối / last used")


@router.get(
    "/passkeys",
    response={200: list[PasskeyOut], **READ_ERRORS},
    summary="Khóa truy cập (passkey) / the caller's passkeys",
    description="Khóa truy cập dùng thay mã ở bước thứ hai khi đăng nhập; thêm khóa chỉ làm "
    "được trong trình duyệt (cần thiết bị xác thực). / Passkeys used instead of the code at "
    "the second sign-in step; adding one is done in the browser (it needs the authenticator).",
)
def list_passkeys(request: HttpRequest) -> Any:
    return list(passkeys.of(user_of(request)))


@router.delete(
    "/passkeys/{id}",
    response={204: None, 422: ValidationErrorOut, **READ_ERRORS},
    summary="Gỡ một khóa truy cập / remove one passkey",
    description="Khóa của người khác: 404. Khóa là cách đăng nhập hai bước cuối cùng: 403 khi "
    "vai trò bắt buộc đăng nhập hai bước, nếu không 422 (gỡ trên trang, nơi hỏi mật khẩu). / "
    "Another user's: 404. The last second-step method: 403 where the role requires two-step "
    "sign-in, else 422 (remove it on the page, which asks for the password).",
)
def remove_passkey(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    credential = passkeys.of(user).filter(pk=id).first()
    if credential is None:
        raise Http404
    passkeys.remove(credential, actor=user, password=None)
    return Status(204, None)


@router.delete(
    "/two-factor/app",
    response={204: None, 422: ValidationErrorOut, **READ_ERRORS},
    summary="Gỡ ứng dụng xác thực, giữ khóa truy cập / remove the authenticator app, keep "
    "the passkeys",
    description="Đổi điện thoại: gỡ ứng dụng, đăng nhập hai bước vẫn bật bằng khóa truy cập; "
    "mã dự phòng và trình duyệt được ghi nhớ vẫn giữ. Chưa có ứng dụng: 404. Không có khóa "
    "truy cập nào (ứng dụng là cách duy nhất): 422. / A new phone: the app goes, two-step "
    "sign-in stays on by the passkeys; recovery codes and remembered browsers stay. No app: "
    "404. No passkey (the app is the only second step): 422.",
)
def remove_two_factor_app(request: HttpRequest) -> Any:
    user = user_of(request)
    if two_factor.device_of(user) is None:
        raise Http404
    two_factor.remove_app(user, password=None)
    return Status(204, None)
