"""Periodic reports: the periods Home Affairs opens and each organisation's report.

Reads are the reporting pages': periods from `ReportPeriod.objects.visible_to`
(issued above or inside the caller's organisations), reports of organisations
where the caller holds PLAN_VIEW. Writes call `reporting.services` and
`reporting.workflow`: an organisation drafts, edits and submits with
REPORT_SUBMIT; the issuing side (PLAN_MANAGE on the period's issuer) opens
periods, returns reports with comments or accepts them.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints, WithJsonSchema

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.organisations.models import OrganisationKind
from congvu.reporting import selectors, services, workflow
from congvu.reporting.models import OrganisationReport, ReportPeriod, ReportPeriodDueChange

from .common import NO_NUL, NOT_BLANK, BodyId, Id, OrganisationRef, Pagination, Slug
from .plans import (
    READ_ERRORS,
    WRITE_ERRORS,
    BodyIn,
    Day,
    PlanRef,
    UserRef,
    get_organisation,
    get_plan,
    one_of,
)
from .security import AUTH, user_of

router = Router(tags=["reports"], auth=AUTH)

PeriodKind = Annotated[ReportPeriod.Kind, WithJsonSchema(one_of(ReportPeriod.Kind))]
PeriodStatus = Annotated[ReportPeriod.Status, WithJsonSchema(one_of(ReportPeriod.Status))]
ReportStatus = Annotated[
    OrganisationReport.Status, WithJsonSchema(one_of(OrganisationReport.Status))
]

Narrative = Annotated[str, StringConstraints(max_length=50_000, pattern=NO_NUL)]


Short60 = Annotated[str, StringConstraints(max_length=60, pattern=NO_NUL)]
Short80 = Annotated[str, StringConstraints(max_length=80, pattern=NO_NUL)]
Short120 = Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)]


class DueChangeOut(Schema):
    old_due_on: dt.date
    new_due_on: dt.date
    reason: str
    changed_by: UserRef | None
    changed_at: dt.datetime


class ReportPeriodOut(Schema):
    id: int
    name: str
    kind: PeriodKind
    status: PeriodStatus
    issuing_organisation: OrganisationRef
    compiling_organisation: OrganisationRef | None
    covers_from: dt.date
    covers_to: dt.date
    due_on: dt.date
    plan: PlanRef | None
    reporting_kinds: list[str] = Field(..., description="Mã loại cơ quan / kind codes")
    place: str
    number: str
    signer_name: str
    signer_title: str
    due_changes: list[DueChangeOut] = Field(
        ..., description="Các lần đổi hạn nộp, cũ trước / due-date changes, oldest first"
    )

    @staticmethod
    def resolve_reporting_kinds(obj: ReportPeriod) -> list[str]:
        return sorted(kind.code for kind in obj.reporting_kinds.all())

    @staticmethod
    def resolve_due_changes(obj: ReportPeriod) -> list[ReportPeriodDueChange]:
        return list(obj.due_changes.all())


class ReportPeriodRef(Schema):
    id: int
    name: str
    due_on: dt.date


class ReportOut(Schema):
    id: int
    period: ReportPeriodRef
    organisation: OrganisationRef
    organisation_name: str = Field(..., description="Tên khi báo cáo / name when it reported")
    status: ReportStatus
    is_late: bool
    first_submitted_at: dt.datetime | None
    submitted_at: dt.datetime | None
    submitted_by: UserRef | None
    reviewed_at: dt.datetime | None
    reviewed_by: UserRef | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportDetailOut(ReportOut):
    indicators: dict[str, Any] = Field(
        ..., description="Số liệu từ hệ thống (ảnh chụp) / indicator snapshot"
    )
    indicators_computed_at: dt.datetime | None
    results: str
    shortcomings_and_causes: str
    proposals: str
    number: str
    signer_name: str
    signer_title: str
    reviewer_comments: str


class ReportPeriodFilters(Schema):
    status: PeriodStatus | None = None
    kind: PeriodKind | None = None


class ReportFilters(Schema):
    period: Id | None = Field(None, description="Kỳ báo cáo / period id")
    organisation: Id | None = Field(
        None, description="Cơ quan, gồm đơn vị trực thuộc / organisation and its subtree"
    )
    status: ReportStatus | None = None
    late: bool | None = Field(None, description="Nộp muộn / filed late")


class PeriodIn(BodyIn):
    issuing_organisation: BodyId
    name: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK)]
    kind: PeriodKind = ReportPeriod.Kind.YEARLY
    covers_from: Day
    covers_to: Day
    due_on: Day
    reporting_kinds: list[Slug] | None = Field(
        None, max_length=50, description="Mặc định: sở, UBND xã, đơn vị sự nghiệp / default kinds"
    )
    plan: BodyId | None = None
    compiling_organisation: BodyId | None = None
    place: Short80 = ""
    number: Short60 = ""
    signer_name: Short120 = ""
    signer_title: Short120 = ""


class PeriodPatchIn(BodyIn):
    """What is left out stays as it is."""

    name: (
        Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK)] | None
    ) = None
    covers_from: Day | None = None
    covers_to: Day | None = None
    due_on: Day | None = None
    reporting_kinds: list[Slug] | None = Field(
        None,
        max_length=50,
        description="Mã loại cơ quan; bỏ một loại đã có báo cáo bị từ chối / kind codes; "
        "removing a kind with reports is refused",
    )
    place: Short80 | None = None
    number: Short60 | None = None
    signer_name: Short120 | None = None
    signer_title: Short120 | None = None
    reason: Narrative = Field(
        "", description="Bắt buộc khi đổi hạn nộp / required when due_on changes"
    )


class PeriodStatusIn(BodyIn):
    status: PeriodStatus


class ReportIn(BodyIn):
    organisation: BodyId


class NarrativeIn(BodyIn):
    """Only the fields sent change."""

    results: Narrative | None = None
    shortcomings_and_causes: Narrative | None = None
    proposals: Narrative | None = None
    number: Short60 | None = None
    signer_name: Short120 | None = None
    signer_title: Short120 | None = None


class ReportReviewIn(BodyIn):
    decision: Literal["return", "accept"]
    comments: Narrative = Field("", description="Bắt buộc khi trả lại / required to return")


def periods_of(user: User) -> QuerySet[ReportPeriod]:
    return (
        ReportPeriod.objects.visible_to(user)
        .select_related("issuing_organisation", "compiling_organisation", "plan")
        .prefetch_related(
            "reporting_kinds",
            Prefetch(
                "due_changes",
                queryset=ReportPeriodDueChange.objects.select_related("changed_by"),
            ),
        )
    )


def get_period(user: User, pk: int) -> ReportPeriod:
    period = periods_of(user).filter(pk=pk).first()
    if period is None:
        raise Http404
    return period


def reports_of(user: User) -> QuerySet[OrganisationReport]:
    access.require_anywhere(user, Perm.PLAN_VIEW)
    return OrganisationReport.objects.visible_to(user).select_related(
        "period", "organisation", "submitted_by", "reviewed_by"
    )


def get_report(user: User, pk: int) -> OrganisationReport:
    report: OrganisationReport = access.get_for(
        user,
        Perm.PLAN_VIEW,
        OrganisationReport.objects.select_related(
            "period__issuing_organisation", "organisation", "submitted_by", "reviewed_by"
        ),
        pk=pk,
    )
    return report


@router.get(
    "/report-periods",
    response={200: list[ReportPeriodOut], **READ_ERRORS},
    summary="Kỳ báo cáo / reporting periods",
)
@paginate(Pagination)
def list_periods(request: HttpRequest, filters: Query[ReportPeriodFilters]) -> Any:
    qs = periods_of(user_of(request))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    return qs.order_by("-due_on", "name", "pk")


@router.get(
    "/report-periods/{id}",
    response={200: ReportPeriodOut, **READ_ERRORS},
    summary="Một kỳ báo cáo / one reporting period",
)
def get_period_detail(request: HttpRequest, id: Id) -> Any:
    return get_period(user_of(request), id)


@router.get(
    "/reports",
    response={200: list[ReportOut], **READ_ERRORS},
    summary="Báo cáo của các cơ quan / organisations' reports",
)
@paginate(Pagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    user = user_of(request)
    qs = reports_of(user)
    if filters.period is not None:
        qs = qs.filter(period_id=filters.period)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.PLAN_VIEW, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    if filters.late is not None:
        qs = qs.filter(is_late=filters.late)
    return qs.order_by("-period__due_on", "period_id", "organisation__path", "pk")


@router.get(
    "/reports/{id}",
    response={200: ReportDetailOut, **READ_ERRORS},
    summary="Một báo cáo, với số liệu và nội dung / one report with indicators and narrative",
)
def get_report_detail(request: HttpRequest, id: Id) -> Any:
    return get_report(user_of(request), id)


# --- writes -------------------------------------------------------------------------------


def _kinds(codes: list[str] | None) -> list[OrganisationKind] | None:
    if codes is None:
        return None
    found = {
        kind.code: kind
        for kind in OrganisationKind.objects.filter(code__in=codes, is_division=False)
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {"reporting_kinds": f"Không có loại cơ quan: {unknown}. / Unknown: {unknown}."}
        )
    return list(found.values())


@router.post(
    "/report-periods",
    response={201: ReportPeriodOut, **WRITE_ERRORS},
    summary="Mở kỳ báo cáo / open a reporting period (PLAN_MANAGE on the issuer)",
)
def create_period(request: HttpRequest, payload: PeriodIn) -> Any:
    user = user_of(request)
    issuer = get_organisation(user, Perm.ORG_VIEW, payload.issuing_organisation)
    compiling = (
        get_organisation(user, Perm.ORG_VIEW, payload.compiling_organisation)
        if payload.compiling_organisation is not None
        else None
    )
    kinds = _kinds(payload.reporting_kinds)
    period = services.create_period(
        actor=user,
        issuing_organisation=issuer,
        name=payload.name,
        kind=payload.kind,
        covers_from=payload.covers_from,
        covers_to=payload.covers_to,
        due_on=payload.due_on,
        reporting_kinds=kinds,
        plan=get_plan(user, payload.plan) if payload.plan is not None else None,
        compiling_organisation=compiling,
        place=payload.place,
        number=payload.number,
        signer_name=payload.signer_name,
        signer_title=payload.signer_title,
    )
    return Status(201, get_period(user, period.pk))


@router.patch(
    "/report-periods/{id}",
    response={200: ReportPeriodOut, **WRITE_ERRORS},
    summary="Sửa kỳ báo cáo (tên, ngày, hạn nộp, loại cơ quan, số, người ký) / edit a "
    "period (PLAN_MANAGE on the issuer)",
    description="Đổi hạn nộp cần `reason`; báo cáo nộp trước hạn mới không còn nộp muộn. / "
    "A new `due_on` needs `reason`; reports first submitted by the new date are no longer "
    "late. `If-Match` refuses an edit over someone else's (412).",
)
def update_period(request: HttpRequest, id: Id, payload: PeriodPatchIn) -> Any:
    user = user_of(request)
    period = get_period(user, id)
    if not selectors.can_compile(user, period):
        # The period is visible (the caller reports in it): a refusal, not a 404.
        raise PermissionDenied
    changes = payload.model_dump(exclude_none=True, exclude={"reason", "reporting_kinds"})
    kinds = _kinds(payload.reporting_kinds)
    if kinds is not None:
        changes["reporting_kinds"] = kinds
    services.update_period(period, actor=user, reason=payload.reason, **changes)
    return get_period(user, id)


@router.post(
    "/report-periods/{id}/status",
    response={200: ReportPeriodOut, **WRITE_ERRORS},
    summary="Đóng hoặc mở lại kỳ báo cáo / close or reopen a period (PLAN_MANAGE on the issuer)",
)
def set_period_status(request: HttpRequest, id: Id, payload: PeriodStatusIn) -> Any:
    user = user_of(request)
    period = get_period(user, id)
    if not selectors.can_compile(user, period):
        # The period is visible (the caller reports in it): a refusal, not a 404.
        raise PermissionDenied
    services.set_period_status(period, actor=user, status=payload.status)
    return get_period(user, id)


@router.post(
    "/report-periods/{id}/reports",
    response={200: ReportDetailOut, 201: ReportDetailOut, **WRITE_ERRORS},
    summary="Lập (hoặc cập nhật số liệu) dự thảo báo cáo / create a draft, or refresh it "
    "(REPORT_SUBMIT)",
    description="201 khi tạo mới, 200 khi đã có / 201 when created, 200 when it existed.",
)
def create_report(request: HttpRequest, id: Id, payload: ReportIn) -> Any:
    user = user_of(request)
    period = get_period(user, id)
    organisation = get_organisation(user, Perm.ORG_VIEW, payload.organisation)
    access.require(user, Perm.REPORT_SUBMIT, organisation)
    # The organisations the page offers: those expected to report in this period.
    if not selectors.expected_organisations(period).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {
                "organisation": "Cơ quan không thuộc diện báo cáo kỳ này. / "
                "This organisation does not report in this period."
            }
        )
    existed = OrganisationReport.objects.filter(period=period, organisation=organisation).exists()
    report = services.create_report(period, organisation=organisation, actor=user)
    return Status(200 if existed else 201, get_report(user, report.pk))


@router.patch(
    "/reports/{id}",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Sửa nội dung báo cáo / edit the narrative of a draft or returned report "
    "(REPORT_SUBMIT)",
)
def edit_report(request: HttpRequest, id: Id, payload: NarrativeIn) -> Any:
    user = user_of(request)
    report = get_report(user, id)
    workflow.require_reporter(user, report)
    services.edit_report(report, actor=user, **payload.model_dump(exclude_none=True))
    return get_report(user, id)


@router.post(
    "/reports/{id}/refresh",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Cập nhật số liệu từ hệ thống / refresh the indicators (REPORT_SUBMIT)",
)
def refresh_report(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.refresh_indicators(get_report(user, id), actor=user)
    return get_report(user, id)


@router.post(
    "/reports/{id}/submit",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Nộp báo cáo / submit (REPORT_SUBMIT)",
)
def submit_report(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.submit_report(get_report(user, id), actor=user)
    return get_report(user, id)


@router.post(
    "/reports/{id}/decision",
    response={200: ReportDetailOut, **WRITE_ERRORS},
    summary="Trả lại hoặc tiếp nhận báo cáo / return or accept (PLAN_MANAGE on the issuer)",
)
def review_report(request: HttpRequest, id: Id, payload: ReportReviewIn) -> Any:
    user = user_of(request)
    report = get_report(user, id)
    workflow.require_reviewer(user, report)
    if payload.decision == "return":
        services.return_report(report, actor=user, comments=payload.comments)
    else:
        services.accept_report(report, actor=user, comments=payload.comments)
    return get_report(user, id)
