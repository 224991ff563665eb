from django.contrib.auth import views as auth_views
from django.urls import path

from . import passkey_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/mail/", views.mail_preferences, name="mail_preferences"),
    path("sign-ins/", views.sign_in_history, name="sign_ins"),
    path("two-factor/", views.two_factor_page, name="two_factor"),
    path("two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_codes"),
    path("two-factor/app/remove/", views.two_factor_app_remove, name="two_factor_app_remove"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path(
        "two-factor/browsers/<int:pk>/forget/",
        views.trusted_browser_forget,
        name="trusted_browser_forget",
    ),
    path(
        "two-factor/browsers/forget/",
        views.trusted_browser_forget_all,
        name="trusted_browser_forget_all",
    ),
    path(
        "two-factor/passkeys/<int:pk>/rename/",
        passkey_views.passkey_rename,
        name="passkey_rename",
    ),
    path(
        "two-factor/passkeys/<int:pk>/remove/",
        passkey_views.passkey_remove,
        name="passkey_remove",
    ),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/grants/", views.user_grant, name="user_grant"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path(
        "users/<int:pk>/two-factor/reset/",
        views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path(
        "users/<int:pk>/tokens/<int:token>/revoke/",
        views.user_token_revoke,
        name="user_token_revoke",
    ),
    path("users/<int:pk>/tokens/revoke/", views.user_tokens_revoke, name="user_tokens_revoke"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
