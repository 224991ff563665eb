"""Exporters for periodic reports: one small base class, one subclass per file.

    exporter = ProvincialReportXlsx(compilation)
    exporter.filename, exporter.content_type, exporter.render() -> bytes

docx follows the Vietnamese administrative format (see `documents.py`), xlsx
holds the appendix tables, pdf is WeasyPrint over an HTML template with an A4
@page rule and a serif font stack that falls back to metric-compatible fonts.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from docx.document import Document as DocumentObject

from congvu.core.text import fold
from congvu.organisations.models import Organisation

from . import documents as d
from . import indicators
from .models import OrganisationReport, ReportPeriod
from .selectors import Compilation, Row

P = ParamSpec("P")
T = TypeVar("T")
PDF_CSS = Path(__file__).resolve().parent / "pdf.css"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
BLANK_NUMBER = "        /BC"


def number_text(value: Any) -> str:
    """Vietnamese digit grouping (1.234) and decimal comma (82,5); blank for no data."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{value:,}".replace(",", ".")


def subject_of(period: ReportPeriod) -> str:
    """ "Kết quả thực hiện văn hóa công vụ năm 2026" from the period's name."""
    name = period.name.strip()
    if name.lower().startswith("báo cáo "):
        name = name[len("báo cáo ") :]
    return name[:1].upper() + name[1:]


def governing_body(organisation: Organisation) -> str:
    """The body above the issuer, when the format shows one (not for People's Committees)."""
    parent = organisation.parent
    if parent is None or organisation.name.lower().startswith(("ủy ban nhân dân", "uỷ ban")):
        return ""
    return d.upper_name(parent.name)


def status_text(row: Row) -> str:
    text = row.status_label
    if row.is_late:
        text += " (muộn)"
    return text


def file_name(basename: str, extension: str) -> str:
    """An ASCII file name for a download: the base name folded and slugified."""
    return f"{slugify(fold(basename))[:80] or 'bao-cao'}.{extension}"


def provincial_basename(period: ReportPeriod) -> str:
    return f"tong-hop-{period.name}"


def official_language() -> translation.override:
    """Papers in the administrative format (Decree 30/2020) are Vietnamese whatever the
    reader's language: indicator names, statuses and kinds are translated strings, and
    would otherwise follow the reader's cookie half-way through the document."""
    return translation.override(settings.LANGUAGE_CODE)


def in_official_language(method: Callable[P, T]) -> Callable[P, T]:
    """`method` (what builds an official paper: its texts and its layout) run in the
    official language."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with official_language():
            return method(*args, **kwargs)

    return wrapper


class Exporter:
    """Everything an export view needs: a file name, a content type, the bytes."""

    extension: ClassVar[str] = ""
    content_type: ClassVar[str] = "application/octet-stream"

    def basename(self) -> str:
        raise NotImplementedError

    @property
    def filename(self) -> str:
        return file_name(self.basename(), self.extension)

    def render(self) -> bytes:
        raise NotImplementedError

    def response(self) -> HttpResponse:
        response = HttpResponse(self.render(), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class DocxExporter(Exporter):
    extension = "docx"
    content_type = DOCX

    def build(self, document: DocumentObject) -> None:
        raise NotImplementedError

    @in_official_language
    def render(self) -> bytes:
        document = d.new_document()
        self.build(document)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


# --- One organisation's report ------------------------------------------------------------


class _OrganisationReportMixin:
    def __init__(self, report: OrganisationReport) -> None:
        self.report = report
        self.period = report.period
        self.organisation = report.organisation

    def basename(self) -> str:
        return f"bao-cao-{self.organisation.code}-{self.period.name}"

    def report_day(self) -> dt.date:
        at = self.report.submitted_at
        return timezone.localdate(at) if at else timezone.localdate()

    def indicator_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for number, group in enumerate(indicators.grouped(self.report.indicators), start=1):
            rows.append((str(number), str(group.title), "" if group.available else "—"))
            for line in group.lines:
                rows.append(("", f"- {line.indicator.label}", line.display))
        return rows


class OrganisationReportDocx(_OrganisationReportMixin, DocxExporter):
    def build(self, document: DocumentObject) -> None:
        report, period = self.report, self.period
        if not report.is_filed:
            d.draft_mark(document)
        d.heading_block(
            document,
            governing_body=governing_body(self.organisation),
            issuing_body=d.upper_name(report.organisation_name),
            number=report.number or BLANK_NUMBER,
            place=period.place,
            day=self.report_day(),
        )
        d.title_block(document, "BÁO CÁO", subject_of(period))
        d.body_text(
            document,
            f"Thực hiện yêu cầu báo cáo {subject_of(period)[:1].lower()}{subject_of(period)[1:]} "
            f"(số liệu từ ngày {period.covers_from:%d/%m/%Y} đến ngày "
            f"{period.covers_to:%d/%m/%Y}), {report.organisation_name} báo cáo như sau:",
        )
        d.section_heading(document, "I. KẾT QUẢ THỰC HIỆN")
        d.section_heading(document, "1. Số liệu tổng hợp từ hệ thống")
        d.data_table(
            document,
            ["STT", "Nội dung", "Kết quả"],
            self.indicator_rows(),
            widths_mm=[15, 115, 35],
        )
        d.section_heading(document, "2. Kết quả đạt được")
        d.body_text(document, report.results, empty="(Chưa có nội dung.)")
        d.section_heading(document, "II. HẠN CHẾ, NGUYÊN NHÂN")
        d.body_text(document, report.shortcomings_and_causes, empty="(Không có.)")
        d.section_heading(document, "III. ĐỀ XUẤT, KIẾN NGHỊ")
        d.body_text(document, report.proposals, empty="(Không có.)")
        compiler = period.compiling_organisation
        d.recipients_and_signer(
            document,
            recipients=[
                f"{compiler.name if compiler else 'Cơ quan tổng hợp'} (để tổng hợp)",
                "Lưu: VT",
            ],
            signer_title=report.signer_title or "Thủ trưởng cơ quan",
            signer_name=report.signer_name,
        )


class OrganisationReportPdf(_OrganisationReportMixin, Exporter):
    extension = "pdf"
    content_type = PDF

    @in_official_language
    def render(self) -> bytes:
        html = render_to_string(
            "reporting/pdf/organisation_report.html",
            {
                "report": self.report,
                "draft": not self.report.is_filed,
                "period": self.period,
                "governing_body": governing_body(self.organisation),
                "issuing_body": d.upper_name(self.report.organisation_name),
                "number": self.report.number or BLANK_NUMBER,
                "place_and_date": d.place_and_date(self.period.place, self.report_day()),
                "subject": subject_of(self.period),
                "rows": self.indicator_rows(),
                "national_name": d.NATIONAL_NAME,
                "motto": d.MOTTO,
            },
        )
        return render_pdf(html)


# --- The provincial compilation ------------------------------------------------------------

COLUMNS = (
    ("tasks_total", "Nhiệm vụ"),
    ("tasks_done_on_time", "Đúng hạn"),
    ("tasks_done_late", "Trễ hạn"),
    ("tasks_overdue", "Quá hạn"),
    ("tasks_in_progress", "Đang thực hiện"),
    ("dissemination_sessions", "Buổi quán triệt"),
    ("dissemination_participants", "Lượt tham dự"),
)


class _ProvincialMixin:
    def __init__(self, compilation: Compilation) -> None:
        self.compilation = compilation
        self.period = compilation.period

    def basename(self) -> str:
        return provincial_basename(self.period)

    def issuer(self) -> tuple[str, str]:
        period = self.period
        if period.compiling_organisation is not None:
            return (
                d.upper_name(period.issuing_organisation.name),
                d.upper_name(period.compiling_organisation.name),
            )
        return "", d.upper_name(period.issuing_organisation.name)

    def subject(self) -> str:
        subject = subject_of(self.period)
        return f"Tổng hợp {subject[:1].lower()}{subject[1:]}"

    def summary_lines(self) -> list[str]:
        c = self.compilation
        return [
            f"Số cơ quan, đơn vị phải báo cáo: {number_text(c.expected)}.",
            f"Số cơ quan, đơn vị đã nộp báo cáo: {number_text(c.filed)}"
            f" (nộp muộn: {number_text(c.late)}).",
            f"Số cơ quan, đơn vị chưa nộp báo cáo: {number_text(len(c.not_submitted))}.",
        ]

    def total_rows(self) -> list[tuple[str, str, str]]:
        rows = []
        for number, group in enumerate(
            indicators.grouped({"values": self.compilation.totals}), start=1
        ):
            rows.append((str(number), str(group.title), "" if group.available else "—"))
            for line in group.lines:
                shown = number_text(line.value) if group.available else str(indicators.NO_DATA)
                rows.append(("", f"- {line.indicator.label}", shown))
        return rows

    def organisation_rows(self) -> list[list[str]]:
        rows = []
        for row in self.compilation.rows:
            values = row.values
            submitted = row.report.submitted_on() if row.report and row.is_filed else None
            rows.append(
                [
                    str(row.number),
                    row.name_with_note,
                    status_text(row),
                    f"{submitted:%d/%m/%Y}" if submitted else "",
                    *(number_text(values.get(key)) for key, _label in COLUMNS),
                    number_text(indicators.derived(values)["coverage_share"]),
                ]
            )
        return rows

    def total_row(self) -> list[str]:
        totals = self.compilation.totals
        return [
            "",
            "Tổng cộng",
            f"{self.compilation.filed}/{self.compilation.expected}",
            "",
            *(number_text(totals.get(key)) for key, _label in COLUMNS),
            number_text(self.compilation.derived["coverage_share"]),
        ]


class ProvincialReportDocx(_ProvincialMixin, DocxExporter):
    def build(self, document: DocumentObject) -> None:
        period, c = self.period, self.compilation
        governing, issuing = self.issuer()
        d.heading_block(
            document,
            governing_body=governing,
            issuing_body=issuing,
            number=period.number or BLANK_NUMBER,
            place=period.place,
            day=timezone.localdate(),
        )
        d.title_block(document, "BÁO CÁO", self.subject())
        d.body_text(
            document,
            f"Số liệu từ ngày {period.covers_from:%d/%m/%Y} đến ngày {period.covers_to:%d/%m/%Y};"
            f" hạn nộp báo cáo: {period.due_on:%d/%m/%Y}.",
        )
        d.section_heading(document, "I. TÌNH HÌNH BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ")
        d.body_text(document, "\n".join(self.summary_lines()))
        d.section_heading(document, "II. KẾT QUẢ THỰC HIỆN (TỔNG HỢP)")
        d.data_table(
            document, ["STT", "Nội dung", "Kết quả"], self.total_rows(), widths_mm=[15, 115, 35]
        )
        d.section_heading(document, "III. CÁC CƠ QUAN, ĐƠN VỊ CHƯA NỘP BÁO CÁO")
        if c.not_submitted:
            d.data_table(
                document,
                ["STT", "Cơ quan, đơn vị", "Tình trạng"],
                [
                    (str(n), row.organisation.name, row.status_label)
                    for n, row in enumerate(c.not_submitted, start=1)
                ],
                widths_mm=[15, 110, 40],
                numeric_from=3,
            )
        else:
            d.body_text(document, "Tất cả cơ quan, đơn vị đã nộp báo cáo.")
        d.recipients_and_signer(
            document,
            recipients=[
                f"{period.issuing_organisation.name} (để báo cáo)",
                "Các cơ quan, đơn vị",
                "Lưu: VT",
            ],
            signer_title=period.signer_title or "Giám đốc",
            signer_name=period.signer_name,
        )
        d.landscape_section(document)
        d.paragraph(document, "PHỤ LỤC", bold=True, align=d.CENTER)
        d.paragraph(
            document,
            "Kết quả thực hiện của từng cơ quan, đơn vị",
            bold=True,
            align=d.CENTER,
        )
        d.paragraph(
            document,
            f"(Kèm theo Báo cáo số {period.number or BLANK_NUMBER})",
            italic=True,
            align=d.CENTER,
            after=6,
        )
        d.data_table(
            document,
            [
                "STT",
                "Cơ quan, đơn vị",
                "Tình trạng",
                "Ngày nộp",
                *(label for _key, label in COLUMNS),
                "Đã xác nhận QTƯX (%)",
            ],
            self.organisation_rows(),
            widths_mm=[10, 62, 28, 22, 16, 16, 16, 16, 18, 16, 18, 19],
            size=11,
            total=self.total_row(),
            numeric_from=3,
        )


class ProvincialReportXlsx(_ProvincialMixin, Exporter):
    extension = "xlsx"
    content_type = XLSX

    def render(self) -> bytes:
        from .spreadsheets import provincial_workbook

        return provincial_workbook(self.compilation)


class ProvincialReportPdf(_ProvincialMixin, Exporter):
    extension = "pdf"
    content_type = PDF

    def render(self) -> bytes:
        return render_pdf(self.html())

    @in_official_language
    def html(self) -> str:
        """The document WeasyPrint lays out (its hash tells whether a stored PDF is current)."""
        governing, issuing = self.issuer()
        return render_to_string(
            "reporting/pdf/provincial_report.html",
            {
                "period": self.period,
                "compilation": self.compilation,
                "governing_body": governing,
                "issuing_body": issuing,
                "number": self.period.number or BLANK_NUMBER,
                "place_and_date": d.place_and_date(self.period.place, timezone.localdate()),
                "subject": self.subject(),
                "summary": self.summary_lines(),
                "totals": self.total_rows(),
                "columns": [label for _key, label in COLUMNS],
                "rows": self.organisation_rows(),
                "total_row": self.total_row(),
                "national_name": d.NATIONAL_NAME,
                "motto": d.MOTTO,
            },
        )


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML

    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))]))


ReportPdf = OrganisationReportPdf
