"""The government's task statuses, computed in the database.

The same rules as `Assignment.state_on`: one place for the Q expressions that
lists, filters, rollups and the API count with.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Case, F, Q, Value, When

from .models import Assignment

S = Assignment.State
P = Assignment.Progress


def state_q(state: Assignment.State | str, day: dt.date) -> Q:
    """Assignments in `state` on `day`; the same rules as `Assignment.state_on`."""
    open_ = Q(completed_on__isnull=True)
    started = ~Q(progress=P.NOT_STARTED)
    conditions: dict[str, Q] = {
        S.DONE_ON_TIME: Q(completed_on__isnull=False, completed_on__lte=F("due_on")),
        S.DONE_LATE: Q(completed_on__isnull=False, completed_on__gt=F("due_on")),
        S.OVERDUE: open_ & Q(due_on__lt=day),
        S.IN_PROGRESS: open_ & Q(due_on__gte=day) & started,
        S.NOT_STARTED: open_ & Q(due_on__gte=day) & ~started,
    }
    return conditions[S(state)]


def awaiting_confirmation_q() -> Q:
    """Reported done, not yet confirmed by the head (`progress.confirm_completion`)."""
    return Q(progress=P.DONE, completed_on__isnull=False, confirmed_at__isnull=True)


def with_state(qs: models.QuerySet[Assignment], day: dt.date) -> models.QuerySet[Assignment]:
    """Annotate `state` (a `State` value) computed in the database for `day`."""
    return qs.annotate(
        state=Case(
            *(When(state_q(state, day), then=Value(state.value)) for state in S),
            default=Value(S.NOT_STARTED.value),
            output_field=models.CharField(),
        )
    )
