"""Background work of the audit app: a verification of the chain asked for on the page."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def verify(verification_id: int) -> int:
    """Run one queued `ChainVerification`; returns how many events were checked."""
    return services.run_verification(verification_id=verification_id).checked
