from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "congvu.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import two_factor

        user_logged_in.connect(two_factor.checked_at_login, dispatch_uid="two_factor_login")
