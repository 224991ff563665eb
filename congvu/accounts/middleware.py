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

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _


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
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {"detail": required_message(), "code": "password_change_required"}, status=403
        )
    page = reverse("accounts:password_change")
    if request.method in ("GET", "HEAD"):
        page += "?next=" + quote(request.get_full_path(), safe="/")
    if request.headers.get("HX-Request") == "true":
        # htmx would swap the password page into a fragment: send the whole tab there.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = page
        return response
    return HttpResponseRedirect(page)
