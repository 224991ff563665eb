"""The cases dashboard: cases by standard, organisation, track, outcome and month,
response and closing times, the overdue list, breaches per 100 staff.

Filters are a plain GET form; invalid values fall back to the defaults (this year
to date). The charts are drawn on the server as SVG (`{% column_chart %}`,
`{% bar_chart %}`); every chart has a table with the same figures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation

from . import selectors
from .forms import DashboardFilterForm
from .models import Case, Track

ORGANISATION_ROWS = 100
#: The chart shows the most breached standards; the table under it lists them all.
CHART_CLAUSES = 15
RECEIVED_COLOUR = "#0b4f8a"
BREACH_COLOUR = "#a4161a"
#: Each at least 3:1 on white (a graphical object's least).
OUTCOME_COLOURS = {"substantiated": "#a4161a", "partly": "#8a5200", "unsubstantiated": "#1e6b32"}


def _days(value: float | None) -> str:
    # As the page's `floatformat`: the reader's decimal separator (5,1 / 5.1).
    return "–" if value is None else str(floatformat(value, 1))


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.CASE_VIEW)
    today = timezone.localdate()
    form = DashboardFilterForm(
        request.GET or None,
        organisations=Organisation.objects.visible_to(request.user).filter(kind__is_division=False),
    )
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    first: dt.date = data.get("date_from") or dt.date(today.year, 1, 1)
    last: dt.date = data.get("date_to") or today
    if first > last:
        first, last = dt.date(today.year, 1, 1), today
    cases = selectors.handler_cases(request.user)
    organisation = data.get("organisation")
    if organisation is not None:
        cases = selectors.filter_cases(
            cases, selectors.CaseFilters(organisation=organisation), today=today
        )
    if data.get("track"):
        cases = cases.filter(track=data["track"])
    board = selectors.dashboard(cases, first=first, last=last, today=today)

    months = list(board.by_month)
    total = sum(board.by_track[value] for value in Track.values)
    charts = {
        "months": {
            "labels": [f"{m:%m/%Y}" for m, _n, _b in months],
            "series": [
                {
                    "key": "received",
                    "name": _("Tiếp nhận"),
                    "colour": RECEIVED_COLOUR,
                    "values": [n for _m, n, _b in months],
                },
                {
                    "key": "breaches",
                    "name": _("Có vi phạm"),
                    "colour": BREACH_COLOUR,
                    "values": [b for _m, _n, b in months],
                },
            ],
            "axis": _("Số vụ việc"),
        },
        "tracks": {
            "rows": [(str(label), board.by_track[value]) for value, label in Track.choices],
            "total": total,
        },
        "outcomes": {
            "rows": [
                (str(label), board.by_outcome[value]) for value, label in Case.Outcome.choices
            ],
            "total": sum(board.by_outcome[value] for value in Case.Outcome.values),
            "colours": [OUTCOME_COLOURS[value] for value in Case.Outcome.values],
        },
        "clauses": {
            "rows": [
                (f"{code} {title}" if code else _("Hành vi khác"), n)
                for code, title, n, _b in board.by_clause[:CHART_CLAUSES]
            ],
        },
    }
    return render(
        request,
        "cases/dashboard.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "board": board,
            "status_rows": [
                (label, board.by_status[value]) for value, label in Case.Status.choices
            ],
            "track_rows": [(label, board.by_track[value]) for value, label in Track.choices],
            "outcome_rows": [
                (label, board.by_outcome[value]) for value, label in Case.Outcome.choices
            ],
            "organisation_rows": board.organisations[:ORGANISATION_ROWS],
            "organisations_more": max(0, len(board.organisations) - ORGANISATION_ROWS),
            "first_response": (
                board.first_response.count,
                _days(board.first_response.median),
                _days(board.first_response.p90),
            ),
            "to_close": (
                board.to_close.count,
                _days(board.to_close.median),
                _days(board.to_close.p90),
            ),
            "charts": charts,
            "handler_rows": selectors.workload(cases, today=today),
        },
    )
