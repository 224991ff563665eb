"""The WebAuthn endpoints under the names django-otp-webauthn's template tags look up
(namespace `otp_webauthn`), pointing at our narrowed views (passkey_views.py).

Under /accounts/two-factor/ and /accounts/login/: the two-step middleware lets a user
whose role requires two-step sign-in reach them before it is on."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from . import passkey_views

app_name = "otp_webauthn"
urlpatterns = [
    path(
        "two-factor/passkeys/register/begin/",
        passkey_views.RegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "two-factor/passkeys/register/complete/",
        passkey_views.RegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "login/passkey/begin/",
        passkey_views.AuthenticationBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "login/passkey/complete/",
        passkey_views.AuthenticationComplete.as_view(),
        name="credential-authentication-complete",
    ),
    # The library's script strings (English msgids); Vietnamese: locale/vi/.../djangojs.po.
    path(
        "two-factor/passkeys/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
