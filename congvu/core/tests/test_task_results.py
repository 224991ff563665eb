"""The background tasks' results do not pile up: a daily job prunes the old finished ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from congvu.core import daily
from congvu.core.tasks import mail_notification

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _result(status: str, finished_days_ago: int | None) -> DBTaskResult:
    result = mail_notification.enqueue(1)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = status
    if finished_days_ago is not None:
        row.finished_at = timezone.now() - dt.timedelta(days=finished_days_ago)
    row.save()
    return row


@pytest.mark.django_db
@override_settings(TASKS=DATABASE_TASKS, TASK_RESULTS_KEEP_DAYS=14)
def test_the_daily_job_prunes_finished_results_older_than_the_setting() -> None:
    old_success = _result("SUCCESSFUL", 20)
    old_failure = _result("FAILED", 15)
    recent = _result("SUCCESSFUL", 3)
    waiting = _result("READY", None)
    job = daily.registered()["core.prune_task_results"]
    outcome = job(timezone.localdate())
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk}
    assert old_success.pk not in left and old_failure.pk not in left
    assert outcome == {"keep_days": 14, "pruned": {"default": 2}}
