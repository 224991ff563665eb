"""Tệp xuất của tôi: the signed-in user's own background exports (`core.my_exports`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import my_exports
from .types import AuthenticatedHttpRequest

PER_PAGE = 20


@login_required
@require_GET
@never_cache
def my_exports_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(my_exports.of(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/my_exports.html", {"page": page})
