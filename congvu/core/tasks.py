"""Background tasks of the shared kernel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from . import daily, notices


@task()
def run_daily_jobs(day: str | None = None) -> dict[str, Any]:
    """Run the daily jobs not yet run on `day` (ISO date; default: today, local time)."""
    return daily.run_due(dt.date.fromisoformat(day) if day else None)


@task()
def mail_notification(notification_id: int) -> str:
    """E-mail one notice to its reader (`notices.send_mail_copy`); returns what happened."""
    return notices.send_mail_copy(notification_id)
