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
* **Failed attempts** on an existing, active account are kept too (`outcome`): a wrong
  password (`failed_at_login`, Django's `user_login_failed`), a wrong second-step code
  (`views.login_code`), an attempt django-axes refused or that made it lock the account
  (`LOCKED_OUT`; the owner is told, `notices.locked_out`). An unknown username records
  nothing, and nothing of this changes what the sign-in page answers. Repeats of the same
  kind from the same browser names within `REPEAT_WINDOW` of the last are one row with a
  count; the newest N failures are kept apart from the newest N successes, so a flood of
  failures never pushes out the sign-ins that worked.
* **The next successful sign-in** tells how many failed attempts there were since the one
  before (`recorded_at_login`, a one-time message linking to the history).
* **Seen** by the user only: `/accounts/sign-ins/` and `GET /api/v1/me/sign-ins`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from . import notices, trusted_browsers
from .models import SignIn, User

#: The request attribute a view sets before `login` to say how the user signed in.
_METHOD_ATTR: Final = "congvu_sign_in_method"
#: Session key: the sign-in that began this session (the history marks it "this session").
SESSION_KEY: Final = "congvu_sign_in"
#: Failed attempts of one kind from the same browser names, each within this long of the
#: previous one and with nothing else in between, are one row (a burst, not a list of 50).
REPEAT_WINDOW: Final = dt.timedelta(hours=1)
#: A lockout tells its owner at most once in this long (an attacker rotating addresses
#: locks the account again and again; one notice says it all).
LOCKOUT_NOTICE_EVERY: Final = dt.timedelta(hours=1)

Outcome = SignIn.Outcome


def history_length() -> int:
    return max(1, int(getattr(settings, "CONGVU_SIGN_IN_HISTORY", 30) or 30))


def mark(request: Any, method: SignIn.Method) -> None:
    """Say how the user is signing in, just before `django.contrib.auth.login`."""
    setattr(request, _METHOD_ATTR, method)


@transaction.atomic
def record(user: User, *, method: SignIn.Method, user_agent: str = "") -> SignIn:
    """Keep one sign-in of `user`; their sign-ins beyond the newest N go."""
    browser, platform = trusted_browsers.describe(user_agent)
    # Only sign-ins that worked make a browser known: an attacker's failed tries must not
    # make their later success look familiar.
    kept = SignIn.objects.filter(user=user, outcome=Outcome.SUCCESS)
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
    _prune(user, failed=False)
    return sign_in


def _prune(user: User, *, failed: bool) -> None:
    """Keep the user's newest N successes, or their newest N failures: each kind is
    bounded on its own, so failures never push out the sign-ins that worked."""
    rows = SignIn.objects.filter(user=user)
    rows = rows.exclude(outcome=Outcome.SUCCESS) if failed else rows.filter(outcome=Outcome.SUCCESS)
    older = rows.order_by("-at", "-pk").values("pk")
    SignIn.objects.filter(pk__in=older[history_length() :]).delete()


@transaction.atomic
def record_failure(
    user: User,
    *,
    outcome: SignIn.Outcome,
    method: SignIn.Method = SignIn.Method.PASSWORD,
    user_agent: str = "",
) -> SignIn:
    """Keep one failed attempt on `user`'s account: a repeat of the newest row (same
    outcome, method and browser names, within `REPEAT_WINDOW` of its last attempt) counts
    on that row; else a new row, and failures beyond the newest N go.

    Nothing typed is kept: neither the password nor the code, nor the user agent."""
    assert outcome != Outcome.SUCCESS
    browser, platform = trusted_browsers.describe(user_agent)
    now = timezone.now()
    newest = SignIn.objects.select_for_update().filter(user=user).order_by("-at", "-pk").first()
    if (
        newest is not None
        and (newest.outcome, newest.method, newest.browser, newest.platform)
        == (outcome, method, browser, platform)
        and now - (newest.last_at or newest.at) <= REPEAT_WINDOW
    ):
        SignIn.objects.filter(pk=newest.pk).update(attempts=F("attempts") + 1, last_at=now)
        newest.refresh_from_db()
        return newest
    failed = SignIn.objects.create(
        user=user, at=now, method=method, outcome=outcome, browser=browser, platform=platform
    )
    _prune(user, failed=True)
    return failed


def failures_since_last_success(user: User) -> int:
    """How many failed attempts there were on `user`'s account after their newest kept
    successful sign-in (all kept ones when there is none)."""
    last = SignIn.objects.filter(user=user, outcome=Outcome.SUCCESS).order_by("-at", "-pk")
    failures = SignIn.objects.filter(user=user).exclude(outcome=Outcome.SUCCESS)
    latest = last.first()
    if latest is not None:
        failures = failures.filter(at__gt=latest.at)
    return int(failures.aggregate(n=Sum("attempts"))["n"] or 0)


def _tell_of_failures(request: Any, count: int) -> None:
    """The one-time message of the first successful sign-in after failed attempts."""
    text = ngettext(
        "Có %(n)d lần đăng nhập không thành công vào tài khoản của bạn kể từ lần đăng nhập "
        "trước. / There was %(n)d failed sign-in attempt on your account since your last "
        "sign-in.",
        "Có %(n)d lần đăng nhập không thành công vào tài khoản của bạn kể từ lần đăng nhập "
        "trước. / There were %(n)d failed sign-in attempts on your account since your last "
        "sign-in.",
        count,
    ) % {"n": count}
    link = gettext("Xem lịch sử đăng nhập")
    messages.warning(
        request,
        format_html('{} <a href="{}">{}</a>', text, reverse("accounts:sign_ins"), link),
        fail_silently=True,  # a bare request (no message storage) signs in all the same
    )


def recorded_at_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """`user_logged_in` receiver. The request may be a bare one (`force_login` in tests:
    no user agent) or missing."""
    method = getattr(request, _METHOD_ATTR, None)
    if method not in SignIn.Method.values:
        method = SignIn.Method.PASSWORD
    meta = getattr(request, "META", None) or {}
    missed = failures_since_last_success(user)
    if missed and request is not None:
        _tell_of_failures(request, missed)
    sign_in = record(
        user, method=SignIn.Method(method), user_agent=str(meta.get("HTTP_USER_AGENT", ""))
    )
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = sign_in.pk


def failed_at_login(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """`user_login_failed` receiver: a wrong password, or an attempt the lockout refused,
    on an existing active account. Django sends it for every door that checks a password
    (our sign-in page, the admin's), after django-axes' own receiver: `axes` comes before
    `accounts` in INSTALLED_APPS, so its receiver is connected first and has already said
    whether this attempt locked the account or was refused because it is locked
    (`request.axes_locked_out`). `credentials` holds the username (the password is
    already masked by Django); an unknown or inactive account records nothing."""
    username = (credentials or {}).get(User.USERNAME_FIELD)
    if not username or request is None:
        return
    try:
        user = User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return
    if not user.is_active:
        return  # a right password is refused too: "wrong password" would be untrue
    locked = bool(getattr(request, "axes_locked_out", False))
    meta = getattr(request, "META", None) or {}
    failed = record_failure(
        user,
        outcome=Outcome.LOCKED_OUT if locked else Outcome.WRONG_PASSWORD,
        user_agent=str(meta.get("HTTP_USER_AGENT", "")),
    )
    if locked:
        _tell_of_lockout(user, failed)


def _tell_of_lockout(user: User, failed: SignIn) -> None:
    """The owner's notice (and its e-mail) of a lockout, at most once an hour."""
    from congvu.core.models import Notification

    recently = timezone.now() - LOCKOUT_NOTICE_EVERY
    if Notification.objects.filter(
        user=user, key=notices.LOCKED_OUT.key, created_at__gte=recently
    ).exists():
        return
    device = " · ".join(name or "?" for name in (failed.browser, failed.platform))
    notices.locked_out(
        user, device=device if failed.browser or failed.platform else "", at=failed.at
    )


def of(user: User) -> QuerySet[SignIn]:
    """The user's sign-ins and failed attempts, newest first."""
    return SignIn.objects.filter(user=user).order_by("-at", "-pk")


def successes(user: User) -> QuerySet[SignIn]:
    """The user's sign-ins that worked, newest first."""
    return of(user).filter(outcome=Outcome.SUCCESS)
