"""Writes of the ratings app: a citizen's rating, a reviewer's decision on a flagged one.

`submit_rating` is on the hot path (thousands a second at peak, see
docs/benchmarks.md): it reads the active scale and the organisation's criteria
from an in-process cache (`CACHE_SECONDS`, cleared in this process when the
catalogue, the scale, the organisations, staff or counters change), checks the
device with one indexed query, and writes the rating and its three rollups in
one transaction of four statements.

Ratings are the record and are not audited one by one; reviews are.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.conduct.selectors import rateable_items
from congvu.organisations.models import Organisation, StaffMember

from . import detection, rollups
from .models import Counter, Dossier, Rating, RatingScale, ScaleLevel

#: Seconds a process keeps the active scale and an organisation's criteria.
CACHE_SECONDS: Final = 30
#: Longest comment a citizen may leave.
COMMENT_MAX: Final = 1000
#: Longest public token (badge, dossier, counter, kiosk); longer ones are not looked up.
TOKEN_MAX: Final = 40
#: The answers a citizen may give to each criterion, as asked.
ANSWERS: Final = ("yes", "no", "unknown")


class RatingRejected(Exception):
    """The rating was not stored; `message` says why in Vietnamese and English."""

    CODES: Final = frozenset({"already_rated", "rate_limited", "self_rating", "invalid", "closed"})

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RatingTarget:
    channel: Rating.Channel
    organisation: Organisation
    staff: StaffMember | None = None
    counter: Counter | None = None
    dossier: Dossier | None = None


@dataclass(frozen=True)
class Criterion:
    clause_id: int
    question: str
    yes_is_breach: bool


# --- In-process cache ---------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[Any, tuple[float, Any]] = {}
_CACHE_MAX_ENTRIES: Final = 20_000


def _cached(key: Any, build: Any) -> Any:
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = build()
    with _lock:
        if len(_cache) >= _CACHE_MAX_ENTRIES:
            _cache.clear()
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def clear_caches(*args: Any, **kwargs: Any) -> None:
    """Forget the cached scale, criteria and counter hours (a signal receiver too)."""
    with _lock:
        _cache.clear()
    detection.forget_cached_hours()


_INVALIDATING: Final[tuple[type[Model], ...]] = (
    RatingScale,
    ScaleLevel,
    Clause,
    Section,
    CodeVersion,
    Organisation,
    StaffMember,
    Counter,
)
for _model in _INVALIDATING:
    post_save.connect(clear_caches, sender=_model, dispatch_uid=f"feedback-cache-{_model.__name__}")
    post_delete.connect(
        clear_caches, sender=_model, dispatch_uid=f"feedback-cache-del-{_model.__name__}"
    )
m2m_changed.connect(clear_caches, sender=Counter.staff.through, dispatch_uid="feedback-cache-m2m")


def active_scale() -> tuple[RatingScale, list[ScaleLevel]]:
    """The scale new ratings are given on, with its levels from the best (1) down."""

    def build() -> tuple[RatingScale, list[ScaleLevel]] | None:
        scale = RatingScale.objects.filter(is_active=True).first()
        if scale is None:
            return None
        return scale, list(scale.levels.order_by("value"))

    found = _cached("scale", build)
    if found is None:
        raise RatingRejected(
            "closed",
            _(
                "Chưa có thang đo mức độ hài lòng nào đang dùng. "
                "/ No satisfaction scale is in use yet."
            ),
        )
    return found


def criteria_for(target: RatingTarget) -> list[Criterion]:
    """The questions on the form: the rateable items of the target's organisation."""
    leader = target.staff.is_leader if target.staff is not None else True

    def build() -> list[Criterion]:
        return [
            Criterion(
                clause_id=clause.pk,
                question=clause.rating_question or clause.plain_text or clause.short_title,
                yes_is_breach=clause.rating_yes_is_breach,
            )
            for clause in rateable_items(target.organisation, leader=leader)
        ]

    return _cached(("criteria", target.organisation.pk, leader), build)


# --- Targets -----------------------------------------------------------------------------------


def _usable(token: str) -> bool:
    # PostgreSQL refuses NUL in text; nothing longer than a token can match one.
    return bool(token) and len(token) <= TOKEN_MAX and "\x00" not in token


def target_for_badge(token: str) -> RatingTarget | None:
    if not _usable(token):
        return None
    member = (
        StaffMember.objects.select_related("organisation")
        .filter(badge_token=token, is_active=True)
        .first()
    )
    if member is None:
        return None
    return RatingTarget(Rating.Channel.BADGE, member.organisation, staff=member)


def target_for_dossier(token: str) -> RatingTarget | None:
    if not _usable(token):
        return None
    dossier = (
        Dossier.objects.select_related("organisation", "staff", "counter")
        .filter(rating_token=token)
        .first()
    )
    if dossier is None:
        return None
    return RatingTarget(
        Rating.Channel.DOSSIER,
        dossier.organisation,
        staff=dossier.staff,
        counter=dossier.counter,
        dossier=dossier,
    )


def _counter_target(
    counter: Counter | None, channel: Rating.Channel, staff_id: int | None
) -> RatingTarget | None:
    if counter is None:
        return None
    if staff_id is None:
        return RatingTarget(channel, counter.organisation, counter=counter)
    member = (
        counter.staff.select_related("organisation").filter(pk=staff_id, is_active=True).first()
    )
    if member is None:
        return None
    # The rating counts for the staff member's own organisation: staff of several
    # departments may sit at one counter of the public administration centre.
    return RatingTarget(channel, member.organisation, staff=member, counter=counter)


def target_for_counter(token: str, *, staff_id: int | None = None) -> RatingTarget | None:
    if not _usable(token):
        return None
    counter = (
        Counter.objects.select_related("organisation")
        .filter(qr_token=token, is_active=True)
        .first()
    )
    return _counter_target(counter, Rating.Channel.COUNTER, staff_id)


def target_for_kiosk(token: str, *, staff_id: int | None = None) -> RatingTarget | None:
    if not _usable(token):
        return None
    counter = (
        Counter.objects.select_related("organisation")
        .filter(kiosk_token=token, is_active=True)
        .first()
    )
    return _counter_target(counter, Rating.Channel.KIOSK, staff_id)


# --- Submitting --------------------------------------------------------------------------------


def _invalid(message: str) -> RatingRejected:
    return RatingRejected("invalid", message)


def _stored_answers(target: RatingTarget, answers: Mapping[Any, Any]) -> dict[str, str]:
    criteria = {c.clause_id: c for c in criteria_for(target)}
    stored: dict[str, str] = {}
    for key, answer in answers.items():
        try:
            clause_id = int(key)
        except (TypeError, ValueError):
            clause_id = -1
        criterion = criteria.get(clause_id)
        if criterion is None or answer not in ANSWERS:
            raise _invalid(
                _("Câu trả lời không hợp lệ. / An answer is not valid.")
                if criterion is not None
                else _("Câu hỏi không có trên phiếu này. / A question is not on this form.")
            )
        if answer == "unknown":
            stored[str(clause_id)] = Rating.Answer.UNKNOWN.value
        else:
            kept = (answer == "yes") != criterion.yes_is_breach
            stored[str(clause_id)] = (Rating.Answer.KEPT if kept else Rating.Answer.BREACHED).value
    return stored


def _check_comment(comment: Any) -> str:
    if not isinstance(comment, str):
        raise _invalid(_("Góp ý không hợp lệ. / The comment is not valid."))
    if "\x00" in comment:
        raise _invalid(
            _("Góp ý chứa ký tự không hợp lệ. / The comment contains an invalid character.")
        )
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise _invalid(
            _("Góp ý dài quá %(max)d ký tự. / The comment is longer than %(max)d characters.")
            % {"max": COMMENT_MAX}
        )
    return comment


def _existing(submission_id: uuid.UUID | None) -> Rating | None:
    if submission_id is None:
        return None
    return Rating.objects.filter(submission_id=submission_id).first()


def already_rated_error() -> RatingRejected:
    return RatingRejected(
        "already_rated",
        _("Hồ sơ này đã được đánh giá. / This dossier has already been rated."),
    )


def submit_rating(
    target: RatingTarget,
    *,
    level: int,
    answers: Mapping[int, str],
    comment: str = "",
    device_hash: str = "",
    submission_id: uuid.UUID | None = None,
    user: Any = None,
    now: dt.datetime | None = None,
) -> Rating:
    """Store a citizen's rating of `target` and add it to the rollups.

    `answers` are {clause id: "yes" | "no" | "unknown"} as the questions were
    asked; they are stored as kept / breached / unknown. Submitting the same
    `submission_id` again returns the rating stored the first time. Raises
    `RatingRejected` (nothing stored) for a dossier already rated, a device over
    its limits, a staff member rating themselves, or invalid input.
    """
    now = now or timezone.now()
    scale, levels = active_scale()
    if isinstance(level, bool) or not isinstance(level, int):
        raise _invalid(_("Hãy chọn mức độ hài lòng. / Choose how satisfied you are."))
    chosen = next((row for row in levels if row.value == level), None)
    if chosen is None:
        raise _invalid(_("Mức độ hài lòng không hợp lệ. / The satisfaction level is not valid."))
    stored = _stored_answers(target, answers)
    comment = _check_comment(comment)
    if not isinstance(device_hash, str) or len(device_hash) > 32:
        raise _invalid(_("Dữ liệu thiết bị không hợp lệ. / Invalid device data."))
    staff = target.staff
    if (
        staff is not None
        and staff.user_id is not None
        and getattr(user, "is_authenticated", False)
        and staff.user_id == user.pk
    ):
        raise RatingRejected(
            "self_rating",
            _("Cán bộ không thể tự đánh giá mình. / Staff members cannot rate themselves."),
        )
    if (staff is not None and not staff.is_active) or (
        target.counter is not None and not target.counter.is_active
    ):
        raise RatingRejected(
            "closed", _("Không còn nhận đánh giá ở đây. / Ratings are no longer taken here.")
        )
    try:
        reasons = detection.check_submission(target, level=level, device_hash=device_hash, now=now)
    except detection.RateLimited as limited:
        # A retry of a rating that was stored (its response lost) is not a new rating.
        existing = _existing(submission_id)
        if existing is not None:
            return existing
        raise RatingRejected("rate_limited", limited.message) from None
    rating = Rating(
        created_at=now,
        rated_on=timezone.localdate(now),
        channel=target.channel,
        organisation=target.organisation,
        staff=staff,
        counter=target.counter,
        dossier=target.dossier,
        verified=target.dossier is not None,
        scale=scale,
        level=level,
        satisfied=chosen.satisfied,
        answers=stored,
        comment=comment,
        state=Rating.State.FLAGGED if reasons else Rating.State.COUNTED,
        flag_reasons=",".join(reasons),
        device_hash=device_hash,
        submission_id=submission_id,
    )
    try:
        with transaction.atomic():
            rating.save(force_insert=True)
            rollups.add(rating)
    except IntegrityError:
        # Two unique constraints decide races without a read first: the submission
        # id (a retry) and the dossier (one rating per dossier).
        existing = _existing(submission_id)
        if existing is not None:
            return existing
        if target.dossier is not None:
            raise already_rated_error() from None
        raise
    return rating


# --- Review ------------------------------------------------------------------------------------


@transaction.atomic
def review_rating(rating: Rating, *, include: bool, reason: str, actor: Any) -> Rating:
    """Include a flagged rating in the index or exclude it, with a reason (audited)."""
    access.require(actor, Perm.RATING_REVIEW, rating.organisation)
    reason = (reason or "").strip()
    if not reason or "\x00" in reason:
        raise _invalid(_("Hãy ghi lý do. / Give a reason."))
    if len(reason) > 500:
        raise _invalid(_("Lý do dài quá 500 ký tự. / The reason is longer than 500 characters."))
    locked = Rating.objects.select_for_update().select_related("organisation").get(pk=rating.pk)
    if locked.state != Rating.State.FLAGGED:
        raise _invalid(
            _("Lượt đánh giá này không chờ xem xét. / This rating is not waiting for review.")
        )
    old_state = locked.state
    locked.state = Rating.State.INCLUDED if include else Rating.State.EXCLUDED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_reason = reason
    locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_reason"])
    rollups.change_state(locked, old_state=old_state)
    record(
        "rating.include" if include else "rating.exclude",
        actor=actor,
        obj=locked,
        organisation=locked.organisation,
        summary=(
            _("Tính lượt đánh giá bị gắn cờ vào chỉ số")
            if include
            else _("Loại lượt đánh giá bị gắn cờ khỏi chỉ số")
        ),
        data={"reason": reason, "flag_reasons": locked.flag_reasons},
    )
    return locked
