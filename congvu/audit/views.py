"""The audit log's pages: the list with its filters, one event, the CSV, "verify now".

Thin: `selectors` scope and read, `services` write; AUDIT_VIEW is decided by
`accounts/access.py` (403 without it anywhere, 404 for an event outside the scope).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from congvu.cases import identity as reporter_identity
from congvu.core.cells import safe_row
from congvu.core.text import as_id
from congvu.core.types import AuthenticatedHttpRequest

from . import labels, links, selectors, services
from .forms import FilterForm


def _cursor(value: str | None) -> int | None:
    """A page cursor from the query string; anything but a positive id is ignored."""
    return as_id(value)


def _querystring(request: AuthenticatedHttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


@login_required
@require_GET
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    form = FilterForm(request.GET or None)
    form.is_valid()  # invalid filters are shown on the form and left out
    qs = selectors.filter_events(request.user, form.filters())
    page = selectors.keyset_page(
        qs, after=_cursor(request.GET.get("after")), before=_cursor(request.GET.get("before"))
    )
    organisations = selectors.organisation_names(page.rows)
    urls = links.urls_for(page.rows)
    rows = [
        {
            "event": event,
            "action_label": labels.action_label(event.action),
            "type_label": labels.object_type_label(event.object_type),
            "organisation": organisations.get(event.organisation_id or 0),
            "url": urls.get(event.pk),
        }
        for event in page.rows
    ]
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "querystring": _querystring(request, "after", "before"),
            "filters_valid": not form.errors,
            "verification": selectors.latest_verification(),
            "running": selectors.running_verification(),
            "may_verify": selectors.may_verify(request.user),
        },
    )


@login_required
@require_GET
def event_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event(request.user, pk)
    # A reporter's identity the user revealed for that case stays shown here too.
    data, masked = selectors.data_rows(
        request.user, event, revealed=reporter_identity.revealed_cases(request)
    )
    organisations = selectors.organisation_names([event])
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "action_label": labels.action_label(event.action),
            "group_label": labels.group_label(event.action),
            "type_label": labels.object_type_label(event.object_type),
            "organisation": organisations.get(event.organisation_id or 0),
            "url": links.urls_for([event]).get(event.pk),
            "data": data,
            "masked": masked,
            "check": selectors.check_hash(event),
        },
    )


@login_required
@require_GET
def event_csv(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    selectors.require_view(request.user)
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        # The list page shows the error with the user's other filters kept.
        return redirect(f"{reverse('audit:list')}?{request.GET.urlencode()}")
    filters = form.filters()
    qs = selectors.filter_events(request.user, filters)
    # Recorded first, so the file lists its own download (when the filters keep it).
    services.audit_csv_export(request.user, filters)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write("\ufeff")  # the BOM tells spreadsheets the file is UTF-8 (Vietnamese)
        writer.writerow(selectors.CSV_HEADER)
        for chunk in selectors.csv_chunks(qs):
            writer.writerows([safe_row(row) for row in chunk])  # summaries quote users
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"nhat-ky-kiem-toan-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def verify_now(request: AuthenticatedHttpRequest) -> HttpResponse:
    selectors.require_view(request.user)
    if not selectors.may_verify(request.user):
        raise PermissionDenied
    services.request_verification(actor=request.user)
    messages.success(
        request,
        _("Đã yêu cầu kiểm tra chuỗi nhật ký; kết quả hiện ở đầu trang khi chạy xong."),
    )
    return redirect("audit:list")
