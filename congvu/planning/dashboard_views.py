"""Monitoring pages: the province dashboard and one organisation's page for its head.

Filters are a plain GET form (works without JavaScript); invalid values fall
back to the defaults instead of failing. Every count links to the assignment
list filtered to the records behind it. The charts are drawn on the server as SVG
(`{% column_chart %}`, `{% bar_chart %}`), so they need no script.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.calendar import add_working_days
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation

from . import dashboard_selectors as selectors
from .dashboard_selectors import STATES, Counts, Filters
from .models import Assignment, period_text

# The assignment list (planning.progress_urls) filters by these GET parameters.
ASSIGNMENT_LIST_URL = reverse_lazy("assignments:list")
LINK_PARAMS = ("plan", "period", "organisation", "kind", "task")
ORGANISATIONS_PER_PAGE = 50
HEAT_ROWS_PER_PAGE = 50
OVERDUE_PER_PAGE = 20
DUE_SOON_WORKING_DAYS = 10
ORG_ASSIGNMENTS_PER_PAGE = 50

# Short text in every heat-map cell, so the state never rests on colour alone (the
# initials of the state's name, in the reader's language).
CELL_LABELS = {
    Assignment.State.NOT_STARTED: pgettext_lazy("heat map cell", "CTH"),
    Assignment.State.IN_PROGRESS: pgettext_lazy("heat map cell", "ĐTH"),
    Assignment.State.OVERDUE: pgettext_lazy("heat map cell", "QH"),
    Assignment.State.DONE_ON_TIME: pgettext_lazy("heat map cell", "ĐH"),
    Assignment.State.DONE_LATE: pgettext_lazy("heat map cell", "TH"),
}


def list_links(**params: Any) -> dict[str, str]:
    """Links to the assignment list: `total` (no state) and one per state, same filters."""
    query = urlencode(
        [(key, params[key]) for key in LINK_PARAMS if params.get(key) not in (None, "")]
    )
    links = {"total": f"{ASSIGNMENT_LIST_URL}?{query}"}
    for state in STATES:
        links[state] = f"{ASSIGNMENT_LIST_URL}?state={state}&{query}"
    return links


def _pct(value: float | None) -> str:
    # As the cards' `floatformat:1`: the reader's decimal separator (93,3 / 93.3).
    return "–" if value is None else f"{floatformat(value, 1)} %"


def count_cells(c: Counts, links: dict[str, str]) -> SafeString:
    """The <td>s of one row of counts, each count a link to its records.

    Built here rather than in a template include: tables of 50 rows × 8 cells
    cost several times more through template variable lookups. Counts are
    integers and the links come from `urlencode`; they are escaped all the same.
    """
    parts = [f'<td class="num"><a href="{escape(links["total"])}">{int(c.total)}</a></td>']
    for state in ("done_on_time", "done_late", "in_progress", "not_started", "overdue"):
        flag = " is-overdue" if state == "overdue" and c.overdue else ""
        parts.append(
            f'<td class="num{flag}"><a href="{escape(links[state])}">'
            f"{int(getattr(c, state))}</a></td>"
        )
    if c.done_pct is None:
        parts.append('<td class="share">–</td>')
    else:
        pct = _pct(c.done_pct)
        parts.append(
            f'<td class="share"><meter min="0" max="100" value="{float(c.done_pct)}">'
            f"{pct}</meter> {pct}</td>"
        )
    parts.append(f'<td class="share">{_pct(c.on_time_pct)}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (numbers, and links escaped above)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _choose(params: QueryDict, choices: list[Any], name: str, default: Any = None) -> Any:
    """The choice whose pk is in `params[name]`, else `default` (bad input is not an error)."""
    wanted = _int(params.get(name))
    return next((c for c in choices if c.pk == wanted), default)


def _choose_period(params: QueryDict, periods: list[tuple[str, dt.date, Counts]]) -> str:
    period = params.get("period", "")
    return period if period in {label for label, _end, _c in periods} else ""


def _querystring(params: QueryDict, *drop: str) -> str:
    kept = params.copy()
    for key in drop:
        kept.pop(key, None)
    return kept.urlencode()


def _page(paginator: Paginator[Any], number: str | None) -> Page[Any]:
    return paginator.get_page(number)


#: The states' colours in the charts: those of the cards' edges (static/css/dashboard.css),
#: each at least 3:1 on white.
STATE_COLOURS = {
    "done_on_time": "#1e6b32",
    "done_late": "#8a5200",
    "in_progress": "#0b4f8a",
    "not_started": "#8c959f",
    "overdue": "#a4161a",
}


def _charts(trend: list[tuple[str, Counts]], totals: Counts) -> dict[str, Any]:
    """The data of `{% column_chart %}` (the trend) and `{% bar_chart %}` (the states)."""
    names = {state: str(Assignment.State(state).label) for state in STATES}
    return {
        "trend": {
            "labels": [label for label, _c in trend],
            "series": [
                {
                    "key": state,
                    "name": names[state],
                    "colour": STATE_COLOURS[state],
                    "values": [getattr(c, state) for _l, c in trend],
                }
                for state in STATES
            ],
            "stacked": True,
            "axis": _("Số nhiệm vụ"),
            "line": {
                "name": _("Tỷ lệ hoàn thành (%)"),
                "axis": "%",
                "values": [
                    round(100 * c.done_share, 1) if c.done_share is not None else None
                    for _l, c in trend
                ],
            },
        },
        "status": {
            "rows": list(zip(names.values(), totals.as_list(), strict=True)),
            "colours": [STATE_COLOURS[state] for state in STATES],
            "total": totals.total,
        },
    }


def _heat_rows(heat: list[selectors.HeatRow], org_url: str) -> list[tuple[Any, SafeString]]:
    """Whole <tr>s of the heat map: 50 × 50 cells through the template engine cost ~50 ms."""
    cells: dict[str, str] = {
        str(state): format_html(
            '<td class="hm hm-{}"><abbr title="{}">{}</abbr></td>',
            state,
            Assignment.State(state).label,
            label,
        )
        for state, label in CELL_LABELS.items()
    }
    cells[""] = '<td class="hm hm-none">–</td>'
    return [
        (
            row,
            format_html(
                '<tr><th scope="row"><a href="{}{}/">{}</a></th>{}</tr>',
                org_url,
                row.organisation.pk,
                row.organisation.name,
                mark_safe("".join(cells[state] for state in row.cells)),  # noqa: S308 (built above)
            ),
        )
        for row in heat
    ]


def _organisation_row(
    row: selectors.OrganisationRow, org_url: str, links: dict[str, str]
) -> SafeString:
    coverage = row.coverage
    return format_html(
        '<tr><th scope="row"><a href="{}{}/">{}</a><br><span class="muted">{}</span></th>'
        '{}<td class="share">{}</td></tr>',
        org_url,
        row.organisation_id,
        row.organisation.name if row.organisation else row.organisation_id,
        row.organisation.kind if row.organisation else "",
        count_cells(row.counts, links),
        f"{coverage.acknowledged}/{coverage.active}" if coverage and coverage.active else "–",
    )


def _task_label(task: Any, length: int = 90) -> str:
    content = task.content if len(task.content) <= length else task.content[: length - 1] + "…"
    return f"{task.code}. {content}"


def _organisation_url_prefix() -> str:
    # One reverse() for every row instead of one per row.
    return reverse("dashboards:organisation", args=[0]).rsplit("0/", 1)[0]


@login_required
def province(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The province dashboard: figures over every organisation the user may watch."""
    access.require_anywhere(request.user, Perm.PLAN_VIEW)
    user, today = request.user, timezone.localdate()
    plans = selectors.plans_for(user)
    kinds = selectors.kinds()
    plan = _choose(request.GET, plans, "plan", plans[0] if plans else None)
    kind = _choose(request.GET, kinds, "kind")
    # One pass over the rollups gives the trend, the periods there are, the summary
    # cards and the per-task cache key: they are the same sums.
    trend = selectors.trend(user, Filters(plan=plan, kind=kind))
    filters = Filters(plan=plan, period=_choose_period(request.GET, trend), kind=kind)
    by_period = {label: counts for label, _end, counts in trend}
    totals = (
        by_period.get(filters.period, Counts())
        if filters.period
        else sum(by_period.values(), Counts())
    )
    # Per-task counts and the heat map need one period: the chosen one, else the current one.
    periods = [(label, end) for label, end, _c in trend]
    one_period = filters.period or selectors.current_period(periods, today)
    single = Filters(plan=filters.plan, period=one_period, kind=filters.kind)
    common = {
        "plan": filters.plan.pk if filters.plan else None,
        "period": filters.period,
        "kind": filters.kind.pk if filters.kind else None,
    }
    single_common = {**common, "period": one_period}
    org_url = _organisation_url_prefix()

    org_rows = selectors.by_organisation(user, filters)
    org_page = _page(Paginator(org_rows, ORGANISATIONS_PER_PAGE), request.GET.get("page"))
    org_page.object_list = selectors.organisation_rows(org_page.object_list)
    heat_rows = (
        org_rows if filters.period == one_period else selectors.by_organisation(user, single)
    )
    heat_page = _page(Paginator(heat_rows, HEAT_ROWS_PER_PAGE), request.GET.get("heat_page"))
    heat_page.object_list = selectors.organisation_rows(heat_page.object_list)
    selectors.attach_organisations([*org_page.object_list, *heat_page.object_list])
    org_table = [
        (
            row,
            _organisation_row(row, org_url, list_links(organisation=row.organisation_id, **common)),
        )
        for row in org_page.object_list
    ]
    tasks, heat = selectors.heat_map(user, single, list(heat_page.object_list), day=today)
    heat_html = _heat_rows(heat, org_url)

    task_rows = selectors.by_task(
        user, single, fingerprint=by_period.get(one_period, Counts()), day=today
    )
    task_table = [
        (
            row,
            format_html(
                '<tr><th scope="row">{}</th>{}</tr>',
                _task_label(row.task),
                count_cells(row.counts, list_links(task=row.task.pk, **single_common)),
            ),
        )
        for row in task_rows
    ]
    overdue_paginator = Paginator(selectors.overdue(user, filters, day=today), OVERDUE_PER_PAGE)
    # The rollups already know how many are overdue: spare the paginator a COUNT(*).
    overdue_paginator.count = totals.overdue
    overdue_page = _page(overdue_paginator, request.GET.get("overdue_page"))
    for item in overdue_page.object_list:
        item.label = _task_label(item.task)

    return render(
        request,
        "planning/dashboard_province.html",
        {
            "filters": filters,
            "may_add_plan": access.can_anywhere(user, Perm.PLAN_MANAGE),
            "period_label": period_text(filters.period) if filters.period else "",
            "plan_choices": [Choice(str(p.pk), p.number, p == filters.plan) for p in plans],
            "period_choices": [
                Choice(label, period_text(label), label == filters.period)
                for label, _e, _c in trend
                if label
            ],
            "kind_choices": [Choice(str(k.pk), str(k), k == filters.kind) for k in kinds],
            "one_period": one_period,
            "totals": totals,
            "total_links": list_links(**common),
            "org_page": org_page,
            "org_table": org_table,
            "heat_page": heat_page,
            "heat_tasks": [(task.code, _task_label(task, 120)) for task in tasks],
            "org_url": org_url,
            "heat_rows": heat_html,
            "cell_labels": [
                (Assignment.State(s).label, s, label) for s, label in CELL_LABELS.items()
            ],
            "task_table": task_table,
            "overdue_page": overdue_page,
            "trend": [
                (
                    period_text(label),
                    count_cells(counts, list_links(**{**common, "period": label})),
                )
                for label, _end, counts in trend
            ],
            "charts": _charts([(period_text(label), c) for label, _e, c in trend], totals),
            "states": STATES,
            "qs_page": _querystring(request.GET, "page"),
            "qs_heat": _querystring(request.GET, "heat_page"),
            "qs_overdue": _querystring(request.GET, "overdue_page"),
            "today": today,
        },
    )


@login_required
def organisation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One organisation's page for its head: its work, what is due soon or late, its standing."""
    org = access.get_for(
        request.user,
        Perm.PLAN_VIEW,
        Organisation.objects.select_related("kind", "parent"),
        organisation_of="",
        pk=pk,
    )
    today = timezone.localdate()
    plans = selectors.plans_for(request.user)
    plan = _choose(request.GET, plans, "plan", plans[0] if plans else None)
    periods = selectors.organisation_summary(org, Filters(plan=plan))
    filters = Filters(plan=plan, period=_choose_period(request.GET, periods))
    until = add_working_days(today, DUE_SOON_WORKING_DAYS)
    common = {"plan": plan.pk if plan else None, "organisation": org.pk}
    totals = sum(
        (c for label, _end, c in periods if label == filters.period or not filters.period),
        Counts(),
    )
    assignments = _page(
        Paginator(selectors.organisation_assignments(org, filters), ORG_ASSIGNMENTS_PER_PAGE),
        request.GET.get("page"),
    )
    for item in assignments.object_list:
        item.state = item.state_on(today)
    due_soon = list(selectors.due_soon(org, until=until, day=today)[:100])
    late = list(selectors.late(org, day=today)[:100])
    return render(
        request,
        "planning/dashboard_organisation.html",
        {
            "organisation": org,
            "filters": filters,
            "plan_choices": [Choice(str(p.pk), p.number, p == filters.plan) for p in plans],
            "period_choices": [
                Choice(label, period_text(label), label == filters.period)
                for label, _e, _c in periods
                if label
            ],
            "totals": totals,
            "total_links": list_links(**common, period=filters.period),
            "per_period": [
                (period_text(label), count_cells(counts, list_links(**common, period=label)))
                for label, _end, counts in periods
            ],
            "assignments": assignments,
            "due_soon": due_soon,
            "due_until": until,
            "due_days": DUE_SOON_WORKING_DAYS,
            "late": late,
            "standing": selectors.standing(org, filters),
            "coverage": selectors.coverage_of([org.pk]).get(org.pk),
            "states": STATES,
            "qs_page": _querystring(request.GET, "page"),
            "today": today,
        },
    )
