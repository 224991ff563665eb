"""The handlers' endpoints on `/cases`: the list, one case and its timeline, and the
writes (intake, a case from a rating, transitions, notes and messages, extensions),
which call `cases.services` / `cases.workflow`, where CASE_HANDLE is checked.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.cases import selectors, services, workflow
from congvu.cases.models import Case, CaseEvent, CaseFile
from congvu.organisations.models import StaffMember

from ..common import Pagination
from ..plans import READ_ERRORS, WRITE_ERRORS, get_organisation
from ..security import user_of
from .lookups import cases_of, filtered_cases, get_case, report_input
from .schemas import (
    CaseCode,
    CaseCreatedOut,
    CaseDetailOut,
    CaseExtensionIn,
    CaseFilters,
    CaseOut,
    EventIn,
    EventOut,
    FromRatingIn,
    IntakeIn,
    TransitionIn,
)

router = Router()

# --- reads --------------------------------------------------------------------------------


@router.get(
    "/cases",
    response={200: list[CaseOut], **READ_ERRORS},
    summary="Danh sách vụ việc / list cases",
)
@paginate(Pagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    user = user_of(request)
    access.require_anywhere(user, Perm.CASE_VIEW)
    return selectors.newest_first(filtered_cases(user, filters))


@router.post(
    "/cases/from-rating",
    response={200: CaseDetailOut, 201: CaseDetailOut, **WRITE_ERRORS},
    summary="Mở vụ việc từ một đánh giá thấp hoặc bị gắn cờ / open a case from a low or "
    "flagged rating (CASE_HANDLE; 200 when that rating already opened one)",
)
def create_case_from_rating(request: HttpRequest, payload: FromRatingIn) -> Any:
    from congvu.feedback.models import Rating

    user = user_of(request)
    rating = Rating.objects.visible_to(user).filter(pk=payload.rating).first()
    if rating is None:
        raise Http404
    existed = Case.objects.filter(source_rating=rating).exists()
    case = services.open_from_rating(rating, actor=user)
    found = cases_of(user).filter(pk=case.pk).first()
    if found is None:  # routed to a supervising organisation the caller does not see
        raise Http404
    return Status(200 if existed else 201, found)


@router.get(
    "/cases/{code}",
    response={200: CaseDetailOut, **READ_ERRORS},
    summary="Một vụ việc / one case",
)
def get_case_detail(request: HttpRequest, code: CaseCode) -> Any:
    return get_case(user_of(request), code)


@router.get(
    "/cases/{code}/events",
    response={200: list[EventOut], **READ_ERRORS},
    summary="Diễn biến vụ việc / a case's timeline (handlers see every audience)",
)
@paginate(Pagination)
def list_case_events(request: HttpRequest, code: CaseCode) -> Any:
    case = get_case(user_of(request), code)
    return (
        case.events.select_related("actor", "case")
        .prefetch_related(
            Prefetch("files", queryset=CaseFile.objects.select_related("case").order_by("pk"))
        )
        .order_by("created_at", "pk")
    )


# --- writes -------------------------------------------------------------------------------


def _staff(user: User, staff_id: int) -> StaffMember:
    staff = access.visible_staff(user).select_related("organisation").filter(pk=staff_id).first()
    if staff is None:
        raise ValidationError({"subject_staff": "Không tìm thấy cán bộ. / No such staff member."})
    return staff


@router.post(
    "/cases",
    response={201: CaseCreatedOut, **WRITE_ERRORS},
    summary="Ghi nhận phản ánh nhận qua điện thoại, thư, trực tiếp / record a report "
    "(CASE_HANDLE on the organisation)",
)
def create_case(request: HttpRequest, payload: IntakeIn) -> Any:
    user = user_of(request)
    subject = _staff(user, payload.subject_staff) if payload.subject_staff is not None else None
    organisation = (
        get_organisation(user, Perm.CASE_VIEW, payload.organisation)
        if payload.organisation is not None
        else None
    )
    receipt = services.submit_report(
        report_input(
            payload, channel=payload.channel, subject_staff=subject, organisation=organisation
        ),
        actor=user,
    )
    case = Case.objects.select_related(
        "organisation", "handling_organisation", "subject_staff", "main_case", "assignee"
    ).get(pk=receipt.case.pk)
    case.passphrase = receipt.passphrase  # type: ignore[attr-defined]
    return Status(201, case)


@router.post(
    "/cases/{code}/transitions",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Chuyển trạng thái / move a case on (CASE_HANDLE)",
    description="Thụ lý, không thụ lý (kèm lý do), xác minh, kết luận (kèm kết quả), đóng, "
    "mở lại. / Accept, reject (with a reason), investigate, conclude (with an outcome), "
    "close, reopen.",
)
def transition_case(request: HttpRequest, code: CaseCode, payload: TransitionIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    workflow.transition(
        case,
        Case.Status(payload.to),
        actor=user,
        note=payload.note,
        outcome=payload.outcome,
        reject_reason=payload.reject_reason,
        conclusion=payload.conclusion,
    )
    return get_case(user, code)


_AUDIENCE = {
    "note": (CaseEvent.Kind.NOTE, CaseEvent.Audience.INTERNAL),
    "to_reporter": (CaseEvent.Kind.TO_REPORTER, CaseEvent.Audience.REPORTER),
    "to_subject": (CaseEvent.Kind.TO_SUBJECT, CaseEvent.Audience.SUBJECT),
}


@router.post(
    "/cases/{code}/events",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Ghi chú, trả lời người phản ánh, đề nghị giải trình / add a note or a message "
    "(CASE_HANDLE)",
)
def add_case_event(request: HttpRequest, code: CaseCode, payload: EventIn) -> Any:
    user = user_of(request)
    case = get_case(user, code)
    kind, audience = _AUDIENCE[payload.kind]
    event = services.add_event(case, actor=user, kind=kind, body=payload.body, audience=audience)
    return Status(
        201,
        CaseEvent.objects.select_related("actor", "case")
        .prefetch_related("files")
        .get(pk=event.pk),
    )


@router.post(
    "/cases/{code}/extensions",
    response={200: CaseDetailOut, **WRITE_ERRORS},
    summary="Gia hạn giải quyết / extend the settlement deadline (CASE_HANDLE)",
)
def extend_case(request: HttpRequest, code: CaseCode, payload: CaseExtensionIn) -> Any:
    user = user_of(request)
    services.extend(get_case(user, code), actor=user, reason=payload.reason)
    return get_case(user, code)
