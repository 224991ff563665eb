"""The daily reminder digest, and the planning app's daily jobs.

Every head and focal point gets, once a day, one e-mail and one in-app
notification listing the open assignments of the organisations they answer
for (the granted organisation, and its subtree when the grant includes it):
those due within the next `DUE_SOON_WORKING_DAYS` working days and those
already overdue. Users with nothing due get nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Q

from congvu.accounts.access import grants_of
from congvu.accounts.models import Role, User
from congvu.core import daily
from congvu.core.calendar import add_working_days
from congvu.core.digests import Notice, deliver

from . import notices, rollups
from .models import Assignment, Task

DUE_SOON_WORKING_DAYS: Final = 5
DIGEST_ROLES: Final = frozenset({Role.HEAD, Role.FOCAL_POINT})
NOTIFICATION_KIND: Final = "digest"


@dataclass
class Digest:
    user: User
    day: dt.date
    due_soon: list[Assignment] = field(default_factory=list)
    overdue: list[Assignment] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.due_soon and not self.overdue

    def params(self) -> dict[str, Any]:
        """The notice's values (`notices.DIGEST` words them in the reader's language)."""
        return {
            "name": str(self.user),
            "day": self.day,
            "days": DUE_SOON_WORKING_DAYS,
            "overdue": [_row(a) for a in self.overdue],
            "due_soon": [_row(a) for a in self.due_soon],
        }


def _row(assignment: Assignment) -> dict[str, Any]:
    task = assignment.task
    return {
        "code": task.code,
        "content": _shorten(task.content),
        "period": assignment.period,
        "organisation": assignment.organisation.name,
        "due": assignment.due_on,
        "path": assignment_path(assignment),
    }


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def assignment_path(assignment: Assignment) -> str:
    return f"/assignments/{assignment.pk}/"


def scope_q(user: User, prefix: str = "organisation__") -> Q | None:
    """Organisations the user answers for as head or focal point (None: none), as a filter
    on assignments (the digest's scope, and the home page's work list's); `prefix=""`
    filters organisations themselves."""
    q: Q | None = None
    for grant in grants_of(user):
        if grant.role in DIGEST_ROLES:
            q = grant.q(prefix) if q is None else q | grant.q(prefix)
    return q


def build_digest(user: User, today: dt.date) -> Digest:
    """The open assignments `user` should hear about on `today`, overdue ones first by date."""
    digest = Digest(user=user, day=today)
    scope = scope_q(user)
    if scope is None:
        return digest
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    rows = (
        Assignment.objects.filter(scope, completed_on__isnull=True, due_on__lte=horizon)
        .filter(task__status=Task.Status.ACTIVE)
        .select_related("task", "organisation")
        .order_by("due_on", "organisation__path", "task__order", "task__code", "pk")
    )
    for assignment in rows:
        (digest.overdue if assignment.due_on < today else digest.due_soon).append(assignment)
    return digest


def recipients() -> Any:
    """Active users holding a head or focal-point grant."""
    return (
        User.objects.filter(is_active=True, grants__role__in=DIGEST_ROLES).distinct().order_by("pk")
    )


def send_digests(today: dt.date) -> dict[str, int]:
    """One e-mail (when the user has an address) and one notification per user with
    something due or overdue. A user already notified for `today` is skipped, so a
    second call the same day sends nothing."""

    def notice_for(user: User) -> Notice | None:
        digest = build_digest(user, today)
        if digest.is_empty:
            return None
        due = "overdue" if digest.overdue else "soon"
        return Notice(notices.DIGEST.key, digest.params(), f"/assignments/?due={due}")

    return deliver(
        kind=NOTIFICATION_KIND,
        title_start=f"Nhắc việc ngày {today:%d/%m/%Y}:",
        recipients=recipients(),
        notice_for=notice_for,
    )


def _register_assignment_sync() -> None:
    """The assignment sync (congvu.planning.tasks.sync_assignments), when it exists."""
    try:
        tasks = importlib.import_module("congvu.planning.tasks")
    except ModuleNotFoundError:
        return
    sync = getattr(tasks, "sync_assignments", None)
    if sync is None:
        return
    call = getattr(sync, "call", sync)  # a django-tasks Task runs in-process with .call()

    def sync_assignments(today: dt.date) -> Any:
        return call()

    daily.register("planning.sync_assignments", sync_assignments)


# Order matters only for reading the log: sync first (it may add assignments),
# then the rollups, then the digest.
_register_assignment_sync()
daily.register("planning.rollups_refresh_stale", rollups.refresh_stale)
daily.register("planning.reminder_digest", send_digests)
