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

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from congvu.accounts.access import ROLE_PERMS, Perm
from congvu.accounts.models import Role, User
from congvu.core.digests import Notice, deliver

from . import selectors

NOTIFICATION_KIND: Final = "ratings_flagged"
#: Organisations named one by one in a notice; the rest are counted.
LISTED: Final = 10
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

    @property
    def title(self) -> str:
        return (
            f"{_title_start(self.day)} {self.total} lượt bị gắn cờ, {self.new} lượt mới từ hôm qua"
        )

    def body(self) -> str:
        lines = [
            f"Kính gửi {self.user},",
            "",
            "Các lượt đánh giá sau bị gắn cờ nghi bất thường và chưa được tính vào chỉ số "
            "hài lòng cho đến khi được xem xét (tính vào hoặc loại ra, có ghi lý do).",
            "",
        ]
        for row in self.rows[:LISTED]:
            lines.append(f"- {row.name}: {row.total} lượt chờ xem xét ({row.new} mới)")
            lines.append(f"  {settings.SITE_URL}{row.url}")
        hidden = self.rows[LISTED:]
        if hidden:
            lines.append(
                f"- và {len(hidden)} cơ quan khác: {sum(r.total for r in hidden)} lượt chờ xem xét"
            )
        lines += [
            "",
            f"Xem tất cả: {settings.SITE_URL}/ratings/flagged/",
            "",
            "Thư này được gửi tự động mỗi ngày từ hệ thống Công vụ.",
        ]
        return "\n".join(lines)


def _title_start(day: dt.date) -> str:
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
        return Notice(digest.title, digest.body(), "/ratings/flagged/")

    return deliver(
        kind=NOTIFICATION_KIND,
        title_start=_title_start(day),
        recipients=recipients(),
        notice_for=notice_for,
    )
