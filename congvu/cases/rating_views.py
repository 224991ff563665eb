"""Opening a case from a flagged or low rating (issue 5 §1: "a flagged low rating can
open a case"). The button sits next to the rating on the ratings pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvu.core.net import safe_next
from congvu.core.types import AuthenticatedHttpRequest
from congvu.feedback.models import Rating

from . import selectors, services


@login_required
@require_POST
def case_from_rating(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open (or find) the case of rating `pk`; a rating the user cannot see is a 404."""
    rating = Rating.objects.visible_to(request.user).select_related("organisation", "staff")
    found = rating.filter(pk=pk).first()
    if found is None:
        raise Http404
    back = safe_next(request, request.POST.get("next", ""))
    try:
        case = services.open_from_rating(found, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back or "feedback:flagged")
    if selectors.handler_cases(request.user).filter(pk=case.pk).exists():
        messages.success(request, _("Đã mở vụ việc %(code)s.") % {"code": case.code})
        return redirect("cases:detail", case.code)
    # A leader's case goes to the supervising organisation, which this user may not see.
    messages.success(
        request,
        _("Đã mở vụ việc %(code)s; vụ việc được chuyển cơ quan cấp trên xử lý.")
        % {"code": case.code},
    )
    return redirect(back or "feedback:flagged")
