"""The yearly programme as a document: DOCX in the Vietnamese administrative format (Decree
30/2020/NĐ-CP) with the items quarter by quarter, and an XLSX of the same items.

The building blocks are the house's (`reporting.documents` for python-docx, the sheet
helpers of `reporting.spreadsheets`, the `Exporter` base class of `reporting.exporters`,
the place the document is dated at from `scoring.documents`); only the content is here.
The document shows the programme in force: the approved items with the approved
amendments applied, cancelled items in their own section (kept, with their reason), the
amending decisions listed. Drafts of amendments are not in it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from django.utils import timezone
from docx.document import Document as DocumentObject
from openpyxl import Workbook

from congvu.reporting import documents as d
from congvu.reporting.exporters import XLSX, DocxExporter, Exporter, governing_body
from congvu.reporting.services import place_from

# Private helpers of the provincial workbook, imported rather than copied (as the ranking's
# workbook does): the workbooks share their look.
from congvu.reporting.spreadsheets import header_row, title_rows

from .models import InspectionProgramme, ProgrammeAmendment, ProgrammeItem

FORMATS: Final = ("docx", "xlsx")
ROMAN: Final = {1: "I", 2: "II", 3: "III", 4: "IV"}
BLANK_NUMBER: Final = "        /KH"
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


def decision_text(number: str, day: object) -> str:
    """ "Quyết định số 15/QĐ-SNV ngày 15/01/2026", as the pages say it."""
    text = f"Quyết định số {number}" if number else "Quyết định"
    return f"{text} ngày {day:%d/%m/%Y}" if day else text


def period_vi(item: ProgrammeItem) -> str:
    return f"Tháng {item.month}" if item.month else f"Quý {ROMAN[item.quarter]}"


def kind_vi(item: ProgrammeItem) -> str:
    # The document is Vietnamese whatever the reader's language (it is the official text).
    return "Đột xuất" if item.kind == "unannounced" else "Định kỳ"


class _ProgrammeMixin:
    def __init__(self, programme: InspectionProgramme) -> None:
        self.programme = programme

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
        ]
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook always has its first sheet
        sheet.title = f"Ke hoach {p.year}"
        title_rows(sheet, f"{p.title} ({p.year})", "; ".join(t.basis()), len(headers))
        header_row(sheet, headers, [6, 14, 48, 8, 8, 14, 24, 30, 8, 30])
        for n, item in enumerate(t.items, start=1):
            lead = item.lead.full_name or item.lead.username if item.lead else ""
            sheet.append(
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
                ]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


EXPORTERS: Final[dict[str, type[_ProgrammeMixin]]] = {
    "docx": ProgrammeDocx,
    "xlsx": ProgrammeXlsx,
}


def exporter(programme: InspectionProgramme, fmt: str) -> Exporter:
    made = EXPORTERS[fmt](programme)
    assert isinstance(made, Exporter)
    return made
