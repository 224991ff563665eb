from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.audit.models import AuditEvent, ChainVerification
from congvu.audit.services import run_verification


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log, report the first tampered event, and run "
        "the apps' verifiers (rows that must still match their audit events). The outcome "
        "is stored and shown at the top of /audit/."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = run_verification(trigger=ChainVerification.Trigger.COMMAND)
        if run.first_bad_id is not None:
            event = AuditEvent.objects.get(pk=run.first_bad_id)
            raise CommandError(
                f"Audit chain broken at event #{event.pk} ({event.action}, "
                f"{event.at:%d/%m/%Y %H:%M:%S}): {run.reason}. "
                f"{run.checked} earlier events are intact."
            )
        problems: list[str] = list(run.problems)
        if run.problem_count:
            shown = "\n".join(problems[:50])
            more = f"\n… and {run.problem_count - 50} more." if run.problem_count > 50 else ""
            raise CommandError(
                f"Audit chain intact ({run.checked} events), but {run.problem_count} recorded "
                f"row(s) no longer match their audit events:\n{shown}{more}"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {run.checked} events."))
