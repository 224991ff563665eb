from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.audit import verifiers
from congvu.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log, report the first tampered event, and run "
        "the apps' verifiers (rows that must still match their audit events)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if result.first_bad is not None:
            event = result.first_bad
            raise CommandError(
                f"Audit chain broken at event #{event.pk} ({event.action}, "
                f"{event.at:%d/%m/%Y %H:%M:%S}): {result.reason}. "
                f"{result.checked} earlier events are intact."
            )
        problems = [
            f"[{name}] {problem}"
            for name, found in verifiers.run_all().items()
            for problem in found
        ]
        if problems:
            shown = "\n".join(problems[:50])
            more = f"\n… and {len(problems) - 50} more." if len(problems) > 50 else ""
            raise CommandError(
                f"Audit chain intact ({result.checked} events), but {len(problems)} recorded "
                f"row(s) no longer match their audit events:\n{shown}{more}"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events."))
