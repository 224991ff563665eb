"""The accounts app's notices (`core.notices`)."""

from __future__ import annotations

from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from congvu.core import notices
from congvu.core.notices import message, notify

TWO_FACTOR_RESET = message(
    "accounts.two_factor_reset",
    title=gettext_noop("Đăng nhập hai bước của bạn đã được %(by)s đặt lại"),
    body=gettext_noop(
        "Ứng dụng xác thực cũ không còn dùng được. Nếu bạn không đề nghị việc này, hãy báo "
        "ngay cho quản trị hệ thống và đổi mật khẩu."
    ),
)


def two_factor_reset(user: Any, *, by: Any) -> None:
    notify(
        user,
        kind="account",
        key=TWO_FACTOR_RESET.key,
        params={"by": str(by)},
        url=reverse("accounts:two_factor"),
    )


API_TOKENS_REVOKED = message(
    "accounts.api_tokens_revoked",
    title=gettext_noop("%(by)s đã thu hồi %(count)s mã truy cập API của bạn"),
    body=gettext_noop(
        "Các hệ thống dùng mã đó không còn truy cập được; hãy tạo mã mới nếu vẫn cần. Nếu "
        "bạn không đề nghị việc này, hãy báo ngay cho quản trị hệ thống và đổi mật khẩu."
    ),
)


def api_tokens_revoked(user: Any, *, by: Any, count: int) -> None:
    """Tell `user` that an account manager revoked `count` of their API tokens."""
    notify(
        user,
        kind="account",
        key=API_TOKENS_REVOKED.key,
        params={"by": str(by), "count": count},
        url=reverse("accounts:settings"),
    )


NEW_BROWSER = message(
    "accounts.new_browser",
    title=gettext_noop("Đăng nhập từ một trình duyệt mới: %(device)s"),
    body=gettext_noop(
        "Tài khoản của bạn vừa được đăng nhập lúc %(time)s ngày %(day)s từ %(device)s, "
        "chưa thấy trong các lần đăng nhập gần đây. Nếu không phải bạn, hãy đổi mật khẩu "
        "ngay và báo quản trị hệ thống."
    ),
)


def new_browser(user: Any, *, device: str, at: Any) -> None:
    """Tell `user`, in the app and by e-mail, of a sign-in from a browser their recent
    history does not know — after the commit (a sign-in rolled back tells nobody)."""
    local = timezone.localtime(at)

    def send() -> None:
        notification = notify(
            user,
            kind="account",
            key=NEW_BROWSER.key,
            params={"device": device, "day": local.date(), "time": f"{local:%H:%M}"},
            url=reverse("accounts:sign_ins"),
            mail_it=False,  # mailed below whatever the user's setting: it is about safety
        )
        mail = notices.mail(notification, user)
        if mail is not None:
            get_connection().send_messages([mail])

    transaction.on_commit(send)


def _locked_out_body(params: Any) -> str:
    values = notices.shown(params)
    if values.get("device"):
        text = gettext(
            "Đăng nhập vào tài khoản của bạn đã bị tạm khóa lúc %(time)s ngày %(day)s vì "
            "nhập sai mật khẩu quá nhiều lần, từ %(device)s. Nếu không phải bạn, hãy đổi mật "
            "khẩu ngay khi đăng nhập lại được và báo quản trị hệ thống."
        )
    else:
        text = gettext(
            "Đăng nhập vào tài khoản của bạn đã bị tạm khóa lúc %(time)s ngày %(day)s vì "
            "nhập sai mật khẩu quá nhiều lần. Nếu không phải bạn, hãy đổi mật khẩu ngay khi "
            "đăng nhập lại được và báo quản trị hệ thống."
        )
    return text % values


LOCKED_OUT = message(
    "accounts.locked_out",
    title=gettext_noop("Tài khoản của bạn bị tạm khóa đăng nhập do nhập sai nhiều lần"),
    body=_locked_out_body,
)


def locked_out(user: Any, *, device: str, at: Any) -> None:
    """Tell `user` that django-axes locked their account out after failed passwords: a
    notice, e-mailed by `notify`'s own machinery (queued after the commit: the lockout
    page never waits on a mail server, which would tell an existing username)."""
    local = timezone.localtime(at)
    notify(
        user,
        kind="account",
        key=LOCKED_OUT.key,
        params={"device": device, "day": local.date(), "time": f"{local:%H:%M}"},
        url=reverse("accounts:sign_ins"),
    )
