"""Jobs that run once a day, without a broker or a periodic scheduler.

django-tasks has no periodic scheduler, so a day's jobs are started by
`manage.py run_daily` (once, from cron or a systemd timer in production; or
`--loop`, next to the worker, in development) through the `run_daily_jobs`
task. Each job is claimed by inserting its `DailyJobRun(name, day)` row; the
unique constraint lets exactly one process win, however many try.

Apps register their jobs at import time in one of `DAILY_JOB_MODULES`:

    daily.register("planning.rollups", rollups.refresh_stale)

A job is called with the day (`datetime.date`) and returns something JSON can
store (a count, a dict of counts), kept in `DailyJobRun.result`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
from collections.abc import Callable
from typing import Any, Final

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DailyJobRun

logger = logging.getLogger(__name__)

# Modules whose import registers daily jobs. Kept here rather than in settings:
# the list is part of the code, not of a deployment.
DAILY_JOB_MODULES: Final = (
    # First: a rename that takes effect today reaches the names the digests print.
    "congvu.organisations.daily",
    "congvu.planning.reminders",
    "congvu.feedback.daily",
    "congvu.cases.daily",
    "congvu.inspections.digest",
    "congvu.organisations.importing.jobs",
    "congvu.audit.daily",
    "congvu.core.once",
    "congvu.core.task_results",
    "congvu.api.idempotency",
)

# Local time (Asia/Ho_Chi_Minh) after which `run_daily --loop` starts the day's jobs:
# the digest should be in the mailbox when the working day begins.
START_AFTER: Final = dt.time(6, 0)

DailyJob = Callable[[dt.date], Any]

_registry: dict[str, DailyJob] = {}


def register(name: str, func: DailyJob) -> None:
    """Add (or replace, on a module reload) the job `name`."""
    _registry[name] = func


def registered() -> dict[str, DailyJob]:
    """Every registered job by name, in registration order, after importing the modules
    that register them."""
    for module in DAILY_JOB_MODULES:
        importlib.import_module(module)
    return dict(_registry)


def pending(day: dt.date) -> list[str]:
    """Registered jobs that no process has claimed yet for `day`."""
    names = registered()
    done = set(DailyJobRun.objects.filter(day=day, name__in=names).values_list("name", flat=True))
    return [name for name in names if name not in done]


def _jsonable(value: Any) -> Any:
    """What JSON can store of a job's return value (dates become ISO strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _claim(name: str, day: dt.date) -> DailyJobRun | None:
    try:
        # Its own savepoint: a lost race must not break an enclosing transaction.
        with transaction.atomic():
            return DailyJobRun.objects.create(name=name, day=day, started_at=timezone.now())
    except IntegrityError:
        return None


def run_due(today: dt.date | None = None) -> dict[str, Any]:
    """Run every registered job not yet run on `today` (default: the local date).

    Returns {job name: its result} for the jobs this call ran. A job that fails
    is logged and recorded with its error; it is not retried the same day, so a
    broken job cannot send the same mail every minute.
    """
    day = today or timezone.localdate()
    ran: dict[str, Any] = {}
    for name, func in registered().items():
        run = _claim(name, day)
        if run is None:
            continue
        try:
            result = {"ok": True, "value": _jsonable(func(day))}
        except Exception as error:  # one broken job must not stop the others
            logger.exception("Daily job %s failed on %s", name, day)
            result = {"ok": False, "error": f"{type(error).__name__}: {error}"[:1000]}
        run.result = result
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "finished_at"])
        ran[name] = result
    return ran
