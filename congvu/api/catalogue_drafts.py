"""The catalogue's drafts, written: what the draft pages (/standards/manage/) allow.

Create a draft (empty or copied from a version), change its details, add, change and
remove its sections and clauses, publish it (it comes into force and retires the
scope's version in force), or delete it. The permission is the pages':
CATALOGUE_MANAGE on the version's scope (the Department of Home Affairs for the
province's catalogue; `access.require`: invisible → 404, visible without it → 403).
Every write goes through `conduct.services`, the functions the pages call, which
check, lock and audit; their refusals (a version no longer a draft, a code already
used, an empty catalogue published…) are 422s with their bilingual messages.

The reads here show a draft to those who may edit it, with the editor's notes the
public catalogue (`api.catalogue`) leaves out.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictInt, StringConstraints

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.conduct import selectors, services
from congvu.conduct.models import Clause, CodeVersion, Section
from congvu.organisations.models import Organisation

from .catalogue import ClauseOut, VersionOut
from .common import NO_NUL, NOT_BLANK, BodyId, Id
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, sent
from .security import AUTH, user_of

router = Router(tags=["catalogue"], auth=AUTH)

_DELETED: dict[int, Any] = {204: None, **WRITE_ERRORS}


# --- Output --------------------------------------------------------------------------------


class DraftClauseOut(ClauseOut):
    section_id: int
    note: str = Field(..., description="Ghi chú biên tập / the editor's note")


class DraftSectionOut(Schema):
    id: int
    version_id: int
    code: str
    title: str
    intro: str
    order: int
    is_incomplete: bool
    note: str = Field(..., description="Ghi chú biên tập / the editor's note")
    clauses: list[DraftClauseOut]

    @staticmethod
    def resolve_clauses(obj: Section) -> Any:
        return obj.clauses.all()


class DraftOut(VersionOut):
    based_on_id: int | None
    note: str
    sections: list[DraftSectionOut]

    @staticmethod
    def resolve_sections(obj: CodeVersion) -> Any:
        return obj.sections.all()


# --- Input ---------------------------------------------------------------------------------


# The limits of the draft pages' forms (conduct.forms) and the model's columns.
SectionCode = Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=NOT_BLANK)]
ClauseCode = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=NOT_BLANK)]
VersionLabel = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NOT_BLANK)]
ShortTitle = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=NOT_BLANK)]
Body = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NOT_BLANK)]
Line200 = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Line300 = Annotated[str, StringConstraints(max_length=300, pattern=NO_NUL)]
Note = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
Order = Annotated[StrictInt, Field(ge=0, le=100_000)]


class DraftIn(BodyIn):
    """A new draft, as the form on /standards/manage/ makes it."""

    model_config = ConfigDict(extra="forbid")

    scope: BodyId = Field(
        ..., description="Cơ quan áp dụng (UBND tỉnh: bộ của tỉnh) / the scope organisation"
    )
    title: Title
    version: VersionLabel
    based_on: BodyId | None = Field(
        None, description="Sao chép nội dung từ phiên bản / copy the contents of this version"
    )


class DraftPatchIn(BodyIn):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    version: VersionLabel | None = None
    source_document: Line300 | None = None
    note: Note | None = None


class DraftSectionIn(BodyIn):
    model_config = ConfigDict(extra="forbid")

    code: SectionCode
    title: Title
    intro: Note = ""
    order: Order | None = Field(None, description="Mặc định: cuối cùng / default: last")
    is_incomplete: StrictBool = False
    note: Note = ""


class DraftSectionPatchIn(BodyIn):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    code: SectionCode | None = None
    title: Title | None = None
    intro: Note | None = None
    order: Order | None = None
    is_incomplete: StrictBool | None = None
    note: Note | None = None


class DraftClauseIn(BodyIn):
    """A clause, with the fields of the clause form; the English ones are optional (empty:
    readers who chose English read the Vietnamese)."""

    model_config = ConfigDict(extra="forbid")

    code: ClauseCode
    short_title: ShortTitle
    short_title_en: Line200 = Field(
        "", description="Tên ngắn bằng tiếng Anh / the short title in English"
    )
    parent: BodyId | None = Field(
        None, description="Điều khoản cha trong cùng mục / the parent clause, same section"
    )
    text: Body
    plain_text: Line300 = ""
    plain_text_en: Line300 = Field(
        "", description="Diễn giải bằng tiếng Anh / the plain-language explanation in English"
    )
    applies_to: Clause.AppliesTo = Clause.AppliesTo.ALL
    rateable: StrictBool = False
    rating_question: Line300 = ""
    rating_question_en: Line300 = ""
    rating_yes_is_breach: StrictBool = False
    observable: StrictBool = False
    default_severity: Clause.Severity = Clause.Severity.MINOR
    keywords: Line300 = Field("", description="Cách nhau bằng dấu phẩy / comma-separated")
    order: Order | None = Field(None, description="Mặc định: cuối mục / default: last")
    is_incomplete: StrictBool = False
    note: Note = ""


class DraftClausePatchIn(BodyIn):
    """Only the fields sent change; `parent: null` makes the clause a clause of its own."""

    model_config = ConfigDict(extra="forbid")

    code: ClauseCode | None = None
    short_title: ShortTitle | None = None
    short_title_en: Line200 | None = None
    parent: BodyId | None = None
    text: Body | None = None
    plain_text: Line300 | None = None
    plain_text_en: Line300 | None = None
    applies_to: Clause.AppliesTo | None = None
    rateable: StrictBool | None = None
    rating_question: Line300 | None = None
    rating_question_en: Line300 | None = None
    rating_yes_is_breach: StrictBool | None = None
    observable: StrictBool | None = None
    default_severity: Clause.Severity | None = None
    keywords: Line300 | None = None
    order: Order | None = None
    is_incomplete: StrictBool | None = None
    note: Note | None = None


def _draft_out(pk: int) -> CodeVersion:
    return (
        CodeVersion.objects.select_related("scope")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("order", "code")),
            Prefetch("sections__clauses", queryset=Clause.objects.order_by("order", "code")),
        )
        .get(pk=pk)
    )


def _section_out(pk: int) -> Section:
    return Section.objects.prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.order_by("order", "code"))
    ).get(pk=pk)


def _parent(section: Section, parent_id: int | None) -> Clause | None:
    """The parent named in a body: a clause of the same section, else a 422 on `parent`."""
    if parent_id is None:
        return None
    parent = Clause.objects.filter(section__version_id=section.version_id, pk=parent_id).first()
    if parent is None:
        raise ValidationError(
            {"parent": _("Điều khoản cha không hợp lệ. / Invalid parent.")}, code="invalid"
        )
    return parent


def _scope(user: User, scope_id: int) -> Organisation:
    """The draft form's choice of scope: an organisation (not a division) in force, where
    the user holds CATALOGUE_MANAGE."""
    scope = access.get_for(
        user,
        Perm.CATALOGUE_MANAGE,
        Organisation.objects.select_related("kind"),
        organisation_of="",
        pk=scope_id,
    )
    if scope.kind.is_division or not Organisation.objects.current().filter(pk=scope.pk).exists():
        raise ValidationError({"scope": _("Phạm vi không hợp lệ. / Invalid scope.")})
    return scope


# --- Drafts --------------------------------------------------------------------------------


@router.post(
    "/drafts",
    response={201: DraftOut, **WRITE_ERRORS},
    summary="Tạo dự thảo bộ quy tắc / create a catalogue draft (CATALOGUE_MANAGE)",
)
def create_draft(request: HttpRequest, payload: DraftIn) -> Any:
    user = user_of(request)
    scope = _scope(user, payload.scope)
    based_on = None
    if payload.based_on is not None:
        based_on = CodeVersion.objects.visible_to(user).filter(pk=payload.based_on).first()
        if based_on is None:
            raise Http404
    version = services.create_draft(
        scope, actor=user, title=payload.title, version=payload.version, based_on=based_on
    )
    return Status(201, _draft_out(version.pk))


@router.get(
    "/drafts/{id}",
    response={200: DraftOut, **READ_ERRORS},
    summary="Một dự thảo với các mục và chuẩn mực / one draft with its contents (CATALOGUE_MANAGE)",
    description="Cũng đọc được phiên bản đã công bố của phạm vi mình quản lý. / "
    "Also reads the published versions of the scopes the caller manages.",
)
def get_draft(request: HttpRequest, id: Id) -> Any:
    return _draft_out(selectors.managed_version(user_of(request), id).pk)


@router.patch(
    "/drafts/{id}",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Sửa thông tin dự thảo / change a draft's details (CATALOGUE_MANAGE)",
)
def update_draft(request: HttpRequest, id: Id, payload: DraftPatchIn) -> Any:
    user = user_of(request)
    version = selectors.managed_version(user, id)
    services.edit_version(version, actor=user, **sent(payload, frozenset()))
    return _draft_out(version.pk)


@router.delete(
    "/drafts/{id}",
    response=_DELETED,
    summary="Xóa dự thảo / delete a draft (CATALOGUE_MANAGE)",
)
def delete_draft(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.delete_draft(selectors.managed_version(user, id), actor=user)
    return Status(204, None)


@router.post(
    "/drafts/{id}/publish",
    response={200: DraftOut, **WRITE_ERRORS},
    summary="Công bố dự thảo: áp dụng từ hôm nay / bring a draft into force today "
    "(CATALOGUE_MANAGE)",
    description="Phiên bản đang áp dụng của phạm vi hết hiệu lực cùng ngày. / "
    "The scope's version in force is retired the same day.",
)
def publish_draft(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.activate(selectors.managed_version(user, id), actor=user)
    return _draft_out(id)


# --- Sections ------------------------------------------------------------------------------


@router.post(
    "/drafts/{id}/sections",
    response={201: DraftSectionOut, **WRITE_ERRORS},
    summary="Thêm mục vào dự thảo / add a section to a draft (CATALOGUE_MANAGE)",
)
def create_draft_section(request: HttpRequest, id: Id, payload: DraftSectionIn) -> Any:
    user = user_of(request)
    version = selectors.managed_version(user, id)
    section = services.add_section(version, actor=user, **payload.model_dump())
    return Status(201, _section_out(section.pk))


@router.get(
    "/draft-sections/{id}",
    response={200: DraftSectionOut, **READ_ERRORS},
    summary="Một mục của dự thảo / one section of a draft (CATALOGUE_MANAGE)",
)
def get_draft_section(request: HttpRequest, id: Id) -> Any:
    return _section_out(selectors.managed_section(user_of(request), id).pk)


@router.patch(
    "/draft-sections/{id}",
    response={200: DraftSectionOut, **WRITE_ERRORS},
    summary="Sửa mục / change a section of a draft (CATALOGUE_MANAGE)",
)
def update_draft_section(request: HttpRequest, id: Id, payload: DraftSectionPatchIn) -> Any:
    user = user_of(request)
    section = selectors.managed_section(user, id)
    services.edit_section(section, actor=user, **sent(payload, frozenset()))
    return _section_out(section.pk)


@router.delete(
    "/draft-sections/{id}",
    response=_DELETED,
    summary="Xóa mục cùng các chuẩn mực của nó / delete a section and its clauses "
    "(CATALOGUE_MANAGE)",
)
def delete_draft_section(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.delete_section(selectors.managed_section(user, id), actor=user)
    return Status(204, None)


# --- Clauses -------------------------------------------------------------------------------


@router.post(
    "/draft-sections/{id}/clauses",
    response={201: DraftClauseOut, **WRITE_ERRORS},
    summary="Thêm chuẩn mực vào mục / add a clause to a section of a draft (CATALOGUE_MANAGE)",
)
def create_draft_clause(request: HttpRequest, id: Id, payload: DraftClauseIn) -> Any:
    user = user_of(request)
    section = selectors.managed_section(user, id)
    fields = payload.model_dump()
    parent = _parent(section, fields.pop("parent"))
    clause = services.add_clause(section, actor=user, parent=parent, **fields)
    return Status(201, Clause.objects.get(pk=clause.pk))


@router.get(
    "/draft-clauses/{id}",
    response={200: DraftClauseOut, **READ_ERRORS},
    summary="Một chuẩn mực của dự thảo / one clause of a draft (CATALOGUE_MANAGE)",
)
def get_draft_clause(request: HttpRequest, id: Id) -> Any:
    return selectors.managed_clause(user_of(request), id)


@router.patch(
    "/draft-clauses/{id}",
    response={200: DraftClauseOut, **WRITE_ERRORS},
    summary="Sửa chuẩn mực / change a clause of a draft (CATALOGUE_MANAGE)",
)
def update_draft_clause(request: HttpRequest, id: Id, payload: DraftClausePatchIn) -> Any:
    user = user_of(request)
    clause = selectors.managed_clause(user, id)
    fields = sent(payload, frozenset({"parent"}))
    if "parent" in fields:
        fields["parent"] = _parent(clause.section, fields["parent"])
    services.edit_clause(clause, actor=user, **fields)
    return Clause.objects.get(pk=clause.pk)


@router.delete(
    "/draft-clauses/{id}",
    response=_DELETED,
    summary="Xóa chuẩn mực (cùng các điểm con) / delete a clause and its items (CATALOGUE_MANAGE)",
)
def delete_draft_clause(request: HttpRequest, id: Id) -> Any:
    user = user_of(request)
    services.delete_clause(selectors.managed_clause(user, id), actor=user)
    return Status(204, None)
