"""Writes on cases: intake, messages, statements, duplicates (the state table is in workflow.py).

A report is saved and acknowledged in one transaction: the case, its clause
links, its files, the CREATED event and its audit event, or nothing at all (and
no file left behind). The reporter gets the tracking code and a passphrase,
shown once; only the passphrase's hash is stored.

Nothing about the reporter's device is stored: no IP address, no user agent,
neither on the case nor in the audit log's data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.organisations.models import Organisation, StaffMember

from . import clocks, default_handler, history, notices, routing, timeline, unattended, uploads
from .clocks import extend
from .models import Case, CaseEvent, CaseFile, Track, new_tracking_code
from .reporter import (
    add_reporter_information,
    erase_reporter_identity,
    follow,
    hash_passphrase,
    new_passphrase,
)
from .visibility import is_subject, require_handler

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from congvu.accounts.models import User
    from congvu.feedback.models import Rating

__all__ = [
    "Receipt",
    "ReportInput",
    "add_event",
    "add_reporter_information",
    "add_subject_statement",
    "erase_reporter_identity",
    "extend",
    "follow",
    "link_duplicate",
    "open_from_inspection",
    "open_from_rating",
    "submit_report",
]

C = Case.Channel
K = CaseEvent.Kind
A = CaseEvent.Audience

PUBLIC_CHANNELS: Final = frozenset({C.WEB, C.BADGE, C.RATING, C.OPEN311})
INTERNAL_CHANNELS: Final = frozenset(
    {C.PHONE, C.LETTER, C.IN_PERSON, C.INSPECTION, C.FLAGGED_RATING}
)
DESCRIPTION_MAX: Final = 10_000
SHORT_MAX: Final = 300
NAME_MAX: Final = 200
MESSAGE_MAX: Final = 10_000
MAX_CLAUSES: Final = 20
_PHONE_RE: Final = re.compile(r"^\+?[0-9][0-9 .\-()]{7,19}$")

#: Which audience each kind of handler's message goes to.
MESSAGE_AUDIENCE: Final = {K.NOTE: A.INTERNAL, K.TO_REPORTER: A.REPORTER, K.TO_SUBJECT: A.SUBJECT}


@dataclass
class ReportInput:
    track: str = Track.FEEDBACK
    channel: str = Case.Channel.WEB
    subject_staff: StaffMember | None = None
    organisation: Organisation | None = None  # required when subject_staff is None
    subject_description: str = ""
    clause_ids: Sequence[int] = ()
    other_standard: str = ""
    occurred_on: dt.date | None = None
    occurred_place: str = ""
    description: str = ""
    is_anonymous: bool = True
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    source_rating: Rating | None = None


@dataclass(frozen=True)
class Receipt:
    case: Case
    code: str
    passphrase: str  # plain text, shown once; only its hash is stored


def _text(value: Any) -> str:
    # PostgreSQL refuses NUL bytes in text; nobody types them on purpose.
    return str(value or "").replace("\x00", "").strip()


def _too_long(limit: int) -> str:
    return _("Quá dài (tối đa %(max)d ký tự). / Too long (at most %(max)d characters).") % {
        "max": limit
    }


def _clean_report(data: ReportInput, *, actor: Any) -> tuple[dict[str, Any], list[int]]:
    """Check everything; raise one ValidationError with every field's message."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {}
    if data.track not in Track.values:
        fail("track", _("Chọn loại đơn. / Choose the kind of report."))
    channels = INTERNAL_CHANNELS if actor is not None else PUBLIC_CHANNELS
    if data.channel not in channels:
        fail("channel", _("Kênh tiếp nhận không hợp lệ. / Invalid channel."))

    staff = data.subject_staff
    organisation = staff.organisation if staff is not None else data.organisation
    subject_description = _text(data.subject_description)
    if organisation is None:
        fail(
            "organisation",
            _("Chọn cơ quan của người bị phản ánh. / Choose the person's organisation."),
        )
    if staff is None and not subject_description:
        fail(
            "subject_description",
            _(
                "Mô tả người bị phản ánh (chức vụ, vị trí, đặc điểm). / Describe the person "
                "(position, desk, appearance)."
            ),
        )
    if len(subject_description) > SHORT_MAX:
        fail("subject_description", _too_long(SHORT_MAX))

    description = _text(data.description)
    if not description:
        fail(
            "description",
            _("Vui lòng mô tả sự việc. / Please describe what happened."),
        )
    elif len(description) > DESCRIPTION_MAX:
        fail("description", _too_long(DESCRIPTION_MAX))

    for field in ("other_standard", "occurred_place"):
        value = _text(getattr(data, field))
        if len(value) > SHORT_MAX:
            fail(field, _too_long(SHORT_MAX))
        clean[field] = value

    occurred_on = data.occurred_on
    if occurred_on is not None:
        if not isinstance(occurred_on, dt.date) or isinstance(occurred_on, dt.datetime):
            fail("occurred_on", _("Ngày không hợp lệ. / Invalid date."))
            occurred_on = None
        elif occurred_on > timezone.localdate():
            fail(
                "occurred_on",
                _("Ngày xảy ra không thể ở tương lai. / The date cannot be in the future."),
            )
        elif occurred_on.year < 2000:
            fail("occurred_on", _("Ngày không hợp lệ. / Invalid date."))

    name = phone = email = ""
    if not data.is_anonymous:
        name = _text(data.reporter_name)
        phone = _text(data.reporter_phone)
        email = _text(data.reporter_email).lower()
        if not name:
            fail("reporter_name", _("Vui lòng nhập họ tên. / Please enter your name."))
        elif len(name) > NAME_MAX:
            fail("reporter_name", _too_long(NAME_MAX))
        if not phone and not email:
            fail(
                "reporter_phone",
                _(
                    "Nhập số điện thoại hoặc thư điện tử để nhận trả lời. / Enter a phone "
                    "number or an e-mail address for the reply."
                ),
            )
        if phone and (not _PHONE_RE.match(phone) or sum(ch.isdigit() for ch in phone) < 9):
            fail(
                "reporter_phone",
                _("Số điện thoại không hợp lệ. / Invalid phone number."),
            )
        if email:
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                fail("reporter_email", _("Thư điện tử không hợp lệ. / Invalid e-mail address."))

    clause_ids: list[int] = []
    try:
        clause_ids = sorted({int(pk) for pk in data.clause_ids or ()})
    except (TypeError, ValueError):
        fail("clause_ids", _("Chuẩn mực không hợp lệ. / Invalid standard."))
    if len(clause_ids) > MAX_CLAUSES:
        fail(
            "clause_ids",
            _("Chọn tối đa %(max)d chuẩn mực. / At most %(max)d standards.") % {"max": MAX_CLAUSES},
        )
    elif clause_ids and organisation is not None:
        from congvu.conduct.selectors import applicable_clauses

        known = set(
            applicable_clauses(organisation).filter(pk__in=clause_ids).values_list("pk", flat=True)
        )
        if known != set(clause_ids):
            fail(
                "clause_ids",
                _(
                    "Chuẩn mực đã chọn không áp dụng cho cơ quan này. / A chosen standard does "
                    "not apply to this organisation."
                ),
            )

    if errors:
        raise ValidationError(errors)
    clean.update(
        track=data.track,
        channel=data.channel,
        subject_staff=staff,
        organisation=organisation,
        subject_description=subject_description,
        description=description,
        occurred_on=occurred_on,
        is_anonymous=bool(data.is_anonymous),
        reporter_name=name,
        reporter_phone=phone,
        reporter_email=email,
        source_rating=data.source_rating,
    )
    return clean, clause_ids


def _free_code() -> str:
    # 31^10 codes: a collision is a one-in-a-billion event, but it must not lose a report.
    for _attempt in range(8):
        code = new_tracking_code()
        if not Case.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Could not find a free tracking code.")


@timeline.in_vietnamese
def submit_report(
    data: ReportInput,
    *,
    files: Sequence[UploadedFile] = (),
    actor: User | None = None,
    permission: Perm = Perm.CASE_HANDLE,
) -> Receipt:
    """File a report (a citizen when `actor` is None; an officer's internal intake otherwise).

    Validates everything (ValidationError with every field's message), routes the
    case, starts the acknowledgement clock, sanitises and stores the files and
    writes the CREATED event, in one transaction. An officer needs `permission` on
    the organisation: CASE_HANDLE for an intake; an inspector opening a case from a
    finding needs INSPECTION_RUN (see `open_from_inspection`).
    """
    field_errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    clause_ids: list[int] = []
    try:
        clean, clause_ids = _clean_report(data, actor=actor)
    except ValidationError as error:
        field_errors = dict(error.message_dict)
    checked: list[uploads.CheckedFile] = []
    try:
        checked = uploads.check_files(files)
    except ValidationError as error:
        field_errors["files"] = list(error.messages)
    if field_errors:
        raise ValidationError(field_errors)
    organisation: Organisation = clean["organisation"]
    if actor is not None:
        access.require(actor, permission, organisation)
        staff = clean["subject_staff"]
        if staff is not None and staff.user_id is not None and staff.user_id == actor.pk:
            raise PermissionDenied

    passphrase = new_passphrase()
    now = timezone.now()
    today = timezone.localdate()
    stored: list[CaseFile] = []
    try:
        with transaction.atomic():
            handling = routing.route(
                subject_staff=clean["subject_staff"],
                organisation=organisation,
                track=clean["track"],
            )
            case = Case.objects.create(
                code=_free_code(),
                handling_organisation=handling,
                passphrase_hash=hash_passphrase(passphrase),
                received_at=now,
                acknowledge_due=clocks.acknowledge_due(today, clean["track"]),
                created_by=actor,
                **clean,
            )
            if clause_ids:
                case.clauses.set(clause_ids)
            event = timeline.add(
                case,
                kind=K.CREATED,
                actor=actor,
                action="case.create",
                audience=A.REPORTER,
                body=history.RECEIVED.write(due=f"{case.acknowledge_due:%d/%m/%Y}"),
                data={
                    "track": case.track,
                    "channel": case.channel,
                    "anonymous": case.is_anonymous,
                    "files": len(checked),
                },
            )
            # The reporter's own evidence: never shown to the subject (it may identify them).
            uploads.store(case, checked, event=event, audience=A.REPORTER, into=stored)
            # The organisation's default handler, if it named one (after the CREATED event:
            # the timeline reads in order).
            default_handler.auto_assign(case)
            # Nobody there would see it as their work: those overseeing are told.
            unattended.tell_at_filing(case)
    except BaseException:
        uploads.discard(stored)
        raise
    return Receipt(case=case, code=case.code, passphrase=passphrase)


def _is_low(rating: Rating) -> bool:
    from congvu.feedback.models import Rating as RatingModel

    return rating.state == RatingModel.State.FLAGGED or not rating.satisfied


@timeline.in_vietnamese
def open_from_rating(rating: Rating, *, actor: User, description: str = "") -> Case:
    """Open a case from a flagged or low rating (the subject is the rated staff member).

    A second call for the same rating returns the case already opened.
    """
    access.require(actor, Perm.CASE_HANDLE, rating.organisation)
    existing = Case.objects.filter(source_rating=rating).order_by("pk").first()
    if existing is not None:
        return existing
    if not _is_low(rating):
        raise ValidationError(
            {
                "rating": _(
                    "Chỉ mở vụ việc từ đánh giá thấp hoặc bị gắn cờ. / Only a low or flagged "
                    "rating can open a case."
                )
            }
        )
    from congvu.feedback.selectors import shown_comment

    # The comment as every reader of the rating sees it: the case's readers (its handlers,
    # Home Affairs' oversight, the API, its search) need the citizen's phone no more than
    # the rating's do; the rating keeps it as written.
    text = (
        _text(description)
        or _text(shown_comment(rating.comment))
        or _("Đánh giá không hài lòng ngày %(day)s (mức %(level)d).")
        % {"day": f"{rating.rated_on:%d/%m/%Y}", "level": rating.level}
    )
    data = ReportInput(
        track=Track.FEEDBACK,
        channel=C.FLAGGED_RATING,
        subject_staff=rating.staff,
        organisation=rating.organisation,
        subject_description=""
        if rating.staff is not None
        else _("Cán bộ tiếp nhận (không rõ tên, theo lượt đánh giá)"),
        occurred_on=rating.rated_on,
        description=text[:DESCRIPTION_MAX],
        is_anonymous=True,
        source_rating=rating,
    )
    receipt = submit_report(data, actor=actor)
    # Nobody received the passphrase: the rating was anonymous, so no one follows this case.
    Case.objects.filter(pk=receipt.case.pk).update(passphrase_hash="")
    receipt.case.passphrase_hash = ""
    return receipt.case


@timeline.in_vietnamese
def open_from_inspection(
    *,
    organisation: Organisation,
    subject_staff: StaffMember | None,
    clause_ids: Sequence[int],
    other_standard: str,
    occurred_on: dt.date,
    description: str,
    actor: User,
) -> Case:
    """Open a case from an inspection's finding (a breach); the inspector needs
    INSPECTION_RUN on the organisation, not CASE_HANDLE: the case is then handled
    where the routing rules send it, like any other."""
    data = ReportInput(
        track=Track.FEEDBACK,
        channel=C.INSPECTION,
        subject_staff=subject_staff,
        organisation=organisation,
        subject_description=""
        if subject_staff is not None
        else _("Cán bộ, bộ phận chưa xác định (theo kết quả kiểm tra)"),
        clause_ids=clause_ids,
        other_standard=other_standard,
        occurred_on=occurred_on,
        description=_text(description)[:DESCRIPTION_MAX],
        is_anonymous=True,
    )
    receipt = submit_report(data, actor=actor, permission=Perm.INSPECTION_RUN)
    # Nobody follows an inspection's case with a passphrase: the inspectors read it here.
    Case.objects.filter(pk=receipt.case.pk).update(passphrase_hash="")
    receipt.case.passphrase_hash = ""
    return receipt.case


@timeline.in_vietnamese
def add_event(
    case: Case,
    *,
    actor: User,
    kind: CaseEvent.Kind | str,
    body: str,
    audience: CaseEvent.Audience | str = A.INTERNAL,
    files: Sequence[UploadedFile] = (),
) -> CaseEvent:
    """A handler's note (INTERNAL), message to the reporter, request to the subject, or files.

    Notes, messages to the reporter and to the subject always go to their own
    audience, whatever `audience` says; only FILE events take it from the caller.
    """
    body = _text(body)
    if kind in MESSAGE_AUDIENCE:
        audience = MESSAGE_AUDIENCE[K(kind)]
    elif kind != K.FILE or audience not in A.values:
        raise ValidationError({"kind": _("Loại ghi nhận không hợp lệ. / Invalid entry.")})
    if not body and not (kind == K.FILE and files):
        raise ValidationError({"body": _("Vui lòng nhập nội dung. / Please enter some text.")})
    if len(body) > MESSAGE_MAX:
        raise ValidationError({"body": _too_long(MESSAGE_MAX)})
    if kind == K.TO_SUBJECT and case.subject_staff_id is None:
        raise ValidationError(
            {
                "kind": _(
                    "Vụ việc chưa xác định người bị phản ánh. / The case names no staff member."
                )
            }
        )
    try:
        checked = uploads.check_files(files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    stored: list[CaseFile] = []
    try:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("handling_organisation")
                .get(pk=case.pk)
            )
            require_handler(actor, case)
            if kind == K.TO_REPORTER and case.first_response_at is None:
                case.first_response_at = timezone.now()
                case.save(update_fields=["first_response_at", "updated_at"])
            event = timeline.add(
                case,
                kind=kind,
                actor=actor,
                action=f"case.{kind}",
                audience=audience,
                body=body,
                data={"files": len(checked)},
            )
            uploads.store(case, checked, event=event, audience=audience, into=stored)
            if kind == K.TO_SUBJECT:
                notices.tell_subject(case, notices.STATEMENT_REQUESTED)
    except BaseException:
        uploads.discard(stored)
        raise
    return event


@timeline.in_vietnamese
def add_subject_statement(
    case: Case, *, actor: User, body: str, files: Sequence[UploadedFile] = ()
) -> CaseEvent:
    """The staff member concerned answers with a statement and files (due process)."""
    if not is_subject(actor, case):
        raise PermissionDenied
    body = _text(body)
    if not body and not files:
        raise ValidationError(
            {"body": _("Vui lòng nhập nội dung giải trình. / Please write your statement.")}
        )
    if len(body) > MESSAGE_MAX:
        raise ValidationError({"body": _too_long(MESSAGE_MAX)})
    try:
        checked = uploads.check_files(files)
    except ValidationError as error:
        raise ValidationError({"files": error.messages}) from None
    stored: list[CaseFile] = []
    try:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=case.pk)
            event = timeline.add(
                case,
                kind=K.FROM_SUBJECT,
                actor=actor,
                action="case.subject_statement",
                audience=A.SUBJECT,
                body=body,
                data={"files": len(checked)},
            )
            uploads.store(case, checked, event=event, audience=A.SUBJECT, into=stored)
    except BaseException:
        uploads.discard(stored)
        raise
    return event


@timeline.in_vietnamese
@transaction.atomic
def link_duplicate(case: Case, *, main: Case, actor: User) -> Case:
    """Mark `case` as a duplicate of `main`; the reporters of both are told.

    Linking does not reject the duplicate: the handler rejects it (reason
    "duplicate") or keeps it open as they see fit.
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("handling_organisation")
        .get(pk=case.pk)
    )
    main = Case.objects.select_related("handling_organisation", "main_case").get(pk=main.pk)
    if main.main_case_id is not None and main.main_case is not None:
        main = main.main_case  # link to the root: no chains of duplicates
    require_handler(actor, case)
    require_handler(actor, main)
    if main.pk == case.pk:
        raise ValidationError(
            {"main": _("Không thể gộp vụ việc vào chính nó. / A case cannot duplicate itself.")}
        )
    if case.duplicates.exists():
        raise ValidationError(
            {
                "main": _(
                    "Vụ việc này đang là vụ việc chính của vụ việc khác. / Other cases are "
                    "linked to this one."
                )
            }
        )
    case.main_case = main
    case.save(update_fields=["main_case", "updated_at"])
    timeline.add(
        case,
        kind=K.LINKED,
        actor=actor,
        action="case.link_duplicate",
        audience=A.REPORTER,
        body=history.LINKED_TO_MAIN.write(main=main.code),
        data={"main": main.code},
    )
    timeline.add(
        main,
        kind=K.LINKED,
        actor=actor,
        action="case.link_duplicate",
        audience=A.REPORTER,
        body=history.LINKED_FROM_DUPLICATE.write(),
        data={"duplicate": case.code},
    )
    return case
