"""Background work of the planning app."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def sync_assignments() -> int:
    """Daily: give organisations created since, and new periods of recurring tasks, their
    assignments. Returns how many assignments were created."""
    return services.sync_all_tasks()
