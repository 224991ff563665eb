"""A user's own notifications: the list (unread first) and marking them read.

Each notice is worded in the reader's language (`Notification.shown_title`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import notices
from .types import AuthenticatedHttpRequest

PER_PAGE = 30


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    mine = notices.of(request.user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )
    page = Paginator(mine, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notification_list.html",
        {"page": page, "unread_count": notices.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Only the owner's notices are looked at: someone else's is a plain 404.
    notices.mark_read(request.user, ids=[pk])
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices.mark_read(request.user)
    return redirect("notifications:list")
