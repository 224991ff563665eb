"""Passkeys (passkeys.py): the WebAuthn ceremonies' JSON endpoints, and the pages to
rename and remove one's passkeys.

The ceremonies are django-otp-webauthn's views, narrowed: its own URLs are not
routed (`passkey_urls.py` routes these instead), so there is no passwordless sign-in
and no registration outside a signed-in, second-step-verified session.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from congvu.core.types import AuthenticatedHttpRequest

from . import passkeys, sign_ins, two_factor
from .forms import PasskeyNameForm, PasskeyRemoveForm, apply_service_error
from .models import SignIn, User
from .views import pending_user

logger = logging.getLogger("django_otp_webauthn")


def _refused(message: str, code: str, status: int = 403) -> exceptions.OTPWebAuthnApiError:
    error = exceptions.OTPWebAuthnApiError(detail=message, code=code)
    error.status_code = status
    return error


# --- adding a passkey (a signed-in user, on the two-step page) -------------------------------


class _Registration:
    """Who may add a passkey: a signed-in user whose session passed the second step
    when they already have a second-step method (whoever adds one could otherwise skip it)."""

    request: HttpRequest

    def get_user(self) -> User | None:
        user = self.request.user
        return user if isinstance(user, User) and user.is_authenticated else None

    def _check_user_verified(self, user: User) -> None:
        if two_factor.is_on(user) and not self.request.session.get(two_factor.VERIFIED):
            raise _refused(
                _(
                    "Hãy đăng nhập lại qua bước thứ hai trước khi thêm khóa. / "
                    "Sign in again through the second step before adding a passkey."
                ),
                "user_not_verified",
            )


def _not_signed_in() -> exceptions.OTPWebAuthnApiError:
    return _refused(_("Hãy đăng nhập trước. / Sign in first."), "not_authenticated")


@method_decorator(never_cache, name="dispatch")
class RegistrationBegin(_Registration, BeginCredentialRegistrationView):
    def initial(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        if self.get_user() is None:
            raise _not_signed_in()
        super().initial(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class RegistrationComplete(_Registration, CompleteCredentialRegistrationView):
    def initial(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        if self.get_user() is None:
            raise _not_signed_in()
        super().initial(request, *args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        user = self.get_user()
        assert user is not None  # initial() refused otherwise
        state = self.get_state()
        with transaction.atomic(), rewrite_exceptions(logger=logger):
            credential = self.get_helper().register_complete(
                user=user,
                state=state,
                data=self.request.data,  # type: ignore[attr-defined]  # the library's parsed JSON
            )
            passkeys.added(credential, actor=user)
        # Whoever just used the key holds it: this session has passed the second step
        # (as when the app's first code is typed back).
        self.request.session[two_factor.VERIFIED] = True
        return JsonResponse({"id": credential.pk})


# --- signing in with a passkey (half-way: the password was right) ----------------------------


def _expired() -> str:
    return _(
        "Phiên đăng nhập đã hết hạn hoặc thử sai quá nhiều lần: hãy đăng nhập lại. / "
        "The sign-in expired or failed too many times: sign in again."
    )


class _SecondStep:
    """Only the user half-way through signing in, and only with their own passkey."""

    request: HttpRequest
    pending: tuple[User, dict[str, Any]] | None = None

    def check_can_authenticate(self) -> None:
        if self.request.user.is_authenticated:
            raise _refused(_("Bạn đã đăng nhập. / You are signed in."), "signed_in")
        self.pending = pending_user(self.request)
        if self.pending is None:
            raise _refused(_expired(), "not_at_this_step")
        if not passkeys.has_any(self.pending[0]):
            raise _refused(
                _("Tài khoản chưa có khóa truy cập. / The account has no passkey."),
                "no_passkey",
            )

    def get_user(self) -> User | None:
        return self.pending[0] if self.pending else None


@method_decorator(never_cache, name="dispatch")
class AuthenticationBegin(_SecondStep, BeginCredentialAuthenticationView):
    pass


@method_decorator(never_cache, name="dispatch")
class AuthenticationComplete(_SecondStep, CompleteCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        assert self.pending is not None  # check_can_authenticate() refused otherwise
        user, pending = self.pending
        try:
            state = self.get_state()
            with rewrite_exceptions(logger=logger):
                credential = self.get_helper().authenticate_complete(
                    user=user,
                    state=state,
                    data=self.request.data,  # type: ignore[attr-defined]  # the library's parsed JSON
                )
            self.check_device_usable(credential)
        except exceptions.OTPWebAuthnApiError as error:
            return self._failed(pending, error)
        passkeys.mark_passed(pending, credential)
        self.request.session[two_factor.PENDING] = pending
        # No redirect: the page's script posts the code form (with its "remember this
        # browser" box), and login_code ends the sign-in as for a right code.
        return JsonResponse({"id": credential.pk, "redirect_url": ""})

    def _failed(self, pending: dict[str, Any], error: Exception) -> JsonResponse:
        """A failure counts as a wrong code towards the pending sign-in's limit, and in
        the owner's sign-in history (a key that is not theirs, after their password)."""
        assert self.pending is not None
        sign_ins.record_failure(
            self.pending[0],
            outcome=SignIn.Outcome.WRONG_CODE,
            method=SignIn.Method.PASSKEY,
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        session = self.request.session
        pending["failures"] = int(pending.get("failures", 0)) + 1
        if pending["failures"] >= two_factor.PENDING_FAILURES:
            session.pop(two_factor.PENDING, None)
            return JsonResponse({"detail": _expired(), "code": "too_many_failures"}, status=403)
        session[two_factor.PENDING] = pending
        detail = _(
            "Không xác nhận được bằng khóa truy cập này: hãy thử lại, dùng khóa khác hoặc "
            "nhập mã. / This passkey could not be verified: try again, use another passkey "
            "or type a code."
        )
        code = getattr(error, "code", "error")
        return JsonResponse({"detail": detail, "code": code}, status=400)


# --- renaming and removing one's passkeys ----------------------------------------------------


def _own(request: AuthenticatedHttpRequest, pk: int) -> WebAuthnCredential:
    """One of the user's own passkeys; another user's (or none): 404."""
    credential = passkeys.of(request.user).filter(pk=pk).select_related("user").first()
    if credential is None:
        raise Http404
    return credential


@login_required
@require_POST
def passkey_rename(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Rename a passkey; also where the page's script sends the name typed before adding
    one (`added`: an empty name keeps the default)."""
    from .views import _two_factor_page

    credential = _own(request, pk)
    form = PasskeyNameForm(request.POST)
    just_added = request.POST.get("added") == "1"
    if form.is_valid():
        name = form.cleaned_data["name"]
        try:
            if name or not just_added:
                passkeys.rename(credential, name=name, actor=request.user)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            if just_added:
                messages.success(
                    request, _("Đã thêm khóa truy cập “%(name)s”.") % {"name": credential.name}
                )
            else:
                messages.success(request, _("Đã đổi tên khóa truy cập."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, rename_form=form, renaming=credential.pk, status=400)


@login_required
def passkey_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove one's passkey. The last second-step method: 403 where the role
    requires two-step sign-in; otherwise the password is asked (turning it off)."""
    credential = _own(request, pk)
    last = passkeys.is_last_method(credential)
    if last and two_factor.required_for(request.user):
        return render(
            request,
            "accounts/passkey_remove.html",
            {"credential": credential, "last": last, "refused": True},
            status=403,
        )
    form = PasskeyRemoveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if last and not form.is_valid():
            status = 400
        else:
            try:
                turned_off = passkeys.remove(
                    credential,
                    actor=request.user,
                    password=form.cleaned_data["password"] if last else None,
                )
            except ValidationError as error:
                apply_service_error(form, error)
                status = 400
            else:
                if turned_off:
                    request.session.pop(two_factor.VERIFIED, None)
                    messages.success(
                        request,
                        _("Đã gỡ khóa truy cập “%(name)s”; đăng nhập hai bước đã tắt.")
                        % {"name": credential.name},
                    )
                else:
                    messages.success(
                        request,
                        _("Đã gỡ khóa truy cập “%(name)s”.") % {"name": credential.name},
                    )
                return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/passkey_remove.html",
        {"credential": credential, "last": last, "form": form},
        status=status,
    )
