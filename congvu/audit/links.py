"""Where an audited object's page is: object type → a resolver of its URLs.

A resolver takes the ids of one page of events' objects (as stored, strings) and
returns {id: URL} for those that have a page; it may query once for the lot (an
inspection's page is by code, not by id), never once per row. The page itself
decides who may open it, as for any other link. Apps may `register` their own;
the product's known types are registered below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from .models import AuditEvent

Resolver = Callable[[list[str]], dict[str, str]]

_registry: dict[str, Resolver] = {}


def register(object_type: str, resolver: Resolver) -> None:
    """Add (or replace) the resolver of `object_type` ("app_label.model")."""
    _registry[object_type] = resolver


def by_pk(url_name: str) -> Resolver:
    """A resolver for pages addressed by the object's primary key."""

    def resolve(ids: list[str]) -> dict[str, str]:
        return {pk: reverse(url_name, args=[int(pk)]) for pk in ids if pk.isdigit()}

    return resolve


def by_field(model_label: str, field: str, url_name: str) -> Resolver:
    """A resolver for pages addressed by another field (a code): one query per page."""

    def resolve(ids: list[str]) -> dict[str, str]:
        from django.apps import apps

        model = apps.get_model(model_label)
        pks = [int(pk) for pk in ids if pk.isdigit()]
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


register("organisations.organisation", by_pk("organisations:detail"))
register("organisations.staffmember", by_pk("organisations:staff_detail"))
register("accounts.user", by_pk("accounts:user_detail"))
register("planning.plan", by_pk("planning:plan_detail"))
register("planning.task", by_pk("planning:task_detail"))
register("planning.assignment", by_pk("assignments:detail"))
register("reporting.reportperiod", by_pk("reporting:period"))
register("reporting.organisationreport", by_pk("reporting:report"))
register("scoring.scorecard", by_pk("scoring:detail"))
register("conduct.codeversion", by_pk("conduct:version"))
register("inspections.inspection", by_field("inspections.inspection", "code", "inspections:detail"))
register("inspections.inspectionprogramme", by_pk("inspections:programme"))
register("cases.case", by_field("cases.case", "code", "cases:detail"))
register("cases.caseevent", by_field("cases.caseevent", "case__code", "cases:detail"))
