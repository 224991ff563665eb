"""The code-of-conduct catalogue, public: anyone may read the standards in force.

Drafts are internal work and answer 404 here. Which versions are published,
which is the province's, and how clauses are searched is decided in
`conduct.models` / `conduct.selectors`; this module only shapes the JSON.
"""

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from congvu.conduct import selectors
from congvu.conduct.models import Clause, CodeVersion, Section

from .common import Id, OrganisationRef, Pagination, SearchText
from .errors import ErrorOut, ValidationErrorOut

router = Router(tags=["catalogue"], auth=None)

_ERRORS: dict[int, Any] = {404: ErrorOut, 422: ValidationErrorOut}


class VersionOut(Schema):
    id: int
    title: str
    version: str
    status: CodeVersion.Status
    scope: OrganisationRef
    is_supplement: bool
    source_document: str
    effective_from: dt.date | None
    retired_on: dt.date | None


class ClauseOut(Schema):
    id: int
    code: str
    parent_id: int | None
    short_title: str
    short_title_en: str = Field(
        ..., description="Tên ngắn bằng tiếng Anh, có thể trống / the short title in English"
    )
    text: str = Field(
        ..., description="Nội dung (văn bản của tỉnh, chỉ tiếng Việt) / the text (Vietnamese only)"
    )
    plain_text: str = Field(
        ..., description="Diễn giải cho người dân / the plain-language explanation"
    )
    plain_text_en: str = Field(
        ..., description="Diễn giải bằng tiếng Anh, có thể trống / the explanation in English"
    )
    applies_to: Clause.AppliesTo
    rateable: bool
    rating_question: str = Field(
        ..., description="Câu hỏi trên phiếu đánh giá / the rating form's question"
    )
    rating_question_en: str = Field(
        ..., description="Câu hỏi bằng tiếng Anh / the question in English"
    )
    rating_yes_is_breach: bool
    observable: bool
    default_severity: Clause.Severity
    keywords: str
    order: int
    is_incomplete: bool


class SectionOut(Schema):
    id: int
    code: str
    title: str
    intro: str
    order: int
    is_incomplete: bool
    clauses: list[ClauseOut]

    @staticmethod
    def resolve_clauses(obj: Section) -> Any:
        return obj.clauses.all()


class VersionDetailOut(VersionOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj: CodeVersion) -> Any:
        return obj.sections.all()


class SectionRef(Schema):
    id: int
    code: str
    title: str


class ClauseHitOut(ClauseOut):
    version_id: int
    section: SectionRef

    @staticmethod
    def resolve_version_id(obj: Clause) -> int:
        return obj.section.version_id


class ClauseFilters(Schema):
    q: SearchText | None = Field(
        None,
        description="Tìm không dấu, trong tiếng Việt; cả tiếng Anh khi yêu cầu bằng tiếng Anh "
        "/ accent-insensitive search of the Vietnamese; of the English too when the request "
        "is in English (Accept-Language: en)",
    )


def _public_versions() -> Any:
    return CodeVersion.objects.published().select_related("scope")


def _with_content(qs: Any) -> Any:
    return qs.prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("order", "code")),
        Prefetch("sections__clauses", queryset=Clause.objects.order_by("order", "code")),
    )


@router.get(
    "/versions",
    response=list[VersionOut],
    summary="Các bộ quy tắc đang và đã áp dụng / active and retired catalogue versions",
)
def list_versions(request: HttpRequest) -> Any:
    return _public_versions().order_by("scope__path", "-effective_from", "-pk")


@router.get(
    "/versions/{id}",
    response={200: VersionDetailOut, **_ERRORS},
    summary="Một bộ quy tắc với các mục và chuẩn mực / one version with sections and clauses",
)
def get_version(request: HttpRequest, id: Id) -> Any:
    version = _with_content(_public_versions()).filter(pk=id).first()
    if version is None:
        raise Http404
    return version


@router.get(
    "/active",
    response={200: VersionDetailOut, **_ERRORS},
    summary="Bộ quy tắc của tỉnh đang áp dụng / the province's catalogue in force",
)
def active_version(request: HttpRequest) -> Any:
    version = selectors.provincial_version()
    if version is None:
        raise Http404
    return _with_content(_public_versions()).get(pk=version.pk)


@router.get(
    "/clauses",
    response={200: list[ClauseHitOut], 422: ValidationErrorOut},
    summary="Tìm chuẩn mực đang áp dụng / search clauses in force",
)
@paginate(Pagination)
def search_clauses(request: HttpRequest, filters: Query[ClauseFilters]) -> Any:
    in_force = CodeVersion.objects.filter(status=CodeVersion.Status.ACTIVE)
    return selectors.search_clauses(filters.q, in_force)
