"""Every write on periodic reports: checked, atomic, audited.

Periods are opened by the issuing side (PLAN_MANAGE on the province root:
the Department of Home Affairs). Reports are drafted, edited and submitted by
the organisation (REPORT_SUBMIT: its head or focal point); the decisions on a
submitted report are in `workflow.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import record
from congvu.core.calendar import add_working_days
from congvu.core.forms import FIRST_YEAR, LAST_YEAR, out_of_range_message
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.planning.models import Plan

from . import indicators, period_notices, workflow
from .models import OrganisationReport, ReportPeriod, ReportPeriodDueChange

# Who reports by default: departments, commune People's Committees, public service
# units (Plan 86/KH-UBND I.1.a: "các cơ quan, đơn vị"). Editable per period.
DEFAULT_REPORTING_KINDS = ("department", "commune_pc", "public_service_unit")
YEARLY_DUE_MONTH = 11
YEARLY_DUE_DAY = 15
#: A period opened after its nominal due date (15/11) is given this many working days.
LATE_OPENING_WORKING_DAYS = 10
NARRATIVE_FIELDS = (
    "results",
    "shortcomings_and_causes",
    "proposals",
    "number",
    "signer_name",
    "signer_title",
)
PERIOD_FIELDS = (
    "name",
    "kind",
    "covers_from",
    "covers_to",
    "due_on",
    "plan",
    "compiling_organisation",
    "place",
    "number",
    "signer_name",
    "signer_title",
)

S = OrganisationReport.Status


def _require_manager(actor: Any, organisation: Organisation) -> None:
    # actor=None is a system job (default data, management command).
    if actor is not None:
        access.require(actor, Perm.PLAN_MANAGE, organisation)


def province_root() -> Organisation | None:
    return Organisation.objects.filter(parent__isnull=True).current().order_by("path").first()


def _check_dates(covers_from: dt.date, covers_to: dt.date, due_on: dt.date) -> None:
    errors: dict[str, str] = {}
    for name, day in (("covers_from", covers_from), ("covers_to", covers_to), ("due_on", due_on)):
        # Periods are counted in aware datetimes: a year-1 or year-9999 date overflowed on
        # every later view of the period (a 500 no user could undo). The API comes here too.
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            errors[name] = out_of_range_message()
    if errors:
        raise ValidationError(errors)
    if covers_to < covers_from:
        errors["covers_to"] = _(
            "Ngày kết thúc phải sau ngày bắt đầu. / The end must not be before the start."
        )
    if due_on < covers_from:
        errors["due_on"] = _(
            "Hạn nộp phải sau ngày bắt đầu kỳ. / The due date must be after the period starts."
        )
    if errors:
        raise ValidationError(errors)


def late_due_on(nominal: dt.date, today: dt.date) -> dt.date:
    """`nominal`, or, once it has passed, `LATE_OPENING_WORKING_DAYS` working days from
    `today`: the due date a period opened on `today` is given."""
    if nominal >= today:
        return nominal
    return add_working_days(today, LATE_OPENING_WORKING_DAYS)


def yearly_due_on(year: int, today: dt.date) -> dt.date:
    """The due date the yearly period of `year` gets when opened on `today`."""
    return late_due_on(_safe_date(year, YEARLY_DUE_MONTH, YEARLY_DUE_DAY), today)


def yearly_name(year: int) -> str:
    return f"Báo cáo kết quả thực hiện văn hóa công vụ năm {year}"


def _safe_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValidationError(_("Ngày không hợp lệ. / Invalid date.")) from exc


@transaction.atomic
def ensure_yearly_period(
    year: int,
    *,
    actor: Any = None,
    issuing_organisation: Organisation | None = None,
    due_month: int = YEARLY_DUE_MONTH,
    due_day: int = YEARLY_DUE_DAY,
    plan: Plan | None = None,
    today: dt.date | None = None,
) -> ReportPeriod:
    """The yearly period of `year`, created with the defaults when missing.

    Covering the day after the previous year's nominal due date up to this year's
    (16/11/`year-1` → 15/11/`year`): the figures a report gives are those known on that
    day. Due on that day too, unless `today` (the day it is opened) is already past it:
    then `LATE_OPENING_WORKING_DAYS` working days from `today` (`late_due_on`), so that a
    period opened late is not overdue from its first day. All editable afterwards.
    """
    issuer = issuing_organisation or province_root()
    if issuer is None:
        raise ValidationError(_("Chưa có cơ quan cấp tỉnh. / No province organisation yet."))
    _require_manager(actor, issuer)
    name = yearly_name(year)
    existing = ReportPeriod.objects.filter(issuing_organisation=issuer, name=name).first()
    if existing is not None:
        return existing
    covers_to = _safe_date(year, due_month, due_day)
    covers_from = _safe_date(year - 1, due_month, due_day) + dt.timedelta(days=1)
    due_on = covers_to if today is None else late_due_on(covers_to, today)
    compiling = (
        Organisation.objects.filter(parent=issuer, name__iexact="Sở Nội vụ").current().first()
    )
    period = ReportPeriod.objects.create(
        name=name,
        kind=ReportPeriod.Kind.YEARLY,
        issuing_organisation=issuer,
        compiling_organisation=compiling,
        covers_from=covers_from,
        covers_to=covers_to,
        due_on=due_on,
        plan=plan,
        place=place_of(issuer),
    )
    period.reporting_kinds.set(OrganisationKind.objects.filter(code__in=DEFAULT_REPORTING_KINDS))
    record(
        "report_period.create",
        actor=actor,
        obj=period,
        organisation=issuer,
        summary=name,
        data={"due_on": due_on, "covers_from": covers_from, "default": True},
    )
    return period


def place_of(organisation: Organisation) -> str:
    """The place name a document is dated at: "Hưng Yên" from "Ủy ban nhân dân tỉnh Hưng Yên"."""
    lowered = organisation.name.lower()
    for marker in ("thành phố ", "tỉnh "):
        at = lowered.rfind(marker)
        if at >= 0:
            return organisation.name[at + len(marker) :].strip()
    return ""


def place_from(organisation: Organisation) -> str:
    """The place a document is dated at: the issuer's, or that of the first body above it."""
    current: Organisation | None = organisation
    while current is not None:
        place = place_of(current)
        if place:
            return place
        current = current.parent
    return ""


@transaction.atomic
def create_period(
    *,
    actor: Any,
    issuing_organisation: Organisation,
    name: str,
    kind: str,
    covers_from: dt.date,
    covers_to: dt.date,
    due_on: dt.date,
    reporting_kinds: Iterable[OrganisationKind] | None = None,
    plan: Plan | None = None,
    compiling_organisation: Organisation | None = None,
    place: str = "",
    number: str = "",
    signer_name: str = "",
    signer_title: str = "",
) -> ReportPeriod:
    _require_manager(actor, issuing_organisation)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Vui lòng nhập tên kỳ báo cáo. / Please enter a name.")})
    _check_dates(covers_from, covers_to, due_on)
    if ReportPeriod.objects.filter(issuing_organisation=issuing_organisation, name=name).exists():
        raise ValidationError(
            {"name": _("Đã có kỳ báo cáo cùng tên. / A period with this name exists.")}
        )
    period = ReportPeriod.objects.create(
        name=name,
        kind=kind,
        issuing_organisation=issuing_organisation,
        compiling_organisation=compiling_organisation,
        covers_from=covers_from,
        covers_to=covers_to,
        due_on=due_on,
        plan=plan,
        place=place.strip() or place_of(issuing_organisation),
        number=number.strip(),
        signer_name=signer_name.strip(),
        signer_title=signer_title.strip(),
    )
    kinds = list(reporting_kinds) if reporting_kinds is not None else None
    if kinds is None:
        kinds = list(OrganisationKind.objects.filter(code__in=DEFAULT_REPORTING_KINDS))
    period.reporting_kinds.set([k for k in kinds if not k.is_division])
    record(
        "report_period.create",
        actor=actor,
        obj=period,
        organisation=issuing_organisation,
        summary=name,
        data={"kind": kind, "covers_from": covers_from, "covers_to": covers_to, "due_on": due_on},
    )
    return period


#: What "Sửa kỳ báo cáo" changes. The issuer, the kind, the plan and the compiling
#: organisation stay: another issuer or plan is another period (and its reports' figures).
EDITABLE_PERIOD_FIELDS = (
    "name",
    "covers_from",
    "covers_to",
    "due_on",
    "place",
    "number",
    "signer_name",
    "signer_title",
)
REASON_MAX = 2000
#: Organisations named when removing a kind is refused (the others are counted).
NAMED_MAX = 10


def _first_errors(error: ValidationError) -> dict[str, str]:
    return {name: str(messages[0]) for name, messages in error.message_dict.items()}


def _reported_in_kinds(period: ReportPeriod, kind_ids: set[int]) -> list[str]:
    """Names of the organisations of `kind_ids` that have a report in `period` (any state:
    a draft, a submitted, returned or accepted report would lose its place in the
    compilation)."""
    return list(
        OrganisationReport.objects.filter(period=period, organisation__kind_id__in=kind_ids)
        .order_by("organisation__path")
        .values_list("organisation_name", flat=True)
    )


def _kinds_error(names: list[str]) -> str:
    # The count of the others as "(+N)": the list goes into both halves of the message.
    listed = ", ".join(names[:NAMED_MAX])
    if len(names) > NAMED_MAX:
        listed += f", … (+{len(names) - NAMED_MAX})"
    return _(
        "Không bỏ được loại cơ quan đã có cơ quan lập báo cáo kỳ này: %(names)s. / "
        "A kind cannot be removed while its organisations have a report in this period: "
        "%(names)s."
    ) % {"names": listed}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def update_period(
    period: ReportPeriod, *, actor: Any, reason: str = "", **changes: Any
) -> ReportPeriod:
    """Change an open or closed period's name, dates, document details or reporting kinds
    (PLAN_MANAGE on its issuer). What is left out stays; nothing changed: nothing recorded.

    A new due date needs `reason` and is kept in the period's history
    (`ReportPeriodDueChange`). Lateness follows the due date in force: a report first
    submitted on or before the new date is no longer late (an extension forgives), and a
    report on time stays on time (a shortened date judges only what is submitted after it;
    `workflow.transition`). The people who still have to report are told of the new date.

    Adding reporting kinds is always possible; removing one is refused while an
    organisation of that kind has a report in the period (naming them).
    """
    unknown = set(changes) - {*EDITABLE_PERIOD_FIELDS, "reporting_kinds"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    period = (
        ReportPeriod.objects.select_for_update(of=("self",))
        .select_related("issuing_organisation")
        .get(pk=period.pk)
    )
    _require_manager(actor, period.issuing_organisation)
    before = {name: getattr(period, name) for name in EDITABLE_PERIOD_FIELDS}
    after = dict(before)
    for name in EDITABLE_PERIOD_FIELDS:
        if name in changes and changes[name] is not None:
            value = changes[name]
            after[name] = value.strip() if isinstance(value, str) else value
    errors: dict[str, str] = {}
    if not after["name"]:
        errors["name"] = _("Vui lòng nhập tên kỳ báo cáo. / Please enter a name.")
    elif (
        after["name"] != before["name"]
        and ReportPeriod.objects.filter(
            issuing_organisation=period.issuing_organisation, name=after["name"]
        )
        .exclude(pk=period.pk)
        .exists()
    ):
        errors["name"] = _("Đã có kỳ báo cáo cùng tên. / A period with this name exists.")
    try:
        _check_dates(after["covers_from"], after["covers_to"], after["due_on"])
    except ValidationError as exc:
        errors.update(_first_errors(exc))
    old_kinds = {kind.pk: kind for kind in period.reporting_kinds.all()}
    new_kinds = dict(old_kinds)
    if changes.get("reporting_kinds") is not None:
        new_kinds = {kind.pk: kind for kind in changes["reporting_kinds"] if not kind.is_division}
        if not new_kinds:
            errors["reporting_kinds"] = _("Chọn ít nhất một loại. / Choose at least one kind.")
        else:
            refused = _reported_in_kinds(period, set(old_kinds) - set(new_kinds))
            if refused:
                errors["reporting_kinds"] = _kinds_error(refused)
    reason = (reason or "").strip()
    moved = isinstance(after["due_on"], dt.date) and after["due_on"] != before["due_on"]
    if len(reason) > REASON_MAX:
        errors["reason"] = _("Lý do quá dài. / The reason is too long.")
    elif moved and not reason:
        errors["reason"] = _("Cần ghi lý do đổi hạn nộp báo cáo. / Say why the due date changes.")
    if errors:
        raise ValidationError(errors)
    changed = [name for name in EDITABLE_PERIOD_FIELDS if after[name] != before[name]]
    kinds_changed = set(new_kinds) != set(old_kinds)
    if not changed and not kinds_changed:
        return period
    for name in changed:
        setattr(period, name, after[name])
    period.save(update_fields=[*changed, "updated_at"])
    data: dict[str, Any] = {
        "before": {name: _plain(before[name]) for name in changed},
        "after": {name: _plain(after[name]) for name in changed},
    }
    if kinds_changed:
        period.reporting_kinds.set(list(new_kinds.values()))
        data["before"]["reporting_kinds"] = sorted(k.code for k in old_kinds.values())
        data["after"]["reporting_kinds"] = sorted(k.code for k in new_kinds.values())
    if moved:
        data["reason"] = reason
        ReportPeriodDueChange.objects.create(
            period=period,
            old_due_on=before["due_on"],
            new_due_on=period.due_on,
            reason=reason,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        data["no_longer_late"] = _forgive_lateness(period)
    record(
        "report_period.update",
        actor=actor,
        obj=period,
        organisation=period.issuing_organisation,
        summary=f"{period.name}: {', '.join(data['after'])}",
        data=data,
    )
    if moved and period.is_open:
        period_notices.due_changed(period, old_due_on=before["due_on"], reason=reason, actor=actor)
    return period


def _forgive_lateness(period: ReportPeriod) -> int:
    """Reports first submitted on or before the period's (new) due date are on time; the
    others keep their mark: lateness is judged on the first submission, in local time, as
    `workflow.transition` judges it. Returns how many were marked late and no longer are."""
    next_day = dt.datetime.combine(period.due_on + dt.timedelta(days=1), dt.time.min)
    return OrganisationReport.objects.filter(
        period=period,
        is_late=True,
        first_submitted_at__lt=timezone.make_aware(next_day),
    ).update(is_late=False, updated_at=timezone.now())


@transaction.atomic
def set_period_status(period: ReportPeriod, *, actor: Any, status: str) -> ReportPeriod:
    """Close a period (no more drafts or submissions) or open it again."""
    period = ReportPeriod.objects.select_for_update().get(pk=period.pk)
    _require_manager(actor, period.issuing_organisation)
    if status not in ReportPeriod.Status.values:
        raise ValidationError(_("Trạng thái không hợp lệ. / Invalid status."))
    if period.status != status:
        period.status = status
        period.save(update_fields=["status", "updated_at"])
        record(
            f"report_period.{status}",
            actor=actor,
            obj=period,
            organisation=period.issuing_organisation,
            summary=period.name,
        )
    return period


def _require_open(period: ReportPeriod) -> None:
    if not period.is_open:
        raise ValidationError(
            _("Kỳ báo cáo đã đóng. / The reporting period is closed."), code="closed"
        )


def _locked(report: OrganisationReport) -> OrganisationReport:
    return (
        OrganisationReport.objects.select_for_update()
        .select_related("period", "organisation")
        .get(pk=report.pk)
    )


@transaction.atomic
def create_report(
    period: ReportPeriod, *, organisation: Organisation, actor: Any
) -> OrganisationReport:
    """The organisation's report for `period`: a new draft with fresh indicators, or the
    existing one (its indicators refreshed when it is still being written)."""
    access.require(actor, Perm.REPORT_SUBMIT, organisation)
    _require_open(period)
    if organisation.kind.is_division:
        raise ValidationError(
            {
                "organisation": _(
                    "Phòng, bộ phận không lập báo cáo riêng. / Divisions do not report."
                )
            }
        )
    existing = OrganisationReport.objects.filter(period=period, organisation=organisation).first()
    if existing is not None:
        if existing.is_editable:
            return refresh_indicators(existing, actor=actor)
        return existing
    try:
        with transaction.atomic():
            report = OrganisationReport.objects.create(
                period=period,
                organisation=organisation,
                organisation_name=organisation.name,
                indicators=indicators.compute_one(period, organisation.pk),
                indicators_computed_at=timezone.now(),
                created_by=actor,
            )
    except IntegrityError:
        # Two people pressed "create" at once: the other one's draft is the report.
        return OrganisationReport.objects.get(period=period, organisation=organisation)
    record(
        "report.create",
        actor=actor,
        obj=report,
        organisation=organisation,
        summary=f"{organisation.name}: {period.name}",
    )
    return report


@transaction.atomic
def refresh_indicators(report: OrganisationReport, *, actor: Any) -> OrganisationReport:
    report = _locked(report)
    workflow.require_reporter(actor, report)
    _require_open(report.period)
    if not report.is_editable:
        raise ValidationError(
            _("Báo cáo đã nộp, không cập nhật số liệu được. / The report is already submitted.")
        )
    report.indicators = indicators.compute_one(report.period, report.organisation_id)
    report.indicators_computed_at = timezone.now()
    report.save(update_fields=["indicators", "indicators_computed_at", "updated_at"])
    record(
        "report.refresh",
        actor=actor,
        obj=report,
        organisation=report.organisation,
        summary=f"{report.organisation_name}: cập nhật số liệu",
    )
    return report


@transaction.atomic
def edit_report(report: OrganisationReport, *, actor: Any, **fields: str) -> OrganisationReport:
    """Change the narrative sections and the document details of a draft or returned report."""
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    report = _locked(report)
    workflow.require_reporter(actor, report)
    _require_open(report.period)
    if not report.is_editable:
        raise ValidationError(
            _("Báo cáo đã nộp, không sửa được. / A submitted report cannot be edited.")
        )
    changed = []
    for name, value in fields.items():
        value = (value or "").strip()
        if getattr(report, name) != value:
            setattr(report, name, value)
            changed.append(name)
    if changed:
        report.save(update_fields=[*changed, "updated_at"])
        record(
            "report.edit",
            actor=actor,
            obj=report,
            organisation=report.organisation,
            summary=f"{report.organisation_name}: sửa nội dung báo cáo",
            data={"fields": changed},
        )
    return report


def submit_report(report: OrganisationReport, *, actor: Any) -> OrganisationReport:
    """Submit (or submit again after a return): indicators refreshed, lateness marked."""
    workflow.require_reporter(actor, report)
    if not report.results.strip():
        raise ValidationError(
            {
                "results": _(
                    "Vui lòng nêu kết quả đạt được trước khi nộp. / "
                    "Please describe the results before submitting."
                )
            }
        )
    return workflow.transition(report, S.SUBMITTED, actor=actor)


def return_report(report: OrganisationReport, *, actor: Any, comments: str) -> OrganisationReport:
    return workflow.transition(report, S.RETURNED, actor=actor, note=comments)


def accept_report(
    report: OrganisationReport, *, actor: Any, comments: str = ""
) -> OrganisationReport:
    return workflow.transition(report, S.ACCEPTED, actor=actor, note=comments)
