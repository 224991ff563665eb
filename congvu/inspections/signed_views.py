"""The signed copy of an inspection's papers: the recording page (the team, once
concluded) and the scan's download (whoever may download that paper now).

Thin: fetch-and-authorize (`selectors.get_inspection`: 404 when invisible, 403 when visible
without the permission), then `core.signed_papers.form_page` calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from congvu.core import signed_papers as signed
from congvu.core.types import AuthenticatedHttpRequest

from . import selectors, signed_papers
from .models import Inspection, SignedPaper


def with_links(inspection: Inspection, papers: list[SignedPaper]) -> list[SignedPaper]:
    for paper in papers:
        paper.download_url = reverse(  # type: ignore[attr-defined]
            "inspections:signed_file", args=[inspection.code, paper.pk]
        )
    return papers


def by_document(user: Any, inspection: Inspection) -> dict[str, dict[str, Any]]:
    """For the inspection's page: each paper's current signed copy and its history."""
    found: dict[str, dict[str, Any]] = {}
    for paper in with_links(inspection, signed_papers.papers_for(user, inspection)):
        entry = found.setdefault(paper.document, {"current": None, "history": []})
        if paper.is_current:
            entry["current"] = paper
        else:
            entry["history"].append(paper)
    return found


def page_context(user: Any, inspection: Inspection) -> dict[str, Any]:
    """What the inspection's page shows of the signed copies, and whether it offers to
    record one."""
    found = by_document(user, inspection)
    return {
        "signed_minutes": found.get(SignedPaper.Document.MINUTES, {}),
        "signed_notice": found.get(SignedPaper.Document.NOTICE, {}),
        "may_record_signed": signed_papers.may_record(user, inspection),
    }


@login_required
@require_http_methods(["GET", "POST"])
def signed_paper_new(request: AuthenticatedHttpRequest, code: str, document: str) -> HttpResponse:
    if document not in SignedPaper.Document.values:
        raise Http404
    inspection = selectors.get_inspection(request.user, code)
    if not selectors.may_run(request.user, inspection):
        raise PermissionDenied
    if request.method == "GET" and inspection.status != Inspection.Status.CONCLUDED:
        messages.info(
            request,
            _(
                "Chỉ ghi bản đã ký khi cuộc kiểm tra đã kết luận. / A signed copy is recorded "
                "only once the inspection is concluded."
            ),
        )
        return redirect("inspections:detail", code=inspection.code)
    detail = reverse("inspections:detail", args=[inspection.code])
    papers = by_document(request.user, inspection).get(document, {})
    label = SignedPaper.Document(document).label
    return signed.form_page(
        request,
        call=lambda values: signed_papers.record_signed_paper(
            inspection, document=document, actor=request.user, **values
        ),
        context={
            "heading": _("Bản đã ký: %(paper)s") % {"paper": label},
            "back_url": detail,
            "back_label": inspection.code,
            "current": papers.get("current"),
            "history": papers.get("history", []),
        },
        done=detail,
    )


@login_required
@require_GET
def signed_file(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    """The scan of a signed copy, to whoever may download that paper now (else 404)."""
    inspection = selectors.get_inspection(request.user, code)
    return signed.response(signed_papers.get_paper(request.user, inspection, pk))
