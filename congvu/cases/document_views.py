"""A concluded case's paper (`documents.py`) as a download: DOCX and PDF.

Who: those who see the case file (CASE_VIEW where it is handled: 404 for an outsider, 403
for a role without the permission there), and the staff member concerned, to whom the law
has it sent (Law on Denunciation art. 35), from their own page. The reporter is told of
the result through the timeline and the tracking page, not given the paper here.

Not audited, like the case list's export and the case's files: reading is not a change,
and the paper holds nothing the case file does not already show its reader.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from congvu.core.types import AuthenticatedHttpRequest

from . import documents, selectors
from .views import _case_for_reader


@login_required
@require_GET
def conclusion_document(request: AuthenticatedHttpRequest, code: str, fmt: str) -> HttpResponse:
    if fmt not in documents.FORMATS:
        raise Http404
    case, as_subject = _case_for_reader(request, code)
    if as_subject and not selectors.subject_cases(request.user).filter(pk=case.pk).exists():
        raise Http404  # nothing of it addressed to them yet, as on their own page
    try:
        exporter = documents.exporter(case, fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if as_subject:
            return redirect("cases:subject_view", code=case.code)
        return redirect("cases:detail", code=case.code)
    return exporter.response()
