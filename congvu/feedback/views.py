"""Ratings dashboards: the province, one organisation (its head), one staff member, one's own
ratings, and the review of flagged ratings.

Every figure comes from the monthly rollups (see `selectors`); the period is a
month range in the query string (`from`, `to`, mm/yyyy), the last 12 months
by default, and bad input is reported on the page, never a 500. The trend chart
is an SVG drawn on the server (`templatetags/trend_chart.py`, no script) and its
figures are in a table below it.

The organisation page shows the organisation's OWN ratings (not its
sub-organisations' summed in): that is what the province ranks and what the
comparison with organisations of the same kind means; its direct
sub-organisations are listed below with their own figures and links.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.net import safe_next
from congvu.core.text import as_id, search_terms
from congvu.core.types import AuthenticatedHttpRequest
from congvu.organisations.models import Organisation, StaffMember

from . import detection, selectors, services
from .models import Rating
from .review_forms import Period, ReviewForm, period_from
from .selectors import CriterionRate, Index, OrganisationRow

ORGANISATIONS_PER_PAGE = 50
HEAT_ROWS_PER_PAGE = 25
STAFF_PER_PAGE = 50
FLAGGED_PER_PAGE = 20
RATINGS_PER_PAGE = 20
COMMENTS = 10


# --- Shared helpers --------------------------------------------------------------------------


def period_of(request: HttpRequest) -> Period:
    return period_from(request.GET, timezone.localdate())


def querystring(params: QueryDict, *drop: str) -> str:
    kept = params.copy()
    for key in drop:
        kept.pop(key, None)
    return kept.urlencode()


def page_of(items: Sequence[Any] | Any, per_page: int, number: str | None) -> Page[Any]:
    return Paginator(items, per_page).get_page(number)


def band(rate: float | None, answered: int) -> str:
    """The CSS class of a compliance rate in the heat table (the text shows the number too)."""
    if rate is None:
        return "rt-none"
    if answered < selectors.MIN_ANSWERS:
        return "rt-few"
    if rate >= 0.95:
        return "rt-a"
    if rate >= 0.85:
        return "rt-b"
    if rate >= 0.70:
        return "rt-c"
    return "rt-d"


def index_band(index: Index) -> str:
    return band(index.share, index.counted if index.counted >= selectors.MIN_RANKED else 0)


def points(a: Index, b: Index) -> float | None:
    """a's share minus b's, in percentage points."""
    if a.share is None or b.share is None:
        return None
    return 100 * (a.share - b.share)


def trend_chart(
    trend: list[tuple[dt.date, Index]],
    *,
    label: str,
    compare: list[tuple[dt.date, Index]] | None = None,
    compare_label: str = "",
) -> dict[str, Any]:
    """What `{% trend_chart %}` draws: the share per month in % (and a comparison line),
    and the number of counted ratings as bars."""
    data: dict[str, Any] = {
        "labels": [f"{month:%m/%Y}" for month, _i in trend],
        "share": [index.share_pct for _m, index in trend],
        "counted": [index.counted for _m, index in trend],
        "text": {
            "share": label,
            "counted": _("Số lượt được tính"),
            "axis_share": _("Tỷ lệ hài lòng (%)"),
            "axis_count": _("Lượt"),
        },
    }
    if compare is not None:
        data["compare"] = [index.share_pct for _m, index in compare]
        data["text"]["compare"] = compare_label
    return data


def _org_url_prefix() -> str:
    # One reverse() for every row of a long table.
    return reverse("feedback:organisation", args=[0]).rsplit("0/", 1)[0]


def _heat(
    rows: Sequence[OrganisationRow], period: Period, province: selectors.ProvincePeriod
) -> dict[str, Any]:
    table = selectors.criterion_heat(rows, start=period.start, end=period.end, province=province)
    return {
        "clauses": table.clauses,
        "rows": [
            (
                row,
                index_band(row.index),
                [(cell, band(cell.rate, cell.answered) if cell else "rt-none") for cell in cells],
            )
            for row, cells in table.rows
        ],
    }


def _rates(rates: list[CriterionRate]) -> list[tuple[CriterionRate, str]]:
    return [(rate, band(rate.rate, rate.answered)) for rate in rates]


def _ratings_page(qs: Any, number: str | None) -> Page[Any]:
    """A page of raw ratings as plain values: date, level, channel, answers, comment only —
    never the device hash, the time of day or the dossier; the comment's contact details
    masked (the staff member rated reads this page)."""
    page = page_of(
        qs.values("pk", "rated_on", "scale_id", "level", "channel", "comment", "verified"),
        RATINGS_PER_PAGE,
        number,
    )
    labels = selectors.level_labels()
    channels = dict(Rating.Channel.choices)
    page.object_list = [
        {
            **row,
            "comment": selectors.shown_comment(row["comment"]),
            "level_label": labels.get((row["scale_id"], row["level"]), str(row["level"])),
            "channel_label": channels.get(row["channel"], row["channel"]),
        }
        for row in page.object_list
    ]
    return page


def _review_item(
    rating: Rating,
    labels: dict[tuple[int, int], str],
    form: ReviewForm,
    next_url: str,
    user: Any,
) -> dict[str, Any]:
    return {
        "rating": rating,
        "comment": selectors.shown_comment(rating.comment),
        "level_label": labels.get((rating.scale_id, rating.level), str(rating.level)),
        "reasons": [label for _code, label in detection.reason_labels(rating.flag_reasons)],
        "form": form,
        "next": next_url,
        # A low or flagged rating of a named staff member can open a case (issue 5 §1).
        "may_open_case": rating.staff_id is not None
        and access.can(user, Perm.CASE_HANDLE, rating.organisation),
    }


def _flagged_items(page: Page[Any], next_url: str, user: Any) -> list[dict[str, Any]]:
    labels = selectors.level_labels()
    return [
        _review_item(rating, labels, ReviewForm(prefix=f"r{rating.pk}"), next_url, user)
        for rating in page.object_list
    ]


# --- Province --------------------------------------------------------------------------------


#: Orders of the organisation table: {query value: label}.
SORTS: Final = {
    "rank": gettext_lazy("Xếp hạng"),
    "weakest": gettext_lazy("Chỉ số thấp nhất trước"),
    "name": gettext_lazy("Tên (A–Z)"),
    "counted": gettext_lazy("Nhiều lượt nhất"),
}
SEARCH_MAX = 100


def _weakest_first(rows: Sequence[OrganisationRow]) -> list[OrganisationRow]:
    """Rated organisations, lowest index first; too few ratings to judge at the end."""
    return sorted(
        (r for r in rows if r.counted),
        key=lambda r: (r.counted < selectors.MIN_RANKED, r.sums[2] / r.counted, r.name),
    )


def _sort_rows(rows: list[OrganisationRow], sort: str) -> list[OrganisationRow]:
    """`rows` (ranked by `organisation_rows`) in the order chosen above the table."""
    if sort == "weakest":
        return [*_weakest_first(rows), *(r for r in rows if not r.counted)]
    if sort == "name":
        # The folded name: accent-insensitive alphabetical order, cheap for 2,000 rows.
        return sorted(rows, key=lambda r: (r.search_text or r.name.lower(), r.code))
    if sort == "counted":
        return sorted(rows, key=lambda r: (-r.counted, r.search_text))
    return rows


def _search_rows(rows: list[OrganisationRow], query: str) -> list[OrganisationRow]:
    """Rows whose name or code holds every word of `query` (accents ignored)."""
    terms = search_terms(query[:SEARCH_MAX])
    if not terms:
        return rows
    return [
        row
        for row in rows
        if all(term in row.search_text or term in row.code.lower() for term in terms)
    ]


@login_required
def province(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every organisation the user watches: index, ranking, trend, weak spots.

    The table can be searched (name or code, accents ignored) and sorted; the
    rank stays the one among all organisations watched. Cost: a few small
    queries whatever the number of ratings (see `selectors`: this month's
    totals, the rest cached while unchanged); only the shown page of the table
    and of the map of weak spots is rendered.
    """
    access.require_anywhere(request.user, Perm.RATING_VIEW)
    user, period = request.user, period_of(request)
    kinds = selectors.kinds()
    kind_code = request.GET.get("kind", "")
    if kind_code not in {k.code for k in kinds}:
        kind_code = ""
    sort = request.GET.get("sort", "")
    if sort not in SORTS:
        sort = "rank"
    query = str(request.GET.get("q", "")).replace("\x00", "")[:SEARCH_MAX]
    province_data = selectors.province_period(start=period.start, end=period.end)
    rows = selectors.organisation_rows(
        user, start=period.start, end=period.end, kind=kind_code or None, province=province_data
    )
    scope = selectors.rows_index(rows)
    province_trend = province_data.trend()
    trend = selectors.scope_trend(user, province_data)
    province_index = province_data.index()
    listed = _search_rows(_sort_rows(rows, sort), query)
    org_page = page_of(listed, ORGANISATIONS_PER_PAGE, request.GET.get("page"))
    org_page.object_list = [
        (row, index_band(row.index), points(row.index, province_index))
        for row in org_page.object_list
    ]
    # Weakest first: the map of weak spots starts where attention is needed.
    heat_page = page_of(_weakest_first(rows), HEAT_ROWS_PER_PAGE, request.GET.get("heat_page"))
    return render(
        request,
        "feedback/province.html",
        {
            "period": period,
            "kind_choices": [(k.code, str(k), k.code == kind_code) for k in kinds],
            "kind_code": kind_code,
            "scope": scope,
            "province_index": province_index,
            "compare": [(_("Toàn tỉnh"), province_index, points(scope, province_index))],
            "ranked": sum(1 for row in rows if row.rank is not None),
            "listed_all": len(rows),
            "org_page": org_page,
            "org_url": _org_url_prefix(),
            "sort": sort,
            "sort_choices": [(value, label, value == sort) for value, label in SORTS.items()],
            "query": query,
            "heat_page": heat_page,
            "heat": _heat(list(heat_page.object_list), period, province_data),
            "kind_rows": [(k, points(k.index, province_index)) for k in selectors.by_kind(rows)],
            "trend": list(zip(trend, province_trend, strict=True)),
            "chart_data": trend_chart(
                trend,
                label=_("Các cơ quan bạn theo dõi"),
                compare=province_trend,
                compare_label=_("Toàn tỉnh"),
            ),
            "can_review": access.can_anywhere(user, Perm.RATING_REVIEW),
            "min_ranked": selectors.MIN_RANKED,
            "qs_page": querystring(request.GET, "page"),
            "qs_heat": querystring(request.GET, "heat_page"),
        },
    )


# --- One organisation ------------------------------------------------------------------------


@login_required
def organisation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The head's page: the organisation's index, staff, weakest behaviours, flagged ratings."""
    org = access.get_for(
        request.user,
        Perm.RATING_VIEW,
        Organisation.objects.select_related("kind", "parent"),
        organisation_of="",
        pk=pk,
    )
    user, period = request.user, period_of(request)
    start, end = period.start, period.end
    index = selectors.organisation_index(org, start=start, end=end)
    province_data = selectors.province_period(start=start, end=end)
    kind_index = selectors.kind_index(org.kind_id, start=start, end=end, province=province_data)
    trend = selectors.monthly_trend(organisation=org, start=start, end=end)
    province_trend = province_data.trend()
    province_index = province_data.index()
    rates = selectors.criterion_rates(organisation=org, start=start, end=end)
    staff_page = page_of(
        selectors.staff_rows(org, start=start, end=end),
        STAFF_PER_PAGE,
        request.GET.get("staff_page"),
    )
    staff_page.object_list = [(row, index_band(row.index)) for row in staff_page.object_list]
    children = selectors.organisation_rows(user, start=start, end=end, parent=org)
    can_review = access.can(user, Perm.RATING_REVIEW, org)
    flagged_page = None
    flagged: list[dict[str, Any]] = []
    if can_review:
        flagged_page = page_of(
            selectors.flagged_ratings(user, organisation=org),
            FLAGGED_PER_PAGE,
            request.GET.get("flag_page"),
        )
        flagged = _flagged_items(flagged_page, request.get_full_path(), user)
    labels = selectors.level_labels()
    comments = [
        {**row, "level_label": labels.get((row["scale_id"], row["level"]), str(row["level"]))}
        for row in selectors.recent_comments(org, start=start, end=end, limit=COMMENTS)
    ]
    return render(
        request,
        "feedback/organisation.html",
        {
            "organisation": org,
            "period": period,
            "index": index,
            "index_band": index_band(index),
            "province_index": province_index,
            "kind_index": kind_index,
            "compare": [
                (_("Toàn tỉnh"), province_index, points(index, province_index)),
                (
                    _("Cơ quan cùng loại: %(kind)s") % {"kind": org.kind},
                    kind_index,
                    points(index, kind_index),
                ),
            ],
            "min_ranked": selectors.MIN_RANKED,
            "trend": list(zip(trend, province_trend, strict=True)),
            "chart_data": trend_chart(
                trend, label=org.name, compare=province_trend, compare_label=_("Toàn tỉnh")
            ),
            "criteria": _rates(rates),
            "weakest": selectors.weakest(rates),
            "staff_page": staff_page,
            "children": [(row, index_band(row.index)) for row in children],
            "org_url": _org_url_prefix(),
            "can_review": can_review,
            "flagged_page": flagged_page,
            "flagged": flagged,
            "comments": comments,
            "qs_staff": querystring(request.GET, "staff_page"),
            "qs_flag": querystring(request.GET, "flag_page"),
        },
    )


# --- Review ----------------------------------------------------------------------------------


@login_required
def flagged(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Flagged ratings waiting for review, across the organisations the user reviews."""
    return _flagged_page(request, ReviewForm(prefix="bulk"), ticked=set())


def _flagged_page(
    request: AuthenticatedHttpRequest, bulk_form: ReviewForm, *, ticked: set[int], status: int = 200
) -> HttpResponse:
    access.require_anywhere(request.user, Perm.RATING_REVIEW)
    org = None
    if request.GET.get("organisation"):
        org = access.get_for(
            request.user,
            Perm.RATING_REVIEW,
            Organisation.objects.all(),
            organisation_of="",
            pk=request.GET["organisation"],
        )
    page = page_of(
        selectors.flagged_ratings(request.user, organisation=org),
        FLAGGED_PER_PAGE,
        request.GET.get("page"),
    )
    return render(
        request,
        "feedback/flagged.html",
        {
            "organisation": org,
            "page": page,
            "items": _flagged_items(page, request.get_full_path(), request.user),
            "qs_page": querystring(request.GET, "page"),
            "bulk_form": bulk_form,
            "ticked": ticked,
            "bulk_max": services.REVIEW_MANY_MAX,
        },
        status=status,
    )


def _decided(request: AuthenticatedHttpRequest, form: ReviewForm, ratings: list[Rating]) -> bool:
    """Apply the form's decision to `ratings`, all of them or none. Done: a message says
    what was done. Not done: the reason is on the form (kept for the page again)."""
    if not form.is_valid():
        return False
    try:
        reviewed = services.review_ratings(
            ratings, include=form.include, reason=form.cleaned_data["reason"], actor=request.user
        )
    except services.RatingRejected as exc:
        form.add_error(None, exc.message)
        return False
    count = len(reviewed)
    if form.include:
        done = ngettext(
            "Đã tính %(count)d lượt đánh giá vào chỉ số.",
            "Đã tính %(count)d lượt đánh giá vào chỉ số.",
            count,
        )
    else:
        done = ngettext(
            "Đã loại %(count)d lượt đánh giá khỏi chỉ số.",
            "Đã loại %(count)d lượt đánh giá khỏi chỉ số.",
            count,
        )
    messages.success(request, done % {"count": count})
    return True


@login_required
@require_POST
def review_many(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Include or exclude the flagged ratings ticked on the review list, with one reason.

    All of them or none: if one cannot be reviewed (someone else just did), the
    list comes back with the error, the boxes still ticked and the reason kept.
    The list's own query string (organisation, page) rides on the form's action.
    """
    access.require_anywhere(request.user, Perm.RATING_REVIEW)
    form = ReviewForm(request.POST, prefix="bulk")
    raw = request.POST.getlist("ratings")
    ids = sorted({pk for pk in map(as_id, raw) if pk is not None})
    ratings = [
        access.get_for(
            request.user,
            Perm.RATING_REVIEW,
            Rating.objects.select_related("organisation", "staff"),
            pk=pk,
        )
        for pk in ids[: services.REVIEW_MANY_MAX + 1]
    ]
    if len(ids) != len(raw):
        form.add_error(None, _("Lựa chọn không hợp lệ. / Invalid choice."))
    if _decided(request, form, ratings):
        next_url = safe_next(request, request.POST.get("next", ""))
        return HttpResponseRedirect(next_url or reverse("feedback:flagged"))
    return _flagged_page(request, form, ticked=set(ids), status=400)


@login_required
@require_POST
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Include a flagged rating in the index or exclude it, with a reason."""
    rating = access.get_for(
        request.user,
        Perm.RATING_REVIEW,
        Rating.objects.select_related("organisation", "staff"),
        pk=pk,
    )
    form = ReviewForm(request.POST, prefix=f"r{rating.pk}")
    fallback = reverse("feedback:flagged")
    next_url = safe_next(request, request.POST.get("next", "")) or fallback
    if _decided(request, form, [rating]):
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "feedback/review.html",
        {"item": _review_item(rating, selectors.level_labels(), form, next_url, request.user)},
        status=400,
    )


# --- Staff -----------------------------------------------------------------------------------


def _staff_context(
    request: HttpRequest, member: StaffMember, period: Period, user: Any
) -> dict[str, Any]:
    start, end = period.start, period.end
    index = selectors.staff_index(member, start=start, end=end, user=user)
    trend = selectors.staff_trend(member, start=start, end=end, user=user)
    rates = selectors.staff_criterion_rates(member, start=start, end=end, user=user)
    return {
        "member": member,
        "period": period,
        "index": index,
        "index_band": index_band(index),
        "min_ranked": selectors.MIN_RANKED,
        "trend": trend,
        "chart_data": trend_chart(trend, label=member.full_name),
        "criteria": _rates(rates),
        "weakest": selectors.weakest(rates),
        "ratings": _ratings_page(
            selectors.staff_ratings(member, start=start, end=end, user=user),
            request.GET.get("page"),
        ),
        "qs_page": querystring(request.GET, "page"),
    }


@login_required
def staff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One staff member's index, behaviours and ratings, for those watching their organisation.

    Only ratings given in organisations the viewer may watch are shown (not a
    previous employer's).
    """
    try:
        member = StaffMember.objects.select_related("organisation").get(pk=pk)
    except StaffMember.DoesNotExist as exc:
        raise Http404 from exc
    own = member.user_id is not None and member.user_id == request.user.pk
    if own and not access.can(request.user, Perm.RATING_VIEW, member.organisation):
        return redirect("feedback:mine")
    access.require(request.user, Perm.RATING_VIEW, member.organisation)
    context = _staff_context(request, member, period_of(request), request.user)
    context["org_url"] = _org_url_prefix()
    return render(request, "feedback/staff.html", context)


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The logged-in staff member's own ratings and comments, with no data about the raters."""
    member = StaffMember.objects.select_related("organisation").filter(user=request.user).first()
    if member is None:
        return render(request, "feedback/mine_none.html")
    context = _staff_context(request, member, period_of(request), None)
    return render(request, "feedback/mine.html", context)
