"""Where an audited object's page is: object type → a resolver of its URLs.

A resolver takes the ids of one page of events' objects (as stored, strings) and
returns {id: URL} for those that have a page; it may query once for the lot (an
inspection's page is by code, not by id), never once per row. The page itself
decides who may open it, as for any other link. Apps may `register` their own;
the product's known types are registered below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from django.urls import NoReverseMatch, reverse

from congvu.core.text import as_id

if TYPE_CHECKING:
    from .models import AuditEvent

Resolver = Callable[[list[str]], dict[str, str]]

_registry: dict[str, Resolver] = {}


def register(object_type: str, resolver: Resolver) -> None:
    """Add (or replace) the resolver of `object_type` ("app_label.model")."""
    _registry[object_type] = resolver


def by_field(model_label: str, field: str, url_name: str) -> Resolver:
    """A resolver for pages addressed by a field (the key, a code): one query per page;
    objects since deleted (a scorecard, say) get no link."""

    def resolve(ids: list[str]) -> dict[str, str]:
        from django.apps import apps

        model = apps.get_model(model_label)
        pks = [pk for pk in map(as_id, ids) if pk is not None]
        rows = model._default_manager.filter(pk__in=pks).values_list("pk", field)
        return {str(pk): reverse(url_name, args=[value]) for pk, value in rows}

    return resolve


def urls_for(events: Iterable[AuditEvent]) -> dict[int, str]:
    """{event id: its object's page} for the events whose object has one."""
    wanted: dict[str, set[str]] = {}
    events = list(events)
    for event in events:
        if event.object_type in _registry and event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[str, dict[str, str]] = {}
    for object_type, ids in wanted.items():
        try:
            found[object_type] = _registry[object_type](sorted(ids))
        except NoReverseMatch:  # a URLconf without that app's pages (the API's alone)
            continue
    urls: dict[int, str] = {}
    for event in events:
        url = found.get(event.object_type, {}).get(event.object_id)
        if url is not None:
            urls[event.pk] = url
    return urls


#: The product's pages: object type, the page's URL name, the field the URL takes.
KNOWN: Final = (
    ("organisations.organisation", "organisations:detail", "pk"),
    ("organisations.staffmember", "organisations:staff_detail", "pk"),
    ("accounts.user", "accounts:user_detail", "pk"),
    ("planning.plan", "planning:plan_detail", "pk"),
    ("planning.task", "planning:task_detail", "pk"),
    ("planning.assignment", "assignments:detail", "pk"),
    ("reporting.reportperiod", "reporting:period", "pk"),
    ("reporting.organisationreport", "reporting:report", "pk"),
    ("scoring.scorecard", "scoring:detail", "pk"),
    ("conduct.codeversion", "conduct:version", "pk"),
    ("inspections.inspection", "inspections:detail", "code"),
    ("inspections.inspectionprogramme", "inspections:programme", "pk"),
    ("cases.case", "cases:detail", "code"),
    ("cases.caseevent", "cases:detail", "case__code"),
)
for _type, _url_name, _field in KNOWN:
    register(_type, by_field(_type, _field, _url_name))
