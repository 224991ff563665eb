"""The conduct record page of an organisation for a year, and its Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.types import AuthenticatedHttpRequest

from . import conduct_export, conduct_record
from .forms import ConductRecordFilterForm
from .models import Organisation

PER_PAGE = 100


def _organisation(request: AuthenticatedHttpRequest, pk: int) -> Organisation:
    # STAFF_VIEW_CONTACT: the people who see discipline on the staff page (head, focal
    # point, Home Affairs); a viewer or a staff member sees the organisation: 403.
    return access.get_for(
        request.user,
        Perm.STAFF_VIEW_CONTACT,
        Organisation.objects.select_related("kind"),
        organisation_of="",
        pk=pk,
    )


def _record(
    request: AuthenticatedHttpRequest, organisation: Organisation
) -> tuple[ConductRecordFilterForm, conduct_record.Record]:
    form = ConductRecordFilterForm(request.GET)
    form.is_valid()  # invalid filters are reported and fall back to their defaults
    data: dict[str, Any] = form.cleaned_data
    period = data.get("year") or conduct_record.Period(
        timezone.localdate().year, timezone.localdate()
    )
    record = conduct_record.record(
        request.user,
        organisation,
        period,
        subtree=bool(data.get("subtree")),
        query=data.get("q") or "",
        sort=data.get("sort") or "name",
        attention=bool(data.get("attention")),
    )
    return form, record


@login_required
@require_GET
def conduct_record_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form, record = _record(request, organisation)
    page = Paginator(record.order, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "organisations/conduct_record.html",
        {
            "organisation": organisation,
            "form": form,
            "record": record,
            "page": page,
            "rows": record.rows(list(page.object_list)),
            "querystring": params.urlencode(),
            "reason_labels": conduct_record.reason_labels(),
            "min_ratings": conduct_record.min_ratings(),
            "threshold": conduct_record.index_threshold(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def conduct_record_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    _form, record = _record(request, organisation)
    response = HttpResponse(conduct_export.conduct_xlsx(record), content_type=conduct_export.XLSX)
    conduct_export.audit_export(request.user, record, filters=request.GET.urlencode())
    name = f"ho-so-vhcv-{organisation.pk}-{record.period.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
