"""Checking staff rows: category, leader flag, contact details, organisation and division."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.core.text import fold

from ..models import Organisation, StaffMember
from .columns import STAFF_COLUMNS
from .validation import (
    Plan,
    Progress,
    allowed_organisations,
    check_code,
    check_text,
    chunks,
    clean_name,
    existing_codes,
    msg_duplicate,
    msg_out_of_scope,
    msg_required,
    msg_unknown_org,
    org_infos,
    tick,
)

PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{5,19}$")

CATEGORY_BY_TEXT: dict[str, str] = {}
for _value, _label in StaffMember.Category.choices:
    CATEGORY_BY_TEXT[fold(str(_label))] = _value
    CATEGORY_BY_TEXT[_value] = _value
    CATEGORY_BY_TEXT[_value.replace("_", " ")] = _value
YES = frozenset({"co", "x", "yes", "y", "true", "1", "la lanh dao"})
NO = frozenset({"", "khong", "no", "n", "false", "0"})


@dataclass(frozen=True)
class StaffInfo:
    pk: int
    staff_code: str
    full_name: str
    category: str
    position_title: str
    is_leader: bool
    organisation_id: int
    division_id: int | None
    email: str
    phone: str


STAFF_COMPARED = (
    "full_name",
    "category",
    "position_title",
    "is_leader",
    "organisation_id",
    "division_id",
    "email",
    "phone",
)
ASSIGNMENT_FIELDS = ("organisation_id", "division_id", "position_title", "is_leader")


def _existing_staff(codes: list[str]) -> dict[str, StaffInfo]:
    found: dict[str, StaffInfo] = {}
    for chunk in chunks(sorted(set(codes))):
        for values in StaffMember.objects.filter(staff_code__in=chunk).values_list(
            "pk", "staff_code", *STAFF_COMPARED
        ):
            info = StaffInfo(*values)
            found[info.staff_code] = info
    return found


def plan_staff(
    rows: list[dict[str, Any]],
    *,
    user: Any,
    scope: Organisation,
    progress: Progress | None = None,
) -> Plan:
    plan = Plan()
    col = {c.key: c for c in STAFF_COLUMNS}
    today = timezone.localdate()
    allowed = org_infos(allowed_organisations(user, scope))
    allowed_by_pk = {info.pk: info for info in allowed.values()}
    mentioned = {r.get("organisation", "") for r in rows} | {r.get("division", "") for r in rows}
    outside = existing_codes(code for code in mentioned if code and code not in allowed)
    existing = _existing_staff([r.get("staff_code", "") for r in rows if r.get("staff_code")])

    first_seen: dict[str, int] = {}
    for done, row in enumerate(rows, start=1):
        tick(progress, done)
        ok = check_code(plan, row, col["staff_code"])
        ok = check_text(plan, row, col["full_name"], 120) and ok
        ok = check_text(plan, row, col["position_title"], 160) and ok
        ok = check_code(plan, row, col["organisation"]) and ok
        ok = check_code(plan, row, col["division"]) and ok
        code = row.get("staff_code", "")
        if ok and code in first_seen:
            plan.error(row, col["staff_code"], msg_duplicate(first_seen[code]))
            continue
        if code:
            first_seen[code] = row["row"]

        category = CATEGORY_BY_TEXT.get(fold(row.get("category", "")))
        if not row.get("category"):
            plan.error(row, col["category"], msg_required())
            ok = False
        elif category is None:
            plan.error(
                row,
                col["category"],
                _(
                    "Loại phải là Cán bộ, Công chức, Viên chức hoặc Người lao động. / "
                    "Unknown staff category."
                ),
            )
            ok = False
        leader_text = fold(row.get("is_leader", ""))
        if leader_text not in YES and leader_text not in NO:
            plan.error(row, col["is_leader"], _("Ghi Có hoặc Không. / Use Có (yes) or Không (no)."))
            ok = False
        email = row.get("email", "")
        if email:
            try:
                if len(email) > 254:
                    raise ValidationError("too long")
                validate_email(email)
            except ValidationError:
                plan.error(
                    row, col["email"], _("Thư điện tử không hợp lệ. / Invalid e-mail address.")
                )
                ok = False
        phone = row.get("phone", "")
        if phone and not PHONE_RE.match(phone):
            plan.error(row, col["phone"], _("Số điện thoại không hợp lệ. / Invalid phone number."))
            ok = False

        org_code = row.get("organisation", "")
        organisation = allowed.get(org_code) if org_code else None
        if org_code and organisation is None:
            if org_code in outside:
                plan.error(row, col["organisation"], msg_out_of_scope())
            else:
                plan.error(row, col["organisation"], msg_unknown_org())
            ok = False
        elif organisation is not None:
            if organisation.is_division:
                plan.error(
                    row,
                    col["organisation"],
                    _(
                        "Mã này là phòng, bộ phận; ghi mã cơ quan chủ quản và ghi mã này ở cột "
                        "Mã phòng/bộ phận. / This code is a division: put the organisation's "
                        "code here and this one under the division column."
                    ),
                )
                ok = False
            elif organisation.valid_to is not None and organisation.valid_to < today:
                plan.error(
                    row,
                    col["organisation"],
                    _("Cơ quan đã hết hiệu lực. / The organisation is closed."),
                )
                ok = False
        div_code = row.get("division", "")
        division = allowed.get(div_code) if div_code else None
        if div_code and division is None:
            if div_code in outside:
                plan.error(row, col["division"], msg_out_of_scope())
            else:
                plan.error(row, col["division"], msg_unknown_org())
            ok = False
        elif (
            division is not None
            and organisation is not None
            and (division.pk == organisation.pk or not division.path.startswith(organisation.path))
        ):
            plan.error(
                row,
                col["division"],
                _(
                    "Phòng, bộ phận không thuộc cơ quan đã ghi. / "
                    "The division is not under the organisation."
                ),
            )
            ok = False
        elif division is not None and division.valid_to is not None and division.valid_to < today:
            plan.error(
                row,
                col["division"],
                _("Phòng, bộ phận đã hết hiệu lực. / The division is closed."),
            )
            ok = False

        current = existing.get(code)
        if current is not None and current.organisation_id not in allowed_by_pk:
            plan.error(
                row,
                col["staff_code"],
                _(
                    "Mã cán bộ đã có ở cơ quan ngoài phạm vi của bạn. / "
                    "This staff code belongs to an organisation outside your scope."
                ),
            )
            ok = False
        if not ok or organisation is None or category is None:
            continue
        item = {
            "row": row["row"],
            "staff_code": code,
            "full_name": clean_name(row["full_name"]),
            "category": category,
            "position_title": clean_name(row.get("position_title", "")),
            "is_leader": leader_text in YES,
            "organisation_id": organisation.pk,
            "division_id": division.pk if division else None,
            "email": email,
            "phone": phone,
        }
        if current is None:
            plan.create.append(item)
            continue
        item["pk"] = current.pk
        if all(item[name] == getattr(current, name) for name in STAFF_COMPARED):
            plan.unchanged += 1
        else:
            item["moved"] = any(item[name] != getattr(current, name) for name in ASSIGNMENT_FIELDS)
            plan.update.append(item)
    return plan
