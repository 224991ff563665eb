"""Reviewers hear about flagged ratings: a daily notice, not a page they must remember to open.

Detection (`detection`) keeps a suspicious rating out of the index until a
reviewer includes or excludes it; a flag nobody looks at silently lowers the
count the index rests on. Once a day (after `feedback.flag_jumps`, so that
yesterday's jumps are in), every active user who may review ratings somewhere
(`Perm.RATING_REVIEW`: the heads, and the Department of Home Affairs for the
whole province) gets one in-app notification, and one e-mail when they have an
address, when flagged ratings wait in their scope: how many, how many were
flagged since yesterday, and the organisations with the most, each linked to
its review page. Users with nothing waiting get nothing; a second run on the
same day sends nothing. No rating's content goes into the notice: counts and
organisation names only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count, Q
from django.utils import timezone

from congvu.accounts.access import ROLE_PERMS, Perm
from congvu.accounts.models import Role, User
from congvu.core.digests import Notice, deliver

from . import notices, selectors

NOTIFICATION_KIND: Final = "ratings_flagged"
#: Roles whose holders get the notice (the system administrator reviews nothing by office).
REVIEWER_ROLES: Final = frozenset(
    role for role, perms in ROLE_PERMS.items() if Perm.RATING_REVIEW in perms
) - {Role.ADMIN}


@dataclass
class Waiting:
    organisation_id: int
    name: str
    total: int
    new: int

    @property
    def url(self) -> str:
        return f"/ratings/flagged/?organisation={self.organisation_id}"


@dataclass
class FlagDigest:
    user: User
    day: dt.date
    rows: list[Waiting] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def new(self) -> int:
        return sum(row.new for row in self.rows)

    def params(self) -> dict[str, Any]:
        """The notice's values (`notices.FLAGGED` words them in the reader's language)."""
        return {
            "name": str(self.user),
            "day": self.day,
            "rows": [
                {"name": row.name, "total": row.total, "new": row.new, "path": row.url}
                for row in self.rows
            ],
        }


def _title_start(day: dt.date) -> str:
    # The stored (Vietnamese) title's start: one notice per reviewer and day.
    return f"Đánh giá chờ xem xét ngày {day:%d/%m/%Y}:"


def _since(day: dt.date) -> dt.datetime:
    """The start of the day before `day`, local time: "new since yesterday"."""
    yesterday = day - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(yesterday, dt.time.min))


def build(user: User, day: dt.date) -> FlagDigest:
    """The flagged ratings waiting in `user`'s review scope, the organisations with the
    most first (then by name)."""
    counts = (
        selectors.flagged_ratings(user)
        .order_by()
        .values("organisation_id", "organisation__name")
        .annotate(total=Count("pk"), new=Count("pk", filter=Q(created_at__gte=_since(day))))
    )
    rows = [
        Waiting(r["organisation_id"], r["organisation__name"], r["total"], r["new"]) for r in counts
    ]
    rows.sort(key=lambda row: (-row.total, row.name, row.organisation_id))
    return FlagDigest(user=user, day=day, rows=rows)


def recipients() -> Any:
    return (
        User.objects.filter(is_active=True, grants__role__in=REVIEWER_ROLES)
        .distinct()
        .order_by("pk")
    )


def send(day: dt.date) -> dict[str, int]:
    """One notification (and e-mail) per reviewer with flagged ratings waiting."""

    def notice_for(user: User) -> Notice | None:
        digest = build(user, day)
        if not digest.rows:
            return None
        return Notice(notices.FLAGGED.key, digest.params(), "/ratings/flagged/")

    return deliver(
        kind=NOTIFICATION_KIND,
        title_start=_title_start(day),
        recipients=recipients(),
        notice_for=notice_for,
    )
