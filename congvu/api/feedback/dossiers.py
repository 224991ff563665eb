"""Dossiers (DOSSIER_REGISTER): the one-stop system registers a dossier code and gets
the rating link (and its QR code) to print on the receipt; a batch is registered whole
or not at all. Reads are scoped to the caller's DOSSIER_REGISTER organisations,
because the link is what lets a citizen rate.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import (
    StringConstraints,
)

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.core.windowed import KeysFirst
from congvu.feedback import registration
from congvu.feedback.models import Counter, Dossier
from congvu.feedback.registration import DossierInput, RowsRejected
from congvu.organisations.models import Organisation, StaffMember

from ..common import (
    NO_NUL,
    NOT_BLANK,
    BodyId,
    Id,
    IsoDate,
    OrganisationRef,
    Pagination,
)
from ..plans import READ_ERRORS, WRITE_ERRORS, BodyIn, get_organisation
from ..security import user_of
from .schemas import CounterRef, StaffNameOut

router = Router()

# Outer spaces are stripped and the length checked again by the service (at most 60).
DossierCode = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
Procedure = Annotated[str, StringConstraints(max_length=registration.PROCEDURE_MAX, pattern=NO_NUL)]


class DossierOut(Schema):
    code: str
    organisation: OrganisationRef
    staff: StaffNameOut | None
    counter: CounterRef | None
    procedure: str
    received_on: dt.date | None
    source: Literal["api", "form", "upload"]
    registered_at: dt.datetime
    rated: bool = Field(..., description="Đã được đánh giá / already rated")
    rating_url: str = Field(
        ..., description="Đường dẫn đánh giá in trên biên nhận / the link to print on the receipt"
    )

    @staticmethod
    def resolve_rated(obj: Dossier) -> bool:
        return hasattr(obj, "rating")

    @staticmethod
    def resolve_rating_url(obj: Dossier) -> str:
        return registration.public_link("dossier", obj.rating_token)


class DossierDetailOut(DossierOut):
    qr_svg: str = Field(
        ..., description="Mã QR của đường dẫn, dạng SVG / the link's QR code as an SVG document"
    )

    @staticmethod
    def resolve_qr_svg(obj: Dossier) -> str:
        return registration.qr_svg(registration.public_link("dossier", obj.rating_token))


class DossierIn(BodyIn):
    code: DossierCode = Field(
        ..., description="Mã hồ sơ (không phân biệt hoa thường) / dossier code (case-insensitive)"
    )
    organisation: BodyId = Field(..., description="Cơ quan tiếp nhận / receiving organisation")
    staff: BodyId | None = Field(None, description="Cán bộ tiếp nhận, xử lý / handling staff")
    counter: BodyId | None = Field(None, description="Quầy tiếp nhận / counter")
    procedure: Procedure = ""
    received_on: IsoDate | None = Field(None, description="Mặc định: hôm nay / default: today")


class DossierBatchIn(BodyIn):
    dossiers: Annotated[list[DossierIn], Field(min_length=1, max_length=registration.BATCH_MAX)]


class DossierBatchOut(Schema):
    created: int = Field(..., description="Số hồ sơ mới / dossiers newly registered")
    items: list[DossierOut]


class DossierFilters(Schema):
    organisation: Id | None = Field(None, description="Cơ quan, gồm cấp dưới / and its subtree")
    code: Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)] | None = Field(
        None, description="Mã hồ sơ chứa chuỗi này / code contains"
    )
    received_after: IsoDate | None = None
    received_before: IsoDate | None = None
    rated: bool | None = Field(None, description="Đã được đánh giá / already rated")


def _dossiers() -> QuerySet[Dossier]:
    return Dossier.objects.select_related("organisation", "staff", "counter", "rating")


def _dossier_scope(user: User) -> QuerySet[Dossier]:
    access.require_anywhere(user, Perm.DOSSIER_REGISTER)
    return _dossiers().filter(
        organisation__in=access.organisations_for(user, Perm.DOSSIER_REGISTER)
    )


def _refs(payloads: list[DossierIn]) -> list[DossierInput]:
    """The rows with their ids looked up (three queries); unknown ids become row errors."""
    organisations = Organisation.objects.in_bulk({p.organisation for p in payloads})
    staff = StaffMember.objects.in_bulk({p.staff for p in payloads if p.staff is not None})
    counters = Counter.objects.in_bulk({p.counter for p in payloads if p.counter is not None})
    rows: list[DossierInput] = []
    for payload in payloads:
        errors: registration.Errors = {}
        member = staff.get(payload.staff) if payload.staff is not None else None
        if payload.staff is not None and member is None:
            errors["staff"] = ["Không tìm thấy cán bộ. / Staff member not found."]
        counter = counters.get(payload.counter) if payload.counter is not None else None
        if payload.counter is not None and counter is None:
            errors["counter"] = ["Không tìm thấy quầy. / Counter not found."]
        rows.append(
            DossierInput(
                code=payload.code,
                organisation=organisations.get(payload.organisation),
                staff=member,
                counter=counter,
                procedure=payload.procedure,
                received_on=payload.received_on,
                errors=errors,
            )
        )
    return rows


def _row_errors(exc: RowsRejected, *, prefix: list[str | int]) -> list[dict[str, Any]]:
    return [
        {"loc": [*prefix, index, name], "msg": message, "type": "value_error"}
        for index, errors in sorted(exc.rows.items())
        for name, messages in errors.items()
        for message in messages
    ]


@router.post(
    "/dossiers",
    response={200: DossierDetailOut, 201: DossierDetailOut, **WRITE_ERRORS},
    summary="Đăng ký một hồ sơ / register a dossier (DOSSIER_REGISTER)",
    description="201 khi đăng ký mới; gửi lại đúng thông tin đã đăng ký thì trả 200 với hồ sơ "
    "đó; mã đã đăng ký với thông tin khác thì 422. / 201 when registered; the same "
    "registration again answers 200 with it; a code taken with other details is a 422.",
)
def register_dossier(request: HttpRequest, payload: DossierIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.DOSSIER_REGISTER, payload.organisation)
    row = _refs([payload])[0]
    if row.errors:
        raise ValidationError(row.errors)
    existed = Dossier.objects.filter(code=registration.normalise_code(payload.code)).exists()
    dossier = registration.register_dossier(
        payload.code,
        organisation=organisation,
        staff=row.staff,
        counter=row.counter,
        procedure=payload.procedure,
        received_on=payload.received_on,
        source=Dossier.Source.API,
        actor=user,
    )
    return Status(200 if existed else 201, _dossiers().get(pk=dossier.pk))


@router.post(
    "/dossiers/batch",
    response={201: DossierBatchOut, **WRITE_ERRORS},
    summary="Đăng ký nhiều hồ sơ, tất cả hoặc không / register dossiers, all or none "
    "(DOSSIER_REGISTER)",
    description=f"Tối đa {registration.BATCH_MAX} hồ sơ. Một dòng sai thì không dòng nào được "
    "ghi; lỗi 422 chỉ rõ từng dòng (`loc`: body, dossiers, số thứ tự từ 0, trường). Dòng "
    "trùng khớp hồ sơ đã đăng ký được trả lại như cũ. / At most "
    f"{registration.BATCH_MAX}. One wrong row and nothing is written; the 422 names each row "
    "(`loc`: body, dossiers, index from 0, field). Rows repeating an existing registration "
    "exactly are returned as they are.",
)
def register_dossier_batch(request: HttpRequest, payload: DossierBatchIn) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.DOSSIER_REGISTER)
    codes = {registration.normalise_code(p.code) for p in payload.dossiers}
    before = set(Dossier.objects.filter(code__in=codes).values_list("code", flat=True))
    try:
        dossiers = registration.register_dossiers(
            _refs(payload.dossiers), source=Dossier.Source.API, actor=user
        )
    except RowsRejected as exc:
        return Status(422, {"detail": _row_errors(exc, prefix=["body", "dossiers"])})
    found = _dossiers().in_bulk([d.pk for d in dossiers])
    return Status(
        201,
        {
            "created": sum(1 for d in dossiers if d.code not in before),
            "items": [found[d.pk] for d in dossiers],
        },
    )


@router.get(
    "/dossiers",
    response={200: list[DossierOut], **READ_ERRORS},
    summary="Danh sách hồ sơ / list dossiers (DOSSIER_REGISTER scope)",
)
@paginate(Pagination)
def list_dossiers(request: HttpRequest, filters: Query[DossierFilters]) -> Any:
    user = user_of(request)
    qs = _dossier_scope(user)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.DOSSIER_REGISTER, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.code:
        qs = qs.filter(code__contains=registration.normalise_code(filters.code))
    if filters.received_after is not None:
        qs = qs.filter(received_on__gte=filters.received_after)
    if filters.received_before is not None:
        qs = qs.filter(received_on__lte=filters.received_before)
    if filters.rated is not None:
        qs = qs.filter(rating__isnull=not filters.rated)
    return KeysFirst(qs, ("-registered_at", "-pk"))


@router.get(
    "/dossiers/{anytext:code}",
    response={200: DossierDetailOut, **READ_ERRORS},
    summary="Một hồ sơ theo mã / one dossier by its code",
)
def get_dossier(request: HttpRequest, code: str) -> Any:
    user = user_of(request)
    normalised = registration.normalise_code(code)
    if registration.code_errors(normalised):
        raise Http404
    dossier = _dossier_scope(user).filter(code=normalised).first()
    if dossier is None:
        other = Dossier.objects.select_related("organisation").filter(code=normalised).first()
        if other is not None:
            access.require(user, Perm.DOSSIER_REGISTER, other.organisation)
        raise Http404
    return dossier
