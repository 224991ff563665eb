"""The citizen's pages: the report form, the receipt, and following a case.

No login. Access to a case is a grant kept in the session, obtained with the
tracking code and passphrase (`services.follow`, rate-limited) or with a named
reporter's signed link; the passphrase never travels in a URL. Every page is
`never_cache`: a shared phone or a proxy must not keep a receipt or a case.
Anonymous reporters leave nothing about their device: these views store no IP
address or user agent anywhere (the session holds only the grant).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from congvu.conduct import selectors as conduct_selectors
from congvu.conduct.models import Clause, CodeVersion
from congvu.core import once
from congvu.core.net import client_ip
from congvu.core.text import search_terms
from congvu.feedback.models import Rating
from congvu.organisations import selectors as org_selectors
from congvu.organisations.models import Organisation, OrganisationQuerySet, StaffMember

from . import filing_limits, history, reporter, services, visibility
from .models import Case, CaseEvent, Track
from .public_forms import (
    DESCRIPTION_MAX,
    SEARCH_MAX,
    TRACK_HELP,
    InformationForm,
    ReportForm,
    TrackForm,
    evidence_help,
)
from .reporter import LINK_SALT, FollowDenied, FollowLocked, track_link_for

RECEIPT_KEY = "cases_public.receipt"
GRANTS_KEY = "cases_public.grants"
FORM_KEY = "cases_public.form"
#: A grant lasts while the reporter reads; a shared phone forgets it soon after.
GRANT_SECONDS = 2 * 3600
MAX_GRANTS = 5
#: The named reporter's link outlives the longest legal clock (30 + 2 × 30 days,
#: then an appeal); retention erases the identity, which also ends the link.
LINK_MAX_AGE = 400 * 24 * 3600
ORG_LIMIT = 80
REPORTER_FILE_AUDIENCES = (CaseEvent.Audience.REPORTER, CaseEvent.Audience.PARTIES)
#: Kinds a reporter never sees, whatever their audience says: the subject's side.
HIDDEN_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.TO_SUBJECT, CaseEvent.Kind.FROM_SUBJECT)


# --- the report form -----------------------------------------------------------------------


@dataclass
class ClauseOption:
    pk: int
    title: str
    plain: str
    search: str
    is_item: bool
    checked: bool
    hidden: bool
    title_lang: str = "vi"
    plain_lang: str = "vi"


@dataclass
class ClauseGroup:
    title: str
    options: list[ClauseOption] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return all(option.hidden for option in self.options)


@dataclass
class OrgOption:
    pk: int
    label: str
    selected: bool


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _source_rating(raw: str, staff: StaffMember | None) -> Rating | None:
    """The rating a report starts from; unknown or someone else's rating is ignored."""
    try:
        submission_id = uuid.UUID(raw.strip())
    except (ValueError, AttributeError):
        return None
    rating = (
        Rating.objects.select_related("organisation").filter(submission_id=submission_id).first()
    )
    if rating is None or (staff is not None and rating.staff_id != staff.pk):
        return None
    return rating


def _versions(organisation: Organisation | None) -> list[CodeVersion]:
    if organisation is not None:
        return conduct_selectors.applicable_versions(organisation)
    base = conduct_selectors.provincial_version()
    return [base] if base is not None else []


def _clause_groups(
    clauses: list[Clause], versions: list[CodeVersion], query: str, checked: set[int]
) -> list[ClauseGroup]:
    """The clauses by section; when searching, the misses are `hidden` (still in the page,
    so a ticked box keeps its value and the script can show them again)."""
    hits: set[int] | None = None
    if search_terms(query):
        direct = set(conduct_selectors.search_clauses(query, versions).values_list("pk", flat=True))
        # A matching item shows its clause; a matching clause shows all its items.
        hits = (
            direct
            | {c.parent_id for c in clauses if c.pk in direct and c.parent_id is not None}
            | {c.pk for c in clauses if c.parent_id in direct}
        )
    groups: dict[int, ClauseGroup] = {}
    for clause in clauses:
        group = groups.setdefault(clause.section_id, ClauseGroup(clause.section.title))
        group.options.append(
            ClauseOption(
                pk=clause.pk,
                title=clause.reader_title,
                title_lang=clause.reader_title_lang,
                plain=clause.reader_plain,
                plain_lang=clause.reader_plain_lang,
                search=clause.search_copies,
                is_item=clause.parent_id is not None,
                checked=clause.pk in checked,
                hidden=hits is not None and clause.pk not in hits and clause.pk not in checked,
            )
        )
    return list(groups.values())


def _org_options(
    organisations: OrganisationQuerySet, query: str, selected: Organisation | None
) -> tuple[list[OrgOption], bool]:
    qs = organisations.select_related("parent").order_by("path")
    if search_terms(query):
        qs = qs.best_first(query)
    found = list(qs[: ORG_LIMIT + 1])
    more = len(found) > ORG_LIMIT
    found = found[:ORG_LIMIT]
    if selected is not None and selected not in found:
        found.insert(0, selected)
    options = [
        OrgOption(
            pk=org.pk,
            label=f"{org.name} — {org.parent.short_name or org.parent.name}"
            if org.parent is not None and org.depth >= 2
            else org.name,
            selected=selected is not None and org.pk == selected.pk,
        )
        for org in found
    ]
    return options, more


def _initial_from(data: Any) -> dict[str, Any]:
    """What the user typed, as a form's initial values (a search redraws without errors)."""
    initial: dict[str, Any] = {name: data.get(name, "") for name in ReportForm.base_fields}
    initial["clauses"] = data.getlist("clauses")
    initial.pop("evidence", None)
    return initial


def _query(params: Any, name: str) -> str:
    # A search box goes into a LIKE query: PostgreSQL refuses NUL characters.
    return str(params.get(name, "")).replace("\x00", "")[:SEARCH_MAX]


def _form_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the fields it names, or above the form."""
    renames = {"clause_ids": "clauses", "files": "evidence"}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = renames.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _badge_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/public/badge_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The report form from the portal: pick the organisation and describe the person."""
    return _report(request, staff=None)


@never_cache
@require_http_methods(["GET", "POST"])
def report_staff(request: HttpRequest, badge_token: str) -> HttpResponse:
    """The report form about the staff member of a badge (a rotated token → 404 page)."""
    staff = (
        StaffMember.objects.select_related("organisation", "division")
        .filter(badge_token=badge_token, is_active=True)
        .first()
    )
    if staff is None:
        return _badge_invalid(request)
    return _report(request, staff=staff)


def _report(request: HttpRequest, *, staff: StaffMember | None) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    rating = _source_rating(str(params.get("rating") or request.GET.get("rating", "")), staff)
    organisations = Organisation.objects.current()
    if staff is not None:
        chosen: Organisation | None = staff.organisation
    else:
        pk = _int(params.get("organisation"))
        chosen = organisations.filter(pk=pk).first() if pk is not None else None
        if chosen is None and rating is not None and request.method == "GET":
            chosen = organisations.filter(pk=rating.organisation_id).first()
    versions = _versions(chosen)
    clauses = list(conduct_selectors.clauses_of(versions))
    form_kwargs: dict[str, Any] = {
        "fixed_staff": staff is not None,
        "organisations": organisations,
        "clause_ids": [c.pk for c in clauses],
    }
    submitted = request.method == "POST" and request.POST.get("action") == "submit"
    # The session exists from the form's first drawing, so that a double tap's second
    # sending, whose answer is the one the browser shows, finds the first one's receipt
    # (the first answer's new session cookie would never reach the browser).
    request.session.setdefault(FORM_KEY, True)
    # Browsers cannot refill a file input: name the files to attach again.
    attached = [f.name for f in request.FILES.getlist("evidence")]
    status = 200
    if submitted:
        form = ReportForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                with (
                    once.guard(request, form, leads_to=reverse("cases_public:receipt")),
                    filing_limits.filing(client_ip(request)),
                ):
                    receipt = services.submit_report(
                        _report_input(form, staff=staff, rating=rating),
                        files=form.cleaned_data["evidence"],
                    )
            except once.AlreadySent as sent:
                # The first sending put its receipt in this session (below): shown there.
                return sent.response(request)
            except filing_limits.FilingLimited as exc:
                # The form comes back as it was sent, to be sent again later.
                status = 429
                form.add_error(None, exc.messages)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                _remember_receipt(request, receipt)
                return redirect("cases_public:receipt")
    elif request.method == "POST":
        form = ReportForm(initial=_initial_from(request.POST), **form_kwargs)
    else:
        initial: dict[str, Any] = {
            "org_q": params.get("org_q", ""),
            "clause_q": params.get("clause_q", ""),
        }
        if chosen is not None and staff is None:
            initial["organisation"] = chosen.pk
        form = ReportForm(initial=initial, **form_kwargs)
    checked = {pk for pk in map(_int, request.POST.getlist("clauses")) if pk is not None}
    org_options, more_orgs = (
        ([], False)
        if staff is not None
        else _org_options(organisations, _query(params, "org_q"), chosen)
    )
    groups = _clause_groups(clauses, versions, _query(params, "clause_q"), checked)
    today = timezone.localdate()
    return render(
        request,
        "cases/public/report_form.html",
        {
            "form": form,
            "staff": staff,
            "staff_organisation": org_selectors.name_on(staff.organisation, today) if staff else "",
            "staff_division": (
                org_selectors.name_on(staff.division, today) if staff and staff.division else ""
            ),
            "rating": rating,
            "org_options": org_options,
            "more_orgs": more_orgs,
            "clause_groups": groups,
            "no_clause_match": bool(groups) and all(group.hidden for group in groups),
            "submitted": submitted,
            "attached": attached,
            "track_choices": [(value, label, TRACK_HELP[value]) for value, label in Track.choices],
            "description_max": DESCRIPTION_MAX,
        },
        status=status,
    )


def _report_input(
    form: ReportForm, *, staff: StaffMember | None, rating: Rating | None
) -> services.ReportInput:
    data = form.cleaned_data
    if rating is not None:
        channel = Case.Channel.RATING
    elif staff is not None:
        channel = Case.Channel.BADGE
    else:
        channel = Case.Channel.WEB
    anonymous = form.is_anonymous
    return services.ReportInput(
        track=data["track"],
        channel=channel,
        subject_staff=staff,
        organisation=staff.organisation if staff is not None else data["organisation"],
        subject_description=data.get("subject_description", "").strip(),
        clause_ids=list(data.get("clauses") or []),
        other_standard=data.get("other_standard", "").strip(),
        occurred_on=data.get("occurred_on"),
        occurred_place=data.get("occurred_place", "").strip(),
        description=data["description"],
        is_anonymous=anonymous,
        # An anonymous report keeps nothing typed in the identity fields by mistake.
        reporter_name="" if anonymous else data.get("reporter_name", "").strip(),
        reporter_phone="" if anonymous else data.get("reporter_phone", "").strip(),
        reporter_email="" if anonymous else data.get("reporter_email", "").strip(),
        source_rating=rating,
    )


# --- the receipt ---------------------------------------------------------------------------


def _remember_receipt(request: HttpRequest, receipt: services.Receipt) -> None:
    case = receipt.case
    request.session[RECEIPT_KEY] = {
        "code": receipt.code,
        "passphrase": receipt.passphrase,
        "link": "" if case.is_anonymous else track_link_for(case),
        "received": timezone.localtime(case.received_at).strftime("%d/%m/%Y %H:%M"),
        "acknowledge_due": case.acknowledge_due.strftime("%d/%m/%Y"),
        "organisation": case.handling_organisation.name,
    }


@never_cache
def receipt(request: HttpRequest) -> HttpResponse:
    """The code and passphrase, shown once: the session forgets them as the page is drawn."""
    shown = request.session.pop(RECEIPT_KEY, None)
    if not isinstance(shown, dict):
        return render(request, "cases/public/receipt_shown.html")
    return render(request, "cases/public/receipt.html", {"receipt": shown})


# --- following a case ----------------------------------------------------------------------


def _grant(request: HttpRequest, case: Case) -> None:
    grants = dict(request.session.get(GRANTS_KEY) or {})
    # A new session key on every grant: a planted session id is worth nothing.
    request.session.cycle_key()
    grants[str(case.pk)] = int(time.time())
    newest = sorted(grants.items(), key=lambda item: item[1], reverse=True)[:MAX_GRANTS]
    request.session[GRANTS_KEY] = dict(newest)


def _granted_case(request: HttpRequest, code: str) -> Case | None:
    grants = request.session.get(GRANTS_KEY) or {}
    case = (
        Case.objects.select_related("organisation", "handling_organisation", "main_case")
        .filter(code=code[:30])
        .first()
    )
    if case is None:
        return None
    granted_at = grants.get(str(case.pk)) if isinstance(grants, dict) else None
    if not isinstance(granted_at, int) or time.time() - granted_at > GRANT_SECONDS:
        return None
    return case


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Enter the tracking code and passphrase to open the reporter's view of a case."""
    form = TrackForm(request.POST if request.method == "POST" else None)
    locked = False
    if request.method == "POST" and form.is_valid():
        try:
            # The address only feeds the per-client limit kept in the shared cache as a
            # keyed hash for 15 minutes: the address itself is never stored.
            case = reporter.follow(
                form.cleaned_data["code"],
                form.cleaned_data["passphrase"],
                client_ip=client_ip(request),
            )
        except FollowLocked as exc:
            locked = True
            form.add_error(None, exc.messages)
        except FollowDenied as exc:
            # One message for an unknown code and a wrong passphrase: codes cannot be probed.
            form.add_error(None, exc.messages)
        else:
            _grant(request, case)
            return redirect("cases_public:track_case", code=case.code)
    status = 429 if locked else 200
    return render(request, "cases/public/track.html", {"form": form}, status=status)


@never_cache
def track_link(request: HttpRequest, signed: str) -> HttpResponse:
    """The named reporter's personal link: checked, then the same grant as the passphrase."""
    try:
        value = signing.loads(signed[:500], salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        value = None
    code = value.get("c") if isinstance(value, dict) else None
    case = (
        Case.objects.filter(
            code=str(code), is_anonymous=False, identity_erased_at__isnull=True
        ).first()
        if isinstance(code, str)
        else None
    )
    if case is None:
        return render(request, "cases/public/link_invalid.html", status=404)
    _grant(request, case)
    return redirect("cases_public:track_case", code=case.code)


@dataclass
class EventRow:
    when: Any
    title: str
    body: history.Shown
    files: list[Any]
    mine: bool


def _event_title(event: CaseEvent) -> str:
    K = CaseEvent.Kind
    if event.kind == K.TRANSITION and event.to_status:
        label = visibility.PUBLIC_LABELS.get(Case.Status(event.to_status))
        return _("Trạng thái: %(status)s") % {"status": label or event.to_status}
    titles = {
        K.CREATED: _("Đã tiếp nhận phản ánh"),
        K.TO_REPORTER: _("Cơ quan trả lời"),
        K.FROM_REPORTER: _("Bạn đã bổ sung thông tin"),
        K.LINKED: _("Gộp với phản ánh trùng nội dung"),
        K.EXTENDED: _("Gia hạn giải quyết"),
        K.ROUTED: _("Chuyển cơ quan xử lý"),
        K.DISCIPLINE: _("Xử lý kỷ luật"),
        K.FILE: _("Tệp đính kèm"),
    }
    return str(titles.get(K(event.kind), event.get_kind_display()))


def _reporter_events(case: Case) -> list[EventRow]:
    events = (
        visibility.events_for_reporter(case)
        .exclude(kind__in=HIDDEN_KINDS)
        .prefetch_related("files")
    )
    reporter_files = set(visibility.files_for_reporter(case).values_list("pk", flat=True))
    return [
        EventRow(
            when=timezone.localtime(event.created_at),
            title=_event_title(event),
            body=history.shown(event),
            files=[f for f in event.files.all() if f.pk in reporter_files],
            mine=event.kind == CaseEvent.Kind.FROM_REPORTER,
        )
        for event in events
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    """The reporter's view: status, deadlines, what was said to them; adding information."""
    case = _granted_case(request, code)
    if case is None:
        messages.info(
            request,
            _(
                "Hãy nhập mã theo dõi và mật khẩu để xem phản ánh. / "
                "Enter the tracking code and passphrase to see the report."
            ),
        )
        return redirect("cases_public:track")
    closed = case.status == Case.Status.CLOSED
    form = InformationForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and closed:
        form.add_error(
            None,
            _(
                "Vụ việc đã kết thúc, không thể bổ sung. / "
                "The case is closed; nothing can be added."
            ),
        )
    elif request.method == "POST" and form.is_valid():
        try:
            page = reverse("cases_public:track_case", args=[case.code])
            with once.guard(request, form, leads_to=page):
                services.add_reporter_information(
                    case, text=form.cleaned_data["text"], files=form.cleaned_data["evidence"]
                )
        except once.AlreadySent as sent:
            return sent.response(request)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã gửi thông tin bổ sung. / Your information has been sent."),
            )
            return redirect("cases_public:track_case", code=case.code)
    events = _reporter_events(case)
    return render(
        request,
        "cases/public/track_case.html",
        {
            "case": case,
            "status": visibility.public_status(case),
            "events": events,
            "clauses": list(case.clauses.order_by("section__order", "order", "code")),
            "form": form,
            "attached": [f.name for f in request.FILES.getlist("evidence")],
            "closed": closed,
            "files_help": evidence_help(),
        },
    )


@never_cache
def track_file(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    """A file meant for the reporter (their own, or one sent to them), as a download."""
    case = _granted_case(request, code)
    if case is None:
        return redirect("cases_public:track")
    file = (
        visibility.files_for_reporter(case)
        .filter(pk=pk)
        .exclude(event__kind__in=HIDDEN_KINDS)
        .first()
    )
    if file is None:
        return render(request, "cases/public/file_missing.html", status=404)
    response = FileResponse(
        file.file.open("rb"),
        as_attachment=True,
        filename=file.original_name,
        content_type=file.content_type or "application/octet-stream",
    )
    return response


@never_cache
@require_POST
def track_forget(request: HttpRequest) -> HttpResponse:
    """Close the reporter's view on this device (a shared phone, a public computer)."""
    request.session.pop(GRANTS_KEY, None)
    request.session.cycle_key()
    messages.success(
        request,
        _(
            "Đã thoát khỏi trang theo dõi trên thiết bị này. / "
            "You have left the case on this device."
        ),
    )
    return redirect("cases_public:track")
