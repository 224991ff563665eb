"""Each user's sign-in history ("Lịch sử đăng nhập"): when and how their account was
signed in to, so that a stolen password or a lost security key does not go unnoticed.

* **Recorded** from Django's `user_logged_in` signal (`recorded_at_login`, connected in
  `apps.py`), so that every door that signs someone in leaves a row. How they signed in
  is known only to the view that called `login`: it says so with `mark(request, …)` just
  before (`views.LoginView`: the password only, or a remembered browser;
  `views._second_step_passed`: the app's code, a recovery code or a passkey). Anything
  unmarked — Django's admin login, `Client.force_login` in tests — counts as the password
  only.
* **What is kept:** the time, the method and coarse names of the browser and system
  (`trusted_browsers.describe`); never the IP address nor the user agent.
* **How many:** the newest `settings.CONGVU_SIGN_IN_HISTORY` (default 30) per user; each
  record deletes the user's older ones in the same transaction (one DELETE), so the table
  never holds more than N rows per user and needs no daily job.
* **A browser the history does not know** (other names than every kept sign-in's, the
  first sign-in aside): the user is told in the app and by e-mail (`notices.new_browser`).
* **Seen** by the user only: `/accounts/sign-ins/` and `GET /api/v1/me/sign-ins`.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from . import notices, trusted_browsers
from .models import SignIn, User

#: The request attribute a view sets before `login` to say how the user signed in.
_METHOD_ATTR: Final = "congvu_sign_in_method"
#: Session key: the sign-in that began this session (the history marks it "this session").
SESSION_KEY: Final = "congvu_sign_in"


def history_length() -> int:
    return max(1, int(getattr(settings, "CONGVU_SIGN_IN_HISTORY", 30) or 30))


def mark(request: Any, method: SignIn.Method) -> None:
    """Say how the user is signing in, just before `django.contrib.auth.login`."""
    setattr(request, _METHOD_ATTR, method)


@transaction.atomic
def record(user: User, *, method: SignIn.Method, user_agent: str = "") -> SignIn:
    """Keep one sign-in of `user`; their sign-ins beyond the newest N go."""
    browser, platform = trusted_browsers.describe(user_agent)
    kept = SignIn.objects.filter(user=user)
    # A browser the recent history does not know (not the very first sign-in; not when
    # nothing of the browser could be told): the user is told, in case it is not them.
    stranger = (
        bool(browser or platform)
        and kept.exists()
        and not kept.filter(browser=browser, platform=platform).exists()
    )
    sign_in = SignIn.objects.create(user=user, method=method, browser=browser, platform=platform)
    if stranger:
        device = " · ".join(name or "?" for name in (browser, platform))
        notices.new_browser(user, device=device, at=sign_in.at)
    older = SignIn.objects.filter(user=user).order_by("-at", "-pk").values("pk")
    SignIn.objects.filter(pk__in=older[history_length() :]).delete()
    return sign_in


def recorded_at_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver. The request may be a bare one (`force_login` in tests:
    no user agent) or missing."""
    method = getattr(request, _METHOD_ATTR, None)
    if method not in SignIn.Method.values:
        method = SignIn.Method.PASSWORD
    meta = getattr(request, "META", None) or {}
    sign_in = record(
        user, method=SignIn.Method(method), user_agent=str(meta.get("HTTP_USER_AGENT", ""))
    )
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = sign_in.pk


def of(user: User) -> QuerySet[SignIn]:
    """The user's sign-ins, newest first."""
    return SignIn.objects.filter(user=user).order_by("-at", "-pk")
