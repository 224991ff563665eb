"""Writing a checked plan: bulk creates and updates, and a raw executemany for inserts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, models
from django.utils import timezone

from ..models import Organisation, OrganisationVersion, StaffAssignment, StaffMember
from ..services import path_for
from .staff_validation import ASSIGNMENT_FIELDS, STAFF_COMPARED
from .validation import Plan, chunks

BATCH = 1_000


def write_organisations(plan: Plan, *, today: dt.date) -> None:
    now = timezone.now()
    by_level: dict[int, list[dict[str, Any]]] = {}
    for item in plan.create:
        by_level.setdefault(item["level"], []).append(item)
    codes_needed = {item["parent_code"] for item in plan.create}
    parents: dict[str, Organisation] = {
        org.code: org
        for chunk in chunks(sorted(codes_needed))
        for org in Organisation.objects.filter(code__in=chunk).only("pk", "code", "path", "depth")
    }
    versions: list[OrganisationVersion] = []
    for level in sorted(by_level):
        batch: list[Organisation] = []
        for item in by_level[level]:
            parent = parents[item["parent_code"]]
            org = Organisation(
                code=item["code"],
                name=item["name"],
                short_name=item["short_name"],
                kind_id=item["kind_id"],
                parent=parent,
                path="",
                depth=parent.depth + 1,
                valid_from=item["valid_from"],
            )
            org.refresh_search_text()
            batch.append(org)
        Organisation.objects.bulk_create(batch, batch_size=BATCH)
        for org in batch:
            assert org.parent is not None
            org.path = path_for(org.pk, org.parent)
            parents[org.code] = org
            versions.append(
                OrganisationVersion(
                    organisation=org,
                    name=org.name,
                    short_name=org.short_name,
                    kind_id=org.kind_id,
                    parent=org.parent,
                    valid_from=org.valid_from,
                )
            )
        Organisation.objects.bulk_update(batch, ["path"], batch_size=BATCH)
    for new_version in versions:
        new_version.refresh_derived()
    OrganisationVersion.objects.bulk_create(versions, batch_size=BATCH)

    if not plan.update:
        return
    items = {item["pk"]: item for item in plan.update}
    orgs = Organisation.objects.in_bulk(list(items))
    for pk, org in orgs.items():
        item = items[pk]
        org.name, org.short_name, org.kind_id = item["name"], item["short_name"], item["kind_id"]
        org.updated_at = now
        org.refresh_search_text()
    Organisation.objects.bulk_update(
        list(orgs.values()),
        ["name", "short_name", "kind", "search_text", "updated_at"],
        batch_size=BATCH,
    )
    # A renamed or re-kinded organisation gets a new version from today, so the
    # tree as it stood before today still reads the old name.
    open_versions = {
        v.organisation_id: v
        for chunk in chunks(list(items))
        for v in OrganisationVersion.objects.filter(
            organisation_id__in=chunk, valid_to__isnull=True
        )
    }
    changed: list[OrganisationVersion] = []
    added: list[OrganisationVersion] = []
    for pk, org in orgs.items():
        version = open_versions.get(pk)
        if version is not None and version.valid_from >= today:
            version.name, version.short_name, version.kind_id = (
                org.name,
                org.short_name,
                org.kind_id,
            )
            changed.append(version)
            continue
        if version is not None:
            version.valid_to = today - dt.timedelta(days=1)
            changed.append(version)
        added.append(
            OrganisationVersion(
                organisation=org,
                name=org.name,
                short_name=org.short_name,
                kind_id=org.kind_id,
                parent_id=org.parent_id,
                valid_from=max(today, org.valid_from),
            )
        )
    for row in (*changed, *added):
        row.refresh_derived()
    OrganisationVersion.objects.bulk_update(
        changed,
        ["name", "short_name", "kind", "valid_to", *OrganisationVersion.DERIVED_FIELDS],
        batch_size=BATCH,
    )
    OrganisationVersion.objects.bulk_create(added, batch_size=BATCH)


# Field types whose Python values the database drivers take as they are (dates are adapted).
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
    }
)


def _getter(f: Any, now: Any) -> Callable[[dict[str, Any]], Any]:
    """How to read one field's database value from a row dict, with Django's defaults."""
    ops = connection.ops
    name = f.attname
    kind = f.get_internal_type()

    def value(row: dict[str, Any]) -> Any:
        return row[name] if name in row else f.get_default()

    def auto(row: dict[str, Any]) -> Any:
        return ops.adapt_datetimefield_value(row[name]) if name in row else now

    def datetime_value(row: dict[str, Any]) -> Any:
        return ops.adapt_datetimefield_value(value(row))

    def date_value(row: dict[str, Any]) -> Any:
        return ops.adapt_datefield_value(value(row))

    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return auto
    if kind == "DateTimeField":
        return datetime_value
    if kind == "DateField":
        return date_value
    return value


def _insert_many(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (values by attname; defaults filled in as Django would) in batches.

    Measured on the 2-core machine: bulk_create spends ~80 % of its time building
    SQL value by value (20,000 staff rows: 6.7 s against 1.6 s with executemany).
    For 40,000 staff plus their assignments that is the margin of the one-minute
    budget. A field type this does not know falls back to bulk_create.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if any(
        f.get_internal_type() not in _PLAIN_TYPES | {"DateField", "DateTimeField"}
        or f.db_default is not models.NOT_PROVIDED
        for f in fields
    ):
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    getters = [_getter(f, now) for f in fields]
    quote = ops.quote_name
    # Identifiers come from the model's own metadata, never from the file.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for chunk in chunks(rows, 5 * BATCH):
            cursor.executemany(sql, [tuple(get(row) for get in getters) for row in chunk])


def write_staff(plan: Plan, *, today: dt.date) -> None:
    now = timezone.now()
    # One instance computes every name key, so the keys are the model's own.
    keys = StaffMember()
    members: list[dict[str, Any]] = []
    for item in plan.create:
        keys.full_name, keys.staff_code = item["full_name"], item["staff_code"]
        keys.refresh_name_keys()
        row = {name: item[name] for name in ("staff_code", *STAFF_COMPARED)}
        row["sort_name"], row["search_name"] = keys.sort_name, keys.search_name
        members.append(row)
    _insert_many(StaffMember, members)
    new_pks: dict[str, int] = {}
    for codes in chunks([m["staff_code"] for m in members]):
        new_pks.update(
            StaffMember.objects.filter(staff_code__in=codes).values_list("staff_code", "pk")
        )
    placements = [
        {
            "staff_id": new_pks[m["staff_code"]],
            **{name: m[name] for name in ASSIGNMENT_FIELDS},
            "valid_from": today,
            "note": "Excel",
        }
        for m in members
    ]

    moved: list[StaffMember] = []
    for chunk in chunks(plan.update, BATCH):
        items = {item["pk"]: item for item in chunk}
        existing = StaffMember.objects.in_bulk(list(items))
        for pk, staff in existing.items():
            item = items[pk]
            for name in STAFF_COMPARED:
                setattr(staff, name, item[name])
            staff.updated_at = now
            staff.refresh_name_keys()
            if item["moved"]:
                moved.append(staff)
        StaffMember.objects.bulk_update(
            list(existing.values()),
            [
                *(n.removesuffix("_id") for n in STAFF_COMPARED),
                "sort_name",
                "search_name",
                "updated_at",
            ],
        )

    # A change of organisation, division, position or leadership closes the open
    # assignment the day before and opens a new one from today, so the history
    # stays readable; one opened today already is corrected in place.
    by_staff = {staff.pk: staff for staff in moved}
    closed: list[StaffAssignment] = []
    corrected: list[StaffAssignment] = []
    for ids in chunks(list(by_staff)):
        for assignment in StaffAssignment.objects.filter(staff_id__in=ids, valid_to__isnull=True):
            if assignment.staff_id not in by_staff:
                continue
            staff = by_staff.pop(assignment.staff_id)
            if assignment.valid_from >= today:
                for name in ASSIGNMENT_FIELDS:
                    setattr(assignment, name, getattr(staff, name))
                corrected.append(assignment)
                continue
            assignment.valid_to = today - dt.timedelta(days=1)
            closed.append(assignment)
            placements.append(_placement(staff, today))
    placements.extend(_placement(staff, today) for staff in by_staff.values())
    StaffAssignment.objects.bulk_update(closed, ["valid_to"], batch_size=BATCH)
    StaffAssignment.objects.bulk_update(
        corrected, [n.removesuffix("_id") for n in ASSIGNMENT_FIELDS], batch_size=BATCH
    )
    _insert_many(StaffAssignment, placements)


def _placement(staff: StaffMember, today: dt.date) -> dict[str, Any]:
    return {
        "staff_id": staff.pk,
        **{name: getattr(staff, name) for name in ASSIGNMENT_FIELDS},
        "valid_from": today,
        "note": "Excel",
    }
