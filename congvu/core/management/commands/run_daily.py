"""Start the day's jobs: once (cron, systemd timer) or in a loop next to the worker."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from congvu.core import daily
from congvu.core.tasks import run_daily_jobs

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
# With --loop, jobs still unclaimed this long after the last enqueue are enqueued
# again: the worker may have been down, and a second enqueue is harmless because
# each job is claimed once per day.
RETRY_AFTER = dt.timedelta(minutes=15)


class Command(BaseCommand):
    help = (
        "Run the daily jobs (reminder digests, rollup refresh…) not yet run today. "
        "With --loop: wake every minute and start them once a day after 06:00 local time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running; enqueue the day's jobs for the worker after 06:00 each day.",
        )
        parser.add_argument(
            "--day", help="Run the jobs of this day (yyyy-mm-dd) instead of today; not with --loop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["loop"]:
            self.loop()
            return
        day = dt.date.fromisoformat(options["day"]) if options["day"] else None
        ran = daily.run_due(day)
        if not ran:
            self.stdout.write("Nothing to run: every daily job has already run.")
        for name, result in ran.items():
            self.stdout.write(f"{name}: {result}")

    def loop(self) -> None:
        self.stdout.write(
            f"Daily jobs: checking every minute, starting after {daily.START_AFTER:%H:%M} "
            f"({timezone.get_current_timezone_name()})."
        )
        last: dt.datetime | None = None
        while True:
            # A long-lived process: drop connections the server closed or that outlived
            # CONN_MAX_AGE, and survive a database restart instead of dying with it.
            close_old_connections()
            try:
                last = self.tick(timezone.localtime(), last)
            except DatabaseError:
                logger.exception("Daily jobs: database unavailable; retrying in a minute")
            time.sleep(TICK_SECONDS)

    def tick(self, now: dt.datetime, last_enqueued: dt.datetime | None) -> dt.datetime | None:
        """One wake-up: enqueue the day's jobs if it is time and some are still unclaimed.

        Returns when jobs were last enqueued (what the next tick is given).
        """
        if now.time() < daily.START_AFTER:
            return last_enqueued
        if last_enqueued is not None and now - last_enqueued < RETRY_AFTER:
            return last_enqueued
        day = now.date()
        if not daily.pending(day):
            return last_enqueued
        run_daily_jobs.enqueue(day.isoformat())
        self.stdout.write(f"Daily jobs of {day:%d/%m/%Y} enqueued.")
        return now
