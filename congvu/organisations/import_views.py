"""Excel import pages: template, upload, preview, commit, progress. The work is in importing/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.types import AuthenticatedHttpRequest

from .import_models import ImportJob
from .importing.jobs import create_job, recover, request_commit
from .importing.reading import ImportFileError
from .importing.templates import build_template
from .importing.validation import scope_roots
from .models import Organisation
from .tasks import run_import

TEMPLATE_NAMES: dict[str, str] = {
    ImportJob.Kind.ORGANISATIONS: "mau-nhap-co-quan.xlsx",
    ImportJob.Kind.STAFF: "mau-nhap-can-bo.xlsx",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, widget=forms.HiddenInput)
    scope = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("Phạm vi"),
        empty_label=None,
        help_text=gettext_lazy("Chỉ các cơ quan trong phạm vi này được thêm mới hoặc cập nhật."),
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scope_roots(user)  # type: ignore[attr-defined]


def _forms(request: AuthenticatedHttpRequest, bound: UploadForm | None = None) -> list[Any]:
    sections = []
    for kind, title in ImportJob.Kind.choices:
        form = bound
        if form is None or form.data.get("kind") != kind:
            form = UploadForm(user=request.user, initial={"kind": kind}, auto_id=f"id_{kind}_%s")
        sections.append({"kind": kind, "title": title, "form": form})
    return sections


def _get_job(request: AuthenticatedHttpRequest, pk: int) -> ImportJob:
    """The job if its scope is in the user's import scope; 404 if invisible, 403 if only seen."""
    return access.get_for(
        request.user,
        Perm.IMPORT_RUN,
        ImportJob.objects.defer("rows").select_related("scope", "uploaded_by", "committed_by"),
        organisation_of="scope",
        pk=pk,
    )


@login_required
@require_GET
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.IMPORT_RUN)
    return render(request, "organisations/import_start.html", {"sections": _forms(request)})


@login_required
@require_GET
def template_download(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    access.require_anywhere(request.user, Perm.IMPORT_RUN)
    if kind not in ImportJob.Kind.values:
        raise Http404
    response = HttpResponse(build_template(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAMES[kind]}"'
    return response


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.IMPORT_RUN)
    form = UploadForm(
        request.POST,
        request.FILES,
        user=request.user,
        auto_id=f"id_{request.POST.get('kind', '')}_%s",
    )
    if form.is_valid():
        try:
            job = create_job(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                scope=form.cleaned_data["scope"],
                upload=form.cleaned_data["file"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            run_import.enqueue(job.pk)
            return redirect("imports:preview", pk=job.pk)
    return render(
        request,
        "organisations/import_start.html",
        {"sections": _forms(request, form)},
        status=400,
    )


@login_required
@require_GET
def preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    recover(job)  # a stage whose worker died is started again (or the job fails)
    return render(request, "organisations/import_job.html", {"job": job})


@login_required
@require_GET
def progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    recover(job)
    response = render(request, "organisations/import_job.html#progress", {"job": job})
    if not job.is_running and request.headers.get("HX-Request"):
        # The stage is over: reload the whole page to show the preview or the result.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = _get_job(request, pk)
    if request_commit(job, actor=request.user):
        run_import.enqueue(job.pk)
    else:
        messages.error(
            request,
            _(
                "Lượt nhập này không thể ghi (có lỗi hoặc đã được ghi). / "
                "This import cannot be committed (it has errors or was already committed)."
            ),
        )
    return redirect("imports:preview", pk=job.pk)


@login_required
@require_GET
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_anywhere(request.user, Perm.IMPORT_RUN)
    jobs = (
        ImportJob.objects.filter(scope__in=access.organisations_for(request.user, Perm.IMPORT_RUN))
        .defer("rows", "row_errors")
        .select_related("scope", "uploaded_by")
    )
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "organisations/import_list.html", {"page": page})
