"""How long a signed-in browser session lasts: an idle timeout and an absolute lifetime.

Officials work on shared office and one-stop counter computers (security walk, finding
7): a session left open must not stay open for Django's default two weeks.

* **Idle:** after `settings.SESSION_IDLE_MINUTES` without a request the session is signed
  out. The last activity is written to the session at most every `write_every()` seconds,
  not on every request (a session write is a database write, and page speed is measured):
  so the sign-out comes no sooner than the idle time after the last request and at most
  `write_every()` later.
* **Absolute:** `settings.SESSION_MAX_HOURS` after signing in, however active.

The sign-in page then says why (`SIGNED_OUT`, kept in the fresh session). Either limit at
0 is off. API bearer tokens are not sessions (they have their own expiry), and "remember
this browser" for the second sign-in step is a separate cookie: neither is touched.
"""

from __future__ import annotations

import time
from typing import Any, Final

from django.conf import settings
from django.http import HttpRequest

STARTED: Final = "congvu_session_started"
SEEN: Final = "congvu_session_seen"
#: Why the last session of this browser was signed out ("idle" or "lifetime"), for the
#: sign-in page.
SIGNED_OUT: Final = "congvu_signed_out"
IDLE: Final = "idle"
LIFETIME: Final = "lifetime"
_WRITE_EVERY_MAX: Final = 300


def now() -> float:
    return time.time()


def idle_seconds() -> int:
    return max(0, int(settings.SESSION_IDLE_MINUTES)) * 60


def lifetime_seconds() -> int:
    return max(0, int(settings.SESSION_MAX_HOURS)) * 3600


def write_every() -> int:
    """Seconds between writes of the last activity: five minutes, less for a short idle
    time (a twelfth of it), so the sign-out is never much later than asked."""
    idle = idle_seconds()
    return min(_WRITE_EVERY_MAX, idle // 12) if idle else _WRITE_EVERY_MAX


def started_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """`user_logged_in` receiver: the session's clocks start."""
    session = getattr(request, "session", None)
    if session is not None:
        moment = now()
        session[STARTED] = moment
        session[SEEN] = moment
        session.pop(SIGNED_OUT, None)


def ended(request: HttpRequest) -> str | None:
    """Why the signed-in session of `request` is over (IDLE, LIFETIME), or None when it is
    not; then it notes this request as activity when the last note is old enough."""
    session = request.session
    moment = now()
    started = session.get(STARTED)
    seen = session.get(SEEN)
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        # A session from before these limits (or a test's force_login): its clocks start now.
        session[STARTED] = session[SEEN] = moment
        return None
    lifetime = lifetime_seconds()
    if lifetime and moment - started > lifetime:
        return LIFETIME
    idle = idle_seconds()
    if idle and moment - seen > idle + write_every():
        return IDLE
    if moment - seen >= write_every():
        session[SEEN] = moment
    return None
