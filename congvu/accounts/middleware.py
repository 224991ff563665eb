"""Someone signed in with a password an administrator gave them sets their own first.

`services.create_user` and `services.reset_password` hand out a random
password that the administrator has seen; `User.must_change_password` stays
set until its holder changes it. Until then every page of a signed-in
session leads to the password page (and back to where it was going
afterwards); the API answers 403 for that session. Signing out and switching
the language still work. Requests without a session cookie (citizens,
ratings, API tokens) are not looked at: they cannot carry such a session.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import User


def required_message() -> str:
    return _(
        "Bạn đang dùng mật khẩu được cấp: hãy đặt mật khẩu của riêng mình trước. / "
        "You are using a password you were given: set your own first."
    )


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = request.user
            if getattr(user, "must_change_password", False) and not _exempt(request.path_info):
                return _to_password_page(request)
        return self.get_response(request)


def _exempt(path: str) -> bool:
    """The password page needs its own stylesheet, the language switch and signing out."""
    return path in (reverse("accounts:password_change"), reverse("accounts:logout")) or (
        path.startswith(("/i18n/", settings.STATIC_URL or "/static/"))
    )


def _to_password_page(request: HttpRequest) -> HttpResponse:
    return _elsewhere(
        request,
        reverse("accounts:password_change"),
        required_message(),
        "password_change_required",
        status=403,
    )


class SessionLimitsMiddleware:
    """Sign out a session idle too long or signed in too long ago (`session_limits.py`);
    the sign-in page then says why. Requests without a session cookie (citizens, ratings,
    API tokens) are not looked at."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from . import session_limits

        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            reason = session_limits.ended(request)
            if reason is not None:
                logout(request)
                request.session[session_limits.SIGNED_OUT] = reason
                return _elsewhere(
                    request,
                    reverse("accounts:login"),
                    signed_out_message(reason),
                    "session_ended",
                    status=401,
                )
        return self.get_response(request)


def signed_out_message(reason: str) -> str:
    from . import session_limits

    if reason == session_limits.IDLE:
        minutes = session_limits.idle_seconds() // 60
        return _(
            "Bạn đã được đăng xuất vì không thao tác trong %(minutes)s phút. Hãy đăng nhập "
            "lại. / You were signed out after %(minutes)s minutes without activity. Sign in "
            "again."
        ) % {"minutes": minutes}
    hours = session_limits.lifetime_seconds() // 3600
    return _(
        "Phiên đăng nhập đã quá %(hours)s giờ nên bạn đã được đăng xuất. Hãy đăng nhập lại. / "
        "Your session was over %(hours)s hours old, so you were signed out. Sign in again."
    ) % {"hours": hours}


class TwoFactorMiddleware:
    """Two-step sign-in where it is on or required (`two_factor.py`).

    A signed-in session that did not pass the second step (`VERIFIED` unset) is
    looked at: if the user has two-step sign-in on, the session skipped it (a
    sign-in by another door, such as Django's admin login) and is signed out; if
    their role requires it and they have not turned it on, every page leads to the
    page that turns it on. Otherwise the session is left alone and looked at again
    after `RECHECK_SECONDS` (a role given meanwhile then counts).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            response = self._check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        from . import two_factor

        session = request.session
        if session.get(two_factor.VERIFIED):
            return None
        now = time.time()
        if now - float(session.get(two_factor.CHECKED, 0)) < two_factor.RECHECK_SECONDS:
            return None
        user = cast("User", request.user)
        if two_factor.is_on(user):
            logout(request)
            return _elsewhere(
                request,
                reverse("accounts:login"),
                _("Hãy đăng nhập lại, với mã xác thực. / Sign in again, with your code."),
                "two_factor_needed",
                status=401,
            )
        if two_factor.required_for(user):
            if _exempt(request.path_info) or request.path_info.startswith(
                reverse("accounts:two_factor")
            ):
                return None
            return _elsewhere(
                request,
                reverse("accounts:two_factor"),
                _(
                    "Vai trò của bạn bắt buộc đăng nhập hai bước: hãy bật trước. / "
                    "Your role requires two-step sign-in: turn it on first."
                ),
                "two_factor_required",
                status=403,
            )
        session[two_factor.CHECKED] = now
        return None


def _elsewhere(
    request: HttpRequest, page: str, message: str, code: str, *, status: int
) -> HttpResponse:
    """The API's JSON refusal, or the page to go to (htmx would swap the page into a
    fragment: the whole tab is sent there)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    if request.method in ("GET", "HEAD"):
        page += "?next=" + quote(request.get_full_path(), safe="/")
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = page
        return response
    return HttpResponseRedirect(page)
