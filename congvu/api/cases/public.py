"""The citizen's two calls, without an account: file a report (`POST /public/cases`,
JSON without files; the answer carries the tracking code and the passphrase, shown
this once) and follow it (`POST /public/cases/follow`). The follow-up answers the same
404 for an unknown code and a wrong passphrase, and stops a client after repeated
failures for a while (429), exactly as the tracking page does; a case itself is never
locked (`cases.reporter`). Neither stores the caller's IP
address or user agent.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StringConstraints

from congvu.cases import filing_limits, reporter, services, visibility
from congvu.cases.models import Case, CaseEvent, Track
from congvu.cases.reporter import FollowDenied, FollowLocked
from congvu.core.net import client_ip
from congvu.core.templatetags.bilingual import for_reader
from congvu.organisations.models import Organisation, StaffMember

from ..common import NO_NUL, IsoDate
from ..errors import ErrorOut, ValidationErrorOut
from ..plans import BodyIn
from .lookups import report_input
from .schemas import (
    CaseCode,
    CaseTrack,
    ClauseIds,
    Email,
    EventKind,
    Name,
    Phone,
    Short,
    Text,
)

router = Router()

Passphrase = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
BadgeToken = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-\w]+$")]
OrganisationCode = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[-.\w]+$")
]

#: Kinds a reporter never reads, whatever their audience (as on the tracking page).
HIDDEN_KINDS = (CaseEvent.Kind.NOTE, CaseEvent.Kind.TO_SUBJECT, CaseEvent.Kind.FROM_SUBJECT)

NOT_FOLLOWED = "Mã theo dõi hoặc mật khẩu không đúng. / Wrong tracking code or passphrase."
LOCKED = (
    "Nhập sai quá nhiều lần; vui lòng thử lại sau. / "
    "Too many wrong attempts; please try again later."
)

PUBLIC_TAGS = ["Phản ánh công khai / Public reports"]
PUBLIC_ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class PublicReportIn(BodyIn):
    """A citizen's report. Name the staff member by the token on their badge, or the
    organisation by its code and describe the person."""

    track: CaseTrack = Track.FEEDBACK
    badge_token: BadgeToken | None = Field(None, description="Mã trên thẻ cán bộ / badge token")
    organisation: OrganisationCode | None = Field(
        None, description="Mã cơ quan (khi không có thẻ) / organisation code, without a badge"
    )
    subject_description: Short = ""
    clause_ids: ClauseIds = Field(default_factory=list)
    other_standard: Short = ""
    occurred_on: IsoDate | None = None
    occurred_place: Short = ""
    description: Text = ""
    is_anonymous: StrictBool = True
    reporter_name: Name = ""
    reporter_phone: Phone = ""
    reporter_email: Email = ""


class ReceiptOut(Schema):
    code: str
    passphrase: str = Field(
        ..., description="Chỉ hiển thị một lần; hãy lưu lại / shown once; keep it safe"
    )
    notice: str


class FollowIn(BodyIn):
    code: CaseCode
    passphrase: Passphrase


class ReporterEventOut(Schema):
    kind: EventKind
    body: str
    created_at: dt.datetime


class ReporterViewOut(Schema):
    code: str
    track: CaseTrack
    status: str = Field(..., description="Trạng thái công khai / the public status")
    received_at: dt.datetime
    is_closed: bool
    events: list[ReporterEventOut]


def _public_subject(payload: PublicReportIn) -> tuple[StaffMember | None, Organisation | None]:
    if payload.badge_token is not None:
        staff = (
            StaffMember.objects.select_related("organisation")
            # A staff member who has left is refused, as the badge's own page does.
            .filter(badge_token=payload.badge_token, is_active=True)
            .first()
        )
        if staff is None:
            raise ValidationError(
                {"badge_token": "Không tìm thấy thẻ cán bộ. / No staff badge with this token."}
            )
        return staff, None
    if payload.organisation is not None:
        organisation = Organisation.objects.current().filter(code=payload.organisation).first()
        if organisation is None:
            raise ValidationError(
                {"organisation": "Không tìm thấy cơ quan. / No organisation with this code."}
            )
        return None, organisation
    return None, None


def track_notice(code: str) -> str:
    return for_reader(
        f"Đã tiếp nhận phản ánh, mã theo dõi {code}. Dùng mã này và mật khẩu theo dõi để xem "
        f"tiến độ và trả lời tại trang Tra cứu phản ánh. / Report received, tracking code "
        f"{code}. Follow it with this code and the passphrase on the tracking page."
    )


@router.post(
    "/public/cases",
    auth=None,
    tags=PUBLIC_TAGS,
    response={201: ReceiptOut, 429: ErrorOut, **PUBLIC_ERRORS},
    summary="Gửi phản ánh (người dân) / file a report as a citizen",
    description="Không lưu địa chỉ IP hay thông tin trình duyệt. Ẩn danh: chỉ mã theo dõi "
    "và mật khẩu. Tệp đính kèm: gửi qua trang phản ánh. Một máy gửi quá nhiều phản ánh thì "
    "phải chờ (429). / No IP address or user agent is stored. Files: use the report page. "
    "A client that files too many reports must wait (429).",
)
def file_public_report(
    request: HttpRequest, payload: PublicReportIn, response: HttpResponse
) -> Any:
    # The passphrase, shown once, and the case: kept by no cache, as the web's receipt.
    add_never_cache_headers(response)
    try:
        with filing_limits.filing(client_ip(request)):
            staff, organisation = _public_subject(payload)
            receipt = services.submit_report(
                report_input(
                    payload,
                    channel=Case.Channel.BADGE if staff is not None else Case.Channel.WEB,
                    subject_staff=staff,
                    organisation=organisation,
                ),
                actor=None,
            )
    except filing_limits.FilingLimited as exc:
        return Status(429, {"detail": exc.messages[0]})
    return Status(
        201,
        ReceiptOut(
            code=receipt.code, passphrase=receipt.passphrase, notice=track_notice(receipt.code)
        ),
    )


@router.post(
    "/public/cases/follow",
    auth=None,
    tags=PUBLIC_TAGS,
    response={200: ReporterViewOut, 429: ErrorOut, **PUBLIC_ERRORS},
    summary="Theo dõi phản ánh bằng mã và mật khẩu / follow a report with its code and passphrase",
    description="Mã sai và mật khẩu sai cho cùng một câu trả lời (404); một máy nhập sai "
    "nhiều lần thì bị tạm dừng (429). / An unknown code and a wrong passphrase get the same "
    "404; a client that keeps failing is stopped for a while (429).",
)
def follow_report(request: HttpRequest, payload: FollowIn, response: HttpResponse) -> Any:
    add_never_cache_headers(response)  # the reporter's case, as the web's tracking page
    try:
        case = reporter.follow(payload.code, payload.passphrase, client_ip=client_ip(request))
    except FollowLocked:
        return Status(429, {"detail": LOCKED})
    except FollowDenied:
        return Status(404, {"detail": NOT_FOLLOWED})
    return ReporterViewOut(
        code=case.code,
        track=Track(case.track),
        status=visibility.public_status(case),
        received_at=case.received_at,
        is_closed=case.status in (Case.Status.CLOSED, Case.Status.REJECTED),
        events=[
            ReporterEventOut(kind=CaseEvent.Kind(e.kind), body=e.body, created_at=e.created_at)
            for e in visibility.events_for_reporter(case).exclude(kind__in=HIDDEN_KINDS)
        ],
    )
