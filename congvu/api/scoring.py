"""Scorecards and rankings, scoped like the pages.

Reads: published scorecards and their rankings are public (no authentication
needed; a caller who authenticates also sees the scorecards they manage, in
every state). One organisation's breakdown needs an account: ORG_VIEW on the
organisation, or SCORE_MANAGE on the scorecard. Writes (create, compute,
publish, delete) need SCORE_MANAGE on the scorecard's organisation and call
`scoring.services`.

The ranking's files (DOCX, PDF, XLSX; `scoring.documents`): a published scorecard's for
any account, its PDF without one too (as on /rankings/); an unpublished one's for its
managers; a draft has none yet (422). A large ranking's PDF is made on the background
worker (`scoring.pdf_exports`): 202 with a status URL until it is ready.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints, WithJsonSchema

from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core import pdf_exports as jobs
from congvu.organisations.models import OrganisationKind
from congvu.scoring import documents, pdf_exports, selectors, services
from congvu.scoring.models import OrganisationScore, RankingPdfExport, Scorecard

from .background_files import BackgroundFileOut, background_file_out
from .common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    Id,
    OrganisationRef,
    Pagination,
    SearchText,
    Slug,
    file_responses,
)
from .errors import ErrorOut, ValidationErrorOut
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, Day, get_organisation, one_of
from .security import AUTH, user_of

router = Router(tags=["Xếp hạng / Scorecards and rankings"], auth=AUTH)

ScorecardStatus = Annotated[Scorecard.Status, WithJsonSchema(one_of(Scorecard.Status))]
PUBLIC_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _anonymous(request: HttpRequest) -> Any:
    """Lets a caller without credentials through to the public reads; a caller who sent
    an Authorization header that did not authenticate still gets 401."""
    if request.headers.get("Authorization"):
        return None
    return AnonymousUser()


OPTIONAL_AUTH = [*AUTH, _anonymous]
# OpenAPI: `{}` among the alternatives says the operation also works without credentials.
OPTIONAL_SECURITY: dict[str, Any] = {"security": [{}]}


def caller(request: HttpRequest) -> Any:
    user = getattr(request, "auth", None)
    return user if isinstance(user, User) else AnonymousUser()


# --- output -------------------------------------------------------------------------------


class CriterionOut(Schema):
    metric: str = Field(..., description="Mã chỉ số / metric code")
    label: str
    weight: float
    formula: str = Field(..., description="Cách tính 0–100 / how the 0–100 value is computed")


class ConditionOut(Schema):
    metric: str = Field(..., description="Mã chỉ số / metric code")
    min: float = Field(..., description="Giá trị tối thiểu 0–100 / lowest value")


class GradeOut(Schema):
    min: float = Field(..., description="Ngưỡng tổng điểm / lowest total of the grade")
    label: str
    label_en: str = Field("", description="Tên tiếng Anh / English label")
    conditions: list[ConditionOut] = Field(
        [],
        description=(
            "Điều kiện; không đạt thì xếp mức thấp hơn / conditions; an organisation that "
            "misses one gets the next lower grade"
        ),
    )


class GradeNoteOut(Schema):
    grade: str = Field(..., description="Mức không được xếp / the grade not given")
    metric: str
    value: float
    min: float


class ScorecardOut(Schema):
    id: int
    name: str
    organisation: OrganisationRef
    period_start: dt.date
    period_end: dt.date
    status: ScorecardStatus
    kinds: list[str] = Field(..., description="Mã loại cơ quan được chấm / kind codes")
    criteria: list[CriterionOut]
    grades: list[GradeOut]
    min_criteria: int | None
    needed_criteria: int = Field(
        ..., description="Số tiêu chí có dữ liệu cần để được xếp hạng / criteria needed to rank"
    )
    description: str
    computed_at: dt.datetime | None
    computed_as_of: dt.date | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_kinds(obj: Scorecard) -> list[str]:
        return sorted(kind.code for kind in obj.kinds.all())

    @staticmethod
    def resolve_criteria(obj: Scorecard) -> list[dict[str, Any]]:
        return [
            {
                "metric": c.metric,
                "label": c.display_label,
                "weight": float(c.weight),
                "formula": c.formula,  # type: ignore[attr-defined]
            }
            for c in selectors.criteria_of(obj)
        ]

    @staticmethod
    def resolve_needed_criteria(obj: Scorecard) -> int:
        return obj.needed_criteria(obj.criteria.count())


class ScoredOrganisation(Schema):
    id: int
    code: str
    name: str = Field(..., description="Tên khi chấm điểm / name when scored")


class ScoreOut(Schema):
    organisation: ScoredOrganisation
    kind: str
    total: float | None = Field(..., description="0–100; null: chưa đủ dữ liệu / not enough data")
    rank: int | None = Field(..., description="Thứ hạng trong loại / rank within the kind")
    grade: str
    grade_notes: list[GradeNoteOut] = Field(
        ..., description="Điều kiện xếp loại không đạt / grade conditions missed"
    )
    criteria_with_data: int
    missing: list[str] = Field(..., description="Tiêu chí không có dữ liệu / criteria without data")
    values: dict[str, float | None] = Field(..., description="Điểm 0–100 theo chỉ số / per metric")

    @staticmethod
    def resolve_organisation(obj: OrganisationScore) -> dict[str, Any]:
        return {
            "id": obj.organisation_id,
            "code": obj.organisation_code,
            "name": obj.organisation_name,
        }

    @staticmethod
    def resolve_kind(obj: OrganisationScore) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_criteria_with_data(obj: OrganisationScore) -> int:
        return obj.with_data

    @staticmethod
    def resolve_values(obj: OrganisationScore) -> dict[str, float | None]:
        return {metric: part.get("value") for metric, part in obj.parts.items()}


class PartOut(Schema):
    metric: str
    label: str
    value: float | None
    weight: float
    share: float = Field(..., description="Tỷ trọng sau khi chia lại (0–1) / renormalised weight")
    contribution: float | None
    median: float | None = Field(..., description="Trung vị của loại / median of the kind")
    detail: dict[str, float]


class BreakdownOut(Schema):
    scorecard: int
    score: ScoreOut
    parts: list[PartOut]
    organisations_in_kind: int
    ranked_in_kind: int
    median_total: float | None


# --- input --------------------------------------------------------------------------------


class CriterionIn(BodyIn):
    metric: Slug
    weight: float = Field(..., description="> 0", allow_inf_nan=False)
    label: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] = ""


class ConditionIn(BodyIn):
    metric: Slug
    min: float = Field(..., ge=0, le=100, allow_inf_nan=False)


class GradeIn(BodyIn):
    min: float = Field(..., ge=0, le=100, allow_inf_nan=False)
    label: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NOT_BLANK)]
    label_en: Annotated[str, StringConstraints(max_length=120, pattern=NO_NUL)] = ""
    conditions: list[ConditionIn] = Field([], max_length=services.MAX_CONDITIONS)


class ScorecardIn(BodyIn):
    organisation: BodyId = Field(..., description="Cơ quan chấm điểm / issuing organisation")
    name: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=NOT_BLANK)]
    period_start: Day
    period_end: Day
    kinds: list[Slug] = Field(..., min_length=1, max_length=50)
    criteria: list[CriterionIn] = Field(..., min_length=1, max_length=services.MAX_CRITERIA)
    grades: list[GradeIn] | None = Field(
        None,
        max_length=20,
        description="Mặc định: Nghị định 90 (≥ 80 % nhiệm vụ đúng hạn cho mức tốt trở lên) / "
        "default: Decree 90 (≥ 80 % of tasks on time for “good” and above)",
    )
    min_criteria: int | None = Field(None, ge=1, le=services.MAX_CRITERIA)
    description: Annotated[str, StringConstraints(max_length=5_000, pattern=NO_NUL)] = ""


class RankingFilters(Schema):
    kind: Slug | None = Field(None, description="Mã loại cơ quan / kind code")
    q: SearchText = Field("", description="Tìm theo tên, không cần dấu / name, accents optional")
    sort: Literal["rank", "-total", "total", "name"] = "rank"


class ScorecardFilters(Schema):
    status: ScorecardStatus | None = None


# --- reads --------------------------------------------------------------------------------


def _scorecards(user: Any) -> Any:
    return selectors.scorecards(user).prefetch_related("kinds", "criteria")


@router.get(
    "/scorecards",
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: list[ScorecardOut], **PUBLIC_ERRORS},
    summary="Bảng điểm / scorecards (published ones without authentication)",
)
@paginate(Pagination)
def list_scorecards(request: HttpRequest, filters: Query[ScorecardFilters]) -> Any:
    qs = _scorecards(caller(request))
    if filters.status is not None:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-period_end", "-pk")


@router.get(
    "/scorecards/{id}",
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: ScorecardOut, **PUBLIC_ERRORS},
    summary="Một bảng điểm / one scorecard",
)
def get_scorecard(request: HttpRequest, id: Id) -> Any:
    return selectors.get_scorecard(caller(request), id)


@router.get(
    "/scorecards/{id}/ranking",
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: list[ScoreOut], **PUBLIC_ERRORS},
    summary="Xếp hạng của bảng điểm / a scorecard's ranking",
)
@paginate(Pagination)
def get_ranking(request: HttpRequest, id: Id, filters: Query[RankingFilters]) -> Any:
    scorecard = selectors.get_scorecard(caller(request), id)
    kind_id = None
    if filters.kind is not None:
        kind = OrganisationKind.objects.filter(code=filters.kind).first()
        kind_id = kind.pk if kind is not None else -1
    return selectors.ranking(scorecard, kind=kind_id, q=filters.q, sort=filters.sort)


@router.get(
    "/scorecards/{id}/organisations/{organisation_id}",
    response={200: BreakdownOut, **READ_ERRORS},
    summary="Điểm chi tiết của một cơ quan / one organisation's breakdown",
)
def get_breakdown(request: HttpRequest, id: Id, organisation_id: Id) -> Any:
    user = user_of(request)
    scorecard = selectors.get_scorecard(user, id)
    score = selectors.get_score(user, scorecard, organisation_id)
    b = selectors.breakdown(scorecard, score)
    return {
        "scorecard": scorecard.pk,
        "score": score,
        "parts": [
            {
                "metric": p.metric,
                "label": p.label,
                "value": p.value,
                "weight": p.weight,
                "share": p.share,
                "contribution": p.contribution,
                "median": p.median,
                "detail": p.detail,
            }
            for p in b.parts
        ],
        "organisations_in_kind": b.kind_count,
        "ranked_in_kind": b.ranked_count,
        "median_total": b.median_total,
    }


# --- the ranking's files -------------------------------------------------------------------

FILE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def _document(request: HttpRequest, id: int, fmt: str) -> HttpResponse:
    scorecard = selectors.get_for_documents(caller(request), id)
    return documents.exporter(scorecard, fmt).response()


@router.get(
    "/scorecards/{id}/ranking.docx",
    response=FILE_ERRORS,
    summary="Văn bản xếp hạng, đề nghị khen thưởng (Word) / the ranking as a Word document",
    openapi_extra=file_responses(documents.RankingDocx.content_type),
)
def get_ranking_docx(request: HttpRequest, id: Id) -> Any:
    return _document(request, id, "docx")


class PdfExportOut(BackgroundFileOut):
    """A large ranking's PDF being made on the background worker."""

    rows: int = Field(..., description="Số cơ quan trong văn bản / organisations in it")


def _export_out(scorecard: Scorecard, export: RankingPdfExport) -> dict[str, Any]:
    return background_file_out(export, f"/api/v1/scorecards/{scorecard.pk}/ranking-pdf/{export.pk}")


def _pdf_export(request: HttpRequest, id: int, export_id: int) -> tuple[Scorecard, Any]:
    scorecard = selectors.get_for_documents(caller(request), id)
    export = RankingPdfExport.objects.filter(pk=export_id, scorecard=scorecard).first()
    if export is None:
        raise Http404
    return scorecard, export


@router.get(
    "/scorecards/{id}/ranking.pdf",
    auth=OPTIONAL_AUTH,
    response={202: PdfExportOut, **FILE_ERRORS},
    summary="Văn bản xếp hạng (PDF) / the ranking as a PDF (published: without authentication)",
    description=(
        "Xếp hạng lớn: tệp được tạo nền; trả 202 kèm địa chỉ hỏi tình trạng (Location) cho "
        "tới khi xong. / A large ranking's PDF is made in the background: 202 with the "
        "status URL (also in `Location`) until it is ready, then 200 with the file here "
        "and at `file_url`."
    ),
    openapi_extra={**file_responses(documents.RankingPdf.content_type), **OPTIONAL_SECURITY},
)
def get_ranking_pdf(request: HttpRequest, id: Id, response: HttpResponse) -> Any:
    user = caller(request)
    scorecard = selectors.get_for_documents(user, id)
    export = pdf_exports.request_pdf(scorecard, actor=user)
    if export is None:
        return documents.exporter(scorecard, "pdf").response()
    if jobs.is_ready(export):
        return pdf_exports.file_response(export)
    out = _export_out(scorecard, export)
    response["Location"] = out["status_url"]
    response["Retry-After"] = "5"
    return Status(202, out)


@router.get(
    "/scorecards/{id}/ranking-pdf/{export_id}",
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    response={200: PdfExportOut, **FILE_ERRORS},
    summary="Tình trạng tạo PDF xếp hạng / a ranking PDF's progress",
)
def get_ranking_pdf_export(request: HttpRequest, id: Id, export_id: Id) -> Any:
    return _export_out(*_pdf_export(request, id, export_id))


@router.get(
    "/scorecards/{id}/ranking-pdf/{export_id}/file",
    auth=OPTIONAL_AUTH,
    response=FILE_ERRORS,
    summary="Tệp PDF xếp hạng đã tạo / a finished ranking PDF (404 until it is done)",
    openapi_extra={**file_responses(documents.RankingPdf.content_type), **OPTIONAL_SECURITY},
)
def get_ranking_pdf_file(request: HttpRequest, id: Id, export_id: Id) -> Any:
    return pdf_exports.file_response(_pdf_export(request, id, export_id)[1])


@router.get(
    "/scorecards/{id}/ranking.xlsx",
    response=FILE_ERRORS,
    summary="Xếp hạng (Excel) / the ranking as a workbook",
    openapi_extra=file_responses(documents.RankingXlsx.content_type),
)
def get_ranking_xlsx(request: HttpRequest, id: Id) -> Any:
    return _document(request, id, "xlsx")


# --- writes -------------------------------------------------------------------------------


@router.post(
    "/scorecards",
    response={201: ScorecardOut, **WRITE_ERRORS},
    summary="Tạo bảng điểm / create a scorecard (SCORE_MANAGE on the organisation)",
)
def create_scorecard(request: HttpRequest, payload: ScorecardIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.SCORE_MANAGE, payload.organisation)
    found = {k.code: k for k in OrganisationKind.objects.filter(code__in=payload.kinds)}
    unknown = [code for code in payload.kinds if code not in found]
    if unknown:
        raise ValidationError({"kinds": f"Không có loại cơ quan: {unknown}. / Unknown: {unknown}."})
    scorecard = services.create_scorecard(
        organisation,
        actor=user,
        name=payload.name,
        period_start=payload.period_start,
        period_end=payload.period_end,
        kinds=list(found.values()),
        criteria=[services.CriterionIn(c.metric, c.weight, c.label) for c in payload.criteria],
        grades=(
            [
                services.GradeIn(
                    g.min,
                    g.label,
                    g.label_en,
                    [services.ConditionIn(c.metric, c.min) for c in g.conditions],
                )
                for g in payload.grades
            ]
            if payload.grades is not None
            else None
        ),
        min_criteria=payload.min_criteria,
        description=payload.description,
    )
    return Status(201, selectors.get_scorecard(user, scorecard.pk))


@router.post(
    "/scorecards/{id}/compute",
    response={200: ScorecardOut, **WRITE_ERRORS},
    summary="Tính điểm / compute the scores (SCORE_MANAGE; refused once published)",
)
def compute_scorecard(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.compute(selectors.get_managed(user, id), actor=user)
    return selectors.get_scorecard(user, id)


@router.post(
    "/scorecards/{id}/publish",
    response={200: ScorecardOut, **WRITE_ERRORS},
    summary="Công bố xếp hạng / publish the ranking (SCORE_MANAGE; computed scorecards only)",
)
def publish_scorecard(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.publish(selectors.get_managed(user, id), actor=user)
    return selectors.get_scorecard(user, id)


@router.delete(
    "/scorecards/{id}",
    response={204: None, **WRITE_ERRORS},
    summary="Xóa bảng điểm / delete a scorecard (SCORE_MANAGE; draft or computed, never published)",
)
def delete_scorecard(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.delete_scorecard(selectors.get_managed(user, id), actor=user)
    return Status(204, None)
