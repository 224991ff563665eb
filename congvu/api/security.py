"""How API callers authenticate: a personal bearer token, or the browser's session.

* `Authorization: Bearer cv_…` — a personal API token (accounts.services); no
  CSRF check, because a browser never attaches it on its own.
* The Django session cookie — for the site's own pages calling the API. A
  cookie is sent by the browser on its own, so unsafe methods need the CSRF
  token (header `X-CSRFToken`), exactly as for our HTML forms.

Anonymous callers get 401 wherever an operation does not say otherwise.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from congvu.accounts.models import User
from congvu.accounts.services import user_for_api_key

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BearerAuth(HttpBearer):
    """A personal API token; revoked tokens and inactive users are refused."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_key(token)
        if user is not None:
            # Handlers and the access module read `request.user` like anywhere else.
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods.

    ninja's own SessionAuth checks CSRF before it knows whether anyone is signed
    in, so an anonymous POST would get 403 instead of 401; here the check runs
    only for a real session. `csrf` stays True so the docs page sends the token.
    """

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        unsafe = request.method not in _SAFE_METHODS
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and not exempt and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed / Kiểm tra CSRF không thành công.")
        return user


AUTH = [BearerAuth(), SessionAuth(csrf=True)]


def user_of(request: HttpRequest) -> User:
    """The authenticated user of an operation protected by `AUTH`."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user
