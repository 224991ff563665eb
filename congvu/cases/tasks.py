"""Background tasks of the cases app."""

from __future__ import annotations

from django_tasks import task

from . import export_jobs, filing_limits, mail
from .models import CaseEvent


@task()
def mail_reporter(event_id: int) -> str:
    """Send the named reporter the mail for one event (`mail.message`); returns what happened."""
    event = CaseEvent.objects.select_related("case").filter(pk=event_id).first()
    if event is None:
        return "gone"
    message = mail.message(event)
    if message is None:
        return "not wanted"
    if not filing_limits.may_mail(event.case):
        return "limited"
    message.send()
    return "sent"


@task()
def make_export(export_id: int) -> str:
    """Write one queued cases export from the list page (`export_jobs.make`)."""
    return export_jobs.make(export_id, export_jobs.web_cases)
