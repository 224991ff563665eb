from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and report the first tampered event."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.first_bad is not None:
            event = result.first_bad
            raise CommandError(
                f"Audit chain broken at event #{event.pk} ({event.action}, "
                f"{event.at:%d/%m/%Y %H:%M:%S}): {result.reason}. "
                f"{result.checked} earlier events are intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events."))
