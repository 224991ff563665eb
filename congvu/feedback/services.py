"""Writes of the ratings app: a citizen's rating, a reviewer's decision on a flagged one.

`submit_rating` is on the hot path (thousands a second at peak, see
docs/benchmarks.md). Warm, a rating through the API costs six statements of
constant SQL text, no ORM query building (which costs about a millisecond of
CPU each, far more than the database takes to run them): the target
(`submission_target`, one indexed query) and the device's last hour
(`detection`) are read first; then, holding the write lock as briefly as
possible, the rating is inserted and added to the three rollup tables — on
SQLite in one short transaction (rating writers of all processes take turns
on an OS lock first, see `rawdb.writers_take_turns`), on PostgreSQL as one
statement, which is one round trip and one transaction.

The active scale, which catalogue versions apply to an organisation and the
questions of each set of versions are kept in an in-process cache for
`CACHE_SECONDS`: one small query of the whole catalogue's active versions
serves every organisation of the province, so two thousand organisations cost
no more than one. The cache is cleared in this process as soon as the
catalogue, the scale, the organisations, staff or counters change (signals);
another process (gunicorn worker) sees such a change at most `CACHE_SECONDS`
later. Changes made without signals (`QuerySet.update`, `bulk_create`, the
seed loader) are seen after the same delay, or at once with `clear_caches()`.

Ratings are the record and are not audited one by one; reviews are.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.conduct.selectors import clauses_of
from congvu.core import rawdb
from congvu.organisations.models import Organisation, StaffMember

from . import detection, rollups
from .models import Counter, Dossier, Rating, RatingScale, ScaleLevel

#: Seconds a process keeps the active scale, the catalogue's active versions and the
#: questions: how late another process sees a change of them (this one: at once).
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
    #: The question in English ("" when the catalogue has none: the form asks in Vietnamese).
    question_en: str = ""


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


@dataclass(frozen=True)
class _ActiveVersion:
    pk: int
    scope_id: int
    scope_path: str
    is_supplement: bool
    effective_from: dt.date | None


@dataclass
class _Catalogue:
    """Every active catalogue version, and which of them apply under each tree path."""

    versions: tuple[_ActiveVersion, ...]
    by_path: dict[str, tuple[int, ...]]


def _catalogue() -> _Catalogue:
    def build() -> _Catalogue:
        rows = CodeVersion.objects.filter(status=CodeVersion.Status.ACTIVE).values_list(
            "pk", "scope_id", "scope__path", "is_supplement", "effective_from"
        )
        return _Catalogue(tuple(_ActiveVersion(*row) for row in rows), {})

    catalogue: _Catalogue = _cached("catalogue", build)
    return catalogue


def applicable_version_ids(organisation: Organisation) -> tuple[int, ...]:
    """`conduct.selectors.applicable_versions(organisation)` (today), as primary keys.

    The same choice, made in Python from the cached active versions instead of
    two queries per organisation: the base catalogue of the deepest ancestor
    (the organisation included) that has one, then the supplements of the
    ancestors from the top down. At most one version of a scope is active (a
    database constraint), so there is nothing else to choose between.
    """
    catalogue = _catalogue()
    found = catalogue.by_path.get(organisation.path)
    if found is None:
        ancestors = set(organisation.ancestor_ids())
        mine = [v for v in catalogue.versions if v.scope_id in ancestors]
        bases = [v for v in mine if not v.is_supplement]
        base = max(
            bases,
            key=lambda v: (len(v.scope_path), v.effective_from or dt.date.min),
            default=None,
        )
        extra = sorted((v for v in mine if v.is_supplement), key=lambda v: v.scope_path)
        found = tuple(v.pk for v in ([base] if base is not None else []) + extra)
        catalogue.by_path[organisation.path] = found
    return found


def _question_en(clause: Clause) -> str:
    """The English of the question the form asks: its own English wording, else — when the
    form asks the plain-language text (or the short title) for want of a question — that
    text's English; "" when the Vietnamese asked has no English (the form asks it in
    Vietnamese, never an English of other words)."""
    if clause.rating_question_en:
        return clause.rating_question_en
    if clause.rating_question:
        return ""
    if clause.plain_text:
        return clause.plain_text_en
    return clause.short_title_en


def _criteria(target: RatingTarget) -> tuple[list[Criterion], dict[int, Criterion]]:
    leader = target.staff.is_leader if target.staff is not None else True
    version_ids = applicable_version_ids(target.organisation)

    def build() -> tuple[list[Criterion], dict[int, Criterion]]:
        # `conduct.selectors.rateable_items` for these versions (same order).
        clauses = clauses_of(CodeVersion(pk=pk) for pk in version_ids).filter(rateable=True)
        if not leader:
            clauses = clauses.exclude(applies_to=Clause.AppliesTo.LEADERS)
        listed = [
            Criterion(
                clause_id=clause.pk,
                question=clause.rating_question or clause.plain_text or clause.short_title,
                yes_is_breach=clause.rating_yes_is_breach,
                question_en=_question_en(clause),
            )
            for clause in clauses
        ]
        return listed, {c.clause_id: c for c in listed}

    # One entry serves every organisation with the same catalogue (the whole
    # province, usually), not one per organisation.
    found: tuple[list[Criterion], dict[int, Criterion]] = _cached(
        ("criteria", version_ids, leader), build
    )
    return found


def criteria_for(target: RatingTarget) -> list[Criterion]:
    """The questions on the form: the rateable items of the target's organisation."""
    return _criteria(target)[0]


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


# --- The target of a submission, without the ORM ----------------------------------------------

_sql_cache: dict[tuple[str, str], str] = {}
_M = TypeVar("_M", bound=Model)


def _sql(name: str, build: Any) -> str:
    """SQL text made once per database vendor from model metadata (values are parameters)."""
    key = (connection.vendor, name)
    sql = _sql_cache.get(key)
    if sql is None:
        sql = _sql_cache[key] = build()
    return sql


def _badge_sql() -> str:
    qn = connection.ops.quote_name
    staff, organisation = StaffMember._meta, Organisation._meta

    def column(meta: Any, name: str) -> str:
        return qn(meta.get_field(name).column)

    columns = ", ".join(
        [
            *(f"s.{column(staff, name)}" for name in _BADGE_STAFF_FIELDS),
            f"o.{column(organisation, 'path')}",
        ]
    )
    return (
        f"SELECT {columns} FROM {qn(staff.db_table)} s "  # noqa: S608
        f"INNER JOIN {qn(organisation.db_table)} o "
        f"ON o.{column(organisation, 'id')} = s.{column(staff, 'organisation')} "
        f"WHERE s.{column(staff, 'badge_token')} = %s AND s.{column(staff, 'is_active')} = %s"
    )


#: What `submit_rating` reads of a staff member (and `criteria_for`: the organisation's path).
_BADGE_STAFF_FIELDS: Final = ("id", "organisation", "is_leader", "user")


def _lean(model: type[_M], values: dict[str, Any]) -> _M:
    """An instance with only `values` (attnames) loaded; other fields load when read."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias, list(values), [values[f.attname] for f in fields if f.attname in values]
    )


def _badge_target(token: str) -> RatingTarget | None:
    row = rawdb.execute(_sql("badge", _badge_sql), [token, True]).fetchone()
    if row is None:
        return None
    staff_id, organisation_id, is_leader, user_id, path = row
    organisation = _lean(Organisation, {"id": organisation_id, "path": path})
    member = _lean(
        StaffMember,
        {
            "id": staff_id,
            "organisation_id": organisation_id,
            "is_leader": bool(is_leader),
            "is_active": True,
            "user_id": user_id,
        },
    )
    member.organisation = organisation
    return RatingTarget(Rating.Channel.BADGE, organisation, staff=member)


def submission_target(
    channel: str, token: str, *, staff_id: int | None = None
) -> RatingTarget | None:
    """The target of a rating submitted through a link of `channel` ("badge", …) and `token`.

    The same as `target_for_badge` and the others, for `submit_rating`: a badge
    costs one query of constant SQL that loads only the fields the submission
    reads; the other fields of the staff member and organisation are deferred
    (reading one costs a query, so this is not for pages that show them).
    """
    if channel == Rating.Channel.BADGE:
        return _badge_target(token) if _usable(token) else None
    if channel == Rating.Channel.DOSSIER:
        return target_for_dossier(token)
    if channel == Rating.Channel.COUNTER:
        return target_for_counter(token, staff_id=staff_id)
    if channel == Rating.Channel.KIOSK:
        return target_for_kiosk(token, staff_id=staff_id)
    return None


# --- Submitting --------------------------------------------------------------------------------


def _invalid(message: str) -> RatingRejected:
    return RatingRejected("invalid", message)


def _stored_answers(target: RatingTarget, answers: Mapping[Any, Any]) -> dict[str, str]:
    criteria = _criteria(target)[1]
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


#: Field types whose Python value is what both SQLite and PostgreSQL take as it is.
_PLAIN_FIELDS: Final = frozenset(
    {
        "BooleanField",
        "CharField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _insert_fields() -> list[Field[Any, Any]]:
    return [f for f in Rating._meta.concrete_fields if not f.primary_key]


def _insert_sql() -> str:
    qn = connection.ops.quote_name
    fields = _insert_fields()
    names = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    pk = Rating._meta.pk
    assert pk is not None
    returning = (
        f" RETURNING {qn(pk.column)}" if connection.features.can_return_columns_from_insert else ""
    )
    return f"INSERT INTO {qn(Rating._meta.db_table)} ({names}) VALUES ({marks}){returning}"  # noqa: S608


@cache
def _insert_plan() -> tuple[tuple[str, Field[Any, Any] | None], ...]:
    """(attname, the field if its value needs preparing) per column of the INSERT."""
    return tuple(
        (f.attname, None if f.get_internal_type() in _PLAIN_FIELDS else f) for f in _insert_fields()
    )


def _insert_params(rating: Rating) -> list[Any]:
    """The INSERT's values, prepared as the ORM does: JSON, UUIDs, dates and datetimes
    differ between SQLite and PostgreSQL (`get_db_prep_save`); plain strings,
    numbers and booleans go as they are, which is all the ORM's preparation of them
    amounts to, at a fraction of its cost."""
    return [
        getattr(rating, attname)
        if field is None
        else field.get_db_prep_save(field.pre_save(rating, True), connection)
        for attname, field in _insert_plan()
    ]


def _adapters() -> dict[str, Any]:
    """What the ORM's preparation of each non-plain field of a rating amounts to on this
    connection (`get_db_prep_save`, without its dispatch through the field)."""
    ops, native_uuid = connection.ops, connection.features.has_native_uuid_field
    return {
        "DateTimeField": ops.adapt_datetimefield_value,
        "DateField": ops.adapt_datefield_value,
        "JSONField": lambda value: ops.adapt_json_value(value, None),
        "UUIDField": lambda value: value if value is None or native_uuid else value.hex,
    }


@cache
def _row_plan(vendor: str) -> tuple[tuple[str, Any], ...]:
    """(attname, its adapter or None) per column of the INSERT, for the database `vendor`
    (the adapters only read settings: one connection's serve every thread)."""
    adapters = _adapters()
    plan: list[tuple[str, Any]] = []
    for attname, field in _insert_plan():
        if field is None:
            plan.append((attname, None))
        elif field.get_internal_type() in adapters and not getattr(field, "encoder", None):
            plan.append((attname, adapters[field.get_internal_type()]))
        else:  # pragma: no cover - a field type added later: the ORM prepares it
            plan.append((attname, lambda value, f=field: f.get_db_prep_save(value, connection)))
    return tuple(plan)


def _row_params(values: Mapping[str, Any]) -> list[Any]:
    """The INSERT's parameters straight from a new rating's `values` (attname → Python
    value, every column but the id): the same as `_insert_params` of a model instance
    holding them (a test compares the two on both databases), at a quarter of the cost."""
    return [
        values[attname] if adapt is None else adapt(values[attname])
        for attname, adapt in _row_plan(connection.vendor)
    ]


@cache
def _attnames() -> tuple[str, ...]:
    return tuple(f.attname for f in Rating._meta.concrete_fields)


def _new_rating(values: Mapping[str, Any], **related: Model | None) -> Rating:
    """The unsaved `Rating` of `values` (attnames), built positionally (under half the cost
    of keyword arguments, which resolve each related object), with `related` objects
    cached as if assigned."""
    rating = Rating(*(values.get(attname) for attname in _attnames()))
    for name, obj in related.items():
        if obj is not None:
            Rating._meta.get_field(name).set_cached_value(rating, obj)  # type: ignore[union-attr]
    return rating


def _insert(rating: Rating, params: list[Any]) -> None:
    """`rating.save(force_insert=True)` without the ORM's SQL building (no signals are sent:
    the ratings app has no receivers for them, and it would cost more than the write).
    `params` are `_insert_params(rating)`, prepared before the write lock."""
    cursor = rawdb.execute(_sql("insert-rating", _insert_sql), params)
    if connection.features.can_return_columns_from_insert:
        rating.pk = cursor.fetchone()[0]
    else:  # pragma: no cover - SQLite < 3.35
        rating.pk = cursor.lastrowid
    rating._state.adding = False
    rating._state.db = connection.alias


def _store(rating: Rating, params: list[Any]) -> None:
    """INSERT the rating (`params`: `_row_params` or `_insert_params`) and add it to the
    rollups, all or nothing."""
    if connection.vendor == "postgresql" and connection.get_autocommit():
        # One statement is one transaction: the rating and its rollups in one round
        # trip instead of six (BEGIN, four statements, COMMIT).
        members, members_params = rollups.postgresql_members(rating)
        insert = _sql("insert-rating", _insert_sql)
        rating.pk = rawdb.execute(
            f"WITH rating AS ({insert}), {members} SELECT id FROM rating",  # noqa: S608
            [*params, *members_params],
        ).fetchone()[0]
        rating._state.adding = False
        rating._state.db = connection.alias
        return
    # Everything is prepared before the write lock: writers wait for each other there.
    statements = rollups.statements(rating)
    rawdb.no_checkpoint_in_commit()
    with rawdb.writers_take_turns(), rawdb.write_transaction():
        _insert(rating, params)
        for sql, values in statements:
            rawdb.execute(sql, values)
    rawdb.wrote()


def submit_rating(
    target: RatingTarget,
    *,
    level: int,
    answers: Mapping[int, str],
    comment: str = "",
    device_hash: str = "",
    address_hash: str = "",
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
    if (
        not isinstance(device_hash, str)
        or len(device_hash) > 32
        or not isinstance(address_hash, str)
        or len(address_hash) > 32
    ):
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
        reasons = detection.check_submission(
            target, level=level, device_hash=device_hash, now=now, address_hash=address_hash
        )
    except detection.RateLimited as limited:
        # A retry of a rating that was stored (its response lost) is not a new rating.
        existing = _existing(submission_id)
        if existing is not None:
            return existing
        raise RatingRejected("rate_limited", limited.message) from None
    values = {
        "created_at": now,
        "rated_on": timezone.localdate(now),
        "channel": target.channel,
        "verified": target.dossier is not None,
        "level": level,
        "satisfied": chosen.satisfied,
        "answers": stored,
        "comment": comment,
        "state": Rating.State.FLAGGED.value if reasons else Rating.State.COUNTED.value,
        "flag_reasons": ",".join(reasons),
        "device_hash": device_hash,
        "address_hash": address_hash,
        "submission_id": submission_id,
        "reviewed_at": None,
        "review_reason": "",
        "counter_id": target.counter.pk if target.counter is not None else None,
        "dossier_id": target.dossier.pk if target.dossier is not None else None,
        "organisation_id": target.organisation.pk,
        "reviewed_by_id": None,
        "staff_id": staff.pk if staff is not None else None,
        "scale_id": scale.pk,
    }
    rating = _new_rating(
        values,
        organisation=target.organisation,
        staff=staff,
        counter=target.counter,
        dossier=target.dossier,
        scale=scale,
    )
    try:
        # Every read is done: the write lock is held for the writes only.
        _store(rating, _row_params(values))
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


#: Flagged ratings one decision may cover (a page of the review list is 20).
REVIEW_MANY_MAX: Final = 100


@transaction.atomic
def review_ratings(
    ratings: Sequence[Rating], *, include: bool, reason: str, actor: Any
) -> list[Rating]:
    """Include or exclude several flagged ratings (a burst from one phone) with one reason:
    all of them or none; each is audited as if reviewed alone."""
    if not ratings:
        raise _invalid(_("Hãy chọn ít nhất một lượt đánh giá. / Choose at least one rating."))
    if len(ratings) > REVIEW_MANY_MAX:
        raise _invalid(
            _("Mỗi lần xem xét tối đa %(max)d lượt. / At most %(max)d ratings at a time.")
            % {"max": REVIEW_MANY_MAX}
        )
    reviewed = []
    for rating in ratings:
        try:
            reviewed.append(review_rating(rating, include=include, reason=reason, actor=actor))
        except RatingRejected as exc:
            if len(ratings) == 1:
                raise
            raise RatingRejected(
                exc.code, _("Lượt đánh giá số %(id)d: %(why)s") % {"id": rating.pk, "why": exc}
            ) from None
    return reviewed


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
