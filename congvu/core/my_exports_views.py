"""Tệp xuất của tôi: the signed-in user's own background exports (`core.my_exports`),
and deleting one of them or all the finished ones (a confirmation page, then a POST)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
    listed = my_exports.of(request.user)
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    # "Delete all" counts every page's finished exports, not only this page's.
    any_deletable = any(export.deletable for export in listed)
    return render(request, "core/my_exports.html", {"page": page, "any_deletable": any_deletable})


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


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def my_exports_delete_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Asks (GET: how many go, how many are kept), then deletes (POST) every finished
    export of the user; those being made are kept. Nothing to delete: the page says so."""
    if request.method == "POST":
        cleared = my_exports.delete_all(request.user)
        said = [cleared_message(cleared)]
        if cleared.kept:
            said.append(kept_message(cleared.kept))
        if cleared.deleted:
            messages.success(request, " ".join(said))
        else:
            messages.info(request, " ".join(said))
        return redirect("core:my_exports")
    listed = my_exports.of(request.user)
    deletable = sum(1 for export in listed if export.deletable)
    context = {"count": deletable, "kept": len(listed) - deletable}
    return render(request, "core/my_exports_confirm_delete_all.html", context)


def cleared_message(cleared: my_exports.Cleared) -> str:
    if not cleared.deleted:
        return _("Không có tệp xuất nào đã xong để xóa.")
    return ngettext(
        "Đã xóa %(n)s tệp xuất đã xong.", "Đã xóa %(n)s tệp xuất đã xong.", cleared.deleted
    ) % {"n": cleared.deleted}


def kept_message(kept: int) -> str:
    return ngettext(
        "Giữ lại %(n)s tệp đang được tạo.", "Giữ lại %(n)s tệp đang được tạo.", kept
    ) % {"n": kept}
