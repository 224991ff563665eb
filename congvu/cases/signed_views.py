"""The signed copy of a concluded case's paper: the recording page (whoever may conclude
the case) and the scan's download (whoever may download the paper: who sees the case
file, and the staff member concerned on their own page; never the reporter).

Thin: fetch-and-authorize as the case file (404 out of scope, 403 without the
permission), then `core.signed_papers.form_page` calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.core import signed_papers as signed
from congvu.core.types import AuthenticatedHttpRequest

# `views` imports this module for the case's pages: read its fetchers when called.
from . import documents, selectors, signed_papers
from . import views as case_views
from .models import Case, SignedPaper


def page_context(case: Case, *, as_subject: bool, may_handle: bool = False) -> dict[str, Any]:
    """What a page of the case shows of its signed copy: the current one (if it counts for
    the present conclusion), the replaced ones (not to the staff member concerned), and
    whether to offer recording one."""
    papers: list[SignedPaper] = signed_papers.papers_for(case, as_subject=as_subject)
    for paper in papers:
        paper.download_url = reverse(  # type: ignore[attr-defined]
            "cases:signed_file", args=[case.code, paper.pk]
        )
    now = signed_papers.current(case)
    current = next((p for p in papers if now is not None and p.pk == now.pk), None)
    return {
        "signed_current": current,
        "signed_history": [p for p in papers if p is not current],
        "may_record_signed": may_handle and documents.has_paper(case),
    }


@login_required
@require_http_methods(["GET", "POST"])
def signed_paper_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    case = case_views._case_to_handle(request, code)
    if request.method == "GET" and not documents.has_paper(case):
        messages.info(
            request,
            _(
                "Chỉ ghi bản đã ký khi vụ việc đã có kết luận. / A signed copy is recorded only "
                "once the case is concluded."
            ),
        )
        return redirect("cases:detail", code=case.code)
    detail = reverse("cases:detail", args=[case.code])
    shown = page_context(case, as_subject=False)
    return signed.form_page(
        request,
        call=lambda values: signed_papers.record_signed_paper(case, actor=request.user, **values),
        context={
            "heading": _("Bản đã ký của văn bản kết luận"),
            "back_url": detail,
            "back_label": case.code,
            "current": shown["signed_current"],
            "history": shown["signed_history"],
        },
        done=detail,
    )


@login_required
@require_GET
def signed_file(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    """The scan, as the paper's download: the case file's readers, or the staff member
    concerned for a case addressed to them (else 404)."""
    case, as_subject = case_views._case_for_reader(request, code)
    if as_subject and not selectors.subject_cases(request.user).filter(pk=case.pk).exists():
        raise Http404
    return signed.response(signed_papers.get_paper(case, pk, as_subject=as_subject))
