"""Ratings: dossier registration, counters, rating submission, satisfaction aggregates.

* Dossiers (DOSSIER_REGISTER): the one-stop system registers a dossier code
  and gets the rating link (and its QR code) to print on the receipt; a batch
  is registered whole or not at all. Reads are scoped to the caller's
  DOSSIER_REGISTER organisations, because the link is what lets a citizen rate.
* Counters (COUNTER_MANAGE): one-stop counters, their staff on duty, the
  counter QR link and the kiosk link (a secret of the counter's tablet).
* Ratings, public (no account, no session, so no CSRF): `POST /ratings` stores
  a citizen's rating through `feedback.services.submit_rating`; `GET
  /ratings/form` gives the scale and the questions for a link, so another app
  can draw the form. Nothing but a daily-salted device hash is kept of the
  caller (no IP address, no user agent).
* Aggregates from the rollup tables (`feedback.selectors`): scoped by
  RATING_VIEW, and a public one that shows an organisation only from
  `MIN_PUBLIC` counted ratings in the period.
"""

import datetime as dt
import json
import re
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from pydantic import ValidationError as PydanticValidationError

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.feedback import detection, devices, registration, selectors, services
from congvu.feedback.models import MAX_LEVELS, Counter, Dossier, Rating
from congvu.feedback.registration import DossierInput, RowsRejected
from congvu.organisations.models import Organisation, StaffMember

from .common import (
    MAX_ID,
    NO_NUL,
    NOT_BLANK,
    BodyId,
    Id,
    IsoDate,
    OrganisationRef,
    Pagination,
    Slug,
)
from .errors import ErrorOut, ValidationErrorOut
from .plans import READ_ERRORS, WRITE_ERRORS, BodyIn, get_organisation
from .security import AUTH, user_of

router = Router(tags=["Đánh giá / Ratings"], auth=AUTH)

PUBLIC_TAGS = ["Đánh giá công khai / Public ratings"]
#: A rating is a few hundred bytes; anything much larger is refused unread.
RATING_BODY_MAX = 16 * 1024
NOT_FOUND_LINK = (
    "Không tìm thấy đường dẫn đánh giá (hoặc cán bộ không trực quầy này). / "
    "Unknown rating link, or the staff member is not on duty at this counter."
)

# --- shared types ----------------------------------------------------------------------------

# Outer spaces are stripped and the length checked again by the service (at most 60).
DossierCode = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]
Procedure = Annotated[str, StringConstraints(max_length=registration.PROCEDURE_MAX, pattern=NO_NUL)]
CounterName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=registration.COUNTER_NAME_MAX, pattern=NOT_BLANK),
]
Token = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-A-Za-z0-9_]+$")]
Channel = Literal["badge", "dossier", "counter", "kiosk"]
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")


def _hhmm(value: Any) -> Any:
    # pydantic would also read numbers as seconds since midnight; hours are written HH:MM.
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and (m := _HHMM.fullmatch(value)):
        return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    raise ValueError("Giờ phải có dạng HH:MM. / A time must be written HH:MM.")


ClockTime = Annotated[dt.time, BeforeValidator(_hhmm)]


class StaffNameOut(Schema):
    id: int
    full_name: str


class CounterRef(Schema):
    id: int
    name: str


# --- dossiers --------------------------------------------------------------------------------


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
    return qs.order_by("-registered_at", "-pk")


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


# --- counters --------------------------------------------------------------------------------


class CounterOut(Schema):
    id: int
    organisation: OrganisationRef
    name: str
    opens_at: str = Field(..., description="HH:MM, giờ Việt Nam / local time")
    closes_at: str = Field(..., description="HH:MM, giờ Việt Nam / local time")
    is_active: bool
    staff: list[StaffNameOut] = Field(..., description="Cán bộ trực quầy / staff on duty")
    counter_url: str = Field(..., description="Đường dẫn QR của quầy / the counter's QR link")
    kiosk_url: str = Field(
        ...,
        description="Đường dẫn cho máy tính bảng tại quầy; bí mật / the counter tablet's link; "
        "keep it secret",
    )

    @staticmethod
    def resolve_opens_at(obj: Counter) -> str:
        return obj.opens_at.strftime("%H:%M")

    @staticmethod
    def resolve_closes_at(obj: Counter) -> str:
        return obj.closes_at.strftime("%H:%M")

    @staticmethod
    def resolve_staff(obj: Counter) -> list[StaffMember]:
        return sorted(obj.staff.all(), key=lambda m: (m.sort_name, m.pk))

    @staticmethod
    def resolve_counter_url(obj: Counter) -> str:
        return registration.public_link("counter", obj.qr_token)

    @staticmethod
    def resolve_kiosk_url(obj: Counter) -> str:
        return registration.public_link("kiosk", obj.kiosk_token)


StaffIds = Annotated[list[BodyId], Field(max_length=200)]


class CounterIn(BodyIn):
    organisation: BodyId
    name: CounterName
    opens_at: ClockTime = Field(dt.time(7, 0), description="HH:MM")
    closes_at: ClockTime = Field(dt.time(17, 30), description="HH:MM")
    staff: StaffIds = Field(default_factory=list, description="Cán bộ trực quầy / staff ids")


class CounterPatchIn(BodyIn):
    """Only the fields sent change; `staff` replaces the whole list."""

    name: CounterName | None = None
    opens_at: ClockTime | None = None
    closes_at: ClockTime | None = None
    staff: StaffIds | None = None
    is_active: StrictBool | None = None


class CounterRotateIn(BodyIn):
    which: Literal["qr", "kiosk"] = Field(
        ..., description="qr: áp phích; kiosk: máy tính bảng / poster or tablet link"
    )


class CounterFilters(Schema):
    organisation: Id | None = Field(None, description="Cơ quan, gồm cấp dưới / and its subtree")
    active: bool | None = None


def _counter_scope(user: User) -> QuerySet[Counter]:
    access.require_anywhere(user, Perm.COUNTER_MANAGE)
    return (
        Counter.objects.select_related("organisation")
        .prefetch_related("staff")
        .filter(organisation__in=access.organisations_for(user, Perm.COUNTER_MANAGE))
    )


def _counter(user: User, pk: int) -> Counter:
    counter = _counter_scope(user).filter(pk=pk).first()
    if counter is None:
        other = Counter.objects.select_related("organisation").filter(pk=pk).first()
        if other is not None:
            access.require(user, Perm.COUNTER_MANAGE, other.organisation)
        raise Http404
    return counter


def _staff_members(ids: list[int]) -> list[StaffMember]:
    found = StaffMember.objects.in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"staff": f"Không tìm thấy cán bộ: {missing}. / Staff members not found: {missing}."}
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.get(
    "/counters",
    response={200: list[CounterOut], **READ_ERRORS},
    summary="Quầy một cửa / one-stop counters (COUNTER_MANAGE scope)",
)
@paginate(Pagination)
def list_counters(request: HttpRequest, filters: Query[CounterFilters]) -> Any:
    user = user_of(request)
    qs = _counter_scope(user)
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.COUNTER_MANAGE, filters.organisation)
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("organisation__path", "name", "pk")


@router.get(
    "/counters/{id}",
    response={200: CounterOut, **READ_ERRORS},
    summary="Một quầy / one counter",
)
def get_counter(request: HttpRequest, id: Id) -> Any:
    return _counter(user_of(request), id)


@router.post(
    "/counters",
    response={201: CounterOut, **WRITE_ERRORS},
    summary="Thêm quầy / create a counter (COUNTER_MANAGE)",
)
def create_counter(request: HttpRequest, payload: CounterIn) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.COUNTER_MANAGE, payload.organisation)
    counter = registration.create_counter(
        organisation,
        name=payload.name,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        staff=_staff_members(payload.staff),
        actor=user,
    )
    return Status(201, _counter(user, counter.pk))


@router.patch(
    "/counters/{id}",
    response={200: CounterOut, **WRITE_ERRORS},
    summary="Sửa quầy, cán bộ trực, giờ làm việc / change a counter (COUNTER_MANAGE)",
)
def update_counter(request: HttpRequest, id: Id, payload: CounterPatchIn) -> Any:
    user = user_of(request)
    counter = _counter(user, id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "staff" in changes:
        changes["staff"] = _staff_members(changes["staff"])
    registration.update_counter(counter, actor=user, **changes)
    return _counter(user, id)


@router.post(
    "/counters/{id}/rotate",
    response={200: CounterOut, **WRITE_ERRORS},
    summary="Đổi mã QR hoặc đường dẫn máy tính bảng / rotate a counter's link (COUNTER_MANAGE)",
    description="Đường dẫn cũ hết hiệu lực ngay. / The old link stops working at once.",
)
def rotate_counter(request: HttpRequest, id: Id, payload: CounterRotateIn) -> Any:
    user = user_of(request)
    registration.rotate_counter_token(_counter(user, id), which=payload.which, actor=user)
    return _counter(user, id)


# --- ratings (public) ------------------------------------------------------------------------


ClauseKey = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,17}$")]


class RatingIn(BaseModel):
    # A plain pydantic model, not a ninja Schema: the handler validates the body itself
    # and ninja's wrapping validator would cost as much as the whole validation
    # (same JSON schema in the OpenAPI document).
    model_config = ConfigDict(extra="forbid")

    channel: Channel = Field(
        ...,
        description="badge: thẻ cán bộ; dossier: biên nhận hồ sơ; counter: QR tại quầy; "
        "kiosk: máy tính bảng tại quầy / the kind of link the token comes from",
    )
    token: Token = Field(..., description="Mã trong đường dẫn đánh giá / the link's token")
    staff_id: Annotated[StrictInt, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="Quầy, máy tính bảng: cán bộ trực được chọn / counter: staff on duty"
    )
    level: Annotated[StrictInt, Field(ge=1, le=MAX_LEVELS)] = Field(
        ..., description="Mức hài lòng, 1 là tốt nhất / satisfaction level, 1 is the best"
    )
    answers: Annotated[dict[ClauseKey, Literal["yes", "no", "unknown"]], Field(max_length=50)] = (
        Field(
            default_factory=dict,
            description="{mã tiêu chí: yes | no | unknown} theo câu hỏi của GET /ratings/form / "
            "{clause id: answer} to the questions of GET /ratings/form",
        )
    )
    comment: Annotated[str, StringConstraints(max_length=services.COMMENT_MAX, pattern=NO_NUL)] = ""
    submission_id: uuid.UUID | None = Field(
        None,
        description="Mã ngẫu nhiên của lần gửi: gửi lại cùng mã trả về lượt đã lưu / a random id; "
        "resending it returns the rating stored the first time",
    )


class RatingCreatedOut(Schema):
    id: int
    verified: bool = Field(..., description="Đánh giá qua hồ sơ / through a dossier receipt")
    state: Literal["counted", "flagged", "included", "excluded"]


class RatingErrorOut(Schema):
    detail: str
    code: str = Field(..., description="already_rated | rate_limited | self_rating | closed")


REJECTED_STATUS = {"already_rated": 409, "rate_limited": 429, "self_rating": 403, "closed": 410}
_RATING_BODY = RatingIn.model_json_schema(ref_template="#/components/schemas/{model}")


def _error(status: int, message: str) -> HttpResponse:
    return HttpResponse(
        json.dumps({"detail": message}, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


def _json(status: int, data: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), status=status, content_type="application/json"
    )


def target_for(channel: str, token: str, staff_id: int | None) -> services.RatingTarget | None:
    if channel == "badge":
        return services.target_for_badge(token)
    if channel == "dossier":
        return services.target_for_dossier(token)
    if channel == "counter":
        return services.target_for_counter(token, staff_id=staff_id)
    if channel == "kiosk":
        return services.target_for_kiosk(token, staff_id=staff_id)
    return None


@router.post(
    "/ratings",
    auth=None,
    tags=PUBLIC_TAGS,
    response={
        201: RatingCreatedOut,
        400: ErrorOut,
        403: RatingErrorOut,
        404: ErrorOut,
        409: RatingErrorOut,
        410: RatingErrorOut,
        413: ErrorOut,
        422: ValidationErrorOut,
        429: RatingErrorOut,
    },
    summary="Gửi đánh giá (người dân) / submit a citizen's rating",
    description="Không cần tài khoản. Không lưu địa chỉ IP hay thông tin trình duyệt, chỉ một "
    "mã băm thiết bị đổi khóa hằng ngày để giới hạn tần suất. 404: đường dẫn không tồn tại; "
    "409: hồ sơ đã được đánh giá; 429: gửi quá nhiều; 413: nội dung quá lớn. / No account. "
    "No IP address or user agent is stored, only a daily-salted device hash for the rate "
    "limits. 404: unknown link; 409: dossier already rated; 429: too many; 413: too large.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _RATING_BODY}},
        }
    },
)
def submit_rating(request: HttpRequest) -> HttpResponse:
    # The body is read by hand: this is the hot path (thousands a second), and an
    # oversize body must be refused before anything reads it.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > RATING_BODY_MAX:
        return _error(413, "Nội dung quá lớn. / The request body is too large.")
    try:
        payload = RatingIn.model_validate_json(request.body)
    except PydanticValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            return _error(400, "Nội dung không phải JSON hợp lệ. / The body is not valid JSON.")
        return _json(
            422,
            {
                "detail": [
                    {"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                    for e in exc.errors(include_url=False, include_context=False)
                ]
            },
        )
    target = services.submission_target(payload.channel, payload.token, staff_id=payload.staff_id)
    if target is None:
        return _error(404, NOT_FOUND_LINK)
    try:
        rating = services.submit_rating(
            target,
            level=payload.level,
            answers={int(key): answer for key, answer in payload.answers.items()},
            comment=payload.comment,
            device_hash=devices.device_hash(request),
            submission_id=payload.submission_id,
            user=getattr(request, "user", None),
        )
    except services.RatingRejected as rejected:
        if rejected.code == "invalid":
            return _json(
                422,
                {"detail": [{"loc": ["body"], "msg": rejected.message, "type": "invalid"}]},
            )
        status = REJECTED_STATUS.get(rejected.code, 409)
        return _json(status, {"detail": rejected.message, "code": rejected.code})
    return _json(201, {"id": rating.pk, "verified": rating.verified, "state": rating.state})


@csrf_exempt
def submit_rating_view(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/ratings as a plain Django view, the first URL pattern.

    The same handler as the API operation above (which documents it in the
    OpenAPI document): resolving it among the API's patterns cost more than
    validating the body. No CSRF: the endpoint takes no cookie-authenticated
    action (a session only ever stops a staff member rating themselves).
    """
    if request.method != "POST":
        response = _error(405, "Chỉ nhận POST. / Only POST is allowed.")
        response["Allow"] = "POST"
        return response
    return submit_rating(request)


class ScaleLevelOut(Schema):
    value: int
    label: str
    label_en: str
    satisfied: bool


class ScaleOut(Schema):
    code: str
    name: str
    levels: list[ScaleLevelOut]


class CriterionOut(Schema):
    clause_id: int
    question: str
    yes_is_breach: bool = Field(
        ...,
        description="Trả lời “có” là vi phạm (ví dụ: bị đòi hỏi điều không đúng?) / "
        "“yes” means the standard was breached",
    )


class RatingFormOut(Schema):
    channel: Channel
    organisation: OrganisationRef
    staff: StaffNameOut | None
    counter: CounterRef | None
    staff_on_duty: list[StaffNameOut] = Field(
        ..., description="Quầy: cán bộ để người dân chọn / counter: staff to choose from"
    )
    already_rated: bool = Field(..., description="Hồ sơ đã được đánh giá / dossier rated")
    scale: ScaleOut
    criteria: list[CriterionOut]
    comment_max: int


class RatingFormFilters(Schema):
    channel: Channel
    token: Token
    staff_id: Id | None = None


@router.get(
    "/ratings/form",
    auth=None,
    tags=PUBLIC_TAGS,
    response={200: RatingFormOut, 404: ErrorOut, 410: RatingErrorOut, 422: ValidationErrorOut},
    summary="Thang đo và câu hỏi của một đường dẫn đánh giá / the scale and questions for a link",
)
def rating_form(request: HttpRequest, filters: Query[RatingFormFilters]) -> Any:
    target = target_for(filters.channel, filters.token, filters.staff_id)
    if target is None:
        return Status(404, {"detail": NOT_FOUND_LINK})
    try:
        scale, levels = services.active_scale()
    except services.RatingRejected as rejected:
        return Status(410, {"detail": rejected.message, "code": rejected.code})
    on_duty: list[StaffMember] = []
    if target.counter is not None and target.staff is None:
        on_duty = list(target.counter.staff.filter(is_active=True).order_by("sort_name", "pk"))
    organisation = target.organisation
    return {
        "channel": filters.channel,
        "organisation": organisation,
        "staff": target.staff,
        "counter": target.counter,
        "staff_on_duty": on_duty,
        "already_rated": target.dossier is not None
        and Rating.objects.filter(dossier=target.dossier).exists(),
        "scale": {"code": scale.code, "name": scale.name, "levels": levels},
        "criteria": services.criteria_for(target),
        "comment_max": services.COMMENT_MAX,
    }


# --- aggregates ------------------------------------------------------------------------------


# --- review of flagged ratings ----------------------------------------------------------------


class FlagReasonOut(Schema):
    code: str = Field(..., description="burst · off_hours · jump (detection)")
    label: str


class ReviewedRatingOut(Schema):
    """A rating as its reviewer sees it: what was said, never who said it (no device data)."""

    id: int
    created_at: dt.datetime
    rated_on: dt.date
    organisation: OrganisationRef
    staff: StaffNameOut | None
    channel: Channel
    verified: bool = Field(..., description="Qua biên nhận hồ sơ / through a dossier receipt")
    level: int
    level_label: str
    satisfied: bool
    comment: str
    state: Literal["flagged", "included", "excluded", "counted"]
    flag_reasons: list[FlagReasonOut]
    reviewed_at: dt.datetime | None
    review_reason: str

    @staticmethod
    def resolve_level_label(obj: Rating) -> str:
        return selectors.level_labels().get((obj.scale_id, obj.level), str(obj.level))

    @staticmethod
    def resolve_flag_reasons(obj: Rating) -> list[dict[str, str]]:
        return [
            {"code": code, "label": label}
            for code, label in detection.reason_labels(obj.flag_reasons)
        ]


ReviewReason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]


class ReviewIn(BodyIn):
    decision: Literal["include", "exclude"] = Field(
        ..., description="Tính vào chỉ số hay loại ra / count it in the index or leave it out"
    )
    reason: ReviewReason = Field(..., description="Lý do (ghi nhật ký) / the reason (audited)")


class ReviewManyIn(ReviewIn):
    ids: Annotated[list[BodyId], Field(min_length=1, max_length=services.REVIEW_MANY_MAX)] = Field(
        ..., description="Các lượt bị gắn cờ, cùng một quyết định / flagged ratings, one decision"
    )


class ReviewManyOut(Schema):
    reviewed: int
    items: list[ReviewedRatingOut]


class FlaggedFilters(Schema):
    organisation: Id | None = Field(None, description="Chỉ cơ quan này / this organisation only")


def _reviewable(user: User, pk: int) -> Rating:
    """The rating, if `user` may review it: 404 if they cannot see it, 403 if they only may
    look at its organisation's ratings."""
    return access.get_for(
        user, Perm.RATING_REVIEW, Rating.objects.select_related("organisation", "staff"), pk=pk
    )


def _review(user: User, ratings: list[Rating], payload: ReviewIn) -> list[Rating]:
    try:
        return services.review_ratings(
            ratings, include=payload.decision == "include", reason=payload.reason, actor=user
        )
    except services.RatingRejected as rejected:
        raise ValidationError(
            {"ids" if len(ratings) > 1 else "decision": rejected.message}
        ) from None


@router.get(
    "/ratings/flagged",
    response={200: list[ReviewedRatingOut], **READ_ERRORS},
    summary="Đánh giá bị gắn cờ chờ xem xét / flagged ratings waiting for review (RATING_REVIEW)",
    description="Cũ nhất trước; không có dữ liệu thiết bị hay người đánh giá. / Oldest first; "
    "no device or rater data.",
)
@paginate(Pagination)
def list_flagged(request: HttpRequest, filters: Query[FlaggedFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.RATING_REVIEW)
    organisation = None
    if filters.organisation is not None:
        organisation = get_organisation(user, Perm.RATING_REVIEW, filters.organisation)
    return selectors.flagged_ratings(user, organisation=organisation)


@router.post(
    "/ratings/{id}/review",
    response={200: ReviewedRatingOut, **WRITE_ERRORS},
    summary="Tính vào hoặc loại khỏi chỉ số một lượt bị gắn cờ / include or exclude one "
    "flagged rating (RATING_REVIEW)",
    description="Ghi nhật ký kiểm toán; 422 nếu lượt này không chờ xem xét. / Audited; 422 if "
    "the rating is not waiting for review.",
)
def review_rating(request: HttpRequest, id: Id, payload: ReviewIn) -> Any:
    user = user_of(request)
    [rating] = _review(user, [_reviewable(user, id)], payload)
    return rating


@router.post(
    "/ratings/review",
    response={200: ReviewManyOut, **WRITE_ERRORS},
    summary="Cùng một quyết định cho nhiều lượt bị gắn cờ / one decision for several flagged "
    "ratings (RATING_REVIEW)",
    description="Tất cả hoặc không lượt nào; mỗi lượt được ghi nhật ký. / All of them or none; "
    f"each one audited. At most {services.REVIEW_MANY_MAX}.",
)
def review_ratings(request: HttpRequest, payload: ReviewManyIn) -> Any:
    user = user_of(request)
    ids = sorted(set(payload.ids))
    reviewed = _review(user, [_reviewable(user, pk) for pk in ids], payload)
    return {"reviewed": len(reviewed), "items": reviewed}


class IndexOut(Schema):
    counted: int = Field(..., description="Lượt được tính / counted ratings")
    satisfied: int
    total: int = Field(..., description="Mọi lượt, kể cả bị gắn cờ / every rating")
    flagged: int = Field(..., description="Chờ xem xét / waiting for review")
    verified: int = Field(..., description="Qua hồ sơ / through a dossier")
    levels: list[int] = Field(..., description="Lượt được tính theo mức 1..5 / counted per level")
    share: float | None = Field(..., description="Tỷ lệ hài lòng / satisfied ÷ counted")
    low: float | None = Field(..., description="Cận dưới khoảng tin cậy 95 % (Wilson)")
    high: float | None = Field(..., description="Cận trên khoảng tin cậy 95 % (Wilson)")


class PublicIndexOut(Schema):
    counted: int
    satisfied: int
    verified: int
    share: float | None
    low: float | None
    high: float | None


class OrganisationSatisfactionOut(Schema):
    id: int
    code: str
    name: str
    kind: str = Field(..., description="Mã loại cơ quan / kind code")
    kind_name: str
    rank: int | None = Field(
        ..., description="Thứ hạng; null khi chưa đủ lượt / rank; null with too few ratings"
    )
    index: IndexOut


class PublicOrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    rank: int | None
    index: PublicIndexOut


class SatisfactionPageOut(Schema):
    start: dt.date
    end: dt.date
    count: int
    items: list[OrganisationSatisfactionOut]


class PublicSatisfactionOut(Schema):
    start: dt.date
    end: dt.date
    min_ratings: int = Field(
        ..., description="Chỉ công bố cơ quan có từ số lượt này / published from this many"
    )
    withheld: int = Field(
        ..., description="Số cơ quan chưa đủ lượt, không công bố / organisations withheld"
    )
    province: PublicIndexOut
    organisations: list[PublicOrganisationOut]


class TrendPointOut(Schema):
    month: dt.date
    index: IndexOut


class BehaviourOut(Schema):
    clause_id: int
    code: str
    title: str
    kept: int
    breached: int
    unknown: int
    rate: float | None = Field(..., description="kept ÷ (kept + breached)")
    low: float | None
    high: float | None


class OrganisationDetailOut(Schema):
    start: dt.date
    end: dt.date
    organisation: OrganisationRef
    index: IndexOut
    province: IndexOut = Field(..., description="Toàn tỉnh / the whole province")
    same_kind: IndexOut = Field(..., description="Các cơ quan cùng loại / same kind")
    trend: list[TrendPointOut]
    behaviours: list[BehaviourOut]


class PeriodFilters(Schema):
    start: IsoDate | None = Field(None, description="Mặc định: 11 tháng trước / default")
    end: IsoDate | None = Field(None, description="Mặc định: tháng này / default: this month")


class SatisfactionFilters(PeriodFilters):
    kind: Slug | None = Field(None, description="Mã loại cơ quan / organisation kind code")
    limit: int = Field(100, ge=1, le=5000, description="Số dòng mỗi trang / page size")
    offset: int = Field(0, ge=0, le=10**9, description="Bỏ qua bao nhiêu dòng / rows to skip")


class PublicSatisfactionFilters(PeriodFilters):
    kind: Slug | None = Field(None, description="Mã loại cơ quan / organisation kind code")


#: Ratings began long after 2000; the bounds keep month arithmetic in range.
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _period(filters: PeriodFilters) -> tuple[dt.date, dt.date]:
    for name in ("start", "end"):
        value = getattr(filters, name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise NinjaValidationError(
                [
                    {
                        "loc": ["query", name],
                        "msg": "Ngày phải trong khoảng 2000–2100. / "
                        "The date must be between 2000 and 2100.",
                        "type": "value_error",
                    }
                ]
            )
    default_start, default_end = selectors.default_period(timezone.localdate())
    start = filters.start or (
        selectors.add_months(selectors.month_start(filters.end), -11)
        if filters.end
        else default_start
    )
    end = filters.end or max(default_end, selectors.month_start(start))
    if end < start:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "end"],
                    "msg": "Ngày kết thúc trước ngày bắt đầu. / The end is before the start.",
                    "type": "value_error",
                }
            ]
        )
    if len(selectors.months_between(start, end)) > selectors.MAX_MONTHS:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "end"],
                    "msg": f"Tối đa {selectors.MAX_MONTHS} tháng. / At most "
                    f"{selectors.MAX_MONTHS} months.",
                    "type": "value_error",
                }
            ]
        )
    return selectors.month_start(start), selectors.month_start(end)


def _index(index: selectors.Index) -> dict[str, Any]:
    return {
        "counted": index.counted,
        "satisfied": index.satisfied,
        "total": index.total,
        "flagged": index.flagged,
        "verified": index.verified,
        "levels": list(index.levels),
        "share": index.share,
        "low": index.low,
        "high": index.high,
    }


def _row(row: selectors.OrganisationRow) -> dict[str, Any]:
    return {
        "id": row.organisation_id,
        "code": row.code,
        "name": row.name,
        "kind": row.kind_code,
        "kind_name": row.kind,
        "rank": row.rank,
        "index": _index(row.index),
    }


@router.get(
    "/ratings/organisations",
    response={200: SatisfactionPageOut, **READ_ERRORS},
    summary="Chỉ số hài lòng theo cơ quan / satisfaction by organisation (RATING_VIEW scope)",
    description="Từ bảng tổng hợp theo tháng; xếp hạng theo tỷ lệ hài lòng khi đủ lượt. / From "
    "the monthly rollups; ranked by share when there are enough ratings.",
)
def satisfaction_by_organisation(request: HttpRequest, filters: Query[SatisfactionFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.RATING_VIEW)
    start, end = _period(filters)
    rows = selectors.organisation_rows(user, start=start, end=end, kind=filters.kind)
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"start": start, "end": end, "count": len(rows), "items": [_row(r) for r in page]}


@router.get(
    "/ratings/organisations/{id}",
    response={200: OrganisationDetailOut, **READ_ERRORS},
    summary="Chỉ số, xu hướng, hành vi của một cơ quan / one organisation's index, trend and "
    "behaviours (RATING_VIEW)",
)
def satisfaction_of_organisation(
    request: HttpRequest, id: Id, filters: Query[PeriodFilters]
) -> Any:
    user = user_of(request)
    organisation = get_organisation(user, Perm.RATING_VIEW, id)
    start, end = _period(filters)
    return {
        "start": start,
        "end": end,
        "organisation": organisation,
        "index": _index(selectors.organisation_index(organisation, start=start, end=end)),
        "province": _index(selectors.province_index(start=start, end=end)),
        "same_kind": _index(selectors.kind_index(organisation.kind_id, start=start, end=end)),
        "trend": [
            {"month": month, "index": _index(index)}
            for month, index in selectors.monthly_trend(
                organisation=organisation, start=start, end=end
            )
        ],
        "behaviours": selectors.criterion_rates(organisation=organisation, start=start, end=end),
    }


@router.get(
    "/public/satisfaction",
    auth=None,
    tags=PUBLIC_TAGS,
    response={200: PublicSatisfactionOut, 422: ValidationErrorOut},
    summary="Mức độ hài lòng công khai / public satisfaction by organisation",
    description=f"Chỉ cơ quan có từ {selectors.MIN_PUBLIC} lượt được tính trong kỳ, để không "
    "ai bị nhận diện. / Only organisations with at least "
    f"{selectors.MIN_PUBLIC} counted ratings in the period, so no person can be singled out.",
)
def public_satisfaction(request: HttpRequest, filters: Query[PublicSatisfactionFilters]) -> Any:
    start, end = _period(filters)
    rows = selectors.organisation_rows(None, start=start, end=end, kind=filters.kind, public=True)
    published = [row for row in rows if row.published]
    return {
        "start": start,
        "end": end,
        "min_ratings": selectors.MIN_PUBLIC,
        "withheld": len(rows) - len(published),
        "province": _index(selectors.province_index(start=start, end=end)),
        "organisations": [_row(row) for row in published],
    }
