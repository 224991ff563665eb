"""Amendment pages beyond the programme's own page (`programme_views`): restoring an
abandoned draft (a confirmation page with the reason, no JavaScript) and the workbook that
previews a draft's effect on the programme.

Thin: fetch-and-authorize as for abandoning (`get_amendment_to_abandon`) or managing
(`get_amendment_to_manage`): 404 when invisible, 403 without the permission.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.core.types import AuthenticatedHttpRequest

from . import programme_amendment_restore, programme_amendments, programme_documents
from . import programme_selectors as ps
from .programme_forms import ReasonForm
from .views import _form_errors


def _back(programme_pk: int, *, manage: bool) -> HttpResponse:
    # Its drafter may have lost the programme since: back to the list then.
    if manage:
        return redirect("inspections:programme", pk=programme_pk)
    return redirect("inspections:programmes")


@login_required
@require_http_methods(["GET", "POST"])
def amendment_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm, with the reason, that an abandoned draft comes back to preparation."""
    amendment = ps.get_amendment_to_abandon(request.user, pk)
    programme = amendment.programme
    manage = ps.may_manage(request.user, programme)
    if not amendment.is_abandoned:
        messages.error(
            request,
            _(
                "Chỉ khôi phục được dự thảo điều chỉnh đã hủy bỏ. / Only an abandoned draft "
                "amendment can be restored."
            ),
        )
        return _back(programme.pk, manage=manage)
    form = ReasonForm(request.POST if request.method == "POST" else None, prefix="r")
    if request.method == "POST" and form.is_valid():
        try:
            restored = programme_amendment_restore.restore_amendment(
                amendment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã khôi phục dự thảo điều chỉnh lần %(number)d.") % {"number": restored.number},
            )
            return _back(programme.pk, manage=manage)
    draft = programme_amendments.draft_amendment(programme)
    context = {
        "programme": programme,
        "amendment": amendment,
        "changes": list(amendment.changes.select_related("organisation").order_by("pk")),
        "may_manage": manage,
        "open_draft": draft,
        "refusal": programme_amendment_restore.open_draft_refusal(draft) if draft else "",
        "number": programme_amendments.next_number(programme),
        "form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "inspections/programme_amendment_restore.html", context, status=status)


@login_required
@require_GET
def amendment_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The programme as it would be once the draft is approved (XLSX, marked DỰ THẢO)."""
    amendment = ps.get_amendment_to_manage(request.user, pk)
    if not amendment.is_draft:
        raise Http404
    return programme_documents.AmendmentPreviewXlsx(amendment).response()
