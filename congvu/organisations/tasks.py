"""Background work of the organisations app: Excel imports (validation, then commit)."""

from __future__ import annotations

from django_tasks import task

from .importing import jobs


@task()
def run_import(job_id: int) -> None:
    """Validate an uploaded job, or write a job the user has committed."""
    jobs.run(job_id)
