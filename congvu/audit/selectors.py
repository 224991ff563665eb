"""Reads of the audit log: scoping, filters, keyset pages, one event, the CSV rows.

The log may hold millions of rows, so pages are keyset pages over (at, id), newest
first (`?after=<id>` for older than that event, `?before=<id>` for newer), never
OFFSET and never COUNT(*); every filter has an index that ends with (at, id).
Every read starts from `AuditEvent.objects.visible_to`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.accounts.selectors import search_users
from congvu.core.text import search_terms
from congvu.organisations.models import Organisation

from . import labels
from .models import AuditEvent, AuditEventQuerySet, ChainVerification
from .services import hash_holds

PAGE_SIZE: Final = 50
Q_ = TypeVar("Q_", bound=QuerySet[Any])
#: Keys of `data` that would name a misconduct reporter (Decree 13/2023). No service
#: records them today (`cases.timeline` keeps personal data out of the log); should one
#: ever do, they are masked for whoever would not see that case's reporter on its page
#: (`cases.visibility.can_see_identity`: Home Affairs' oversight sees "[…]" there until it
#: reveals that case's reporter, `cases.identity`).
IDENTITY_KEYS: Final = frozenset(
    {"reporter", "reporter_name", "reporter_phone", "reporter_email", "reporter_contact"}
)


def require_view(user: Any) -> None:
    """403 for an account holding AUDIT_VIEW nowhere."""
    access.require_anywhere(user, Perm.AUDIT_VIEW)


def may_verify(user: Any) -> bool:
    """Running the whole chain's verification is for province-wide holders."""
    return access.holds_province_wide(user, Perm.AUDIT_VIEW)


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organisation: str = ""
    actor: str = ""
    action: str = ""
    object_type: str = ""
    #: Words of the summary or the object's id ("Nội dung"): each must occur, accents aside.
    q: str = ""


#: Days outside these bounds would overflow once made aware and moved to UTC.
_FIRST_DAY: Final = dt.date(2, 1, 1)
_LAST_DAY: Final = dt.date(9998, 12, 30)


def _day_start(day: dt.date) -> dt.datetime:
    day = min(max(day, _FIRST_DAY), _LAST_DAY)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_events(user: Any, filters: Filters) -> AuditEventQuerySet:
    """The events `user` may see that match `filters`, newest first."""
    qs = AuditEvent.objects.visible_to(user)
    if filters.date_from is not None:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        qs = qs.filter(at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.organisation:
        found = access.organisations_for(user, Perm.AUDIT_VIEW).search(filters.organisation)
        qs = qs.filter(organisation_id__in=found.values("pk"))
    if filters.actor:
        # Accents and case aside, like every other search: "mai thi nga" finds Mai Thị Nga.
        actors = search_users(User.objects.all(), filters.actor)
        qs = qs.filter(actor__in=actors.values("pk"))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    # No index serves a substring: the words are tested on each row while the index of the
    # other filters is walked newest first, and a page stops at 50 matches; a date range
    # or another filter bounds the rows tested when the words are rare
    # (docs/benchmarks.md, "The audit log's text search").
    for term in search_terms(filters.q):
        qs = qs.filter(search_text__contains=term)
    return qs.order_by("-at", "-id")


def older_than(qs: Q_, at: dt.datetime, pk: int) -> Q_:
    """The rows after (at, pk) in the newest-first order: a range of the (…, at, id) index."""
    return qs.filter(at__lte=at).exclude(at=at, id__gte=pk)


def newer_than(qs: Q_, at: dt.datetime, pk: int) -> Q_:
    return qs.filter(at__gte=at).exclude(at=at, id__lte=pk)


@dataclass
class Page:
    rows: list[AuditEvent]
    #: The id to pass as `after` for older events (None: this is the oldest page).
    older: int | None
    #: The id to pass as `before` for newer events (None: this is the newest page).
    newer: int | None


def keyset_page(
    qs: AuditEventQuerySet,
    *,
    after: int | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of `qs` (newest first): older than the event `after`, or newer than the
    event `before`. A cursor naming no event gives an empty page (never the first page
    again: a client following cursors must not loop)."""
    cursor = after if after is not None else before
    anchor = None
    if cursor is not None:
        anchor = AuditEvent.objects.filter(pk=cursor).values_list("at", flat=True).first()
        if anchor is None:
            return Page([], None, None)
    if before is not None and anchor is not None:
        newer = newer_than(qs, anchor, before).order_by("at", "id").select_related("actor")
        rows = list(newer[: size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return Page(rows, rows[-1].pk if rows else None, rows[0].pk if more_newer else None)
    if after is not None and anchor is not None:
        qs = older_than(qs, anchor, after)
    rows = list(qs.select_related("actor")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, rows[-1].pk if more else None, rows[0].pk if rows and after else None)


def organisation_names(events: Iterable[AuditEvent]) -> dict[int, Organisation]:
    ids = {event.organisation_id for event in events if event.organisation_id is not None}
    return Organisation.objects.in_bulk(ids) if ids else {}


def get_event(user: Any, pk: int) -> AuditEvent:
    """One event: 404 when it does not exist or its organisation is outside the user's
    view, 403 when visible without AUDIT_VIEW."""
    event = AuditEvent.objects.select_related("actor").filter(pk=pk).first()
    if event is None:
        raise Http404
    if event.organisation_id is None:
        if not access.holds_province_wide(user, Perm.AUDIT_VIEW):
            require_view(user)  # 403 for a role without the permission anywhere
            raise Http404
        return event
    organisation = Organisation.objects.filter(pk=event.organisation_id).first()
    if organisation is None:
        raise Http404
    access.require(user, Perm.AUDIT_VIEW, organisation)
    return event


def masked_data(
    user: Any, event: AuditEvent, *, revealed: Collection[int] = ()
) -> tuple[dict[str, Any], bool]:
    """The event's `data` with a reporter's identity masked for those who may not see it,
    and whether anything was masked. `revealed`: the cases whose reporter the user revealed
    in this browser session (`cases.identity.revealed_cases`)."""
    data = event.data if isinstance(event.data, dict) else {"": event.data}
    hidden = [key for key in data if key in IDENTITY_KEYS]
    if not hidden or _may_see_identity(user, event, revealed):
        return dict(data), False
    mask = _("(đã ẩn: thông tin người phản ánh)")
    return {key: mask if key in IDENTITY_KEYS else value for key, value in data.items()}, True


def data_rows(
    user: Any, event: AuditEvent, *, revealed: Collection[int] = ()
) -> tuple[list[tuple[str, Any]], bool]:
    """The event's `data` as readable (key, value) rows, and whether anything was masked."""
    data, masked = masked_data(user, event, revealed=revealed)
    return [(key, _readable(value)) for key, value in data.items()], masked


def _readable(value: Any) -> Any:
    """Text and numbers as they are; lists, mappings and booleans as JSON."""
    if value is None or isinstance(value, str) or type(value) in (int, float):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _case_of(event: AuditEvent) -> Any:
    """The case an event is about: its own object, or the case its data names."""
    from congvu.cases.models import Case

    cases = Case.objects.select_related("handling_organisation")
    if event.object_type == "cases.case" and event.object_id.isdigit():
        return cases.filter(pk=int(event.object_id)).first()
    code = event.data.get("case") if isinstance(event.data, dict) else None
    return cases.filter(code=code).first() if isinstance(code, str) and code else None


def _may_see_identity(user: Any, event: AuditEvent, revealed: Collection[int] = ()) -> bool:
    # Imported here: cases records into this app's log.
    from congvu.cases import visibility

    if event.organisation_id is None:
        return access.is_superuser(user)
    case = _case_of(event)
    if case is not None:
        return visibility.can_see_identity(user, case) or (
            case.pk in revealed and visibility.may_reveal_identity(user, case)
        )
    organisation = Organisation.objects.filter(pk=event.organisation_id).first()
    return organisation is not None and visibility.sees_identity_at(user, organisation)


@dataclass(frozen=True)
class HashCheck:
    holds: bool
    #: Does `prev_hash` equal the previous event's hash? (None: the first event.)
    linked: bool | None


def check_hash(event: AuditEvent) -> HashCheck:
    previous = AuditEvent.objects.filter(id__lt=event.pk).order_by("-id").only("hash").first()
    linked = None if previous is None else previous.hash == event.prev_hash
    return HashCheck(hash_holds(event), linked)


def latest_verification() -> ChainVerification | None:
    """The last finished verification (what the page reports)."""
    return ChainVerification.objects.filter(finished_at__isnull=False).first()


def running_verification() -> ChainVerification | None:
    return ChainVerification.objects.filter(finished_at__isnull=True).first()


CSV_HEADER: Final = [
    "id",
    "at",
    "actor",
    "action",
    "action_label",
    "object_type",
    "object_id",
    "organisation_code",
    "organisation",
    "summary",
]


def csv_chunks(qs: AuditEventQuerySet, size: int = 5000) -> Iterator[list[list[str]]]:
    """Every row of `qs` for the CSV, in chunks read by keyset (no OFFSET, no cursor held
    open between chunks), as plain values rather than model instances."""
    organisations = {
        pk: (code, name)
        for pk, code, name in Organisation.objects.values_list("pk", "code", "name")
    }
    users: dict[int, str] = {}
    action_labels: dict[str, str] = {}
    tz = timezone.get_current_timezone()
    fields = ("id", "at", "actor_id", "action", "object_type", "object_id", "organisation_id")
    rows_of = qs.values_list(*fields, "summary")
    after: tuple[int, dt.datetime] | None = None
    while True:
        page = rows_of if after is None else older_than(rows_of, after[1], after[0])
        chunk = list(page[:size])
        if not chunk:
            return
        missing = {row[2] for row in chunk if row[2] is not None} - users.keys()
        if missing:
            users.update(User.objects.filter(pk__in=missing).values_list("pk", "username"))
        lines: list[list[str]] = []
        for pk, at, actor_id, action, object_type, object_id, org_id, summary in chunk:
            if action not in action_labels:
                action_labels[action] = labels.action_label(action)
            code, name = organisations.get(org_id, ("", "")) if org_id else ("", "")
            lines.append(
                [
                    str(pk),
                    at.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S"),
                    users.get(actor_id, "") if actor_id else "",
                    action,
                    action_labels[action],
                    object_type,
                    object_id,
                    code,
                    name,
                    summary,
                ]
            )
        yield lines
        after = (chunk[-1][0], chunk[-1][1])
