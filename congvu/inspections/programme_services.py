"""Writes on the yearly inspection programme (kế hoạch kiểm tra công vụ hằng năm):
create it, add (one or many at once), change and remove its items while it is a draft,
approve it.

Managing a programme needs INSPECTION_RUN on the organisation that issues it, and every
item's organisation must be in the actor's INSPECTION_RUN scope too; approving it needs
INSPECTION_PROGRAMME_APPROVE (Home Affairs leadership). An approved programme is what the
decision approved: it changes only through an amendment (`programme_amendments.py`).
Each function checks through access.py, runs in one transaction and writes one audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import User
from congvu.audit.services import record
from congvu.core.text import bounded
from congvu.organisations.models import Organisation

from .models import Inspection, InspectionProgramme, ProgrammeItem

P = InspectionProgramme.Status
YEAR_MIN: Final = 2000
YEAR_MAX: Final = 2100
TITLE_MAX: Final = 300
DECISION_MAX: Final = 100
NOTE_MAX: Final = 5_000
REASON_MAX: Final = 5_000
#: Organisations added at once, at most (a province has about 1,300 besides divisions).
BULK_MAX: Final = 2_000


def _valid_in_year(organisation: Organisation, year: int) -> bool:
    """The dated tree: the organisation exists at some point of `year`."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return organisation.valid_from <= last and (
        organisation.valid_to is None or organisation.valid_to >= first
    )


def _year_error(year: Any) -> str | None:
    if not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX:
        return _(
            "Năm phải từ %(min)d đến %(max)d. / The year must be between %(min)d and %(max)d."
        ) % {
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
    return None


def checked_text(value: Any, limit: int, key: str, errors: dict[str, str]) -> str:
    try:
        return bounded(str(value or ""), limit, key)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return ""


def required_reason(value: Any, missing: str, errors: dict[str, str]) -> str:
    """The reason, trimmed; `missing` (or the length error) in `errors["reason"]` if none."""
    reason = checked_text(value, REASON_MAX, "reason", errors).strip()
    if not reason and "reason" not in errors:
        errors["reason"] = missing
    return reason


def _require_draft(programme: InspectionProgramme) -> None:
    if programme.status != P.DRAFT:
        raise ValidationError(
            _(
                "Kế hoạch đã được phê duyệt, không sửa được nữa. / The programme is approved "
                "and can no longer be changed."
            )
        )


@transaction.atomic
def create_programme(
    organisation: Organisation,
    *,
    actor: User,
    year: int | None,
    title: str,
) -> InspectionProgramme:
    """A draft programme issued by `organisation` (INSPECTION_RUN there)."""
    access.require(actor, Perm.INSPECTION_RUN, organisation)
    errors: dict[str, str] = {}
    year_error = _year_error(year)
    if year_error:
        errors["year"] = year_error
    elif year is not None and not _valid_in_year(organisation, year):
        errors["organisation"] = _(
            "Cơ quan ban hành không tồn tại trong năm %(year)d. / The issuing organisation "
            "does not exist in %(year)d."
        ) % {"year": year}
    title = checked_text(title, TITLE_MAX, "title", errors)
    if not title and "title" not in errors:
        errors["title"] = _("Nhập tên kế hoạch. / Enter the programme's title.")
    if errors:
        raise ValidationError(errors)
    assert year is not None
    programme = InspectionProgramme.objects.create(
        year=year, organisation=organisation, title=title, created_by=actor
    )
    record(
        "inspection_programme.create",
        actor=actor,
        obj=programme,
        organisation=organisation,
        summary=f"{title} ({year})",
        data={"year": year},
    )
    return programme


def locked(programme: InspectionProgramme) -> InspectionProgramme:
    return (
        InspectionProgramme.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=programme.pk)
    )


def _editable(
    programme: InspectionProgramme, actor: User, perm: Perm = Perm.INSPECTION_RUN
) -> InspectionProgramme:
    """The programme, locked, if `actor` may change it (`perm`) and it is still a draft."""
    programme = locked(programme)
    access.require(actor, perm, programme.organisation)
    _require_draft(programme)
    return programme


def organisation_error(
    programme: InspectionProgramme, actor: User, organisation: Organisation
) -> str | None:
    """Why `organisation` cannot be in the programme (outside the actor's scope, or not
    existing in the programme's year), or None."""
    if not access.can(actor, Perm.INSPECTION_RUN, organisation):
        return _(
            "Bạn không có quyền kiểm tra cơ quan này. / You may not inspect this organisation."
        )
    if not _valid_in_year(organisation, programme.year):
        return _(
            "Cơ quan không tồn tại trong năm %(year)d. / The organisation does not exist in "
            "%(year)d."
        ) % {"year": programme.year}
    return None


def check_period(quarter: Any, month: Any, errors: dict[str, str]) -> int | None:
    """The quarter of a quarter or a month (which must lie in the quarter when both are
    given); records the errors under "quarter" / "month"."""
    if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
        errors["month"] = _("Tháng phải từ 1 đến 12. / The month must be between 1 and 12.")
        month = None
    if quarter is not None and (not isinstance(quarter, int) or not 1 <= quarter <= 4):
        errors["quarter"] = _("Quý phải từ 1 đến 4. / The quarter must be between 1 and 4.")
        quarter = None
    if month is not None:
        of_month = (month - 1) // 3 + 1
        if quarter is not None and quarter != of_month:
            errors["month"] = _(
                "Tháng %(m)d không thuộc quý %(q)d. / Month %(m)d is not in quarter %(q)d."
            ) % {"m": month, "q": quarter}
        quarter = of_month
    elif quarter is None and "quarter" not in errors:
        errors["quarter"] = _("Chọn quý hoặc tháng. / Choose a quarter or a month.")
    return quarter


def _lead_error(lead: User | None, organisation: Organisation) -> str | None:
    if lead is not None and not access.can(lead, Perm.INSPECTION_RUN, organisation):
        return _(
            "Trưởng đoàn phải có quyền kiểm tra cơ quan này. / The lead inspector must be "
            "allowed to inspect this organisation."
        )
    return None


def already_in(quarter: int) -> str:
    return _(
        "Cơ quan này đã có trong kế hoạch ở quý %(q)d. / This organisation is already "
        "in the programme for quarter %(q)d."
    ) % {"q": quarter}


def check_item(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisation: Organisation | None,
    quarter: int | None,
    month: int | None,
    kind: str,
    lead: User | None,
    note: str,
    exclude_pk: int | None = None,
) -> tuple[int, str]:
    """Validate an item's fields; returns (quarter, note) or raises every error at once."""
    errors: dict[str, str] = {}
    if organisation is None:
        errors["organisation"] = _("Chọn cơ quan được kiểm tra. / Choose the organisation.")
    else:
        error = organisation_error(programme, actor, organisation)
        if error:
            errors["organisation"] = error
    quarter = check_period(quarter, month, errors)
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("Chọn hình thức kiểm tra. / Choose the kind of inspection.")
    lead_error = _lead_error(lead, organisation) if organisation is not None else None
    if lead_error:
        errors["lead"] = lead_error
    note = checked_text(note, NOTE_MAX, "note", errors)
    if organisation is not None and quarter is not None and "organisation" not in errors:
        twice = programme.items.filter(organisation=organisation, quarter=quarter)
        if exclude_pk is not None:
            twice = twice.exclude(pk=exclude_pk)
        if twice.exists():
            errors["organisation"] = already_in(quarter)
    if errors:
        raise ValidationError(errors)
    assert quarter is not None
    return quarter, note


def duplicate() -> ValidationError:
    # Two people adding the same organisation at once: the constraint decides.
    return ValidationError(
        {
            "organisation": _(
                "Cơ quan này đã có trong kế hoạch ở quý này. / This organisation is already "
                "in the programme for this quarter."
            )
        }
    )


def _item_data(item: ProgrammeItem) -> dict[str, Any]:
    return {
        "organisation": item.organisation_id,
        "quarter": item.quarter,
        "month": item.month,
        "kind": item.kind,
        "lead": item.lead_id,
    }


@transaction.atomic
def add_item(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisation: Organisation | None,
    quarter: int | None = None,
    month: int | None = None,
    kind: str,
    lead: User | None = None,
    note: str = "",
) -> ProgrammeItem:
    """Add an organisation to a draft programme, in a quarter or a month of it."""
    programme = _editable(programme, actor)
    quarter, note = check_item(
        programme,
        actor=actor,
        organisation=organisation,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
    )
    assert organisation is not None
    try:
        with transaction.atomic():
            item = ProgrammeItem.objects.create(
                programme=programme,
                organisation=organisation,
                quarter=quarter,
                month=month,
                kind=kind,
                lead=lead,
                note=note,
            )
    except IntegrityError:
        raise duplicate() from None
    record(
        "inspection_programme.item_add",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=f"{programme.title}: + {organisation.name} Q{quarter}",
        data=_item_data(item),
    )
    return item


def check_many(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisations: Sequence[Organisation],
    quarter: int | None,
    month: int | None,
    kind: str,
    lead: User | None,
    note: str,
    pending: Collection[tuple[int, int]] = (),
) -> tuple[list[Organisation], int, str]:
    """Validate many organisations for one period, kind and lead (a draft programme's bulk
    entry, or an amendment's bulk additions): returns (organisations without repeats,
    quarter, note), or raises every error at once, each refused organisation named with
    its reason. `pending` holds (organisation, quarter) pairs an amendment in preparation
    already puts in the programme."""
    errors: dict[str, Any] = {}
    chosen = list({o.pk: o for o in organisations}.values())
    if not chosen:
        errors["organisations"] = _("Chọn ít nhất một cơ quan. / Choose at least one organisation.")
    elif len(chosen) > BULK_MAX:
        errors["organisations"] = _(
            "Tối đa %(n)d cơ quan một lần. / At most %(n)d organisations at once."
        ) % {"n": BULK_MAX}
    quarter = check_period(quarter, month, errors)
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("Chọn hình thức kiểm tra. / Choose the kind of inspection.")
    note = checked_text(note, NOTE_MAX, "note", errors)
    if "organisations" not in errors:
        taken = set(
            programme.items.filter(quarter=quarter or 0, organisation__in=chosen).values_list(
                "organisation_id", flat=True
            )
        )
        taken |= {organisation for organisation, q in pending if q == quarter}
        refused = []
        for organisation in chosen:
            error = (
                organisation_error(programme, actor, organisation)
                or (already_in(quarter) if quarter and organisation.pk in taken else None)
                or _lead_error(lead, organisation)
            )
            if error:
                refused.append(f"{organisation.name}: {error}")
        if refused:
            errors["organisations"] = refused
    if errors:
        raise ValidationError(errors)
    assert quarter is not None
    return chosen, quarter, note


@transaction.atomic
def add_items(
    programme: InspectionProgramme,
    *,
    actor: User,
    organisations: Sequence[Organisation],
    quarter: int | None = None,
    month: int | None = None,
    kind: str,
    lead: User | None = None,
    note: str = "",
) -> list[ProgrammeItem]:
    """Add several organisations to a draft programme at once, in one quarter or month and
    one kind: all or nothing. Each refused organisation is named with its reason (already in
    the programme that quarter, outside the actor's scope, …); nothing is saved then."""
    programme = _editable(programme, actor)
    chosen, quarter, note = check_many(
        programme,
        actor=actor,
        organisations=organisations,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
    )
    try:
        with transaction.atomic():
            items = ProgrammeItem.objects.bulk_create(
                [
                    ProgrammeItem(
                        programme=programme,
                        organisation=organisation,
                        quarter=quarter,
                        month=month,
                        kind=kind,
                        lead=lead,
                        note=note,
                    )
                    for organisation in chosen
                ]
            )
    except IntegrityError:
        raise duplicate() from None
    record(
        "inspection_programme.items_add",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=f"{programme.title}: + {len(items)} Q{quarter}",
        data={
            "organisations": [o.pk for o in chosen],
            "quarter": quarter,
            "month": month,
            "kind": kind,
            "lead": lead.pk if lead else None,
        },
    )
    return items


@transaction.atomic
def update_item(
    item: ProgrammeItem,
    *,
    actor: User,
    organisation: Organisation | None,
    quarter: int | None = None,
    month: int | None = None,
    kind: str,
    lead: User | None = None,
    note: str = "",
) -> ProgrammeItem:
    programme = _editable(item.programme, actor)
    quarter, note = check_item(
        programme,
        actor=actor,
        organisation=organisation,
        quarter=quarter,
        month=month,
        kind=kind,
        lead=lead,
        note=note,
        exclude_pk=item.pk,
    )
    assert organisation is not None
    item.organisation, item.quarter, item.month = organisation, quarter, month
    item.kind, item.lead, item.note = kind, lead, note
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise duplicate() from None
    record(
        "inspection_programme.item_change",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=f"{programme.title}: {organisation.name} Q{quarter}",
        data={"item": item.pk, **_item_data(item)},
    )
    return item


@transaction.atomic
def remove_item(item: ProgrammeItem, *, actor: User) -> None:
    programme = _editable(item.programme, actor)
    data = {"item": item.pk, **_item_data(item)}
    item.delete()
    record(
        "inspection_programme.item_remove",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=f"{programme.title}: − {data['organisation']}",
        data=data,
    )


@transaction.atomic
def approve(
    programme: InspectionProgramme,
    *,
    actor: User,
    decision_number: str = "",
    decision_on: dt.date | None = None,
) -> InspectionProgramme:
    """Approve a draft programme, with the decision that approved it when there is one
    ("Quyết định số 123/QĐ-SNV ngày 15/01/2026"). Its items become visible to the
    inspected organisations (unannounced ones only once their inspection starts). Needs
    INSPECTION_PROGRAMME_APPROVE on the issuing organisation (Home Affairs leadership)."""
    programme = _editable(programme, actor, Perm.INSPECTION_PROGRAMME_APPROVE)
    errors: dict[str, str] = {}
    decision_number = checked_text(decision_number, DECISION_MAX, "decision_number", errors)
    if decision_on is not None and not YEAR_MIN <= decision_on.year <= YEAR_MAX:
        errors["decision_on"] = _("Ngày không hợp lệ. / Invalid date.")
    if not programme.items.exists():
        errors["items"] = _(
            "Kế hoạch chưa có cơ quan nào được kiểm tra. / The programme has no item yet."
        )
    if errors:
        raise ValidationError(errors)
    programme.status = P.APPROVED
    programme.decision_number = decision_number
    programme.decision_on = decision_on
    programme.approved_at = timezone.now()
    programme.approved_by = actor
    programme.save(
        update_fields=[
            "status",
            "decision_number",
            "decision_on",
            "approved_at",
            "approved_by",
            "updated_at",
        ]
    )
    record(
        "inspection_programme.approve",
        actor=actor,
        obj=programme,
        organisation=programme.organisation,
        summary=f"{programme.title} ({programme.year}) {decision_number}".strip(),
        data={
            "decision_number": decision_number,
            "decision_on": decision_on.isoformat() if decision_on else None,
            "items": programme.items.count(),
        },
    )
    return programme
