"""Importing a plan's task table (the usual appendix) from an .xlsx workbook.

Columns, as plans print them: No. (STT), content, lead organisation,
coordinating organisations, time frame, deliverable. The flow is the staff
import's: upload → preview with row errors (nothing written) → commit (all
rows or none). Tasks are matched by their No. within the plan, so importing
the same table again updates the tasks instead of duplicating them.

Organisations are written by code or by exact name (accents and case do not
matter); the usual group phrases ("Các sở, ban, ngành", "UBND các xã,
phường", "Các cơ quan, đơn vị") assign the task to every organisation of
those kinds. Time frames are free text; the common Vietnamese wordings are
understood and anything else is reported as a row error.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _

from congvu.core.text import fold
from congvu.organisations.importing.reading import ImportFileError, _cell_text, _header_key, _load
from congvu.organisations.models import Organisation, OrganisationKind

from . import new_tasks, services
from .models import Plan, Schedule, Task
from .periods import month_end

MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    label_en: str
    aliases: tuple[str, ...]
    required: bool
    example: str
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("code", "STT", "No.", ("so thu tu", "tt", "ma", "ma nhiem vu", "no"), True, "1", 8),
    Column(
        "content",
        "Nội dung nhiệm vụ",
        "Content",
        ("noi dung", "nhiem vu", "noi dung cong viec", "task"),
        True,
        "Quán triệt Quyết định số 1847/QĐ-TTg đến toàn thể cán bộ, công chức, viên chức",
        60,
    ),
    Column(
        "lead",
        "Cơ quan chủ trì",
        "Lead organisation",
        ("co quan, don vi chu tri", "don vi chu tri", "chu tri", "lead"),
        True,
        "Các sở, ban, ngành; UBND các xã, phường",
        30,
    ),
    Column(
        "coordinating",
        "Cơ quan phối hợp",
        "Coordinating organisations",
        ("co quan, don vi phoi hop", "don vi phoi hop", "phoi hop", "coordinating"),
        False,
        "Sở Nội vụ",
        30,
    ),
    Column(
        "time_frame",
        "Thời gian thực hiện",
        "Time frame",
        ("thoi gian", "thoi han", "thoi gian hoan thanh", "tien do", "deadline"),
        True,
        "Trước 15/11 hằng năm",
        22,
    ),
    Column(
        "deliverable",
        "Sản phẩm",
        "Deliverable",
        ("san pham", "ket qua", "ket qua, san pham", "san pham dau ra", "output"),
        False,
        "Báo cáo kết quả thực hiện",
        30,
    ),
)

TIME_FRAME_HELP = (
    "Ví dụ / Examples: 31/12/2026 · Năm 2026 · Quý III/2026 · Tháng 9/2026 · Hằng năm · "
    "Trước 15/11 hằng năm · Thường xuyên · 6 tháng · Hằng quý · Hằng tháng · "
    "Trước ngày 20 hằng tháng · Trong 10 ngày làm việc · Giai đoạn 2026-2030"
)

# Group phrases (folded) → kind codes. Kinds are data; a missing kind is a row error.
GROUPS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(r"(?:tat ca |toan bo )?cac co quan,? (?:to chuc,? )?don vi(?: thuoc tinh)?"),
        ("department", "commune_pc", "public_service_unit"),
    ),
    (re.compile(r"(?:cac )?so,? ban,? nganh(?: tinh)?"), ("department",)),
    (
        re.compile(
            r"(?:ubnd|uy ban nhan dan) (?:cac )?xa,? phuong(?:,? (?:dac khu|thi tran))?"
            r"|(?:ubnd|uy ban nhan dan) cac xa"
        ),
        ("commune_pc",),
    ),
    (re.compile(r"cac don vi su nghiep(?: cong lap)?"), ("public_service_unit",)),
)
ROMAN = re.compile(r"^[ivxlc]+\.?$")
DATE = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
DAY_MONTH = re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})(?!\s*/?\s*\d)")
YEAR = re.compile(r"\b(20\d\d)\b")
RANGE = re.compile(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b")
QUARTER = re.compile(r"quy\s+(iv|iii|ii|i|[1-4])\b(?:\s*(?:/|nam)\s*(20\d\d))?")
MONTH = re.compile(r"thang\s+(\d{1,2})\s*(?:/|nam)\s*(20\d\d)")
WORKING_DAYS = re.compile(r"(\d{1,3})\s*ngay lam viec")
DAY_OF = re.compile(r"ngay\s+(\d{1,2})\b")
ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass
class TimeFrame:
    schedule: str
    starts_on: dt.date
    due_on: dt.date | None = None
    due_month: int | None = None
    due_day: int | None = None
    due_working_days: int | None = None
    ends_on: dt.date | None = None


class TimeFrameError(ValueError):
    pass


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise TimeFrameError(str(exc)) from exc


def parse_time_frame(text: str, *, issued_on: dt.date) -> TimeFrame:
    """Read a time-frame cell; raises TimeFrameError when it cannot be understood."""
    folded = fold(text)
    if not folded:
        raise TimeFrameError("empty")
    start = issued_on
    recurring = re.search(r"hang nam|moi nam|thuong xuyen|lien tuc", folded)
    if m := WORKING_DAYS.search(folded):
        days = int(m.group(1))
        if not 1 <= days <= 365:
            raise TimeFrameError("working days")
        return TimeFrame(Schedule.ONCE, start, due_working_days=days)
    if m := DATE.search(folded):
        due = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return TimeFrame(Schedule.ONCE, min(start, due), due_on=due)
    if m := RANGE.search(folded):
        first, last = int(m.group(1)), int(m.group(2))
        if last < first:
            raise TimeFrameError("range")
        tf = TimeFrame(
            Schedule.YEARLY, max(start, dt.date(first, 1, 1)), ends_on=dt.date(last, 12, 31)
        )
        if dm := DAY_MONTH.search(folded):
            tf.due_day, tf.due_month = int(dm.group(1)), int(dm.group(2))
        else:
            tf.due_month, tf.due_day = 12, 31
        return tf
    if re.search(r"hang thang|moi thang|thang mot lan", folded):
        tf = TimeFrame(Schedule.MONTHLY, start)
        if m := DAY_OF.search(folded):
            tf.due_day = int(m.group(1))
        return tf
    if re.search(r"6 thang|sau thang|nua nam|ban nien", folded) and not YEAR.search(folded):
        tf = TimeFrame(Schedule.HALF_YEARLY, start)
        if m := DAY_OF.search(folded):
            tf.due_day = int(m.group(1))
        return tf
    if (m := QUARTER.search(folded)) and m.group(2):
        number = ROMAN_QUARTERS.get(m.group(1)) or int(m.group(1))
        due = month_end(int(m.group(2)), number * 3)
        return TimeFrame(Schedule.ONCE, min(start, due), due_on=due)
    if re.search(r"hang quy|moi quy|dinh ky quy|^quy$|theo quy", folded):
        tf = TimeFrame(Schedule.QUARTERLY, start)
        if m := DAY_OF.search(folded):
            tf.due_day = int(m.group(1))
        return tf
    if m := MONTH.search(folded):
        if not 1 <= int(m.group(1)) <= 12:
            raise TimeFrameError("month")
        due = month_end(int(m.group(2)), int(m.group(1)))
        return TimeFrame(Schedule.ONCE, min(start, due), due_on=due)
    if recurring:
        tf = TimeFrame(Schedule.YEARLY, start, due_month=12, due_day=31)
        if m := DAY_MONTH.search(folded):
            day, month = int(m.group(1)), int(m.group(2))
            _date(2024, month, day)  # a leap year, so 29/02 passes
            tf.due_day, tf.due_month = day, month
        return tf
    if m := YEAR.search(folded):
        year = int(m.group(1))
        due = dt.date(year, 12, 31)
        if dm := DAY_MONTH.search(folded):
            due = _date(year, int(dm.group(2)), int(dm.group(1)))
        return TimeFrame(Schedule.ONCE, min(start, dt.date(year, 1, 1)), due_on=due)
    raise TimeFrameError("unknown")


# --- reading the workbook ---------------------------------------------------------------


def _header_map() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.label, column.label_en, column.key, *column.aliases):
            mapping[_header_key(name)] = column.key
    return mapping


def read_rows(fileobj: IO[bytes]) -> list[dict[str, Any]]:
    """The table's data rows as dicts keyed by column key, plus "row" (the Excel row).

    Appendices often carry a title above the table, so the header is looked for
    in the first rows; a row of column numbers (1, 2, 3…) under it is skipped.
    """
    by_header = _header_map()
    wb = _load(fileobj)
    try:
        if not wb.worksheets:
            raise ImportFileError(_("Tệp không có trang tính nào. / The workbook has no sheet."))
        positions: list[tuple[int, str]] = []
        rows: list[dict[str, Any]] = []
        for number, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            if not positions:
                if number > HEADER_SEARCH_ROWS:
                    break
                found: list[tuple[int, str]] = []
                for index, text in enumerate(values or ()):
                    key = by_header.get(_header_key(text))
                    if key and key not in {k for _i, k in found}:
                        found.append((index, key))
                if {"code", "content"} <= {k for _i, k in found} and len(found) >= 3:
                    positions = found
                continue
            row: dict[str, Any] = {"row": number}
            for index, key in positions:
                row[key] = _cell_text(values[index] if index < len(values) else None, key)
            texts = [row.get(key, "") for _i, key in positions]
            if not any(texts) or all(t.isdigit() or t.startswith("(") for t in texts if t):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("Tệp có quá %(max)s dòng. / More than %(max)s rows.") % {"max": MAX_ROWS}
                )
            rows.append(row)
    finally:
        wb.close()
    if not positions:
        raise ImportFileError(
            _(
                "Không tìm thấy dòng tiêu đề (STT, Nội dung nhiệm vụ, Cơ quan chủ trì, Thời gian "
                "thực hiện…). Hãy dùng tệp mẫu. / Header row not found; use the template."
            )
        )
    missing = [c.label for c in COLUMNS if c.required and c.key not in {k for _i, k in positions}]
    if missing:
        raise ImportFileError(
            _("Thiếu cột bắt buộc: %(cols)s. / Required columns missing.")
            % {"cols": ", ".join(missing)}
        )
    if not rows:
        raise ImportFileError(_("Tệp không có dòng dữ liệu nào. / The file has no data rows."))
    return rows


def build_template() -> bytes:
    """A workbook with the appendix's header row and a guide sheet."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nhiệm vụ"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Column", "Bắt buộc / Required", "Ví dụ / Example"])
    for column in COLUMNS:
        guide.append(
            [
                column.label,
                column.label_en,
                "Có / Yes" if column.required else "Không / No",
                column.example,
            ]
        )
    guide.append([])
    guide.append(["Thời gian thực hiện / Time frame", TIME_FRAME_HELP])
    guide.append(
        [
            "Cơ quan / Organisations",
            "Ghi mã định danh hoặc tên đầy đủ, cách nhau bằng dấu chấm phẩy; hoặc: Các sở, ban, "
            "ngành · UBND các xã, phường · Các đơn vị sự nghiệp công lập · Các cơ quan, đơn vị.",
        ]
    )
    guide.append(
        [
            "Nhập lại / Re-import",
            "Nhiệm vụ được khớp theo STT: nhập lại cùng bảng sẽ cập nhật, không tạo bản trùng.",
        ]
    )
    for cell in guide[1]:
        cell.font = bold
    for letter, width in zip("ABCD", (28, 60, 18, 50), strict=True):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- validation -------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    code: str
    content: str
    action: str = ""  # "create" | "update" | "skip"
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    time_frame: str = ""
    lead: str = ""


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def error_count(self) -> int:
        return sum(len(r.errors) for r in self.rows)

    @property
    def to_create(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def to_update(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")


class OrganisationIndex:
    """Organisations that may be named in the table, by code and by folded name."""

    def __init__(self, plan: Plan) -> None:
        under = [org.path for org in services.issuer_chain(plan.issuing_organisation)]
        self.by_key: dict[str, Organisation | None] = {}
        qs = Organisation.objects.current().select_related("kind")
        for path in under:
            for org in qs.filter(path__startswith=path):
                self._add(org)
        self.kinds = {kind.code: kind for kind in OrganisationKind.objects.all()}

    def _add(self, org: Organisation) -> None:
        self.by_key[fold(org.code)] = org
        for name in (org.name, org.short_name):
            key = fold(name)
            if not key:
                continue
            # Two organisations with one name (two "Văn phòng Sở"): naming is ambiguous.
            if key in self.by_key and self.by_key[key] != org:
                self.by_key[key] = None
            else:
                self.by_key[key] = org

    def resolve(self, text: str) -> tuple[list[Organisation], list[str], list[str], list[str]]:
        """(organisations, kind codes, unknown names, ambiguous names) named in a cell."""
        folded = fold(text)
        kind_codes: list[str] = []
        for pattern, codes in GROUPS:
            if pattern.search(folded):
                kind_codes.extend(c for c in codes if c not in kind_codes)
                folded = pattern.sub(";", folded)
        organisations: list[Organisation] = []
        unknown: list[str] = []
        ambiguous: list[str] = []
        for part in re.split(
            r"[;\n]|\s-\s|^-|\bva\b(?=\s+(?:so|ubnd|uy ban|ban|van phong))", folded
        ):
            part = part.strip(" ,.-+")
            if not part or part in {"va", "cac", "cac co quan lien quan", "co quan lien quan"}:
                continue
            found = self._lookup(part)
            if found is None and "," in part:
                pieces = [p.strip(" .-") for p in part.split(",") if p.strip(" .-")]
                results = [self._lookup(p) for p in pieces]
                named = [r for r in results if isinstance(r, Organisation)]
                if len(named) == len(results):
                    organisations.extend(named)
                    continue
            if found is False:
                ambiguous.append(part)
            elif found is None:
                if "lien quan" in part:
                    continue  # "các cơ quan liên quan": context, nobody in particular
                unknown.append(part)
            elif isinstance(found, Organisation) and found not in organisations:
                organisations.append(found)
        return organisations, kind_codes, unknown, ambiguous

    def _lookup(self, key: str) -> Organisation | bool | None:
        if key not in self.by_key:
            for prefix in ("ubnd ", "uy ban nhan dan "):
                other = key.replace(prefix, "uy ban nhan dan " if prefix == "ubnd " else "ubnd ", 1)
                if key.startswith(prefix) and other in self.by_key:
                    key = other
                    break
            else:
                return None
        org = self.by_key[key]
        return False if org is None else org


def validate(plan: Plan, rows: Iterable[dict[str, Any]]) -> Preview:
    """Check every row and decide what the commit would do; writes nothing."""
    index = OrganisationIndex(plan)
    existing = set(Task.objects.filter(plan=plan).values_list("code", flat=True))
    seen: dict[str, int] = {}
    results: list[RowResult] = []
    for raw in rows:
        code = str(raw.get("code", "")).strip().rstrip(".")
        content = str(raw.get("content", "")).strip()
        result = RowResult(row=int(raw.get("row", 0)), code=code, content=content)
        result.time_frame = str(raw.get("time_frame", ""))
        result.lead = str(raw.get("lead", ""))
        results.append(result)
        lead_text = result.lead.strip()
        if ROMAN.match(fold(code)) and not lead_text and not result.time_frame:
            result.action = "skip"
            result.notes.append(_("Dòng tiêu đề mục, bỏ qua. / Section heading, skipped."))
            continue
        if not code:
            result.errors.append(_("Thiếu STT. / The No. is missing."))
        elif code in seen:
            result.errors.append(
                _("STT %(code)s trùng với dòng %(row)s. / Duplicate No.")
                % {"code": code, "row": seen[code]}
            )
        else:
            seen[code] = result.row
        if not content:
            result.errors.append(_("Thiếu nội dung nhiệm vụ. / The content is missing."))
        try:
            frame = parse_time_frame(result.time_frame, issued_on=plan.issued_on)
        except TimeFrameError:
            result.errors.append(
                _(
                    "Không hiểu thời gian thực hiện “%(text)s”. / Time frame not understood. "
                    "%(help)s"
                )
                % {"text": result.time_frame, "help": TIME_FRAME_HELP}
            )
            frame = None
        leads, kind_codes, unknown, ambiguous = index.resolve(lead_text)
        coordinating, coord_kinds, coord_unknown, coord_ambiguous = index.resolve(
            str(raw.get("coordinating", ""))
        )
        for name in unknown + coord_unknown:
            result.errors.append(
                _("Không tìm thấy cơ quan “%(name)s” (mã hoặc tên). / Unknown organisation.")
                % {"name": name}
            )
        for name in ambiguous + coord_ambiguous:
            result.errors.append(
                _(
                    "Có nhiều cơ quan tên “%(name)s”; hãy ghi mã định danh. / "
                    "Ambiguous name: use the code."
                )
                % {"name": name}
            )
        missing_kinds = [c for c in kind_codes if c not in index.kinds]
        if missing_kinds:
            result.errors.append(
                _("Chưa có loại cơ quan %(kinds)s. / Unknown organisation kind.")
                % {"kinds": ", ".join(missing_kinds)}
            )
        if not leads and not kind_codes and not unknown and not ambiguous:
            result.errors.append(_("Thiếu cơ quan chủ trì. / The lead organisation is missing."))
        if coord_kinds:
            result.notes.append(
                _(
                    "Nhóm cơ quan phối hợp chỉ được ghi nhận trong nội dung, không giao việc. / "
                    "Coordinating groups are not assigned."
                )
            )
        if result.errors or frame is None:
            continue
        result.action = "update" if code in existing else "create"
        result.fields = {
            "content": content,
            "deliverable": str(raw.get("deliverable", "")).strip()[:500],
            "lead_organisation": leads[0].pk if leads else None,
            "coordinating_organisations": [o.pk for o in coordinating],
            "assign_to": Task.AssignTo.KINDS if kind_codes else Task.AssignTo.NAMED,
            "assignees": [] if kind_codes else [o.pk for o in leads],
            "assignee_kinds": [index.kinds[c].pk for c in kind_codes],
            "schedule": frame.schedule,
            "starts_on": frame.starts_on,
            "due_on": frame.due_on,
            "due_month": frame.due_month,
            "due_day": frame.due_day,
            "due_working_days": frame.due_working_days,
            "ends_on": frame.ends_on,
        }
    return Preview(results)


@transaction.atomic
def commit(plan: Plan, rows: Iterable[dict[str, Any]], *, actor: Any) -> Preview:
    """Validate again (the table may have changed since the preview) and write all rows.

    Raises nothing on row errors: the caller checks `preview.error_count` and
    nothing is written when it is not zero.
    """
    services.require_manage(actor, plan)
    preview = validate(plan, rows)
    if preview.error_count:
        return preview
    organisations = {
        org.pk: org
        for org in Organisation.objects.filter(
            pk__in={
                pk
                for r in preview.rows
                for pk in (
                    *r.fields.get("assignees", ()),
                    *r.fields.get("coordinating_organisations", ()),
                    r.fields.get("lead_organisation"),
                )
                if pk is not None
            }
        )
    }
    kinds = {kind.pk: kind for kind in OrganisationKind.objects.all()}
    tasks = {task.code: task for task in Task.objects.filter(plan=plan)}
    # One notice per person for the whole table, not one per task (`new_tasks`).
    with new_tasks.told_together(actor=actor):
        _write(preview, plan, organisations, kinds, tasks, actor=actor)
    return preview


def _write(
    preview: Preview,
    plan: Plan,
    organisations: dict[int, Organisation],
    kinds: dict[int, OrganisationKind],
    tasks: dict[str, Task],
    *,
    actor: Any,
) -> None:
    for order, result in enumerate(preview.rows, start=1):
        if result.action not in {"create", "update"}:
            continue
        values = dict(result.fields)
        lead = values.pop("lead_organisation")
        values["lead_organisation"] = organisations[lead] if lead else None
        values["assignees"] = [organisations[pk] for pk in values["assignees"]]
        values["coordinating_organisations"] = [
            organisations[pk] for pk in values["coordinating_organisations"]
        ]
        values["assignee_kinds"] = [kinds[pk] for pk in values["assignee_kinds"]]
        if result.action == "update":
            services.update_task(tasks[result.code], actor=actor, order=order, **values)
        else:
            services.create_task(plan, actor=actor, code=result.code, order=order, **values)


def rows_for_storage(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only the known keys, as strings: what the preview form carries to the commit."""
    keys = ["row", *(c.key for c in COLUMNS)]
    return [{k: (row.get(k, "") if k != "row" else int(row["row"])) for k in keys} for row in rows]
