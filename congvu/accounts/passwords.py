"""Password validators worded in the house's two languages.

Django's MinimumLengthValidator formats its message with a bare `%d`, so a
translation can name the minimum only once and cannot say it in Vietnamese and
in English; this one words it with a named placeholder.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return gettext(
            "Mật khẩu này quá ngắn: cần ít nhất %(min_length)d ký tự. / "
            "This password is too short. It must contain at least %(min_length)d characters."
        ) % {"min_length": self.min_length}
