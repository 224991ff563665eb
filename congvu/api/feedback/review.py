"""Review of flagged ratings (RATING_REVIEW): the list waiting for review, and the
decision to count a flagged rating in the index or leave it out, one by one or several
at once; audited, and never showing who rated (no device data).
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import (
    StringConstraints,
)

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.feedback import detection, selectors, services
from congvu.feedback.models import Rating

from ..common import (
    NOT_BLANK,
    BodyId,
    Id,
    OrganisationRef,
    Pagination,
)
from ..plans import READ_ERRORS, WRITE_ERRORS, BodyIn, get_organisation
from ..security import user_of
from .schemas import Channel, StaffNameOut

router = Router()


class FlagReasonOut(Schema):
    code: str = Field(..., description="burst · address · off_hours · jump (detection)")
    label: str


class ReviewedRatingOut(Schema):
    """A rating as its reviewer sees it: what was said, never who said it (no device data;
    contact details typed into the comment masked)."""

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
    comment: str = Field(
        ...,
        description="Góp ý, số điện thoại, e-mail, số CCCD thay bằng […] / the comment, a phone "
        "number, e-mail address or ID number replaced by […]",
    )
    state: Literal["flagged", "included", "excluded", "counted"]
    flag_reasons: list[FlagReasonOut]
    reviewed_at: dt.datetime | None
    review_reason: str

    @staticmethod
    def resolve_level_label(obj: Rating) -> str:
        return selectors.level_labels().get((obj.scale_id, obj.level), str(obj.level))

    @staticmethod
    def resolve_comment(obj: Rating) -> str:
        return selectors.shown_comment(obj.comment)

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
    description="Ghi nhật ký hoạt động; 422 nếu lượt này không chờ xem xét. / Audited; 422 if "
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
