"""Background work of the organisations app: Excel imports (validation, then commit) and
large badge sheets."""

from __future__ import annotations

from django_tasks import task

from . import badge_exports
from .importing import jobs


@task()
def run_import(job_id: int) -> None:
    """Validate an uploaded job, or write a job the user has committed."""
    jobs.run(job_id)


@task()
def make_badge_pdf(export_id: int) -> str:
    """Render one queued `BadgeExport` (`badge_exports.make`)."""
    return badge_exports.make(export_id)
