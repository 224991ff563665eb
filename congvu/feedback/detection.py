"""Ballot-stuffing resistance: hard limits, and flags that hold a rating back for review.

Every threshold lives in `LIMITS` below (one place; a deployment may override
any of them with the `RATINGS_LIMITS` setting, a dict of the same names).

Hard limits (the rating is refused with "rate_limited", nothing is stored):

* ``per_target_per_hour`` = 3 — ratings from one device of one staff member
  (or, without a staff member, of one counter / organisation) within an hour;
* ``per_device_per_hour`` = 30 — ratings from one device within an hour.

* ``per_address_per_hour`` = 60 — ratings from one address (`Rating.address_hash`,
  whatever the user agent) within an hour. Much higher than a device's: the citizens of
  a commune office, or of a mobile network's gateway, share one public address.

Kiosk ratings are exempt: the tablet at a counter is one device shared by every
citizen of the day. Ratings without a device hash (the API of the one-stop
system) have no device to limit.

Flags (the rating is stored as FLAGGED, excluded from the index until a
reviewer includes or excludes it; `Rating.flag_reasons` says why):

* ``burst`` — this is at least the ``burst_top`` = 5th top-level rating from
  one device within ``burst_minutes`` = 10 minutes;
* ``address`` — this is more than the ``address_same_target`` = 5th rating of the
  same staff member (or counter, or organisation) from one address within an hour: a
  new user agent per rating escapes the device's limits, not this (the security walk
  counted 12 of 12 top ratings from one address). Flagged, not refused: citizens behind
  one address may truly rate the same person;
* ``off_hours`` — a rating at a counter (counter QR, kiosk) or of a staff
  member on a counter (badge) more than ``before_opening_hours`` = 1 hour
  before the counter opens or ``after_closing_hours`` = 3 hours after it
  closes (dossier receipts are rated at home, at any hour: not checked);
* ``jump`` — the daily job (`flag_jumps`, run for the previous day): a staff
  member with at least ``jump_min_day`` = 10 counted ratings that day, and
  ``jump_min_history`` = 30 in the ``jump_history_days`` = 90 days before,
  whose share of satisfied ratings that day differs from that history by
  ``jump_delta`` = 0.4 or more (40 percentage points, either way): that day's
  counted ratings of the staff member are flagged and taken out of the rollups.

The checks at submission cost two indexed queries of constant SQL (the device's
ratings, the address's ratings: each hash lives one day) plus, once a minute per
process, one for the opening hours of every counter's staff; the limits are read
once per process (again when the setting changes, in tests).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Sum
from django.db.models.functions import Cast
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core import rawdb

from . import rollups
from .models import Counter, Rating

if TYPE_CHECKING:
    from .services import RatingTarget


def reason_labels(flag_reasons: str) -> list[tuple[str, str]]:
    """[(code, why in words, in the current language)] of a rating's `flag_reasons`."""
    labels = {
        "burst": _("nhiều đánh giá cao nhất liên tiếp từ một thiết bị"),
        "address": _("nhiều đánh giá cùng một đối tượng từ một địa chỉ mạng"),
        "off_hours": _("ngoài giờ làm việc của quầy"),
        "jump": _("thay đổi đột ngột so với trước đây"),
    }
    return [(code, labels.get(code, code)) for code in flag_reasons.split(",") if code]


DEFAULT_LIMITS: Final[dict[str, float]] = {
    "per_target_per_hour": 3,
    "per_device_per_hour": 30,
    "per_address_per_hour": 60,
    "address_same_target": 5,
    "burst_top": 5,
    "burst_minutes": 10,
    "before_opening_hours": 1,
    "after_closing_hours": 3,
    "jump_min_day": 10,
    "jump_min_history": 30,
    "jump_history_days": 90,
    "jump_delta": 0.4,
}

#: Seconds a process keeps a staff member's counter hours.
HOURS_CACHE_SECONDS: Final = 60


_limits: dict[str, float] | None = None


def limit(name: str) -> float:
    # Read once: every rating needs several, and a missing setting costs an exception.
    global _limits
    limits = _limits
    if limits is None:
        overrides: dict[str, float] = getattr(settings, "RATINGS_LIMITS", {}) or {}
        limits = _limits = {**DEFAULT_LIMITS, **overrides}
    return limits[name]


@receiver(setting_changed)
def _forget_limits(*, setting: str, **kwargs: Any) -> None:
    global _limits
    if setting == "RATINGS_LIMITS":
        _limits = None


class RateLimited(Exception):
    """A hard limit was reached; `services` turns it into RatingRejected("rate_limited")."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Counter hours, cached per process --------------------------------------------------------

Hours = tuple[tuple[dt.time, dt.time], ...]
_hours_lock = threading.Lock()
_hours: tuple[float, dict[int, Hours]] | None = None


def _counter_hours() -> dict[int, Hours]:
    """{staff id: opening hours of the active counters they sit at}, for every such person.

    One-stop counters have a few hundred staff in a province: one small query a
    minute beats one per rating.
    """
    global _hours
    now = time.monotonic()
    cached = _hours
    if cached is not None and cached[0] > now:
        return cached[1]
    built: dict[int, list[tuple[dt.time, dt.time]]] = {}
    rows = Counter.staff.through.objects.filter(counter__is_active=True).values_list(
        "staffmember_id", "counter__opens_at", "counter__closes_at"
    )
    for staff_id, opens, closes in rows:
        built.setdefault(staff_id, []).append((opens, closes))
    hours = {staff_id: tuple(pairs) for staff_id, pairs in built.items()}
    with _hours_lock:
        _hours = (now + HOURS_CACHE_SECONDS, hours)
    return hours


def staff_hours(staff_id: int) -> Hours:
    """Opening hours of the active counters the staff member sits at (empty: none)."""
    return _counter_hours().get(staff_id, ())


def forget_cached_hours() -> None:
    global _hours
    with _hours_lock:
        _hours = None


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def outside_hours(local: dt.datetime, hours: Sequence[tuple[dt.time, dt.time]]) -> bool:
    """Is `local` far outside every one of the opening windows?"""
    if not hours:
        return False
    now = local.hour * 60 + local.minute
    before = int(limit("before_opening_hours") * 60)
    after = int(limit("after_closing_hours") * 60)
    return all(
        not (_minutes(opens) - before <= now <= _minutes(closes) + after) for opens, closes in hours
    )


# --- At submission ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceHistory:
    last_hour: int
    same_target: int
    recent_top: int


#: Which earlier ratings are "of the same target", by the kind of target.
_SAME_TARGET: Final = {
    "staff": "{staff} = %s",
    "counter": "{counter} = %s AND {staff} IS NULL",
    "organisation": "{organisation} = %s AND {staff} IS NULL",
}
_history_sql: dict[tuple[str, str], str] = {}


def _device_history_sql(kind: str) -> str:
    """Constant SQL per kind of target and database vendor: values are parameters.

    The ORM takes over a millisecond to build this aggregate at every rating;
    the database answers it from `rating_device_idx` in microseconds. Only the
    device is in the WHERE clause, the hour in the sums: given a range of
    `created_at` there, PostgreSQL, whose statistics do not know the last
    minutes yet, walks the `created_at` index through every rating of the last
    hour. A device's hash lives one day (the salt rotates), so its rows are few.
    """
    key = (connection.vendor, kind)
    sql = _history_sql.get(key)
    if sql is None:
        column, table, hour, same = _history_parts(kind)
        created, level = column("created_at"), column("level")
        sql = _history_sql[key] = (
            f"SELECT COALESCE(SUM(CASE WHEN {hour} THEN 1 ELSE 0 END), 0), "  # noqa: S608
            f"COALESCE(SUM(CASE WHEN {hour} AND {same} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN {hour} AND {level} = 1 AND {created} >= %s "
            "THEN 1 ELSE 0 END), 0) "
            f"FROM {table} WHERE {column('device_hash')} = %s"
        )
    return sql


def _history_parts(kind: str) -> tuple[Callable[[str], str], str, str, str]:
    """What the history statements share: a quoted column by field name, the quoted
    table, "within the hour" (two parameters) and "of the same target" (one parameter)."""
    qn = connection.ops.quote_name
    meta: Any = Rating._meta

    def column(name: str) -> str:
        return qn(meta.get_field(name).column)

    created = column("created_at")
    same = _SAME_TARGET[kind].format(
        staff=column("staff"), counter=column("counter"), organisation=column("organisation")
    )
    return column, qn(meta.db_table), f"{created} >= %s AND {created} <= %s", same


def _same(target: RatingTarget) -> tuple[str, int]:
    if target.staff is not None:
        return "staff", target.staff.pk
    if target.counter is not None:
        return "counter", target.counter.pk
    return "organisation", target.organisation.pk


_address_sql: dict[tuple[str, str], str] = {}


def _address_history_sql(kind: str) -> str:
    """As `_device_history_sql`, over `rating_address_idx`: the address's ratings of the
    last hour, and of them those of the same target."""
    key = (connection.vendor, kind)
    sql = _address_sql.get(key)
    if sql is None:
        column, table, hour, same = _history_parts(kind)
        sql = _address_sql[key] = (
            f"SELECT COALESCE(SUM(CASE WHEN {hour} THEN 1 ELSE 0 END), 0), "  # noqa: S608
            f"COALESCE(SUM(CASE WHEN {hour} AND {same} THEN 1 ELSE 0 END), 0) "
            # The partial index's own condition, word for word: the planners use the
            # index only when the query states it.
            f"FROM {table} WHERE {column('address_hash')} = %s "
            f"AND {column('address_hash')} > ''"
        )
    return sql


def address_history(
    target: RatingTarget, *, address_hash: str, now: dt.datetime
) -> tuple[int, int]:
    """(ratings from the address in the last hour, of them of the same target)."""
    kind, same_id = _same(target)
    adapt = connection.ops.adapt_datetimefield_value
    since, until = adapt(now - dt.timedelta(hours=1)), adapt(now)
    last_hour, same_target = rawdb.execute(
        _address_history_sql(kind), [since, until, since, until, same_id, address_hash]
    ).fetchone()
    return int(last_hour), int(same_target)


def device_history(target: RatingTarget, *, device_hash: str, now: dt.datetime) -> DeviceHistory:
    """One indexed query over the device's ratings of the last hour."""
    kind, same_id = _same(target)
    adapt = connection.ops.adapt_datetimefield_value
    since, until = adapt(now - dt.timedelta(hours=1)), adapt(now)
    burst_since = adapt(now - dt.timedelta(minutes=limit("burst_minutes")))
    last_hour, same_target, recent_top = rawdb.execute(
        _device_history_sql(kind),
        [since, until, since, until, same_id, since, until, burst_since, device_hash],
    ).fetchone()
    return DeviceHistory(int(last_hour), int(same_target), int(recent_top))


def check_submission(
    target: RatingTarget,
    *,
    level: int,
    device_hash: str,
    now: dt.datetime,
    address_hash: str = "",
) -> list[str]:
    """Raise `RateLimited` past a hard limit; otherwise the reasons to flag (maybe none)."""
    reasons: list[str] = []
    kiosk = target.channel == Rating.Channel.KIOSK
    if device_hash and not kiosk:
        history = device_history(target, device_hash=device_hash, now=now)
        if history.same_target >= limit("per_target_per_hour"):
            raise RateLimited(
                _(
                    "Bạn vừa đánh giá cán bộ này nhiều lần. Xin cảm ơn, hãy thử lại sau một giờ. "
                    "/ You have just rated this person several times. Thank you; "
                    "please try again in an hour."
                )
            )
        if history.last_hour >= limit("per_device_per_hour"):
            raise RateLimited(
                _(
                    "Thiết bị này đã gửi nhiều đánh giá trong một giờ qua. Hãy thử lại sau. "
                    "/ This device has sent many ratings in the past hour. Please try again later."
                )
            )
        if level == 1 and history.recent_top + 1 >= limit("burst_top"):
            reasons.append("burst")
    if address_hash and not kiosk:
        from_address, same_target = address_history(target, address_hash=address_hash, now=now)
        if from_address >= limit("per_address_per_hour"):
            raise RateLimited(
                _(
                    "Đã có rất nhiều đánh giá từ mạng này trong một giờ qua. Hãy thử lại sau. "
                    "/ Very many ratings have come from this network in the past hour. "
                    "Please try again later."
                )
            )
        if same_target >= limit("address_same_target"):
            reasons.append("address")
    if target.channel != Rating.Channel.DOSSIER:
        hours: Hours = ()
        if target.counter is not None:
            hours = ((target.counter.opens_at, target.counter.closes_at),)
        elif target.staff is not None:
            hours = staff_hours(target.staff.pk)
        if outside_hours(timezone.localtime(now), _as_times(hours)):
            reasons.append("off_hours")
    return reasons


def _time(value: dt.time | str) -> dt.time:
    # A counter just created in memory still holds the model default "07:00" as a string.
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def _as_times(hours: Sequence[tuple[Any, Any]]) -> Hours:
    return tuple((_time(opens), _time(closes)) for opens, closes in hours)


# --- Daily: a sudden jump against the staff member's history ---------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def flag_jumps(day: dt.date) -> dict[str, int]:
    """Flag the ratings of `day` of every staff member whose satisfaction jumped that day.

    Returns {"staff": staff members flagged, "ratings": ratings flagged}.
    """
    start, end = _day_bounds(day)
    satisfied = Sum(Cast("satisfied", IntegerField()))
    candidates = (
        Rating.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            state=Rating.State.COUNTED,
            staff__isnull=False,
        )
        .order_by()
        .values("staff_id")
        .annotate(n=Count("id"), sat=satisfied)
        .filter(n__gte=limit("jump_min_day"))
    )
    history_start = start - dt.timedelta(days=limit("jump_history_days"))
    staff_count = rating_count = 0
    for row in candidates:
        past = (
            Rating.objects.filter(
                staff_id=row["staff_id"],
                created_at__gte=history_start,
                created_at__lt=start,
                state__in=Rating.COUNTED_STATES,
            )
            .order_by()
            .aggregate(n=Count("id"), sat=satisfied)
        )
        if past["n"] < limit("jump_min_history"):
            continue
        if abs(row["sat"] / row["n"] - (past["sat"] or 0) / past["n"]) < limit("jump_delta"):
            continue
        staff_count += 1
        rating_count += _flag(
            Rating.objects.filter(
                staff_id=row["staff_id"],
                created_at__gte=start,
                created_at__lt=end,
                state=Rating.State.COUNTED,
            ),
            reason="jump",
        )
    return {"staff": staff_count, "ratings": rating_count}


def _flag(ratings: Any, *, reason: str) -> int:
    flagged = 0
    with transaction.atomic():
        for rating in ratings.select_for_update().order_by("pk"):
            rating.state = Rating.State.FLAGGED
            reasons = [r for r in rating.flag_reasons.split(",") if r]
            if reason not in reasons:
                reasons.append(reason)
            rating.flag_reasons = ",".join(reasons)[:200]
            rating.save(update_fields=["state", "flag_reasons"])
            rollups.change_state(rating, old_state=Rating.State.COUNTED)
            flagged += 1
    return flagged
