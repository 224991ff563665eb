"""Daily job: forget the background tasks' results after `TASK_RESULTS_KEEP_DAYS`.

Every task the worker runs (a notice mailed, an import, a PDF export, the daily jobs
themselves) leaves a row in django-tasks' result table, with its arguments and return
value; nothing removed them, so the table grew for ever. The library's own
`prune_db_task_results` command removes the finished ones (successful or failed)
older than the setting, in every queue of every database backend; tasks waiting or
running are never touched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import daily


def database_backends() -> list[str]:
    """The aliases of the task backends that keep their results in the database."""
    return [
        alias
        for alias, config in settings.TASKS.items()
        if issubclass(import_string(config["BACKEND"]), DatabaseBackend)
    ]


def prune(day: dt.date) -> dict[str, Any]:
    keep_days = settings.TASK_RESULTS_KEEP_DAYS
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    pruned: dict[str, int] = {}
    for alias in database_backends():
        old = DBTaskResult.objects.finished().filter(backend_name=alias, finished_at__lte=cutoff)
        pruned[alias] = old.count()
        call_command(
            "prune_db_task_results",
            "--backend",
            alias,
            "--queue-name",
            "*",
            "--min-age-days",
            str(keep_days),
            verbosity=0,
        )
    return {"keep_days": keep_days, "pruned": pruned}


daily.register("core.prune_task_results", prune)
