"""Discipline after a substantiated case (Decree 112/2020/NĐ-CP).

The forms a staff member may receive depend on their category and post
(`DisciplineForm` flags, data):

* officials (cán bộ, art. 7): reprimand, warning, dismissal from post, removal (bãi nhiệm);
* civil servants without a post (art. 8): reprimand, warning, salary downgrade,
  forced resignation; with a post: reprimand, warning, demotion, dismissal from
  post, forced resignation;
* public employees (art. 15): reprimand, warning, forced resignation; managers
  also dismissal from post;
* workers under labour contracts fall under the Labour Code, not this decree:
  no form is offered.

Limitation period (Law on Cadres and Civil Servants, art. 80, amended 2019; Law
on Public Employees, art. 53): 5 years for conduct warranting a reprimand,
10 years for heavier forms, counted from the date of the conduct.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts.access import Perm
from congvu.organisations.models import StaffMember

from . import history, notices, timeline, uploads
from .models import Case, CaseEvent, DisciplineDecision, DisciplineForm
from .visibility import require_handler

Category = StaffMember.Category
Stage = DisciplineDecision.Stage
DISCIPLINE_OUTCOMES: Final = frozenset({Case.Outcome.SUBSTANTIATED, Case.Outcome.PARTLY})
NOTE_MAX: Final = 5000


def _flag_for(staff: StaffMember) -> str | None:
    if staff.category == Category.OFFICIAL:
        return "for_official"
    if staff.category == Category.CIVIL_SERVANT:
        return "for_leader" if staff.is_leader else "for_civil_servant"
    if staff.category == Category.PUBLIC_EMPLOYEE:
        return "for_public_employee_manager" if staff.is_leader else "for_public_employee"
    return None  # workers: the Labour Code applies


def allowed_forms(staff: StaffMember) -> QuerySet[DisciplineForm]:
    flag = _flag_for(staff)
    if flag is None:
        return DisciplineForm.objects.none()
    return DisciplineForm.objects.filter(Q(**{flag: True}), is_active=True).order_by("rank", "code")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def limitation_ends(form: DisciplineForm, conduct_date: dt.date) -> dt.date:
    return _add_years(conduct_date, form.limitation_years)


def limitation_expired(form: DisciplineForm, conduct_date: dt.date, on: dt.date) -> bool:
    """Has the limitation period for `form` run out on `on` for conduct on `conduct_date`?"""
    return limitation_ends(form, conduct_date) < on


def _limitation_error(form: DisciplineForm, conduct_date: dt.date) -> ValidationError:
    return ValidationError(
        {
            "conduct_date": _(
                "Đã hết thời hiệu xử lý kỷ luật (%(years)d năm kể từ ngày %(date)s, hết ngày "
                "%(end)s; Luật Cán bộ, công chức, Điều 80). / The limitation period of "
                "%(years)d years for this form has expired."
            )
            % {
                "years": form.limitation_years,
                "date": f"{conduct_date:%d/%m/%Y}",
                "end": f"{limitation_ends(form, conduct_date):%d/%m/%Y}",
            }
        }
    )


@timeline.in_vietnamese
@transaction.atomic
def propose(
    case: Case, *, form: DisciplineForm, conduct_date: dt.date, note: str, actor: Any
) -> DisciplineDecision:
    """Propose a form of discipline for the subject of a substantiated case."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("subject_staff", "handling_organisation")
        .get(pk=case.pk)
    )
    require_handler(actor, case)
    staff = case.subject_staff
    errors: dict[str, str] = {}
    if case.status not in (Case.Status.CONCLUDED, Case.Status.CLOSED) or (
        case.outcome not in DISCIPLINE_OUTCOMES
    ):
        errors["case"] = _(
            "Chỉ đề xuất kỷ luật khi vụ việc được kết luận là đúng hoặc đúng một phần. / "
            "Discipline can only follow a case concluded as substantiated or partly so."
        )
    if staff is None:
        errors["case"] = _(
            "Vụ việc chưa xác định cán bộ bị phản ánh. / The case names no staff member."
        )
    elif not allowed_forms(staff).filter(pk=form.pk).exists():
        errors["form"] = _(
            "Hình thức này không áp dụng cho %(category)s%(leader)s (Nghị định 112/2020). / "
            "This form does not apply to this category of staff."
        ) % {
            "category": staff.get_category_display().lower(),
            "leader": _(" giữ chức vụ lãnh đạo, quản lý") if staff.is_leader else "",
        }
    today = timezone.localdate()
    if not isinstance(conduct_date, dt.date):
        errors["conduct_date"] = _("Ngày không hợp lệ. / Invalid date.")
    elif conduct_date > today:
        errors["conduct_date"] = _(
            "Ngày vi phạm không thể ở tương lai. / The date cannot be in the future."
        )
    note = str(note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Nội dung quá dài. / The text is too long.")
    if errors:
        raise ValidationError(errors)
    if limitation_expired(form, conduct_date, today):
        raise _limitation_error(form, conduct_date)
    assert staff is not None
    decision = DisciplineDecision.objects.create(
        case=case,
        staff=staff,
        form=form,
        conduct_date=conduct_date,
        proposal_note=note,
        proposed_by=actor,
    )
    timeline.add(
        case,
        kind=CaseEvent.Kind.DISCIPLINE,
        actor=actor,
        action="case.discipline_propose",
        audience=CaseEvent.Audience.INTERNAL,
        body=history.DISCIPLINE_PROPOSED.write(form=form.name) + (f"\n{note}" if note else ""),
        data={"decision": decision.pk, "form": form.code},
    )
    # The head who decides is told; the staff member is not: the proposal is the
    # handlers' deliberation (internal), they are told of the decision (`decide`).
    notices.discipline_proposed(case, decision, actor=actor)
    return decision


@timeline.in_vietnamese
def decide(
    decision: DisciplineDecision,
    *,
    number: str,
    decided_on: dt.date,
    file: Any | None,
    actor: Any,
) -> DisciplineDecision:
    """Record the discipline decision: number, date and the signed file (pdf, docx, image)."""
    saved: list[Any] = []
    try:
        return _decide(
            decision, number=number, decided_on=decided_on, file=file, actor=actor, saved=saved
        )
    except BaseException:
        # Files are not transactional: a rolled-back decision leaves no file behind.
        for field in saved:
            field.storage.delete(field.name)
        raise


@transaction.atomic
def _decide(
    decision: DisciplineDecision,
    *,
    number: str,
    decided_on: dt.date,
    file: Any | None,
    actor: Any,
    saved: list[Any],
) -> DisciplineDecision:
    decision = (
        DisciplineDecision.objects.select_for_update(of=("self",))
        .select_related("case", "case__handling_organisation", "form")
        .get(pk=decision.pk)
    )
    case = decision.case
    require_handler(actor, case, Perm.DISCIPLINE_DECIDE)
    errors: dict[str, Any] = {}
    if decision.stage != Stage.PROPOSED:
        errors["number"] = _(
            "Đề xuất này đã được quyết định hoặc đã rút. / This proposal is already decided "
            "or withdrawn."
        )
    number = str(number or "").replace("\x00", "").strip()
    if not number:
        errors["number"] = _("Nhập số quyết định. / Enter the decision number.")
    elif len(number) > 60:
        errors["number"] = _("Số quyết định quá dài. / The number is too long.")
    today = timezone.localdate()
    if not isinstance(decided_on, dt.date):
        errors["decided_on"] = _("Ngày không hợp lệ. / Invalid date.")
    elif decided_on > today or decided_on < decision.conduct_date:
        errors["decided_on"] = _(
            "Ngày quyết định không hợp lệ (không ở tương lai, không trước ngày vi phạm). / "
            "Invalid decision date."
        )
    elif limitation_expired(decision.form, decision.conduct_date, decided_on):
        errors["decided_on"] = _limitation_error(decision.form, decision.conduct_date).messages[0]
    checked = None
    if file is not None:
        try:
            checked = uploads.check_one(file, allowed=uploads.DECISION_TYPES)
        except ValidationError as error:
            errors["file"] = error.messages
    if errors:
        raise ValidationError(errors)
    decision.stage = Stage.DECIDED
    decision.decision_number = number
    decision.decided_on = decided_on
    decision.decided_by = actor
    if checked is not None:
        # A random name: the decision is about a person, its name may say who.
        decision.decision_file.save(
            f"qd{uploads.EXTENSION[checked.content_type]}",
            ContentFile(checked.content),
            save=False,
        )
        saved.append(decision.decision_file)
    decision.save()
    timeline.add(
        case,
        kind=CaseEvent.Kind.DISCIPLINE,
        actor=actor,
        action="case.discipline_decide",
        # The staff member is told of the decision about them (due process).
        audience=CaseEvent.Audience.SUBJECT,
        body=history.DISCIPLINE_DECIDED.write(
            number=number, date=f"{decided_on:%d/%m/%Y}", form=decision.form.name
        ),
        data={
            "decision": decision.pk,
            "form": decision.form.code,
            "file_sha256": checked.sha256 if checked is not None else "",
        },
    )
    notices.tell_subject(case, notices.SUBJECT_DISCIPLINE, number=number, day=decided_on)
    return decision


@timeline.in_vietnamese
@transaction.atomic
def withdraw(decision: DisciplineDecision, *, reason: str, actor: Any) -> DisciplineDecision:
    """Withdraw a proposal that has not been decided."""
    decision = (
        DisciplineDecision.objects.select_for_update(of=("self",))
        .select_related("case", "case__handling_organisation", "form")
        .get(pk=decision.pk)
    )
    require_handler(actor, decision.case)
    reason = str(reason or "").replace("\x00", "").strip()
    if decision.stage != Stage.PROPOSED:
        raise ValidationError(
            {
                "reason": _(
                    "Chỉ rút được đề xuất chưa quyết định. / Only a proposal can be withdrawn."
                )
            }
        )
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do. / A reason is required.")})
    decision.stage = Stage.WITHDRAWN
    decision.save(update_fields=["stage", "updated_at"])
    timeline.add(
        decision.case,
        kind=CaseEvent.Kind.DISCIPLINE,
        actor=actor,
        action="case.discipline_withdraw",
        audience=CaseEvent.Audience.INTERNAL,
        body=history.DISCIPLINE_WITHDRAWN.write(form=decision.form.name, reason=reason[:NOTE_MAX]),
        data={"decision": decision.pk},
    )
    return decision


def record_for(staff: StaffMember, *, year: int | None = None) -> list[DisciplineDecision]:
    """Decided discipline of `staff` (in `year` if given), for the annual rating (Decree 90)."""
    qs = DisciplineDecision.objects.filter(staff=staff, stage=Stage.DECIDED).select_related(
        "form", "case"
    )
    if year is not None:
        qs = qs.filter(decided_on__year=year)
    return list(qs.order_by("-decided_on", "-pk"))
