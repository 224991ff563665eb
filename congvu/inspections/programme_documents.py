"""The yearly programme as a document: DOCX in the Vietnamese administrative format (Decree
30/2020/NĐ-CP) with the items quarter by quarter, and an XLSX of the same items.

The building blocks are the house's (`reporting.documents` for python-docx, the sheet
helpers of `reporting.spreadsheets`, the `Exporter` base class of `reporting.exporters`,
the place the document is dated at from `scoring.documents`); only the content is here.
The document shows the programme in force: the approved items with the approved
amendments applied, cancelled items in their own section (kept, with their reason), the
amending decisions listed. Drafts of amendments are not in it. The workbook also gives each
item's state (coverage) and what the approved amendments changed of it.

An amendment has its own document: the amending decision (Quyết định điều chỉnh), DOCX in the
same format, with its changes in a table (addition, cancellation, rescheduling, the reason);
a draft's carries "DỰ THẢO" and a blank number, for signing. Before signing, a draft's effect
is previewed as a workbook: every item with its period before and after the draft.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from django.conf import settings
from django.utils import timezone, translation
from docx.document import Document as DocumentObject
from openpyxl import Workbook

from congvu.core.cells import safe_row
from congvu.reporting import documents as d
from congvu.reporting.exporters import XLSX, DocxExporter, Exporter, governing_body
from congvu.reporting.services import place_from

# Private helpers of the provincial workbook, imported rather than copied (as the ranking's
# workbook does): the workbooks share their look.
from congvu.reporting.spreadsheets import header_row, title_rows

from . import programme_selectors as ps
from .models import (
    Inspection,
    InspectionProgramme,
    ProgrammeAmendment,
    ProgrammeChange,
    ProgrammeItem,
    period_end,
)

FORMATS: Final = ("docx", "xlsx")
ROMAN: Final = {1: "I", 2: "II", 3: "III", 4: "IV"}
BLANK_NUMBER: Final = "        /KH"
BLANK_DECISION: Final = "        /QĐ"
#: The official text is Vietnamese whatever the reader's language.
ACTION_VI: Final = {"add": "Bổ sung", "cancel": "Hủy", "reschedule": "Đổi thời gian"}
ITEM_HEADERS: Final = ("STT", "Cơ quan được kiểm tra", "Thời gian", "Hình thức", "Trưởng đoàn")


@dataclass
class ProgrammeText:
    """Everything both files show, read once."""

    programme: InspectionProgramme
    items: list[ProgrammeItem]
    amendments: list[ProgrammeAmendment]

    @classmethod
    def of(cls, programme: InspectionProgramme) -> ProgrammeText:
        items = list(
            programme.items.select_related("organisation", "lead", "programme").order_by(
                "quarter", "month", "organisation__path"
            )
        )
        amendments = list(
            programme.amendments.filter(status=ProgrammeAmendment.Status.APPROVED).order_by(
                "number"
            )
        )
        return cls(programme, items, amendments)

    @property
    def in_force(self) -> list[ProgrammeItem]:
        return [i for i in self.items if not i.is_cancelled]

    @property
    def cancelled(self) -> list[ProgrammeItem]:
        return [i for i in self.items if i.is_cancelled]

    def quarter(self, q: int) -> list[ProgrammeItem]:
        return [i for i in self.in_force if i.quarter == q]

    def subject(self) -> str:
        return f"Kiểm tra công vụ năm {self.programme.year}"

    def basis(self) -> list[str]:
        p = self.programme
        lines = []
        if p.decision_number or p.decision_on:
            lines.append(f"Phê duyệt: {decision_text(p.decision_number, p.decision_on)}.")
        for a in self.amendments:
            lines.append(
                f"Điều chỉnh lần {a.number}: {decision_text(a.decision_number, a.decision_on)}."
            )
        return lines

    @staticmethod
    def row(n: int, item: ProgrammeItem) -> tuple[str, str, str, str, str]:
        lead = item.lead.full_name or item.lead.username if item.lead else ""
        return (str(n), item.organisation.name, period_vi(item), kind_vi(item), lead)


def titled(programme: InspectionProgramme) -> str:
    """The programme's title with its year, said once: the title usually holds it already
    ("Kế hoạch kiểm tra công vụ năm 2026")."""
    title = programme.title.strip()
    return title if str(programme.year) in title else f"{title} năm {programme.year}"


def decision_text(number: str, day: object) -> str:
    """ "Quyết định số 15/QĐ-SNV ngày 15/01/2026", as the pages say it."""
    text = f"Quyết định số {number}" if number else "Quyết định"
    return f"{text} ngày {day:%d/%m/%Y}" if day else text


def period_vi(item: ProgrammeItem) -> str:
    return period_text(item.quarter, item.month)


def period_text(quarter: int | None, month: int | None) -> str:
    if month:
        return f"Tháng {month}"
    return f"Quý {ROMAN[quarter]}" if quarter else ""


def change_period(change: ProgrammeChange) -> str:
    """Where the change puts the organisation: the new period of an addition, the period
    cancelled, or "Quý IV → Tháng 5"."""
    old = period_text(change.old_quarter, change.old_month)
    new = period_text(change.quarter, change.month)
    if change.action == ProgrammeChange.Action.ADD:
        return new
    if change.action == ProgrammeChange.Action.CANCEL:
        return old
    return f"{old} → {new}"


def history_text(changes: list[ProgrammeChange]) -> str:
    """An item's approved changes, oldest first, on one line each."""
    lines = []
    for change in changes:
        a = change.amendment
        text = (
            f"Điều chỉnh lần {a.number} ({decision_text(a.decision_number, a.decision_on)}): "
            f"{ACTION_VI[change.action]} {change_period(change)}"
        )
        if change.reason:
            text += f" — {change.reason}"
        lines.append(text)
    return "\n".join(lines)


def kind_vi(item: ProgrammeItem | ProgrammeChange) -> str:
    # The document is Vietnamese whatever the reader's language (it is the official text).
    return "Đột xuất" if item.kind == "unannounced" else "Định kỳ"


class _ProgrammeMixin:
    def __init__(self, programme: InspectionProgramme, user: object = None) -> None:
        self.programme = programme
        #: Whose inspections give the items' states (the workbook's "Tình trạng").
        self.user = user

    @cached_property
    def text(self) -> ProgrammeText:
        return ProgrammeText.of(self.programme)

    def basename(self) -> str:
        return f"ke-hoach-kiem-tra-{self.programme.year}-{self.programme.pk}"


class ProgrammeDocx(_ProgrammeMixin, DocxExporter):
    def build(self, document: DocumentObject) -> None:
        t, p = self.text, self.programme
        organisation = p.organisation
        d.heading_block(
            document,
            governing_body=governing_body(organisation),
            issuing_body=d.upper_name(organisation.name),
            number=BLANK_NUMBER,
            place=place_from(organisation),
            day=timezone.localdate(p.approved_at) if p.approved_at else timezone.localdate(),
        )
        d.title_block(document, "KẾ HOẠCH", t.subject())
        d.body_text(document, "\n".join([p.title, *t.basis()]))
        d.section_heading(document, "I. CƠ QUAN, ĐƠN VỊ ĐƯỢC KIỂM TRA")
        for q in (1, 2, 3, 4):
            d.section_heading(document, f"Quý {ROMAN[q]}")
            rows = [t.row(n, item) for n, item in enumerate(t.quarter(q), start=1)]
            if rows:
                d.data_table(document, list(ITEM_HEADERS), rows, widths_mm=[12, 70, 25, 25, 33])
            else:
                d.body_text(document, "Không có.")
        d.section_heading(document, "II. CÁC MỤC ĐÃ HỦY THEO QUYẾT ĐỊNH ĐIỀU CHỈNH")
        if t.cancelled:
            d.data_table(
                document,
                ["STT", "Cơ quan được kiểm tra", "Thời gian", "Lý do hủy"],
                [
                    (str(n), i.organisation.name, period_vi(i), i.cancel_reason)
                    for n, i in enumerate(t.cancelled, start=1)
                ],
                widths_mm=[12, 65, 25, 63],
                numeric_from=4,
            )
        else:
            d.body_text(document, "Không có.")
        d.section_heading(document, "III. TỔ CHỨC THỰC HIỆN")
        d.body_text(
            document,
            "Đoàn kiểm tra thông báo kế hoạch kiểm tra định kỳ cho cơ quan, đơn vị được kiểm "
            "tra trước khi tiến hành; kiểm tra đột xuất không báo trước. Kết quả kiểm tra được "
            "tổng hợp trong báo cáo định kỳ.",
        )
        d.recipients_and_signer(
            document,
            recipients=["Các cơ quan, đơn vị được kiểm tra", "Lưu: VT"],
            signer_title="Thủ trưởng cơ quan",
            signer_name="",
        )


class ProgrammeXlsx(_ProgrammeMixin, Exporter):
    """One row per item (cancelled ones too, marked), numbers as numbers."""

    extension = "xlsx"
    content_type = XLSX

    def render(self) -> bytes:
        t, p = self.text, self.programme
        headers = [
            "STT",
            "Mã định danh",
            "Cơ quan được kiểm tra",
            "Quý",
            "Tháng",
            "Hình thức",
            "Trưởng đoàn",
            "Ghi chú",
            "Đã hủy",
            "Lý do hủy",
            "Tình trạng",
            "Thay đổi theo quyết định điều chỉnh",
        ]
        states = self.states()
        histories = ps.histories(t.items)
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook always has its first sheet
        sheet.title = f"Ke hoach {p.year}"
        title_rows(sheet, titled(p), d.sentences(t.basis()), len(headers))
        header_row(sheet, headers, [6, 14, 48, 8, 8, 14, 24, 30, 8, 30, 24, 60])
        for n, item in enumerate(t.items, start=1):
            lead = item.lead.full_name or item.lead.username if item.lead else ""
            sheet.append(
                safe_row(
                    [
                        n,
                        item.organisation.code,
                        item.organisation.name,
                        item.quarter,
                        item.month,
                        kind_vi(item),
                        lead,
                        item.note,
                        "x" if item.is_cancelled else "",
                        item.cancel_reason,
                        states.get(item.pk, ""),
                        history_text(histories.get(item.pk, [])),
                    ]
                )
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def states(self) -> dict[int, str]:
        """Each item's state as the coverage gives it (in Vietnamese), counting the
        inspections the downloading user sees."""
        seen = Inspection.objects.visible_to(self.user) if self.user is not None else None
        items = ps.with_states(
            self.programme.items.select_related("programme"),
            seen if seen is not None else Inspection.objects.all(),
        )
        today = timezone.localdate()
        with translation.override(settings.LANGUAGE_CODE):
            return {item.pk: str(ps.COVERAGE[ps.item_state(item, today)]) for item in items}


class AmendmentDocx(DocxExporter):
    """The amending decision (Decree 30/2020, Appendix I: a decision): heading, "QUYẾT ĐỊNH
    Điều chỉnh Kế hoạch kiểm tra công vụ năm …", its articles with the changes' table,
    "Nơi nhận" and signer."""

    def __init__(self, amendment: ProgrammeAmendment) -> None:
        self.amendment = amendment

    def basename(self) -> str:
        a = self.amendment
        return f"quyet-dinh-dieu-chinh-{a.programme.year}-lan-{a.number}"

    def changes(self) -> list[ProgrammeChange]:
        order = {"add": 0, "cancel": 1, "reschedule": 2}
        changes = list(
            self.amendment.changes.select_related("organisation").order_by(
                "organisation__path", "pk"
            )
        )
        return sorted(changes, key=lambda c: order[c.action])

    def build(self, document: DocumentObject) -> None:
        a, p = self.amendment, self.amendment.programme
        organisation = p.organisation
        approved = a.status == ProgrammeAmendment.Status.APPROVED
        if not approved:
            d.draft_mark(document)
        d.heading_block(
            document,
            governing_body=governing_body(organisation),
            issuing_body=d.upper_name(organisation.name),
            number=a.decision_number if approved and a.decision_number else BLANK_DECISION,
            place=place_from(organisation),
            day=a.decision_on if approved and a.decision_on else timezone.localdate(),
        )
        d.title_block(
            document,
            "QUYẾT ĐỊNH",
            f"Điều chỉnh Kế hoạch kiểm tra công vụ năm {p.year} (lần {a.number})",
        )
        d.paragraph(
            document,
            f"THỦ TRƯỞNG {d.upper_name(organisation.name)}",
            bold=True,
            align=d.CENTER,
            after=6,
        )
        basis = f"Căn cứ {titled(p)}"
        if p.decision_number or p.decision_on:
            basis += f" được phê duyệt tại {decision_text(p.decision_number, p.decision_on)}"
        earlier = p.amendments.filter(
            status=ProgrammeAmendment.Status.APPROVED, number__lt=a.number
        ).order_by("number")
        lines = [basis + ";"]
        lines += [
            f"Căn cứ {decision_text(e.decision_number, e.decision_on)} điều chỉnh kế hoạch "
            f"lần {e.number};"
            for e in earlier
        ]
        lines.append(d.full_stop(f"Xét đề nghị điều chỉnh kế hoạch với lý do: {a.reason}"))
        d.body_text(document, "\n".join(lines))
        d.paragraph(document, "QUYẾT ĐỊNH:", bold=True, align=d.CENTER, before=6, after=6)
        d.body_text(
            document,
            f"Điều 1. Điều chỉnh Kế hoạch kiểm tra công vụ năm {p.year} như sau:",
        )
        changes = self.changes()
        if changes:
            d.data_table(
                document,
                ["STT", "Nội dung điều chỉnh", "Cơ quan được kiểm tra", "Thời gian", "Lý do"],
                [
                    (
                        str(n),
                        ACTION_VI[c.action],
                        c.organisation.name,
                        change_period(c),
                        c.reason or c.note,
                    )
                    for n, c in enumerate(changes, start=1)
                ],
                widths_mm=[12, 28, 55, 30, 40],
                numeric_from=5,
            )
        else:
            d.body_text(document, "Không có.")
        d.body_text(
            document,
            "Điều 2. Quyết định này có hiệu lực kể từ ngày ký. Các nội dung khác của Kế hoạch "
            "giữ nguyên.\n"
            "Điều 3. Đoàn kiểm tra và các cơ quan, đơn vị có tên tại Điều 1 chịu trách nhiệm "
            "thi hành Quyết định này.",
        )
        d.recipients_and_signer(
            document,
            recipients=["Như Điều 3", "Lưu: VT"],
            signer_title="Thủ trưởng cơ quan",
            signer_name="",
        )


def period_dates(year: int, quarter: int | None, month: int | None) -> str:
    """ "Quý IV (01/10/2026 – 31/12/2026)": the period with its first and last day."""
    if not quarter:
        return ""
    first = dt.date(year, month or quarter * 3 - 2, 1)
    last = period_end(year, quarter, month)
    return f"{period_text(quarter, month)} ({first:%d/%m/%Y} – {last:%d/%m/%Y})"


class AmendmentPreviewXlsx(Exporter):
    """A draft amendment's effect, for the head before signing: every item of the programme
    with its period before and after the draft (kept, cancelled, rescheduled), the
    organisations it adds, headed "DỰ THẢO". Nothing is changed by producing it."""

    extension = "xlsx"
    content_type = XLSX
    HEADERS: Final = (
        "STT",
        "Mã định danh",
        "Cơ quan được kiểm tra",
        "Hình thức",
        "Trước điều chỉnh",
        "Thay đổi",
        "Sau điều chỉnh",
        "Lý do / ghi chú",
    )

    def __init__(self, amendment: ProgrammeAmendment) -> None:
        self.amendment = amendment

    def basename(self) -> str:
        a = self.amendment
        return f"du-thao-dieu-chinh-{a.programme.year}-lan-{a.number}"

    def rows(self) -> list[tuple[str, ...]]:
        """Per item (in the programme's order) then per addition: the columns after STT."""
        year = self.amendment.programme.year
        changes = list(self.amendment.changes.select_related("organisation"))
        by_item = {c.item_id: c for c in changes if c.item_id is not None}
        rows: list[tuple[str, ...]] = []
        for item in ProgrammeText.of(self.amendment.programme).items:
            before = period_dates(year, item.quarter, item.month)
            change = by_item.get(item.pk)
            if item.is_cancelled:
                action, after, why = "Đã hủy trước đó", "Đã hủy", item.cancel_reason
                before = f"{before} — đã hủy"
                if change is not None:  # a restored draft's proposal, overtaken since
                    action += f"; không áp dụng được: {ACTION_VI[change.action]}"
            elif change is None:
                action, after, why = "Giữ nguyên", before, item.note
            elif change.action == ProgrammeChange.Action.CANCEL:
                action, after, why = ACTION_VI[change.action], "Hủy", change.reason
            else:
                action, why = ACTION_VI[change.action], change.reason
                after = period_dates(year, change.quarter, change.month)
            organisation = item.organisation
            rows.append(
                (organisation.code, organisation.name, kind_vi(item), before, action, after, why)
            )
        for change in changes:
            if change.action == ProgrammeChange.Action.ADD:
                after = period_dates(year, change.quarter, change.month)
                organisation = change.organisation
                added, note = ACTION_VI[change.action], change.note
                rows.append(
                    (organisation.code, organisation.name, kind_vi(change), "", added, after, note)
                )
        return rows

    def render(self) -> bytes:
        a, p = self.amendment, self.amendment.programme
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook always has its first sheet
        sheet.title = f"Du thao dieu chinh {a.number}"
        title_rows(
            sheet,
            f"DỰ THẢO — {titled(p)} sau điều chỉnh lần {a.number}",
            d.full_stop(f"Lý do điều chỉnh: {a.reason}"),
            len(self.HEADERS),
        )
        header_row(sheet, self.HEADERS, [6, 14, 44, 12, 34, 18, 34, 40])
        for n, row in enumerate(self.rows(), start=1):
            sheet.append(safe_row([n, *row]))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


EXPORTERS: Final[dict[str, type[_ProgrammeMixin]]] = {
    "docx": ProgrammeDocx,
    "xlsx": ProgrammeXlsx,
}


def exporter(programme: InspectionProgramme, fmt: str, user: object = None) -> Exporter:
    made = EXPORTERS[fmt](programme, user)
    assert isinstance(made, Exporter)
    return made
