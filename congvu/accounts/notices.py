"""The accounts app's notices (`core.notices`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

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
