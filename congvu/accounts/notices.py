"""The accounts app's notices (`core.notices`)."""

from __future__ import annotations

from typing import Any

from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

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
