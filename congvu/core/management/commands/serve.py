"""Development server, background worker and daily jobs in one command (what `make run` starts)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

CHILDREN: dict[str, list[str]] = {
    "Background worker": ["db_worker", "--interval", "1"],
    # django-tasks has no periodic scheduler: this loop enqueues the daily jobs
    # (reminder digests, rollup refresh) for the worker once a day.
    "Daily jobs": ["run_daily", "--loop"],
}


class Command(BaseCommand):
    help = "Run the development web server together with the background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="Start the web server only.")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = settings.VAR_DIR / "demo-logins.txt"
        if logins.exists():
            self.stdout.write(logins.read_text(encoding="utf-8"))
        children: list[subprocess.Popen[bytes]] = []
        try:
            if not options["no_worker"]:
                # Separate processes so a slow task never blocks a page.
                for label, command in CHILDREN.items():
                    # The arguments are the constants of CHILDREN, never user input.
                    child = subprocess.Popen(  # noqa: S603
                        [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR
                    )
                    children.append(child)
                    self.stdout.write(f"{label} started (pid {child.pid}).")
            self.stdout.write(f"Công vụ: http://{options['addrport']}/")
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
