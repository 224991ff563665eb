"""Ratings, public (no account, no session, so no CSRF): `POST /ratings` stores a
citizen's rating through `feedback.services.submit_rating`; `GET /ratings/form` gives
the scale and the questions for a link, so another app can draw the form. Nothing but
a daily-salted device hash is kept of the caller (no IP address, no user agent).
"""

import json
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Query, Router, Schema, Status
from pydantic import (
    BaseModel,
    ConfigDict,
    StrictInt,
    StringConstraints,
)
from pydantic import ValidationError as PydanticValidationError

from congvu.feedback import devices, services
from congvu.feedback.models import MAX_LEVELS, Rating
from congvu.organisations.models import StaffMember

from ..common import (
    MAX_ID,
    NO_NUL,
    Id,
    OrganisationRef,
)
from ..errors import NOT_JSON, ErrorOut, ValidationErrorOut, schema_message
from .schemas import PUBLIC_TAGS, Channel, CounterRef, StaffNameOut

router = Router()

#: A rating is a few hundred bytes; anything much larger is refused unread.
RATING_BODY_MAX = 16 * 1024
NOT_FOUND_LINK = (
    "Không tìm thấy đường dẫn đánh giá (hoặc cán bộ không trực quầy này). / "
    "Unknown rating link, or the staff member is not on duty at this counter."
)

Token = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-A-Za-z0-9_]+$")]


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
            return _error(400, NOT_JSON)
        return _json(
            422,
            {
                "detail": [
                    {"loc": ["body", *e["loc"]], "msg": schema_message(e), "type": e["type"]}
                    for e in exc.errors(include_url=False)
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
            address_hash=devices.address_hash(request),
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


class RatingCriterionOut(Schema):
    clause_id: int
    question: str
    question_en: str = Field(
        ...,
        description="Câu hỏi bằng tiếng Anh; rỗng thì hỏi bằng tiếng Việt / the question in "
        "English; empty: ask it in Vietnamese",
    )
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
    criteria: list[RatingCriterionOut]
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
