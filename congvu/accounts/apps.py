from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "congvu.accounts"
    label = "accounts"
    verbose_name = _("Người dùng")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import session_limits, sign_ins, two_factor

        user_logged_in.connect(two_factor.checked_at_login, dispatch_uid="two_factor_login")
        user_logged_in.connect(sign_ins.recorded_at_login, dispatch_uid="sign_in_history")
        user_logged_in.connect(session_limits.started_at_login, dispatch_uid="session_limits")
        # After django-axes' receiver (its app comes first): it marks a locked attempt.
        user_login_failed.connect(sign_ins.failed_at_login, dispatch_uid="sign_in_failures")
