"""Dossier registration and one-stop counters: the writes behind the receipt QR and the counter QR.

A dossier (one one-stop transaction) is registered by the one-stop system
through the API, by an officer on a form, or from an Excel upload; its receipt
then carries a rating link (`/d/<rating_token>`). Codes are normalised
(Unicode NFC, outer spaces stripped, upper case) so that "h56-0001 " and
"H56-0001" are one dossier. Registering a code again is harmless when it is
exactly the same registration (a retry after a lost response returns the first
one); anything else under a taken code is refused, because the dossier's one
rating must stay tied to the transaction it was given for.

Counters are the one-stop counters where citizens meet the staff on duty; each
has a public QR token (the poster) and a kiosk token (the counter's tablet),
both rotatable when a poster or tablet goes astray.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.audit.services import in_record_language, record
from congvu.organisations.models import Organisation, StaffMember

from .models import Counter, Dossier, new_public_token

CODE_MAX = 60
PROCEDURE_MAX = 300
COUNTER_NAME_MAX = 160
#: One API call or one upload registers at most this many dossiers (all or nothing).
BATCH_MAX = 1000
#: Dossiers are received today or earlier; a little slack for clocks a day ahead.
FUTURE_SLACK = dt.timedelta(days=1)
EARLIEST = dt.date(2000, 1, 1)

Errors = dict[str, list[str]]


#: The public pages' paths, used when the site's URLconf is not loaded (the API-only
#: URLconf of the API tests); `public_link` otherwise reverses the real names.
PUBLIC_PATHS = {"dossier": "/d/{}", "counter": "/q/{}", "kiosk": "/kiosk/{}"}


def public_link(kind: Literal["dossier", "counter", "kiosk"], token: str) -> str:
    """The absolute link a QR code carries: SITE_URL + `feedback_public:<kind>`."""
    try:
        path = reverse(f"feedback_public:{kind}", args=[token])
    except NoReverseMatch:
        path = PUBLIC_PATHS[kind].format(token)
    return str(settings.SITE_URL).rstrip("/") + path


def qr_svg(url: str) -> str:
    """A standalone SVG document of the QR code for `url` (error correction M, as on badges)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=4, xmldecl=False)
    return buffer.getvalue().decode()


def normalise_code(raw: str) -> str:
    """The stored form of a dossier code: NFC, outer spaces stripped, upper case."""
    return unicodedata.normalize("NFC", str(raw)).strip().upper()


def code_errors(code: str) -> list[str]:
    """Problems with an already normalised code (empty, too long, spaces, control characters,
    symbols such as emoji)."""
    if not code:
        return [_("Thiếu mã hồ sơ. / The dossier code is missing.")]
    if len(code) > CODE_MAX:
        return [
            _("Mã hồ sơ dài quá %(max)s ký tự. / The dossier code is longer than %(max)s.")
            % {"max": CODE_MAX}
        ]
    if not code.isprintable() or any(
        ch.isspace() or (unicodedata.category(ch)[0] not in "LNP" and ch not in "+=") for ch in code
    ):
        # Letters (with accents), digits and punctuation: no spaces, no emoji or other symbol.
        return [
            _(
                "Mã hồ sơ chỉ gồm chữ, số và dấu, không có khoảng trắng hay ký tự điều khiển. / "
                "A dossier code has no spaces or control characters."
            )
        ]
    return []


def staff_belongs(staff: StaffMember, organisation: Organisation) -> bool:
    """Does `staff` work in `organisation` (directly or in one of its divisions)?"""
    return staff.organisation_id == organisation.pk or staff.division_id == organisation.pk


def staff_choices(organisation: Organisation) -> Any:
    """The staff who may handle a dossier or sit at a counter of `organisation`."""
    from django.db.models import Q

    return (
        StaffMember.objects.active()
        .filter(Q(organisation=organisation) | Q(division=organisation))
        .order_by("sort_name", "pk")
    )


@dataclass
class DossierInput:
    """One dossier to register, its references already looked up.

    `errors` carries what went wrong while looking them up (an unknown staff
    code in an upload, an unknown id in the API), so that every row's problems
    are reported together.
    """

    code: str
    organisation: Organisation | None
    staff: StaffMember | None = None
    counter: Counter | None = None
    procedure: str = ""
    received_on: dt.date | None = None
    errors: Errors = field(default_factory=dict)


class RowsRejected(ValidationError):
    """Some rows of a batch are wrong; nothing was registered. `rows`: {index: {field: [msg]}}."""

    def __init__(self, rows: Mapping[int, Errors]) -> None:
        self.rows = dict(rows)
        super().__init__(
            {
                f"{index}.{name}": messages
                for index, errors in self.rows.items()
                for name, messages in errors.items()
            }
        )


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _check(row: DossierInput, *, actor: Any, today: dt.date) -> tuple[DossierInput, Errors]:
    """The row with its text normalised, and its problems (none: ready to register)."""
    errors: Errors = {name: list(messages) for name, messages in row.errors.items()}
    code = normalise_code(row.code)
    for message in code_errors(code):
        _add(errors, "code", message)
    procedure = " ".join(str(row.procedure or "").split())
    if "\x00" in procedure:
        _add(errors, "procedure", _("Tên thủ tục có ký tự không hợp lệ. / Invalid character."))
    elif len(procedure) > PROCEDURE_MAX:
        _add(
            errors,
            "procedure",
            _("Tên thủ tục dài quá %(max)s ký tự. / The procedure is longer than %(max)s.")
            % {"max": PROCEDURE_MAX},
        )
    received_on = row.received_on or today
    if received_on > today + FUTURE_SLACK or received_on < EARLIEST:
        _add(
            errors,
            "received_on",
            _(
                "Ngày tiếp nhận phải từ 01/01/2000 đến hôm nay. / "
                "The date received must be between 2000-01-01 and today."
            ),
        )
    organisation = row.organisation
    if organisation is None:
        if "organisation" not in errors:
            _add(errors, "organisation", _("Không tìm thấy cơ quan. / Organisation not found."))
    else:
        if actor is not None:
            perms = access.perms_on(actor, organisation)
            if Perm.ORG_VIEW not in perms:
                _add(errors, "organisation", _("Không tìm thấy cơ quan. / Organisation not found."))
            elif Perm.DOSSIER_REGISTER not in perms:
                _add(
                    errors,
                    "organisation",
                    _(
                        "Bạn không có quyền đăng ký hồ sơ của cơ quan này. / "
                        "You may not register dossiers for this organisation."
                    ),
                )
        if row.staff is not None and (
            not staff_belongs(row.staff, organisation) or not row.staff.is_active
        ):
            _add(
                errors,
                "staff",
                _(
                    "Cán bộ không thuộc cơ quan này hoặc đã thôi công tác. / "
                    "The staff member does not work in this organisation."
                ),
            )
        if row.counter is not None and (
            row.counter.organisation_id != organisation.pk or not row.counter.is_active
        ):
            _add(
                errors,
                "counter",
                _(
                    "Quầy không thuộc cơ quan này hoặc đã ngừng hoạt động. / "
                    "The counter is not an active counter of this organisation."
                ),
            )
    clean = DossierInput(
        code=code,
        organisation=organisation,
        staff=row.staff,
        counter=row.counter,
        procedure=procedure,
        received_on=received_on,
    )
    return clean, errors


def _same(dossier: Dossier, row: DossierInput) -> bool:
    return (
        dossier.organisation_id == getattr(row.organisation, "pk", None)
        and dossier.staff_id == getattr(row.staff, "pk", None)
        and dossier.counter_id == getattr(row.counter, "pk", None)
        and dossier.procedure == row.procedure
        and dossier.received_on == row.received_on
    )


def _taken(code: str) -> str:
    return _(
        "Mã hồ sơ %(code)s đã được đăng ký với thông tin khác. / "
        "Dossier code %(code)s is already registered with other details."
    ) % {"code": code}


def check_dossiers(
    rows: Sequence[DossierInput], *, actor: Any
) -> tuple[list[DossierInput], dict[int, Errors], dict[str, Dossier]]:
    """Normalise and check rows without writing: (clean rows, errors by index, existing dossiers).

    A code already registered with the same details is no error (it will be
    returned as it is); with other details it is. A code twice in the rows is
    an error on the second.
    """
    today = timezone.localdate()
    cleaned: list[DossierInput] = []
    problems: dict[int, Errors] = {}
    for index, row in enumerate(rows):
        clean, errors = _check(row, actor=actor, today=today)
        cleaned.append(clean)
        if errors:
            problems[index] = errors
    codes = [row.code for row in cleaned if row.code]
    existing = {d.code: d for d in Dossier.objects.filter(code__in=codes)}
    first_at: dict[str, int] = {}
    for index, row in enumerate(cleaned):
        if not row.code or "code" in problems.get(index, {}):
            continue
        if row.code in first_at:
            problems.setdefault(index, {}).setdefault("code", []).append(
                _("Mã hồ sơ %(code)s lặp lại (dòng %(first)s). / Repeated dossier code.")
                % {"code": row.code, "first": first_at[row.code] + 1}
            )
            continue
        first_at[row.code] = index
        found = existing.get(row.code)
        if found is not None and not _same(found, row):
            problems.setdefault(index, {}).setdefault("code", []).append(_taken(row.code))
    return cleaned, problems, existing


def _insert(row: DossierInput, *, source: str, actor: Any) -> Dossier:
    assert row.organisation is not None
    return Dossier.objects.create(
        code=row.code,
        organisation=row.organisation,
        staff=row.staff,
        counter=row.counter,
        procedure=row.procedure,
        received_on=row.received_on,
        source=source,
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def register_dossier(
    code: str,
    *,
    organisation: Organisation,
    staff: StaffMember | None = None,
    counter: Counter | None = None,
    procedure: str = "",
    received_on: dt.date | None = None,
    source: str = Dossier.Source.FORM,
    actor: Any,
) -> Dossier:
    """Register one dossier (DOSSIER_REGISTER on `organisation`); the same registration
    again returns the first one, a taken code with other details is a ValidationError."""
    if actor is not None:
        access.require(actor, Perm.DOSSIER_REGISTER, organisation)
    row = DossierInput(code, organisation, staff, counter, procedure, received_on)
    cleaned, problems, existing = check_dossiers([row], actor=actor)
    if problems:
        raise ValidationError(problems[0])
    clean = cleaned[0]
    if clean.code in existing:
        return existing[clean.code]
    try:
        # A savepoint: a concurrent registration of the same code must not break
        # the caller's transaction; we then answer as if it had come first.
        with transaction.atomic():
            dossier = _insert(clean, source=source, actor=actor)
            record(
                "feedback.dossier_register",
                actor=actor,
                obj=dossier,
                organisation=organisation,
                summary=dossier.code,
                data={"source": source, "staff": clean.staff and clean.staff.pk},
            )
    except IntegrityError:
        other = Dossier.objects.filter(code=clean.code).first()
        if other is not None and _same(other, clean):
            return other
        raise ValidationError({"code": _taken(clean.code)}) from None
    return dossier


@transaction.atomic
def register_dossiers(
    rows: Sequence[DossierInput], *, source: str = Dossier.Source.API, actor: Any
) -> list[Dossier]:
    """Register every row or none: `RowsRejected` lists each wrong row's problems.

    Rows that repeat an existing registration exactly are returned as they are.
    One audit event per organisation for the whole batch.
    """
    if len(rows) > BATCH_MAX:
        raise ValidationError(
            _("Tối đa %(max)s hồ sơ mỗi lần. / At most %(max)s dossiers at a time.")
            % {"max": BATCH_MAX}
        )
    cleaned, problems, existing = check_dossiers(rows, actor=actor)
    if problems:
        raise RowsRejected(problems)
    result: list[Dossier] = []
    created: dict[int, list[str]] = {}
    organisations: dict[int, Organisation] = {}
    try:
        with transaction.atomic():
            for row in cleaned:
                if row.code in existing:
                    result.append(existing[row.code])
                    continue
                dossier = _insert(row, source=source, actor=actor)
                result.append(dossier)
                assert row.organisation is not None
                organisations[row.organisation.pk] = row.organisation
                created.setdefault(row.organisation.pk, []).append(dossier.code)
    except IntegrityError:
        # Another request registered one of these codes meanwhile: check again, so the
        # caller gets the row-by-row answer (usually "already registered").
        _cleaned, problems, _existing = check_dossiers(rows, actor=actor)
        if problems:
            raise RowsRejected(problems) from None
        raise
    for pk, codes in created.items():
        with in_record_language():
            record(
                "feedback.dossiers_register",
                actor=actor,
                organisation=organisations[pk],
                object_type="feedback.dossier",
                summary=_("%(count)s hồ sơ") % {"count": len(codes)},
                data={"source": source, "count": len(codes), "codes": codes[:100]},
            )
    return result


# --- counters ---------------------------------------------------------------------------------


def _counter_errors(
    organisation: Organisation,
    *,
    name: str,
    opens_at: dt.time,
    closes_at: dt.time,
    staff: Iterable[StaffMember],
) -> Errors:
    errors: Errors = {}
    if not name or "\x00" in name:
        _add(errors, "name", _("Thiếu tên quầy. / The counter's name is missing."))
    elif len(name) > COUNTER_NAME_MAX:
        _add(
            errors,
            "name",
            _("Tên quầy dài quá %(max)s ký tự. / The name is longer than %(max)s.")
            % {"max": COUNTER_NAME_MAX},
        )
    if opens_at >= closes_at:
        _add(
            errors,
            "closes_at",
            _("Giờ đóng cửa phải sau giờ mở cửa. / The counter must close after it opens."),
        )
    strangers = [m for m in staff if not staff_belongs(m, organisation) or not m.is_active]
    if strangers:
        _add(
            errors,
            "staff",
            _(
                "Cán bộ không thuộc cơ quan này: %(names)s. / "
                "These staff members do not work in this organisation."
            )
            % {"names": ", ".join(m.full_name for m in strangers)},
        )
    return errors


@transaction.atomic
def create_counter(
    organisation: Organisation,
    *,
    name: str,
    opens_at: dt.time = dt.time(7, 0),
    closes_at: dt.time = dt.time(17, 30),
    staff: Sequence[StaffMember] = (),
    actor: Any,
) -> Counter:
    """A one-stop counter of `organisation` with its staff on duty (COUNTER_MANAGE)."""
    if actor is not None:
        access.require(actor, Perm.COUNTER_MANAGE, organisation)
    name = " ".join(name.split())
    errors = _counter_errors(
        organisation, name=name, opens_at=opens_at, closes_at=closes_at, staff=staff
    )
    if errors:
        raise ValidationError(errors)
    counter = Counter.objects.create(
        organisation=organisation, name=name, opens_at=opens_at, closes_at=closes_at
    )
    counter.staff.set(staff)
    record(
        "feedback.counter_create",
        actor=actor,
        obj=counter,
        organisation=organisation,
        summary=name,
        data={"staff": [m.pk for m in staff], "opens_at": opens_at, "closes_at": closes_at},
    )
    return counter


COUNTER_FIELDS = frozenset({"name", "opens_at", "closes_at", "staff", "is_active"})


@transaction.atomic
def update_counter(counter: Counter, *, actor: Any, **changes: Any) -> Counter:
    """Change a counter's name, hours, staff on duty or whether it is open (COUNTER_MANAGE)."""
    unknown = set(changes) - COUNTER_FIELDS
    if unknown:
        raise TypeError(f"update_counter: unknown fields {sorted(unknown)}")
    counter = (
        Counter.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=counter.pk)
    )
    organisation = counter.organisation
    if actor is not None:
        access.require(actor, Perm.COUNTER_MANAGE, organisation)
    name = " ".join(str(changes.get("name", counter.name)).split())
    opens_at = changes.get("opens_at", counter.opens_at)
    closes_at = changes.get("closes_at", counter.closes_at)
    staff = list(changes["staff"]) if "staff" in changes else None
    errors = _counter_errors(
        organisation,
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        staff=staff if staff is not None else [],
    )
    if errors:
        raise ValidationError(errors)
    before = {
        "name": counter.name,
        "opens_at": counter.opens_at,
        "closes_at": counter.closes_at,
        "is_active": counter.is_active,
        "staff": sorted(counter.staff.values_list("pk", flat=True)),
    }
    counter.name, counter.opens_at, counter.closes_at = name, opens_at, closes_at
    if "is_active" in changes:
        counter.is_active = bool(changes["is_active"])
    counter.save()
    if staff is not None:
        counter.staff.set(staff)
    after = {
        "name": counter.name,
        "opens_at": counter.opens_at,
        "closes_at": counter.closes_at,
        "is_active": counter.is_active,
        "staff": sorted(m.pk for m in staff) if staff is not None else before["staff"],
    }
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changed:
        record(
            "feedback.counter_update",
            actor=actor,
            obj=counter,
            organisation=organisation,
            summary=counter.name,
            data=changed,
        )
    return counter


@transaction.atomic
def rotate_counter_token(counter: Counter, *, which: Literal["qr", "kiosk"], actor: Any) -> Counter:
    """A new QR (poster) or kiosk (tablet) secret; the old link stops working at once."""
    counter = (
        Counter.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=counter.pk)
    )
    if actor is not None:
        access.require(actor, Perm.COUNTER_MANAGE, counter.organisation)
    if which == "qr":
        counter.qr_token = new_public_token()
        counter.save(update_fields=["qr_token", "updated_at"])
    elif which == "kiosk":
        counter.kiosk_token = new_public_token()
        counter.save(update_fields=["kiosk_token", "updated_at"])
    else:
        raise ValueError(which)
    record(
        "feedback.counter_rotate_token",
        actor=actor,
        obj=counter,
        organisation=counter.organisation,
        summary=counter.name,
        data={"token": which},
    )
    return counter
