"""Background tasks of the shared kernel."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django_tasks import task

from . import daily, notices

logger = logging.getLogger(__name__)


@task()
def run_daily_jobs(day: str | None = None) -> dict[str, Any]:
    """Run the daily jobs not yet run on `day` (ISO date; default: today, local time)."""
    return daily.run_due(dt.date.fromisoformat(day) if day else None)


@task()
def mail_notification(notification_id: int) -> str:
    """E-mail one notice to its reader (`notices.send_mail_copy`); returns what happened."""
    return notices.send_mail_copy(notification_id)


@task()
def mail_notifications(notification_ids: list[int]) -> dict[str, int]:
    """E-mail each of many notices made by one action (`bulk_notices.notify_many`), one
    e-mail per notice; how many ended how. A copy that fails is logged and the others
    are still sent."""
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        try:
            outcome = notices.send_mail_copy(notification_id)
        except Exception:  # a refused address or a mail server hiccup: the rest still go
            logger.exception("Mailing notice %s failed", notification_id)
            outcome = "failed"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
