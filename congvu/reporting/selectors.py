"""Reads for reporting: who is expected to report, and the provincial compilation."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations.models import Organisation, OrganisationQuerySet

from . import indicators
from .models import OrganisationReport, ReportPeriod

S = OrganisationReport.Status


def expected_organisations(period: ReportPeriod) -> OrganisationQuerySet:
    """Organisations that must report: of the period's kinds (never divisions), inside the
    issuing organisation's tree, and in existence at the end of the period (or today, if
    that is earlier: an organisation closed by a merger has no one left to report)."""
    day = min(period.covers_to, timezone.localdate())
    return (
        Organisation.objects.subtree_of(period.issuing_organisation)
        .valid_on(day)
        .filter(kind__in=period.reporting_kinds.all(), kind__is_division=False)
        .order_by("path")
    )


def compiled_organisations(period: ReportPeriod) -> OrganisationQuerySet:
    """The organisations the compilation counts: those expected to report, and those of
    the same kinds that closed during the period (merged, split or dissolved). Their
    ratings, tasks and cases of the period stay theirs (a record keeps the organisation
    it was made for), so without their rows the province's totals would lose them.

    "During the period": in office on some day of it, up to the day the figures end
    (today, while the period runs)."""
    last = min(period.covers_to, timezone.localdate())
    closed = Organisation.objects.filter(
        valid_from__lte=last, valid_to__gte=period.covers_from, valid_to__lt=last
    )
    return (
        Organisation.objects.subtree_of(period.issuing_organisation)
        .filter(Q(pk__in=expected_organisations(period).values("pk")) | Q(pk__in=closed))
        .filter(kind__in=period.reporting_kinds.all(), kind__is_division=False)
        .order_by("path")
    )


def reportable_organisations(user: Any, period: ReportPeriod) -> OrganisationQuerySet:
    """Where `user` may draft this period's report."""
    return access.organisations_for(user, Perm.REPORT_SUBMIT, expected_organisations(period))


def can_compile(user: Any, period: ReportPeriod) -> bool:
    return access.can(user, Perm.PLAN_MANAGE, period.issuing_organisation)


@dataclass
class Row:
    number: int
    organisation: Organisation
    report: OrganisationReport | None
    # A filed report's snapshot; otherwise the system's figures as of now.
    snapshot: dict[str, Any]

    #: The organisation closed during the period: counted, but no longer expected to report.
    closed: bool = False

    @property
    def closed_from(self) -> dt.date | None:
        """The day it stopped existing (merged, split or dissolved), if it closed."""
        valid_to = self.organisation.valid_to
        return valid_to + dt.timedelta(days=1) if self.closed and valid_to else None

    @property
    def closed_note(self) -> str:
        """Beside the name of a closed organisation that filed (the page's mark); without a
        report, `status_label` says it."""
        if self.closed_from is None or self.report is None:
            return ""
        return _("đã sáp nhập/giải thể từ %(day)s") % {"day": f"{self.closed_from:%d/%m/%Y}"}

    @property
    def name_with_note(self) -> str:
        """The name as filed (else today's), with the closed mark."""
        name = self.report.organisation_name if self.report else self.organisation.name
        return f"{name} ({self.closed_note})" if self.closed_note else name

    @property
    def status_label(self) -> str:
        if self.closed and self.closed_from is not None and not self.report:
            return _("Đã sáp nhập/giải thể từ %(day)s") % {"day": f"{self.closed_from:%d/%m/%Y}"}
        return str(S(self.report.status).label) if self.report else _("Chưa lập báo cáo")

    @property
    def status(self) -> str:
        return self.report.status if self.report else "none"

    @property
    def is_filed(self) -> bool:
        return self.report is not None and self.report.is_filed

    @property
    def is_late(self) -> bool:
        return self.report is not None and self.report.is_late

    @property
    def values(self) -> dict[str, Any]:
        return indicators.values_of(self.snapshot)


@dataclass
class Compilation:
    period: ReportPeriod
    rows: list[Row]
    totals: dict[str, Any]
    not_submitted: list[Row]
    by_status: Counter[str] = field(default_factory=Counter)
    late: int = 0

    @property
    def expected(self) -> int:
        return sum(1 for row in self.rows if not row.closed)

    @property
    def filed(self) -> int:
        return sum(1 for row in self.rows if row.is_filed)

    @property
    def derived(self) -> dict[str, float | None]:
        return indicators.derived(self.totals)

    def rows_in(self, state: str) -> list[Row]:
        """The rows a page lists for a state filter (`forms.PeriodRowsForm`; "": all)."""
        if state == "not_filed":
            return self.not_submitted
        if state == "late":
            return [row for row in self.rows if row.is_late]
        if state:
            return [row for row in self.rows if row.status == state]
        return self.rows


def compile_period(period: ReportPeriod, *, user: Any = None) -> Compilation:
    """The provincial compilation: a row per expected organisation the user may see, the
    totals over those rows, and the organisations that have not filed (drafts and returned
    reports included: they have not reached the compiling side).

    Totals add the filed reports' own snapshots and, for the others, the system's live
    figures, so the totals describe every expected organisation.
    """
    expected = set(expected_organisations(period).values_list("pk", flat=True))
    organisations = compiled_organisations(period).select_related("kind")
    if user is not None:
        organisations = access.visible_organisations(user, organisations)
    organisations_list = list(organisations)
    reports = {
        r.organisation_id: r
        for r in OrganisationReport.objects.filter(period=period).select_related("submitted_by")
    }
    live_ids = [
        o.pk for o in organisations_list if o.pk not in reports or not reports[o.pk].is_filed
    ]
    live = indicators.compute(period, live_ids) if live_ids else {}
    rows: list[Row] = []
    by_status: Counter[str] = Counter()
    for number, organisation in enumerate(organisations_list, start=1):
        report = reports.get(organisation.pk)
        snapshot = report.indicators if report and report.is_filed else live[organisation.pk]
        closed = organisation.pk not in expected
        rows.append(Row(number, organisation, report, snapshot, closed=closed))
        if not closed or report:
            by_status[report.status if report else "none"] += 1
    return Compilation(
        period=period,
        rows=rows,
        totals=indicators.totals(row.snapshot for row in rows),
        not_submitted=[row for row in rows if not row.is_filed and not row.closed],
        by_status=by_status,
        late=sum(1 for row in rows if row.is_late),
    )


@dataclass(frozen=True)
class Entry:
    """A row of the compilation without its organisation or figures: what the page's
    counts, filters and paging need (`PeriodPage`)."""

    number: int
    organisation_id: int
    status: str  # the report's status, "none" without a report
    is_filed: bool
    is_late: bool
    closed: bool


class PeriodPage:
    """The period page's view of `compile_period`: the same rows, counts and totals, with
    the organisations and figures loaded only for the rows the page shows (`rows_for`).

    `compile_period` loads every organisation and report and computes the live figures
    of every organisation that has not filed, a ~1,900-row list the page showed 50 of.
    Here the rows are light `Entry`s (`values_list` queries); the totals add the filed
    reports' snapshots (read as JSON, no model instances) and the live figures of the
    others, in the rows' order, exactly as `compile_period` does; the live figures are
    computed once a request (one batch, shared with the listed rows), never cached, so
    never stale. A page's `Row`s are made for its rows only. The exports keep
    `compile_period`.
    """

    def __init__(self, period: ReportPeriod, *, user: Any = None) -> None:
        self.period = period
        expected = set(expected_organisations(period).values_list("pk", flat=True))
        organisations = compiled_organisations(period)
        if user is not None:
            organisations = access.visible_organisations(user, organisations)
        reports = {
            organisation_id: (status, is_late)
            for organisation_id, status, is_late in OrganisationReport.objects.filter(
                period=period
            ).values_list("organisation_id", "status", "is_late")
        }
        filed = {S.SUBMITTED, S.ACCEPTED}
        self.entries: list[Entry] = []
        for number, pk in enumerate(organisations.values_list("pk", flat=True), start=1):
            status, is_late = reports.get(pk, ("none", False))
            self.entries.append(
                Entry(number, pk, status, status in filed, is_late, closed=pk not in expected)
            )
        self.not_submitted = [e for e in self.entries if not e.is_filed and not e.closed]

    @property
    def expected(self) -> int:
        return sum(1 for entry in self.entries if not entry.closed)

    @property
    def filed(self) -> int:
        return sum(1 for entry in self.entries if entry.is_filed)

    @property
    def late(self) -> int:
        return sum(1 for entry in self.entries if entry.is_late)

    @property
    def by_status(self) -> Counter[str]:
        return Counter(
            entry.status for entry in self.entries if not entry.closed or entry.status != "none"
        )

    def rows_in(self, state: str) -> list[Entry]:
        """As `Compilation.rows_in`."""
        if state == "not_filed":
            return self.not_submitted
        if state == "late":
            return [entry for entry in self.entries if entry.is_late]
        if state:
            return [entry for entry in self.entries if entry.status == state]
        return self.entries

    @cached_property
    def totals(self) -> dict[str, Any]:
        """`compile_period(...).totals`: the filed reports' snapshots and, for the other
        rows, the live figures, added in the rows' order."""
        ids = {entry.organisation_id for entry in self.entries}
        snapshots = {
            organisation_id: snapshot
            for organisation_id, snapshot in OrganisationReport.objects.filter(
                period=self.period, status__in=(S.SUBMITTED, S.ACCEPTED)
            ).values_list("organisation_id", "indicators")
            if organisation_id in ids
        }
        live_ids = [e.organisation_id for e in self.entries if e.organisation_id not in snapshots]
        snapshots.update(self._live_for(live_ids))
        return indicators.totals(snapshots[entry.organisation_id] for entry in self.entries)

    @cached_property
    def _live(self) -> dict[int, dict[str, Any]]:
        """The live figures of every row without a filed report, in one batch: the totals
        need them all, the listed rows some of them."""
        ids = [entry.organisation_id for entry in self.entries if not entry.is_filed]
        return indicators.compute(self.period, ids) if ids else {}

    def _live_for(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        found = {pk: self._live[pk] for pk in ids if pk in self._live}
        # A report sent back or withdrawn since the rows were read: its figures now.
        missing = [pk for pk in ids if pk not in found]
        if missing:
            found.update(indicators.compute(self.period, missing))
        return found

    @property
    def derived(self) -> dict[str, float | None]:
        return indicators.derived(self.totals)

    def rows_for(self, entries: list[Entry]) -> list[Row]:
        """The `Row`s of these entries, as `compile_period` makes them (a fixed number of
        queries, whatever the number of organisations)."""
        ids = [entry.organisation_id for entry in entries]
        organisations = Organisation.objects.select_related("kind").in_bulk(ids)
        reports = {
            r.organisation_id: r
            for r in OrganisationReport.objects.filter(
                period=self.period, organisation_id__in=ids
            ).select_related("submitted_by")
        }
        live = self._live_for(
            sorted({pk for pk in ids if pk not in reports or not reports[pk].is_filed})
        )
        rows = []
        for entry in entries:
            report = reports.get(entry.organisation_id)
            snapshot = (
                report.indicators
                if report is not None and report.is_filed
                else live[entry.organisation_id]
            )
            rows.append(
                Row(
                    entry.number,
                    organisations[entry.organisation_id],
                    report,
                    snapshot,
                    closed=entry.closed,
                )
            )
        return rows
