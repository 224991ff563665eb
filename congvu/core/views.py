from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache

from congvu.accounts import access
from congvu.accounts.models import User
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation

from . import cache as shared_cache
from . import worklist
from .middleware import set_language_cookie
from .net import safe_next

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/home_public.html")
    organisations = access.visible_organisations(request.user).current()
    top = organisations.order_by("depth").values_list("depth", flat=True).first()
    roots = list(organisations.filter(depth=top or 0).select_related("kind")[:12])
    return render(
        request,
        "core/home.html",
        {
            "work": worklist.collect(request.user, timezone.localdate()),
            "roles": sorted(str(role.label) for role in access.roles_of(request.user)),
            "roots": roots,
            "organisation_count": organisations.count(),
            # A new province's first sign-in: nothing exists yet, so the page says where
            # to start instead of "you can see 0 organisations".
            "empty_installation": not roots and not Organisation.objects.exists(),
            "may_create_root": org_services.may_create_root(request.user),
        },
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (the `congvu_lang` cookie); a signed-in user's choice is
    also kept on their account, so that the e-mails they get are in it too."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and getattr(user, "language", language) != language
    ):
        # The user's own preference, like marking a notice read: no service, no audit.
        User.objects.filter(pk=user.pk).update(language=language)
    return response


@never_cache
def language_link(request: HttpRequest, language: str) -> HttpResponse:
    """The language switch of a publicly cached page (`/lang/en/?next=…`): a link, since
    such a page carries no CSRF token for the switch's form. It sets only the cookie —
    never a signed-in user's account (that stays with the form) — and goes back to `next`
    when it is a page of this site, else home."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    target = safe_next(request, request.GET.get("next", "")) or reverse("core:home")
    response = HttpResponseRedirect(target)
    set_language_cookie(response, language)
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    # Touches no database on purpose: load balancers poll it every few seconds, and the
    # benchmarks use it as the "trivial view" that the rating endpoint is compared with.
    return JsonResponse({"status": "ok"})


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _select_one() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _probe(what: str, call: Callable[[], object]) -> str:
    """ "ok", or "down" with one line in the log, not a traceback: a load balancer asks
    every few seconds while it is down."""
    try:
        call()
    except Exception as exc:
        logger.warning("Readiness: %s does not answer: %s", what, _first_line(exc))
        return "down"
    return "ok"


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database answers (and the cache, when it is shared), 503
    with what is down otherwise. For a load balancer deciding where to send traffic;
    `healthz` stays the liveness check that touches nothing."""
    checks = {"database": _probe("the database", _select_one)}
    if shared_cache.is_process_local():
        checks["cache"] = "local"
    else:
        checks["cache"] = _probe("the shared cache", shared_cache.ping)
    down = sorted(name for name, state in checks.items() if state == "down")
    if down:
        detail = "Không sẵn sàng: {} / Not ready: {} unavailable".format(
            ", ".join(down), ", ".join(down)
        )
        return JsonResponse(
            {"status": "unavailable", "checks": checks, "detail": detail}, status=503
        )
    return JsonResponse({"status": "ok", "checks": checks})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Yêu cầu không hợp lệ"), "Bad request.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        403,
        _("Bạn không có quyền thực hiện việc này"),
        "You do not have permission to do this.",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Không tìm thấy trang"), "Page not found.")


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error_500.html", status=500)
