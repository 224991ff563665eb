"""The citizen's rating pages (no login): badge card, dossier receipt, counter, kiosk.

Each page shows the form for its target and takes it back by POST to the same
address; success redirects to a thank-you page (post/redirect/get), so a
reload never rates twice (the hidden submission id makes a resubmission
return the first rating anyway). The pages work without JavaScript, weigh a
few kilobytes, and are never cached: a rotated token must stop working at once.

Statuses: unknown token → 404 (friendly page), invalid or oversize input → 400
(the form again, with the citizen's answers), dossier already rated → 409,
rate limit → 429, a staff member rating themselves → 403.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from congvu.organisations.models import StaffMember

from . import devices, services
from .forms import RatingForm
from .models import Counter, Rating
from .services import RatingRejected, RatingTarget

#: Seconds the kiosk's thank-you screen stays before the next citizen's blank form.
KIOSK_THANKS_SECONDS = 5
#: Seconds of idleness after which the kiosk's form is reset.
KIOSK_IDLE_SECONDS = 60
#: The kiosk's address carries its language (`/kiosk/<token>?lang=en`); nothing else does.
KIOSK_LANGUAGE_PARAM = "lang"
#: The kiosk's language switch: each language named in itself.
KIOSK_LANGUAGES = (("vi", "Tiếng Việt"), ("en", "English"))


def report_url(staff: StaffMember | None, *, submission_id: uuid.UUID | None = None) -> str:
    """The misconduct report form for `staff`; "" while the cases pages do not exist."""
    if staff is None:
        return ""
    try:
        url = reverse("cases_public:report_staff", args=[staff.badge_token])
    except NoReverseMatch:
        return ""
    return f"{url}?rating={submission_id}" if submission_id else url


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/public/not_found.html", status=404)


def _message(
    request: HttpRequest, *, title: str, message: str, status: int, context: dict[str, Any]
) -> HttpResponse:
    template = (
        "feedback/public/kiosk_message.html"
        if context.get("kiosk")
        else "feedback/public/message.html"
    )
    return render(request, template, {**context, "title": title, "message": message}, status=status)


def _staff_choices(counter: Counter) -> list[tuple[str, str]]:
    members = counter.staff.filter(is_active=True).order_by("sort_name")
    return [
        (
            str(member.pk),
            f"{member.full_name} — {member.position_title}"
            if member.position_title
            else member.full_name,
        )
        for member in members
    ]


def _form(
    request: HttpRequest, target: RatingTarget, staff_choices: list[tuple[str, str]]
) -> RatingForm:
    _scale, levels = services.active_scale()
    data = request.POST if request.method == "POST" else None
    return RatingForm(
        data, criteria=services.criteria_for(target), levels=levels, staff_choices=staff_choices
    )


def rating_page(
    request: HttpRequest,
    target: RatingTarget,
    *,
    template: str,
    context: dict[str, Any],
    staff_choices: list[tuple[str, str]] | None = None,
    retarget: Any = None,
) -> HttpResponse:
    """Show the form for `target` (GET) or take it (POST).

    `retarget(staff_id)` gives the target once the citizen has picked a staff
    member at a counter (None: that person is not on the counter any more).
    """
    kiosk = target.channel == Rating.Channel.KIOSK
    context = {**context, "target": target, "kiosk": kiosk}
    try:
        form = _form(request, target, staff_choices or [])
    except RatingRejected as closed:  # no active scale
        return _message(
            request,
            title=_("Chưa nhận đánh giá"),
            message=closed.message,
            status=503,
            context=context,
        )

    def show(status: int = 200) -> HttpResponse:
        return render(
            request,
            template,
            {**context, "form": form, "questions": form.questions()},
            status=status,
        )

    if request.method != "POST":
        return show()
    if not form.is_valid():
        return show(400)
    final = target
    staff_id = form.staff_id() if staff_choices else None
    if staff_id is not None and retarget is not None:
        final = retarget(staff_id)
        if final is None:
            form.add_error(
                "staff", _("Cán bộ này không trực ở quầy. / This person is not on this counter.")
            )
            return show(400)
    answers = form.answers()
    if final is not target:
        # Questions are those of the counter's organisation; a staff member of
        # another organisation may have fewer (supplements, leaders-only items).
        asked = {c.clause_id for c in services.criteria_for(final)}
        answers = {k: v for k, v in answers.items() if k in asked}
    submission_id = form.cleaned_data["submission_id"]
    try:
        rating = services.submit_rating(
            final,
            level=form.cleaned_data["level"],
            answers=answers,
            comment=form.cleaned_data["comment"],
            # The kiosk is one device for every citizen: nothing to limit or keep.
            device_hash="" if kiosk else devices.device_hash(request),
            address_hash="" if kiosk else devices.address_hash(request),
            submission_id=submission_id,
            user=request.user,
        )
    except RatingRejected as refused:
        if refused.code == "invalid":
            form.add_error(None, refused.message)
            return show(400)
        if refused.code == "already_rated":
            return render(request, "feedback/public/already_rated.html", context, status=409)
        titles = {
            "rate_limited": (_("Xin chờ một lát"), 429),
            "self_rating": (_("Không thể tự đánh giá"), 403),
        }
        title, status = titles.get(refused.code, (_("Không còn nhận đánh giá"), 404))
        return _message(
            request, title=title, message=refused.message, status=status, context=context
        )
    if kiosk:
        return redirect("feedback_public:kiosk_thanks", token=context["token"])
    return redirect("feedback_public:thanks", submission_id=rating.submission_id)


# --- The kiosk's language ----------------------------------------------------------------------


def kiosk_language(request: HttpRequest) -> str:
    """The language of a kiosk page: from its address alone, Vietnamese unless `?lang=en`.

    The tablet serves one citizen after another, so the language is the citizen's and
    ends with them: it lives in the page's address, which the thank-you page, the idle
    reset and every "new form" link drop. The site's `congvu_lang` cookie is neither
    read (the officer who set up the tablet may have left it on English) nor written.
    """
    value = request.GET.get(KIOSK_LANGUAGE_PARAM, "")
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def kiosk_url(token: str, language: str | None = None) -> str:
    """The kiosk's form in `language`; the plain address (the reset target) is Vietnamese."""
    url = reverse("feedback_public:kiosk", args=[token])
    if language is None or language == settings.LANGUAGE_CODE:
        return url
    return f"{url}?{KIOSK_LANGUAGE_PARAM}={language}"


KioskView = Callable[[HttpRequest, str], HttpResponse]


def _kiosk_page(language_of: Callable[[HttpRequest], str]) -> Callable[[KioskView], KioskView]:
    """Render a kiosk view in `language_of(request)`, whatever the middleware chose."""

    def decorate(view: KioskView) -> KioskView:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, token: str) -> HttpResponse:
            language = language_of(request)
            with translation.override(language):
                request.LANGUAGE_CODE = language
                response = view(request, token)
            response.headers["Content-Language"] = language
            return response

        return wrapper

    return decorate


# --- Pages -------------------------------------------------------------------------------------


def badge(request: HttpRequest, member: StaffMember, card: dict[str, Any]) -> HttpResponse:
    """The badge card with the rating form below it (called by `organisations.views.badge_card`)."""
    target = RatingTarget(Rating.Channel.BADGE, member.organisation, staff=member)
    context = {**card, "report_url": report_url(member)}
    try:
        services.active_scale()
    except RatingRejected:
        # No scale in use: the card must still prove who the staff member is.
        return render(request, "organisations/badge_card.html", context)
    return rating_page(request, target, template="organisations/badge_card.html", context=context)


@never_cache
def dossier(request: HttpRequest, token: str) -> HttpResponse:
    target = services.target_for_dossier(token)
    if target is None or target.dossier is None:
        return not_found(request)
    context = {"dossier": target.dossier, "report_url": report_url(target.staff)}
    if Rating.objects.filter(dossier=target.dossier).exists():
        if request.method == "POST":
            # A retry of the rating that was stored (its response lost).
            existing = Rating.objects.filter(
                dossier=target.dossier, submission_id=_uuid(request.POST.get("submission_id"))
            ).first()
            if existing is not None:
                return redirect("feedback_public:thanks", submission_id=existing.submission_id)
        status = 409 if request.method == "POST" else 200
        return render(request, "feedback/public/already_rated.html", context, status=status)
    return rating_page(request, target, template="feedback/public/dossier.html", context=context)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@never_cache
def counter(request: HttpRequest, token: str) -> HttpResponse:
    target = services.target_for_counter(token)
    if target is None or target.counter is None:
        return not_found(request)
    return rating_page(
        request,
        target,
        template="feedback/public/counter.html",
        context={"counter": target.counter, "token": token},
        staff_choices=_staff_choices(target.counter),
        retarget=lambda staff_id: services.target_for_counter(token, staff_id=staff_id),
    )


@never_cache
@_kiosk_page(kiosk_language)
def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    target = services.target_for_kiosk(token)
    if target is None or target.counter is None:
        return not_found(request)
    language = translation.get_language()
    return rating_page(
        request,
        target,
        template="feedback/public/kiosk.html",
        context={
            "counter": target.counter,
            "token": token,
            "idle_seconds": KIOSK_IDLE_SECONDS,
            # The form is sent back to the page in the citizen's language (a refused
            # form is shown again in it); the thank-you page it leads to is Vietnamese.
            "form_action": kiosk_url(token, language),
            "languages": [
                (code, name, kiosk_url(token, code), code == language)
                for code, name in KIOSK_LANGUAGES
            ],
        },
        staff_choices=_staff_choices(target.counter),
        retarget=lambda staff_id: services.target_for_kiosk(token, staff_id=staff_id),
    )


@never_cache
@_kiosk_page(lambda request: settings.LANGUAGE_CODE)
def kiosk_thanks(request: HttpRequest, token: str) -> HttpResponse:
    """The thank-you screen: in Vietnamese (with an English line), the citizen is done."""
    target = services.target_for_kiosk(token)
    if target is None or target.counter is None:
        return not_found(request)
    return render(
        request,
        "feedback/public/kiosk_thanks.html",
        {"counter": target.counter, "token": token, "seconds": KIOSK_THANKS_SECONDS},
    )


@never_cache
def thanks(request: HttpRequest, submission_id: uuid.UUID) -> HttpResponse:
    rating = (
        Rating.objects.select_related("staff", "organisation")
        .filter(submission_id=submission_id)
        .first()
    )
    if rating is None:
        return not_found(request)
    return render(
        request,
        "feedback/public/thanks.html",
        {
            "rating": rating,
            "report_url": report_url(rating.staff, submission_id=rating.submission_id),
        },
    )
