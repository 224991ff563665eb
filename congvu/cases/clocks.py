"""The legal clock of a case: acknowledgement, settlement, extensions, alerts.

Each track has its `TrackClock` (data, changed when the law changes). The
acknowledgement deadline runs in working days from receipt; the settlement
deadline from acceptance, in working or calendar days as the clock says.
A denunciation may be extended at most twice by 30 days, in writing, and the
parties are told (Law on Denunciation 2018, art. 30); a complaint once by 15
days (Law on Complaints 2011, art. 28: at most 45 days for a complex case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.core.calendar import add_working_days
from congvu.core.digests import Notice, deliver
from congvu.organisations.models import StaffMember

from . import history, notices, timeline
from .models import Case, CaseEvent, Track, TrackClock

S = Case.Status
#: Statuses whose clock is running, and which deadline applies.
ACKNOWLEDGING: Final = frozenset({S.RECEIVED})
SETTLING: Final = frozenset({S.ACCEPTED, S.INVESTIGATING})
REASON_MAX: Final = 2000

# Used when a track's row is missing (a fresh database before the data migration).
_FALLBACK: Final[dict[str, dict[str, Any]]] = {
    Track.FEEDBACK: {"settle_days": 15, "settle_in_working_days": True, "max_extensions": 0},
    Track.COMPLAINT: {
        "settle_days": 30,
        "settle_in_working_days": False,
        "extension_days": 15,
        "max_extensions": 1,
    },
    Track.DENUNCIATION: {
        "settle_days": 30,
        "settle_in_working_days": False,
        "extension_days": 30,
        "max_extensions": 2,
    },
}


class DueState(str, Enum):
    NONE = "none"  # no clock running (concluded, closed, rejected)
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    def __str__(self) -> str:
        return str(self.value)


def clock_for(track: str) -> TrackClock:
    clock = TrackClock.objects.filter(track=track).first()
    if clock is None:
        clock = TrackClock(track=track, **_FALLBACK.get(track, {}))
    return clock


def clocks_by_track() -> dict[str, TrackClock]:
    """Every track's clock, read in one query (the saved row, or the legal default)."""
    saved = {clock.track: clock for clock in TrackClock.objects.all()}
    return {
        track: saved.get(track) or TrackClock(track=track, **_FALLBACK.get(track, {}))
        for track in Track.values
    }


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)


def acknowledge_due(received_on: dt.date, track: str) -> dt.date:
    return add_working_days(received_on, clock_for(track).acknowledge_days)


def settle_due(accepted_on: dt.date, track: str) -> dt.date:
    clock = clock_for(track)
    return add_days(accepted_on, clock.settle_days, working=clock.settle_in_working_days)


def current_due(case: Case) -> dt.date | None:
    """The deadline running now: acknowledgement while received, settlement while handled."""
    if case.status in ACKNOWLEDGING:
        return case.acknowledge_due
    if case.status in SETTLING:
        return case.settle_due
    return None


def is_overdue(case: Case, today: dt.date | None = None) -> bool:
    due = current_due(case)
    return due is not None and due < (today or timezone.localdate())


def warning_dates(today: dt.date, clocks: dict[str, TrackClock]) -> dict[str, dt.date]:
    """Per track, the last day on which a running deadline counts as due soon (`today`
    plus the clock's warning days, in working days). For a list of cases: the calendar
    is read once per distinct number of days, not once per case."""
    by_days: dict[int, dt.date] = {}
    for clock in clocks.values():
        if clock.due_soon_days not in by_days:
            by_days[clock.due_soon_days] = add_working_days(today, clock.due_soon_days)
    return {track: by_days[clock.due_soon_days] for track, clock in clocks.items()}


def due_state(
    case: Case,
    today: dt.date | None = None,
    *,
    clock: TrackClock | None = None,
    warn_until: dt.date | None = None,
) -> DueState:
    """`warn_until`, when given, is `warning_dates(today, …)[case.track]`."""
    today = today or timezone.localdate()
    due = current_due(case)
    if due is None:
        return DueState.NONE
    if due < today:
        return DueState.OVERDUE
    if warn_until is None:
        warn_until = add_working_days(today, (clock or clock_for(case.track)).due_soon_days)
    if due <= warn_until:
        return DueState.DUE_SOON
    return DueState.ON_TIME


def extensions_left(case: Case) -> int:
    return max(0, clock_for(case.track).max_extensions - case.extensions)


@timeline.in_vietnamese
@transaction.atomic
def extend(case: Case, *, actor: Any, reason: str) -> Case:
    """Extend the settlement deadline once, with a written reason told to the parties."""
    from .visibility import require_handler

    case = Case.objects.select_for_update().get(pk=case.pk)
    require_handler(actor, case)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Cần ghi lý do gia hạn. / A written reason is required.")}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Lý do quá dài. / The reason is too long.")})
    if case.status not in SETTLING or case.settle_due is None:
        raise ValidationError(
            {
                "reason": _(
                    "Chỉ gia hạn được vụ việc đã thụ lý, đang giải quyết. / Only an accepted "
                    "case being settled can be extended."
                )
            }
        )
    clock = clock_for(case.track)
    if case.extensions >= clock.max_extensions:
        raise ValidationError(
            {
                "reason": _(
                    "Đã hết số lần gia hạn cho phép (%(max)d). / No extension left (at most "
                    "%(max)d)."
                )
                % {"max": clock.max_extensions}
            }
        )
    old_due = case.settle_due
    case.settle_due = add_days(old_due, clock.extension_days, working=clock.settle_in_working_days)
    case.extensions += 1
    case.save(update_fields=["settle_due", "extensions", "updated_at"])
    timeline.add(
        case,
        kind=CaseEvent.Kind.EXTENDED,
        actor=actor,
        action="case.extend",
        # The parties are notified in writing of an extension (Law on Denunciation, art. 30).
        audience=CaseEvent.Audience.PARTIES,
        body=history.EXTENDED.write(
            n=case.extensions, due=f"{case.settle_due:%d/%m/%Y}", reason=reason
        ),
        data={"old_due": old_due.isoformat(), "new_due": case.settle_due.isoformat()},
    )
    return case


# --- The daily digest of due-soon and overdue cases -------------------------------------

DIGEST_KIND: Final = "cases_digest"
OPEN_STATUSES: Final = ACKNOWLEDGING | SETTLING


@dataclass
class Digest:
    user: Any
    day: dt.date
    due_soon: list[Case] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.due_soon and not self.overdue

    def params(self) -> dict[str, Any]:
        """The notice's values (`notices.DIGEST` words them in the reader's language)."""
        return {
            "name": str(self.user),
            "day": self.day,
            "overdue": [_row(case) for case in self.overdue],
            "due_soon": [_row(case) for case in self.due_soon],
        }


def _row(case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "track": case.track,
        "status": case.status,
        "acknowledging": case.status in ACKNOWLEDGING,
        "due": current_due(case),
    }


def _handler_scope(user: Any) -> Q | None:
    """Handling organisations where `user` holds CASE_HANDLE through a grant."""
    q: Q | None = None
    for grant in access.grants_of(user):
        if access.Perm.CASE_HANDLE in access.ROLE_PERMS[grant.role]:
            part = grant.q("handling_organisation__")
            q = part if q is None else q | part
    return q


def _handler_roles() -> list[str]:
    return [
        role.value for role, perms in access.ROLE_PERMS.items() if access.Perm.CASE_HANDLE in perms
    ]


def build_digest(user: Any, today: dt.date, clocks: dict[str, TrackClock] | None = None) -> Digest:
    digest = Digest(user=user, day=today)
    scope = _handler_scope(user)
    if scope is None:
        return digest
    clocks = clocks if clocks is not None else {t: clock_for(t) for t in Track.values}
    warn = warning_dates(today, clocks)
    horizon = max(warn.values())
    due_q = Q(status__in=ACKNOWLEDGING, acknowledge_due__lte=horizon) | Q(
        status__in=SETTLING, settle_due__lte=horizon
    )
    staff_id = StaffMember.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
    rows = Case.objects.filter(scope).filter(due_q)
    if staff_id is not None:
        rows = rows.exclude(subject_staff_id=staff_id)  # never tell the subject about their case
    for case in rows.order_by("acknowledge_due", "settle_due", "pk"):
        state = due_state(
            case, today, clock=clocks.get(case.track), warn_until=warn.get(case.track)
        )
        if state == DueState.OVERDUE:
            digest.overdue.append(case)
        elif state == DueState.DUE_SOON:
            digest.due_soon.append(case)
    digest.overdue.sort(key=lambda c: (current_due(c) or today, c.pk))
    digest.due_soon.sort(key=lambda c: (current_due(c) or today, c.pk))
    return digest


def send_digests(today: dt.date) -> dict[str, int]:
    """One in-app notification and one e-mail per handler with cases due soon or overdue;
    a second call on the same day sends nothing."""
    from congvu.accounts.models import User

    clocks = {t: clock_for(t) for t in Track.values}

    def notice_for(user: Any) -> Notice | None:
        digest = build_digest(user, today, clocks)
        if digest.is_empty:
            return None
        due = "overdue" if digest.overdue else "soon"
        return Notice(notices.DIGEST.key, digest.params(), f"/cases/?due={due}")

    users = (
        User.objects.filter(is_active=True, grants__role__in=_handler_roles())
        .distinct()
        .order_by("pk")
    )
    return deliver(
        kind=DIGEST_KIND,
        title_start=f"Vụ việc ngày {today:%d/%m/%Y}:",
        recipients=users,
        notice_for=notice_for,
    )
