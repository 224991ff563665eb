from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from congvu.cases.retention import apply_retention, retention_days


class Command(BaseCommand):
    help = (
        "Erase the reporter's name and contacts of cases finished more than "
        "CASES_RETENTION_DAYS ago (the cases stay, anonymised)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the cases; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = apply_retention(dry_run=options["dry_run"])
        cutoff = f"{result.cutoff:%d/%m/%Y}"
        if result.dry_run:
            self.stdout.write(
                f"Dry run: {result.due} case(s) finished before {cutoff} "
                f"({retention_days()} days) would have their reporter's identity erased."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased the reporter's identity of {result.erased} case(s) finished before "
                f"{cutoff} ({retention_days()} days)."
            )
        )
