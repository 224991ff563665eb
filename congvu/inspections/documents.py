"""The inspection's two papers, as DOCX (python-docx) and PDF (WeasyPrint), in the Vietnamese
administrative format (Decree 30/2020/NĐ-CP):

* **Biên bản kiểm tra** (the minutes): who inspected whom, when and where, the content, each
  checklist clause with its result and note (the staff member only where the record names
  one, the number of evidence files — photos are not embedded), the corrective actions with
  their deadlines, and the two signature blocks. From the start of the inspection; marked
  "DỰ THẢO" until it is concluded, then final and dated the day of the conclusion.
* **Thông báo kết luận kiểm tra** (the conclusion notice): issued by the inspecting body once
  the inspection is concluded: the conclusion, the breaches in summary (without naming staff:
  the notice is sent on, the minutes keep the names), the corrective actions and deadlines,
  "Nơi nhận" (the inspected organisation; Lưu: VT).

The building blocks are the house's (`reporting.documents` for python-docx,
`reporting/pdf/_heading.html` and `reporting/pdf.css` for WeasyPrint, the `Exporter` base
class); only the content is here, read once into an `InspectionRecord` so that the DOCX and
the PDF say the same. The text is Vietnamese whatever the reader's language: it is the
official record.

Who may download them is the detail page's rule (`selectors.get_inspection`); what is
available in which state, and to whom among those, is `require_available`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject

from congvu.organisations.models import Organisation
from congvu.reporting import documents as d
from congvu.reporting.exporters import (
    PDF,
    DocxExporter,
    Exporter,
    governing_body,
    in_official_language,
    render_pdf,
)
from congvu.reporting.services import place_from

from . import selectors
from .models import CorrectiveAction, Inspection, InspectionFile, Observation, SignedPaper

MINUTES: Final = "minutes"
NOTICE: Final = "conclusion-notice"
DOCUMENTS: Final = (MINUTES, NOTICE)
FORMATS: Final = ("docx", "pdf")
MINUTES_NUMBER: Final = "        /BB-ĐKT"
NOTICE_NUMBER: Final = "        /TB"
TEAM: Final = "ĐOÀN KIỂM TRA CÔNG VỤ"
#: The official text is Vietnamese whatever the reader's language.
RESULT_VI: Final = {
    "kept": "Thực hiện đúng",
    "breached": "Vi phạm",
    "not_observed": "Không quan sát được",
    "": "Chưa có kết quả",
}
KIND_VI: Final = {"scheduled": "định kỳ", "unannounced": "đột xuất"}
OBSERVATION_HEADERS: Final = ("STT", "Chuẩn mực", "Kết quả", "Ghi chú", "Số tệp minh chứng")
ACTION_HEADERS: Final = ("STT", "Chuẩn mực vi phạm", "Nội dung phải khắc phục", "Hạn khắc phục")
BREACH_HEADERS: Final = ("STT", "Chuẩn mực", "Nội dung vi phạm")


def require_available(user: Any, inspection: Inspection, document: str) -> None:
    """Refuse, with a message saying why, a document the inspection's state does not give
    `user` yet. `inspection` comes from `selectors.get_inspection` (404/403 done): its team
    or its organisation's people.

    The minutes exist once the inspection has started; the organisation reads them, like
    the findings, once it is concluded. The notice exists once it is concluded."""
    status = inspection.status
    if status == Inspection.Status.CANCELLED:
        raise ValidationError(
            _(
                "Cuộc kiểm tra đã bị hủy nên không có biên bản hay thông báo kết luận. / The "
                "inspection was cancelled: it has no minutes and no conclusion notice."
            )
        )
    if document == NOTICE and status != Inspection.Status.CONCLUDED:
        raise ValidationError(
            _(
                "Thông báo kết luận chỉ có sau khi cuộc kiểm tra được kết luận. / The "
                "conclusion notice exists once the inspection is concluded."
            )
        )
    if status == Inspection.Status.PLANNED:
        raise ValidationError(
            _(
                "Biên bản kiểm tra có từ khi cuộc kiểm tra bắt đầu. / The minutes exist once "
                "the inspection has started."
            )
        )
    if not selectors.may_see_findings(user, inspection):
        raise ValidationError(
            _(
                "Biên bản kiểm tra được gửi cơ quan được kiểm tra sau khi có kết luận. / The "
                "inspected organisation receives the minutes once the inspection is concluded."
            )
        )


def available(user: Any, inspection: Inspection) -> list[str]:
    """The documents `user` (who sees `inspection`) may download now, for the page's links."""
    found = []
    for document in DOCUMENTS:
        try:
            require_available(user, inspection, document)
        except ValidationError:
            continue
        found.append(document)
    return found


def person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def date_text(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def local_day(at: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(at) if at else None


@dataclass
class InspectionRecord:
    """Everything both papers show, read once."""

    inspection: Inspection
    inspecting: Organisation
    members: list[Any]
    observations: list[Observation]
    evidence: dict[int, int]
    actions: list[CorrectiveAction]
    #: The current signed copy of each paper (`signed_papers`): its number and date go on
    #: the re-printed paper, so that it matches the copy on file.
    signed: dict[str, SignedPaper]

    @classmethod
    def of(cls, inspection: Inspection) -> InspectionRecord:
        inspection = (
            Inspection.objects.select_related(
                "organisation__parent", "lead", "code_version", "programme_item__programme"
            )
            .filter(pk=inspection.pk)
            .get()
        )
        observations = list(
            inspection.observations.select_related("clause", "staff", "case").order_by(
                "order", "pk"
            )
        )
        evidence = Counter(
            InspectionFile.objects.filter(
                observation__inspection=inspection, corrective_action=None
            ).values_list("observation_id", flat=True)
        )
        actions = list(
            CorrectiveAction.objects.filter(observation__inspection=inspection)
            .select_related("observation__clause")
            .order_by("due_on", "observation__order", "pk")
        )
        return cls(
            inspection=inspection,
            inspecting=selectors.inspecting_body(inspection),
            members=list(inspection.members.order_by("full_name", "username")),
            observations=observations,
            evidence=dict(evidence),
            actions=actions,
            signed={
                paper.document: paper
                for paper in SignedPaper.objects.filter(inspection=inspection, replaced_at=None)
            }
            if inspection.status == Inspection.Status.CONCLUDED
            else {},
        )

    # --- facts ---

    @property
    def is_final(self) -> bool:
        return self.inspection.status == Inspection.Status.CONCLUDED

    def day(self) -> dt.date:
        """The date in the heading: the conclusion's, or today's for a draft."""
        return local_day(self.inspection.concluded_at) or timezone.localdate()

    def started_on(self) -> dt.date | None:
        return local_day(self.inspection.started_at)

    def kind(self) -> str:
        return KIND_VI.get(self.inspection.kind, "")

    def clause(self, observation: Observation) -> str:
        return f"{observation.clause.code} {observation.clause.short_title}".strip()

    def counts(self) -> dict[str, int]:
        found = Counter(o.result for o in self.observations)
        return {result: found.get(result, 0) for result in RESULT_VI}

    @property
    def breaches(self) -> list[Observation]:
        return [o for o in self.observations if o.is_breach]

    # --- texts shared by both papers and both formats ---

    def organisation_name(self) -> str:
        return self.inspection.organisation.name

    def team_lines(self) -> list[str]:
        lines = [f"- Ông/Bà {person(self.inspection.lead)}, Trưởng đoàn;"]
        lines += [f"- Ông/Bà {person(m)}, Thành viên;" for m in self.members]
        lines[-1] = lines[-1][:-1] + "."
        return lines

    def content(self) -> str:
        purpose = self.inspection.purpose.strip()
        version = self.inspection.code_version
        basis = f"Việc thực hiện {version.title} ({version.version})."
        return f"{purpose}\n{basis}" if purpose else basis

    def summary(self) -> str:
        counts = self.counts()
        text = (
            f"Đã kiểm tra {len(self.observations)} chuẩn mực: {counts['kept']} thực hiện đúng, "
            f"{counts['breached']} vi phạm, {counts['not_observed']} không quan sát được"
        )
        if counts[""]:
            text += f", {counts['']} chưa có kết quả"
        return text + "."

    def observation_rows(self) -> list[tuple[str, str, str, str, str]]:
        rows = []
        for n, o in enumerate(self.observations, start=1):
            note = o.note.strip()
            if o.staff is not None:
                note = f"{note} (Cán bộ: {o.staff.full_name})".strip()
            if o.case is not None:
                note = f"{note} Đã mở vụ việc {o.case.code}.".strip()
            rows.append(
                (str(n), self.clause(o), RESULT_VI[o.result], note, str(self.evidence.get(o.pk, 0)))
            )
        return rows

    def breach_rows(self) -> list[tuple[str, str, str]]:
        """The breaches in summary, for the notice: no staff names (the minutes keep them)."""
        return [
            (str(n), self.clause(o), o.note.strip()) for n, o in enumerate(self.breaches, start=1)
        ]

    def action_rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (str(n), self.clause(a.observation), a.description.strip(), date_text(a.due_on))
            for n, a in enumerate(self.actions, start=1)
        ]

    def minutes_intro(self) -> list[str]:
        i = self.inspection
        started = self.started_on()
        when = f"Ngày {date_text(started)}" if started else "Hôm nay"
        return [
            f"{when}, tại {self.organisation_name()}, Đoàn kiểm tra công vụ của "
            f"{self.inspecting.name} tiến hành kiểm tra {self.kind()} (mã {i.code}, ngày dự "
            f"kiến {date_text(i.planned_on)}).",
            "1. Đoàn kiểm tra gồm:",
            *self.team_lines(),
            f"2. Cơ quan, đơn vị được kiểm tra: {self.organisation_name()}.",
            "Đại diện: ……………………………………, chức vụ: ………………………….",
        ]

    def minutes_closing(self) -> str:
        if self.is_final:
            return (
                f"Cuộc kiểm tra kết luận ngày {date_text(self.day())}. Biên bản đã được đọc lại "
                "cho các thành viên Đoàn kiểm tra và đại diện cơ quan, đơn vị được kiểm tra cùng "
                "nghe, thống nhất ký tên."
            )
        return "Dự thảo biên bản: cuộc kiểm tra chưa kết luận, nội dung có thể còn thay đổi."

    def notice_intro(self) -> str:
        i = self.inspection
        item = i.programme_item
        basis = ""
        if item is not None:
            basis = f"Thực hiện {item.programme.title} năm {item.programme.year}, "
        started = self.started_on()
        since = f"từ ngày {date_text(started)} " if started else ""
        text = (
            f"{basis}Đoàn kiểm tra công vụ do Ông/Bà {person(i.lead)} làm Trưởng đoàn đã "
            f"kiểm tra {self.kind()} tại {self.organisation_name()} {since}đến ngày "
            f"{date_text(self.day())}. Trên cơ sở biên bản kiểm tra, {self.inspecting.name} "
            "thông báo kết luận kiểm tra như sau:"
        )
        return text[:1].upper() + text[1:]

    def action_request(self) -> str:
        if not self.actions:
            return "Không có biện pháp khắc phục phải thực hiện."
        return (
            f"Đề nghị {self.organisation_name()} thực hiện các biện pháp khắc phục dưới đây và "
            "báo cáo kết quả trên hệ thống trước thời hạn:"
        )


class _InspectionMixin:
    document: str = ""

    def __init__(self, inspection: Inspection) -> None:
        self.inspection = inspection

    @cached_property
    def record(self) -> InspectionRecord:
        return InspectionRecord.of(self.inspection)

    @property
    def signed(self) -> SignedPaper | None:
        return self.record.signed.get(self.document)

    def dated(self) -> dt.date:
        """The heading's date: the signed copy's, else the conclusion's (today's for a draft)."""
        return self.signed.signed_on if self.signed is not None else self.record.day()

    def number(self, blank: str) -> str:
        return self.signed.number if self.signed is not None else blank

    def basename(self) -> str:
        prefix = "bien-ban-kiem-tra" if self.document == MINUTES else "thong-bao-ket-luan"
        return f"{prefix}-{self.inspection.code}"

    def heading(self) -> dict[str, str]:
        r = self.record
        if self.document == MINUTES:
            return {
                "governing_body": d.upper_name(r.inspecting.name),
                "issuing_body": TEAM,
                "number": self.number(MINUTES_NUMBER),
                "document_kind": "BIÊN BẢN",
                "subject": f"Kiểm tra công vụ tại {r.organisation_name()}",
            }
        return {
            "governing_body": governing_body(r.inspecting),
            "issuing_body": d.upper_name(r.inspecting.name),
            "number": self.number(NOTICE_NUMBER),
            "document_kind": "THÔNG BÁO",
            "subject": f"Kết luận kiểm tra công vụ tại {r.organisation_name()}",
        }


class _Docx(_InspectionMixin, DocxExporter):
    def _heading(self, document: DocumentObject) -> None:
        r, h = self.record, self.heading()
        d.heading_block(
            document,
            governing_body=h["governing_body"],
            issuing_body=h["issuing_body"],
            number=h["number"],
            place=place_from(r.inspecting),
            day=self.dated(),
        )
        d.title_block(document, h["document_kind"], h["subject"])

    def _actions(self, document: DocumentObject) -> None:
        rows = self.record.action_rows()
        if rows:
            d.data_table(
                document, list(ACTION_HEADERS), rows, widths_mm=[12, 50, 73, 30], numeric_from=3
            )
        else:
            d.body_text(document, "Không có.")


class MinutesDocx(_Docx):
    document = MINUTES

    def build(self, document: DocumentObject) -> None:
        r = self.record
        if not r.is_final:
            d.draft_mark(document)
        self._heading(document)
        d.body_text(document, "\n".join(r.minutes_intro()))
        d.section_heading(document, "I. NỘI DUNG KIỂM TRA")
        d.body_text(document, r.content())
        d.section_heading(document, "II. KẾT QUẢ KIỂM TRA")
        d.body_text(document, r.summary())
        if r.observations:
            d.data_table(
                document,
                list(OBSERVATION_HEADERS),
                r.observation_rows(),
                widths_mm=[12, 52, 28, 51, 22],
                numeric_from=4,
            )
        d.section_heading(document, "III. BIỆN PHÁP KHẮC PHỤC VÀ THỜI HẠN")
        self._actions(document)
        d.section_heading(document, "IV. KẾT LUẬN")
        d.body_text(document, r.inspection.conclusion, empty="(Chưa kết luận.)")
        d.body_text(document, r.minutes_closing())
        d.two_signers(
            document,
            left=["ĐẠI DIỆN CƠ QUAN, ĐƠN VỊ ĐƯỢC KIỂM TRA"],
            right=["ĐẠI DIỆN ĐOÀN KIỂM TRA", "TRƯỞNG ĐOÀN"],
            right_name=person(r.inspection.lead),
        )


class NoticeDocx(_Docx):
    document = NOTICE

    def build(self, document: DocumentObject) -> None:
        r = self.record
        self._heading(document)
        d.body_text(document, r.notice_intro())
        d.section_heading(document, "I. KẾT LUẬN")
        d.body_text(document, r.inspection.conclusion)
        d.section_heading(document, "II. CÁC VI PHẠM ĐÃ PHÁT HIỆN")
        d.body_text(document, r.summary())
        if r.breaches:
            d.data_table(document, list(BREACH_HEADERS), r.breach_rows(), widths_mm=[12, 60, 93])
        d.section_heading(document, "III. YÊU CẦU KHẮC PHỤC")
        d.body_text(document, r.action_request())
        if r.actions:
            self._actions(document)
        d.recipients_and_signer(
            document,
            recipients=[f"{r.organisation_name()} (để thực hiện)", "Lưu: VT"],
            signer_title="Thủ trưởng cơ quan",
            signer_name="",
        )


class _Pdf(_InspectionMixin, Exporter):
    extension = "pdf"
    content_type = PDF
    template: str = ""

    @in_official_language
    def html(self) -> str:
        r = self.record
        return render_to_string(
            self.template,
            {
                "r": r,
                **self.heading(),
                "place_and_date": d.place_and_date(place_from(r.inspecting), self.dated()),
                "national_name": d.NATIONAL_NAME,
                "motto": d.MOTTO,
                "observation_headers": OBSERVATION_HEADERS,
                "action_headers": ACTION_HEADERS,
                "breach_headers": BREACH_HEADERS,
            },
        )

    def render(self) -> bytes:
        return render_pdf(self.html())


class MinutesPdf(_Pdf):
    document = MINUTES
    template = "inspections/pdf/minutes.html"


class NoticePdf(_Pdf):
    document = NOTICE
    template = "inspections/pdf/conclusion_notice.html"


EXPORTERS: Final[dict[tuple[str, str], type[_InspectionMixin]]] = {
    (MINUTES, "docx"): MinutesDocx,
    (MINUTES, "pdf"): MinutesPdf,
    (NOTICE, "docx"): NoticeDocx,
    (NOTICE, "pdf"): NoticePdf,
}


def exporter(user: Any, inspection: Inspection, document: str, fmt: str) -> Exporter:
    """The file `user` asked for, once `require_available` lets them have it."""
    require_available(user, inspection, document)
    made = EXPORTERS[(document, fmt)](inspection)
    assert isinstance(made, Exporter)
    return made
