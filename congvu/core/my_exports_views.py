"""Tệp xuất của tôi: the signed-in user's own background exports (`core.my_exports`),
and deleting one of them (a confirmation page, then a POST)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import my_exports
from . import pdf_exports as jobs
from .types import AuthenticatedHttpRequest

PER_PAGE = 20
CONFIRM_TEMPLATE = "core/my_export_confirm_delete.html"


@login_required
@require_GET
@never_cache
def my_exports_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(my_exports.of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/my_exports.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def my_export_delete(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """Asks (GET), then deletes (POST) one of the user's finished exports; 404 where the
    list would not show it, 409 while it is being made."""
    export = my_exports.find(request.user, kind, pk)
    if not export.deletable:
        return _refused(request, export)
    if request.method == "POST":
        try:
            my_exports.delete(request.user, kind, pk)
        except jobs.StillRunning:
            return _refused(request, export)
        messages.success(request, _("Đã xóa tệp xuất “%(what)s”.") % {"what": export.what})
        return redirect("core:my_exports")
    return render(request, CONFIRM_TEMPLATE, {"export": export})


def _refused(request: AuthenticatedHttpRequest, export: my_exports.MyExport) -> HttpResponse:
    context = {"export": export, "refused": str(jobs.STILL_RUNNING)}
    return render(request, CONFIRM_TEMPLATE, context, status=409)
