"""Pages for registering dossiers and managing one-stop counters (login required).

Dossier pages need DOSSIER_REGISTER on the organisation, counter pages
COUNTER_MANAGE (the kiosk link is a secret of the counter's tablet, so only
they see it). Invisible organisation → 404, visible without the permission →
403. Thin: fetch-and-authorize, parse with a form, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.badges import qr_data_uri
from congvu.organisations.importing.reading import ImportFileError, check_upload
from congvu.organisations.models import Organisation
from congvu.planning.forms import ImportUploadForm

from . import dossier_import, registration
from .models import Counter, Dossier
from .registration_forms import CounterForm, DossierForm, DossierSearchForm, RotateForm, SearchForm

PAGE_SIZE = 50
IMPORT_SALT = "congvu.feedback.dossier_import"
IMPORT_MAX_AGE = 6 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGE_PERMS = (Perm.DOSSIER_REGISTER, Perm.COUNTER_MANAGE)


def _organisation(request: AuthenticatedHttpRequest, pk: int, perm: Perm) -> Organisation:
    organisation: Organisation = access.get_for(
        request.user, perm, Organisation.objects.all(), organisation_of="", pk=pk
    )
    return organisation


def _dossier(request: AuthenticatedHttpRequest, pk: int) -> Dossier:
    dossier: Dossier = access.get_for(
        request.user,
        Perm.DOSSIER_REGISTER,
        Dossier.objects.select_related("organisation", "staff", "counter"),
        pk=pk,
    )
    return dossier


def _counter(request: AuthenticatedHttpRequest, pk: int) -> Counter:
    counter: Counter = access.get_for(
        request.user,
        Perm.COUNTER_MANAGE,
        Counter.objects.select_related("organisation"),
        pk=pk,
    )
    return counter


def _form_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _may(request: AuthenticatedHttpRequest, organisation: Organisation) -> dict[str, bool]:
    perms = access.perms_on(request.user, organisation)
    return {
        "may_register": Perm.DOSSIER_REGISTER in perms,
        "may_counters": Perm.COUNTER_MANAGE in perms,
    }


# --- start page ----------------------------------------------------------------------------


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisations where the user registers dossiers or manages counters."""
    if not any(access.can_anywhere(request.user, perm) for perm in MANAGE_PERMS):
        raise PermissionDenied
    scope = access.organisations_for(request.user, Perm.DOSSIER_REGISTER) | (
        access.organisations_for(request.user, Perm.COUNTER_MANAGE)
    )
    organisations = scope.current().select_related("kind").filter(kind__is_division=False)
    form = SearchForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["q"]:
        organisations = organisations.search(form.cleaned_data["q"])
    page = Paginator(organisations.order_by("path"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(organisation, _may(request, organisation)) for organisation in page]
    return render(
        request,
        "feedback/registration/index.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": urlencode({"q": form.cleaned_data["q"]} if form.is_valid() else {}),
        },
    )


# --- dossiers ------------------------------------------------------------------------------


@login_required
@require_GET
def dossier_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.DOSSIER_REGISTER)
    dossiers = Dossier.objects.filter(organisation__path__startswith=organisation.path)
    form = DossierSearchForm(request.GET or None)
    query = ""
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        dossiers = dossiers.filter(code__contains=registration.normalise_code(query))
    page = Paginator(
        dossiers.select_related("staff", "counter", "rating").order_by("-registered_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/registration/dossier_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "searching": bool(query),
            "querystring": urlencode({"q": query} if query else {}),
            **_may(request, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.DOSSIER_REGISTER)
    form = DossierForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.guard(request, form) as sending:
                dossier = registration.register_dossier(
                    data["code"],
                    organisation=organisation,
                    staff=data["staff"],
                    counter=data["counter"],
                    procedure=data["procedure"],
                    received_on=data["received_on"],
                    source=Dossier.Source.FORM,
                    actor=request.user,
                )
                sending.leads_to(reverse("feedback_manage:receipt", args=[dossier.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã đăng ký hồ sơ %(code)s. / Dossier registered.") % {"code": dossier.code},
            )
            return redirect("feedback_manage:receipt", pk=dossier.pk)
    return render(
        request,
        "feedback/registration/dossier_form.html",
        {"organisation": organisation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A printable slip: the dossier's facts and the QR code of its rating link."""
    dossier = _dossier(request, pk)
    url = registration.public_link("dossier", dossier.rating_token)
    return render(
        request,
        "feedback/registration/receipt.html",
        {
            "dossier": dossier,
            "organisation": dossier.organisation,
            "rating_url": url,
            "qr": qr_data_uri(url),
            "rated": hasattr(dossier, "rating"),
        },
    )


# --- dossier upload ------------------------------------------------------------------------


def _preview_page(
    request: AuthenticatedHttpRequest,
    organisation: Organisation,
    preview: dossier_import.Preview,
    payload: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "feedback/registration/dossier_import_preview.html",
        {"organisation": organisation, "preview": preview, "payload": payload},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.DOSSIER_REGISTER)
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload(upload)
            rows = dossier_import.rows_for_storage(dossier_import.read_rows(upload.file))
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            preview = dossier_import.validate(organisation, rows, actor=request.user)
            payload = signing.dumps(
                {"organisation": organisation.pk, "rows": rows}, salt=IMPORT_SALT, compress=True
            )
            return _preview_page(request, organisation, preview, payload)
    return render(
        request,
        "feedback/registration/dossier_import.html",
        {"organisation": organisation, "form": form, "columns": dossier_import.COLUMNS},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def dossier_import_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _organisation(request, pk, Perm.DOSSIER_REGISTER)
    response = HttpResponse(dossier_import.build_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-dang-ky-ho-so.xlsx"'
    return response


@login_required
@require_POST
def dossier_import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.DOSSIER_REGISTER)
    payload = request.POST.get("payload", "")
    try:
        data = signing.loads(payload, salt=IMPORT_SALT, max_age=IMPORT_MAX_AGE)
        if data.get("organisation") != organisation.pk:
            raise signing.BadSignature
        rows = data["rows"]
        if not isinstance(rows, list):
            raise signing.BadSignature
    except (signing.BadSignature, KeyError, TypeError, AttributeError):
        messages.error(
            request,
            _(
                "Bản xem trước đã hết hạn hoặc không hợp lệ; hãy tải tệp lên lại. / "
                "The preview expired or is invalid; upload the file again."
            ),
        )
        return redirect("feedback_manage:dossier_import", pk=organisation.pk)
    try:
        preview, _registered = dossier_import.commit(organisation, rows, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        preview = dossier_import.validate(organisation, rows, actor=request.user)
        return _preview_page(request, organisation, preview, payload, status=400)
    if preview.error_count:
        return _preview_page(request, organisation, preview, payload, status=400)
    messages.success(
        request,
        _("Đã đăng ký %(created)s hồ sơ; %(existing)s hồ sơ đã có từ trước. / Dossiers registered.")
        % {"created": preview.to_create, "existing": preview.existing},
    )
    return redirect("feedback_manage:dossiers", pk=organisation.pk)


# --- counters ------------------------------------------------------------------------------


@login_required
@require_GET
def counter_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.COUNTER_MANAGE)
    counters = (
        Counter.objects.filter(organisation=organisation)
        .prefetch_related("staff")
        .order_by("-is_active", "name", "pk")
    )
    return render(
        request,
        "feedback/registration/counter_list.html",
        {"organisation": organisation, "counters": counters, **_may(request, organisation)},
    )


def _counter_values(form: CounterForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "staff": list(data["staff"]),
    }


@login_required
@require_http_methods(["GET", "POST"])
def counter_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk, Perm.COUNTER_MANAGE)
    form = CounterForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={"opens_at": "07:00", "closes_at": "17:30", "is_active": True},
    )
    form.fields.pop("is_active")
    once.add_field(form)  # sent twice (a double tap, Back), one counter
    if request.method == "POST" and form.is_valid():
        try:
            with once.guard(request, form) as sending:
                counter = registration.create_counter(
                    organisation, actor=request.user, **_counter_values(form)
                )
                sending.leads_to(reverse("feedback_manage:counter_edit", args=[counter.pk]))
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Đã tạo quầy %(name)s. / Counter created.") % {"name": counter.name}
            )
            return redirect("feedback_manage:counter_edit", pk=counter.pk)
    return render(
        request,
        "feedback/registration/counter_form.html",
        {"organisation": organisation, "form": form, "counter": None},
        status=400 if request.method == "POST" else 200,
    )


def _counter_initial(counter: Counter) -> dict[str, Any]:
    return {
        "name": counter.name,
        "opens_at": counter.opens_at,
        "closes_at": counter.closes_at,
        "staff": set(counter.staff.all()),
        "is_active": counter.is_active,
    }


@login_required
@require_http_methods(["GET", "POST"])
def counter_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    counter = _counter(request, pk)
    organisation = counter.organisation
    form = CounterForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial=_counter_initial(counter),
    )
    stale.add_field(form, counter, _counter_initial)  # a second tab's save is not undone
    if request.method == "POST" and form.is_valid():
        try:
            with stale.guard(form):
                registration.update_counter(
                    counter,
                    actor=request.user,
                    is_active=form.cleaned_data["is_active"],
                    **_counter_values(form),
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu quầy. / Counter saved."))
            return redirect("feedback_manage:counter_edit", pk=counter.pk)
    return render(
        request,
        "feedback/registration/counter_form.html",
        {
            "organisation": organisation,
            "form": form,
            "counter": counter,
            "counter_url": registration.public_link("counter", counter.qr_token),
            "kiosk_url": registration.public_link("kiosk", counter.kiosk_token),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def counter_rotate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    counter = _counter(request, pk)
    form = RotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Yêu cầu không hợp lệ. / Invalid request."))
        return redirect("feedback_manage:counter_edit", pk=counter.pk)
    which = form.cleaned_data["which"]
    registration.rotate_counter_token(counter, which=which, actor=request.user)
    messages.success(
        request,
        _(
            "Đã đổi mã QR của quầy; hãy in lại áp phích. / New counter QR code: print the poster "
            "again."
        )
        if which == "qr"
        else _(
            "Đã đổi đường dẫn máy tính bảng; hãy mở đường dẫn mới trên máy tại quầy. / New kiosk "
            "link: open it on the counter's tablet."
        ),
    )
    return redirect("feedback_manage:counter_edit", pk=counter.pk)


@login_required
@require_GET
def counter_poster(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An A4 poster for the counter: its QR code and how to rate."""
    counter = _counter(request, pk)
    url = registration.public_link("counter", counter.qr_token)
    return render(
        request,
        "feedback/registration/counter_poster.html",
        {
            "counter": counter,
            "organisation": counter.organisation,
            "counter_url": url,
            "qr": qr_data_uri(url),
            "staff": counter.staff.filter(Q(is_active=True)).order_by("sort_name"),
        },
    )
