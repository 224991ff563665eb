from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "congvu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import sign_ins, two_factor

        user_logged_in.connect(two_factor.checked_at_login, dispatch_uid="two_factor_login")
        user_logged_in.connect(sign_ins.recorded_at_login, dispatch_uid="sign_in_history")
