"""Checking rows against the database: the plan of a commit, shared checks, organisation rows.

Nothing is written here. Lookups are read once into dicts (in chunks of
`LOOKUP_CHUNK` codes), so 40,000 rows cost a handful of queries.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.text import fold, name_key

from ..models import Organisation, OrganisationKind, OrganisationQuerySet, OrganisationVersion
from .columns import ORG_COLUMNS, Column

PROGRESS_EVERY = 2_000
LOOKUP_CHUNK = 500
CODE_MAX = 40
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
DATE_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")

T = TypeVar("T")


@dataclass
class Plan:
    """What a commit would do, row by row, and what stops it."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)
    create: list[dict[str, Any]] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def error(self, row: dict[str, Any], column: Column | None, message: str) -> None:
        self.error_rows.add(row["row"])
        self.errors.append(
            {
                "row": row["row"],
                "column": column.label if column else "",
                "value": str(row.get(column.key, "")) if column else "",
                "message": message,
            }
        )

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class OrgInfo:
    pk: int
    code: str
    path: str
    depth: int
    parent_id: int | None
    name: str
    short_name: str
    kind_id: int
    is_division: bool
    valid_from: dt.date
    valid_to: dt.date | None


ORG_INFO_FIELDS = (
    "pk",
    "code",
    "path",
    "depth",
    "parent_id",
    "name",
    "short_name",
    "kind_id",
    "kind__is_division",
    "valid_from",
    "valid_to",
)


def chunks(items: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def allowed_organisations(user: Any, scope: Organisation) -> OrganisationQuerySet:
    """Where this import may write: the user's import scope, inside the job's scope."""
    return access.organisations_for(user, Perm.IMPORT_RUN).filter(path__startswith=scope.path)


def scope_roots(user: Any) -> OrganisationQuerySet:
    """The topmost organisations of the user's import scope (the choices of "phạm vi")."""
    rows = (
        access.organisations_for(user, Perm.IMPORT_RUN).order_by("path").values_list("pk", "path")
    )
    roots: list[int] = []
    last = None
    for pk, path in rows:
        if last is not None and path.startswith(last):
            continue
        roots.append(pk)
        last = path
    return Organisation.objects.filter(pk__in=roots).order_by("path")


def org_infos(qs: OrganisationQuerySet) -> dict[str, OrgInfo]:
    return {row[1]: OrgInfo(*row) for row in qs.values_list(*ORG_INFO_FIELDS)}


def existing_codes(codes: Iterable[str]) -> set[str]:
    wanted = sorted(set(codes))
    found: set[str] = set()
    for chunk in chunks(wanted):
        found.update(Organisation.objects.filter(code__in=chunk).values_list("code", flat=True))
    return found


def pending_renames(pks: Sequence[int], *, today: dt.date) -> dict[int, tuple[str, dt.date]]:
    """The latest rename recorded ahead of its day, by organisation: (name, day)."""
    found: dict[int, tuple[str, dt.date]] = {}
    for chunk in chunks(sorted(pks)):
        for pk, name, day in (
            OrganisationVersion.objects.filter(organisation_id__in=chunk, valid_from__gt=today)
            .order_by("valid_from")
            .values_list("organisation_id", "name", "valid_from")
        ):
            found[pk] = (name, day)
    return found


def msg_pending_rename(name: str, day: dt.date) -> str:
    return _(
        "Cơ quan đã có quyết định đổi tên thành «%(name)s» từ %(day)s (đã ghi nhận, chưa có "
        "hiệu lực); cập nhật bằng tệp này sẽ làm mất việc đổi tên đó. Hãy để dòng này đúng "
        "như hiện nay, hoặc rút lại việc đổi tên trên trang của cơ quan trước. / This "
        "organisation has a rename to “%(name)s” recorded for %(day)s; this row would lose "
        "it. Keep the row as the organisation is today, or withdraw that rename on the "
        "organisation's page first."
    ) % {"name": name, "day": f"{day:%d/%m/%Y}"}


def clean_name(value: str) -> str:
    return " ".join(value.split())


def _parse_date(value: str) -> dt.date | None:
    match = DATE_RE.match(value)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = ISO_DATE_RE.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def msg_required() -> str:
    return _("Thiếu dữ liệu bắt buộc. / Required value missing.")


def msg_code() -> str:
    return _(
        "Mã không hợp lệ: chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch chéo, tối đa "
        "40 ký tự. / Invalid code format."
    )


def _msg_too_long(limit: int) -> str:
    return _("Dài quá %(n)s ký tự. / Longer than %(n)s characters.") % {"n": limit}


def msg_duplicate(first: int) -> str:
    return _(
        "Mã trùng với dòng %(row)s trong tệp. / Duplicate code, first seen on row %(row)s."
    ) % {"row": first}


def msg_out_of_scope() -> str:
    return _(
        "Cơ quan ngoài phạm vi bạn được phép nhập. / Organisation outside your permitted scope."
    )


def msg_unknown_org() -> str:
    return _("Không có cơ quan với mã này. / Unknown organisation code.")


def check_code(plan: Plan, row: dict[str, Any], column: Column) -> bool:
    value = row.get(column.key, "")
    if not value:
        if column.required:
            plan.error(row, column, msg_required())
            return False
        return True
    if len(value) > CODE_MAX or not CODE_RE.match(value):
        plan.error(row, column, msg_code())
        return False
    return True


def check_text(plan: Plan, row: dict[str, Any], column: Column, limit: int) -> bool:
    value = row.get(column.key, "")
    if not value and column.required:
        plan.error(row, column, msg_required())
        return False
    if len(value) > limit:
        plan.error(row, column, _msg_too_long(limit))
        return False
    return True


Progress = Callable[[int], None]


def tick(progress: Progress | None, done: int) -> None:
    if progress is not None and done % PROGRESS_EVERY == 0:
        progress(done)


def plan_organisations(
    rows: list[dict[str, Any]],
    *,
    user: Any,
    scope: Organisation,
    progress: Progress | None = None,
) -> Plan:
    """Validate organisation rows; new rows come out in an order where parents precede children."""
    plan = Plan()
    col = {c.key: c for c in ORG_COLUMNS}
    today = timezone.localdate()
    kinds: dict[str, OrganisationKind] = {}
    for known in OrganisationKind.objects.all():
        kinds[known.code.lower()] = known
        kinds.setdefault(fold(known.name), known)
    allowed = org_infos(allowed_organisations(user, scope))
    mentioned = {r.get("code", "") for r in rows} | {r.get("parent", "") for r in rows}
    unknown_here = [code for code in mentioned if code and code not in allowed]
    outside = existing_codes(unknown_here)

    # An update writes a version from today, which would replace a rename dated ahead.
    renames_ahead = pending_renames(
        [allowed[code].pk for code in {r.get("code", "") for r in rows} if code in allowed],
        today=today,
    )

    first_seen: dict[str, int] = {}
    new_rows: dict[str, dict[str, Any]] = {}
    checked: list[dict[str, Any]] = []
    for done, row in enumerate(rows, start=1):
        tick(progress, done)
        ok = check_code(plan, row, col["code"])
        ok = check_text(plan, row, col["name"], 255) and ok
        ok = check_text(plan, row, col["short_name"], 80) and ok
        ok = check_code(plan, row, col["parent"]) and ok
        code = row.get("code", "")
        if ok and code in first_seen:
            plan.error(row, col["code"], msg_duplicate(first_seen[code]))
            continue
        if code:
            first_seen[code] = row["row"]
        kind = kinds.get(row.get("kind", "").lower()) or kinds.get(fold(row.get("kind", "")))
        if not row.get("kind"):
            plan.error(row, col["kind"], msg_required())
            ok = False
        elif kind is None:
            plan.error(
                row, col["kind"], _("Mã loại không tồn tại. / Unknown organisation kind code.")
            )
            ok = False
        valid_from = today
        if row.get("valid_from"):
            parsed = _parse_date(row["valid_from"])
            if parsed is None:
                plan.error(
                    row,
                    col["valid_from"],
                    _("Ngày không hợp lệ, cần dạng dd/mm/yyyy. / Invalid date, use dd/mm/yyyy."),
                )
                ok = False
            else:
                valid_from = parsed
        if not ok or kind is None:
            continue
        parent_code = row.get("parent", "")
        if parent_code == code:
            plan.error(
                row,
                col["parent"],
                _(
                    "Cơ quan không thể là cấp trên của chính nó. / "
                    "An organisation cannot be its own parent."
                ),
            )
            continue
        current = allowed.get(code)
        if current is None and code in outside:
            plan.error(row, col["code"], msg_out_of_scope())
            continue
        parent = allowed.get(parent_code) if parent_code else None
        item = {
            "row": row["row"],
            "code": code,
            "name": clean_name(row["name"]),
            "short_name": clean_name(row.get("short_name", "")),
            "kind_id": kind.pk,
            "valid_from": valid_from,
            "parent_code": parent_code,
        }
        if current is not None:
            parent_id = parent.pk if parent else None
            if parent_code and (parent is None or parent_id != current.parent_id):
                plan.error(
                    row,
                    col["parent"],
                    _(
                        "Không đổi được cơ quan cấp trên của cơ quan đã có bằng nhập Excel; "
                        "hãy dùng chức năng chuyển cơ quan. / Moving an existing organisation "
                        "is not supported by import."
                    ),
                )
                continue
            item["pk"] = current.pk
            if (item["name"], item["short_name"], item["kind_id"]) == (
                current.name,
                current.short_name,
                current.kind_id,
            ):
                plan.unchanged += 1
            elif current.valid_to is not None:
                plan.error(
                    row,
                    col["code"],
                    _(
                        "Cơ quan đã hết hiệu lực, không cập nhật được. / "
                        "The organisation is closed and cannot be updated."
                    ),
                )
            elif current.pk in renames_ahead:
                plan.error(row, col["name"], msg_pending_rename(*renames_ahead[current.pk]))
            else:
                plan.update.append(item)
            continue
        if not parent_code:
            plan.error(
                row,
                col["parent"],
                _(
                    "Thiếu mã cơ quan cấp trên (bắt buộc khi tạo mới). / "
                    "Parent code is required for a new organisation."
                ),
            )
            continue
        if parent is None and parent_code in outside:
            plan.error(row, col["parent"], msg_out_of_scope())
            continue
        if parent is not None and parent.valid_to is not None and parent.valid_to < valid_from:
            plan.error(
                row,
                col["parent"],
                _("Cơ quan cấp trên đã hết hiệu lực. / The parent organisation is closed."),
            )
            continue
        new_rows[code] = item
        checked.append(item)

    # Parents may appear later in the file: order new rows so that parents come first.
    ordered: list[dict[str, Any]] = []
    placed: dict[str, int] = {}  # code → level
    pending = [item for item in checked if item["code"] in new_rows]
    while pending:
        still: list[dict[str, Any]] = []
        for item in pending:
            parent_code = item["parent_code"]
            if parent_code in allowed:
                item["level"] = 0
            elif parent_code in placed:
                item["level"] = placed[parent_code] + 1
            else:
                still.append(item)
                continue
            placed[item["code"]] = item["level"]
            ordered.append(item)
        if len(still) == len(pending):
            for item in still:
                row = {"row": item["row"], "parent": item["parent_code"]}
                if item["parent_code"] in new_rows:
                    message = _(
                        "Cơ quan cấp trên tạo thành vòng lặp trong tệp. / "
                        "Parent codes form a cycle in the file."
                    )
                elif item["parent_code"] in first_seen:
                    message = _(
                        "Dòng của cơ quan cấp trên (dòng %(row)s) có lỗi. / "
                        "The parent's row (row %(row)s) has errors."
                    ) % {"row": first_seen[item["parent_code"]]}
                else:
                    message = msg_unknown_org()
                plan.error(row, col["parent"], message)
            break
        pending = still
    plan.create = ordered
    check_sibling_names(plan, allowed, today=today)
    return plan


def msg_name_in_file(first: int) -> str:
    return _(
        "Tên trùng với một cơ quan cùng cấp trên ở dòng %(row)s trong tệp; hãy chọn tên khác. / "
        "Same name as the organisation under the same parent on row %(row)s of the file; "
        "choose another name."
    ) % {"row": first}


def msg_name_taken(code: str, name: str, day: dt.date) -> str:
    """The services' own wording (`services.check_name_free`)."""
    return _(
        "%(code)s cũng trực thuộc cơ quan này và mang tên «%(name)s» từ %(day)s; "
        "hãy chọn tên khác. / Another organisation under the same parent has "
        "this name on that day."
    ) % {"code": code, "name": name, "day": f"{day:%d/%m/%Y}"}


#: A name under a parent: (("pk", parent id) for an organisation in the database, or
#: ("code", its code) for a new one in the file; the name's key, `core.text.name_key`).
Key = tuple[tuple[str, Any], str]


def check_sibling_names(plan: Plan, allowed: dict[str, OrgInfo], *, today: dt.date) -> None:
    """Refuse a new or renamed organisation whose name a sibling (same parent) bears from
    its day on — the services' rule (`services.check_name_free`: case folded, accents
    kept but not the tone mark's place, spaces collapsed): in the database, or given by
    another row of the file. The file is judged by what it leaves: a sibling the file
    renames no longer bears its old name from today, so two siblings may swap names in
    one file (the services reach the same names the same day through a third name; the
    import writes every row at once, never half of them). One that only changes the case
    of its name still bears it."""
    col = {c.key: c for c in ORG_COLUMNS}
    # (parent, name's key) → the rows claiming it: (row, day, own pk or None, item).
    claims: dict[Key, list[tuple[int, dt.date, int | None, dict[str, Any]]]] = {}
    for item in plan.create:
        parent = allowed.get(item["parent_code"])
        parent_key = ("pk", parent.pk) if parent is not None else ("code", item["parent_code"])
        claims.setdefault((parent_key, name_key(item["name"])), []).append(
            (item["row"], item["valid_from"], None, item)
        )
    renamed_away: set[int] = set()
    for item in plan.update:
        current = allowed[item["code"]]
        if item["name"] == current.name:
            continue
        new_key = name_key(item["name"])
        if new_key != name_key(current.name):
            renamed_away.add(current.pk)
        day = max(today, current.valid_from)
        claims.setdefault((("pk", current.parent_id), new_key), []).append(
            (item["row"], day, current.pk, item)
        )
    if not claims:
        return
    earliest = min(day for rows in claims.values() for _row, day, _pk, _item in rows)
    borne: dict[Key, list[tuple[int, str, str, dt.date, dt.date | None, dt.date | None]]] = {}
    keys = sorted({key for _parent, key in claims})
    for chunk in chunks(keys):
        for pk, code, name, parent_id, valid_from, valid_to, closed_on, found in (
            OrganisationVersion.objects.filter(name_key__in=chunk)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=earliest))
            .values_list(
                "organisation_id",
                "organisation__code",
                "name",
                "parent_id",
                "valid_from",
                "valid_to",
                "organisation__valid_to",
                "name_key",
            )
        ):
            sibling = (("pk", parent_id), found)
            if sibling in claims:
                borne.setdefault(sibling, []).append(
                    (pk, code, name, valid_from, valid_to, closed_on)
                )
    refused: set[int] = set()
    for key, rows in claims.items():
        rows.sort(key=lambda claim: claim[0])
        first_row = rows[0][0]
        for row, day, own, item in rows:
            problem = ""
            if row != first_row:
                problem = msg_name_in_file(first_row)
            for pk, code, name, valid_from, valid_to, closed_on in borne.get(key, []):
                if pk == own or any(end is not None and end < day for end in (valid_to, closed_on)):
                    continue
                # Renamed by this file: its open version ends the day before today (or,
                # starting today or later, is rewritten with the new name).
                away = pk in renamed_away and valid_to is None
                if away and (valid_from >= today or day >= today):
                    continue
                problem = msg_name_taken(code, name, max(valid_from, day))
                break
            if problem:
                refused.add(row)
                plan.error({"row": row, "name": item["name"]}, col["name"], problem)
    if refused:
        plan.create = [item for item in plan.create if item["row"] not in refused]
        plan.update = [item for item in plan.update if item["row"] not in refused]
