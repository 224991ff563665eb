"""Telling the organisations that still have to report that a period's due date moved.

Each head and focal point (`access.holders(REPORT_SUBMIT, organisation, duty=True)`:
there or above with the subtree, never the roles that oversee the whole province) of an
organisation expected to report that has not filed (no report, a draft, or one returned
for more detail) gets ONE notice, however many such organisations they answer for:
"Kỳ báo cáo «…»: hạn nộp mới dd/mm/yyyy", with the old date and the reason. Not the
person who moved the date, and nobody of an organisation whose report is in (submitted
or accepted): the new date changes nothing for them. Made in bulk
(`core.bulk_notices`): a province of 2,000 organisations is a few inserts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.urls import reverse

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.bulk_notices import notify_many

from . import notices, selectors
from .models import OrganisationReport, ReportPeriod

KIND: Final = "report_due_changed"

S = OrganisationReport.Status


def still_to_report(period: ReportPeriod) -> list[int]:
    """Ids of the organisations expected to report whose report is not in."""
    filed = OrganisationReport.objects.filter(
        period=period, status__in=(S.SUBMITTED, S.ACCEPTED)
    ).values("organisation_id")
    expected = selectors.expected_organisations(period).exclude(pk__in=filed)
    return list(expected.values_list("pk", flat=True))


def due_changed(period: ReportPeriod, *, old_due_on: dt.date, reason: str, actor: Any) -> int:
    """Tell them (in the caller's transaction: a rollback takes the notices too); returns
    how many were told."""
    people = access.holders_by_organisation(Perm.REPORT_SUBMIT, still_to_report(period), duty=True)
    actor_id = getattr(actor, "pk", None)
    readers = sorted({user for users in people.values() for user in users} - {actor_id})
    params = {
        "period": period.name,
        "due": period.due_on,
        "old_due": old_due_on,
        "reason": reason,
    }
    url = reverse("reporting:period", args=[period.pk])
    notify_many(
        [(user_id, params, url) for user_id in readers],
        kind=KIND,
        key=notices.DUE_CHANGED.key,
    )
    return len(readers)
