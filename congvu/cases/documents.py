"""A concluded case's paper: DOCX and PDF in the Vietnamese administrative format (Decree
30/2020/NĐ-CP), so that handlers stop retyping the conclusion in Word.

The paper follows the track (`PAPERS`, the one place its wording lives):

* a denunciation: "KẾT LUẬN Nội dung tố cáo đối với …" (Law on Denunciation 2018, art. 35:
  the content denounced, the verification, the conclusion on it, who is responsible, the
  handling measures; sent to the person denounced, the denouncer told of the result);
* a complaint: "THÔNG BÁO Kết quả giải quyết khiếu nại đối với …";
* a feedback report: "THÔNG BÁO Kết quả xử lý phản ánh, kiến nghị đối với …".

The building blocks are the house's (`reporting.documents` for python-docx,
`reporting/pdf/_heading.html` and `reporting/pdf.css` for WeasyPrint, the `Exporter` base
class of `reporting.exporters`); only the content is here. Both files are built from one
`ConclusionText`, so they say the same.

The paper is an official record: it is Vietnamese whatever the reader's language, dated
on the day of the conclusion, its number left blank for the clerk ("Số:      /KL-").

Privacy (Law on Denunciation 2018, chapter V on protecting the denouncer; Decree 13/2023):
the paper never carries the reporter's name, phone or e-mail — "Nơi nhận" names them only as
"Người tố cáo (theo địa chỉ đã đăng ký)" — and whatever of them a reporter or a handler
typed into the texts it quotes is masked. It does not quote the report's own words (they
stay in the case file: see `ConclusionText.description`). It reads only the case's own
fields (the conclusion told to both parties, the decided discipline): never the timeline,
so no internal note, no handler's name and no proposal still under discussion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject

from congvu.reporting import documents as d
from congvu.reporting.exporters import PDF, DocxExporter, Exporter, governing_body, render_pdf
from congvu.reporting.services import place_from

from .models import Case, DisciplineDecision, SignedPaper, Track
from .visibility import MASK
from .visibility import identity_pattern as identity_masker

S = Case.Status
FORMATS: Final = ("docx", "pdf")
#: The statuses a case has its paper in (a closed case was concluded first).
WITH_PAPER: Final = frozenset({S.CONCLUDED, S.CLOSED})


@dataclass(frozen=True)
class Paper:
    """How one track's paper is worded (Vietnamese: the official text)."""

    kind: str  # the document type, in capitals under the heading
    subject: str  # the line under it; "{person}" is the person concerned
    symbol: str  # the type's abbreviation in the number ("KL", "TB")
    received: str  # what was received ("đơn tố cáo")
    intro: str  # the sentence before the sections; "{handler}" is the handling organisation
    person: str  # section I
    content: str  # section II
    result: str  # section III
    outcome_lead: str  # "Tố cáo" → "Tố cáo đúng một phần."
    reporter: str  # how the recipients list names the reporter, without their identity
    person_role: str  # how it names the person concerned
    file_stem: str


PAPERS: Final[Mapping[str, Paper]] = {
    Track.DENUNCIATION: Paper(
        kind="KẾT LUẬN",
        subject="Nội dung tố cáo đối với {person}",
        symbol="KL",
        received="đơn tố cáo",
        intro="Sau khi xác minh nội dung tố cáo, {handler} kết luận như sau:",
        person="I. NGƯỜI BỊ TỐ CÁO",
        content="II. NỘI DUNG TỐ CÁO",
        result="III. KẾT LUẬN NỘI DUNG TỐ CÁO",
        outcome_lead="Tố cáo",
        reporter="Người tố cáo",
        person_role="người bị tố cáo",
        file_stem="ket-luan-to-cao",
    ),
    Track.COMPLAINT: Paper(
        kind="THÔNG BÁO",
        subject="Kết quả giải quyết khiếu nại đối với {person}",
        symbol="TB",
        received="đơn khiếu nại",
        intro="Sau khi xem xét, xác minh, {handler} thông báo kết quả giải quyết khiếu nại "
        "như sau:",
        person="I. NGƯỜI BỊ KHIẾU NẠI",
        content="II. NỘI DUNG KHIẾU NẠI",
        result="III. KẾT QUẢ GIẢI QUYẾT",
        outcome_lead="Khiếu nại",
        reporter="Người khiếu nại",
        person_role="người bị khiếu nại",
        file_stem="thong-bao-giai-quyet-khieu-nai",
    ),
    Track.FEEDBACK: Paper(
        kind="THÔNG BÁO",
        subject="Kết quả xử lý phản ánh, kiến nghị đối với {person}",
        symbol="TB",
        received="phản ánh, kiến nghị",
        intro="Sau khi xem xét, xác minh, {handler} thông báo kết quả xử lý phản ánh, kiến "
        "nghị như sau:",
        person="I. NGƯỜI BỊ PHẢN ÁNH",
        content="II. NỘI DUNG PHẢN ÁNH, KIẾN NGHỊ",
        result="III. KẾT QUẢ XỬ LÝ",
        outcome_lead="Phản ánh, kiến nghị",
        reporter="Người phản ánh",
        person_role="người bị phản ánh",
        file_stem="thong-bao-xu-ly-phan-anh",
    ),
}

#: The outcome in words (Law on Denunciation art. 35: "tố cáo đúng, đúng một phần, sai").
OUTCOME_VI: Final[Mapping[str, str]] = {
    Case.Outcome.SUBSTANTIATED: "đúng",
    Case.Outcome.PARTLY: "đúng một phần",
    Case.Outcome.UNSUBSTANTIATED: "sai, không có căn cứ",
}
MEASURES_HEADING: Final = "IV. BIỆN PHÁP XỬ LÝ"
SIGNER: Final = "Thủ trưởng cơ quan"


def has_paper(case: Case) -> bool:
    """Has `case` been concluded (and not reopened since)?"""
    return case.status in WITH_PAPER and bool(case.outcome) and case.concluded_at is not None


def require_paper(case: Case) -> None:
    if not has_paper(case):
        raise ValidationError(
            _(
                "Vụ việc chưa có kết luận nên chưa có văn bản kết luận. / The case has not "
                "been concluded: there is no conclusion document yet."
            )
        )


def blank_number(symbol: str) -> str:
    """ "     /KL-": the number and the issuer's abbreviation are the clerk's to fill."""
    return f"     /{symbol}-"


@dataclass(frozen=True)
class Measure:
    form: str
    number: str
    decided_on: dt.date

    def text(self) -> str:
        decision = f"Quyết định số {self.number} ngày {self.decided_on:%d/%m/%Y}"
        return f"Hình thức kỷ luật: {self.form} ({decision})."


class ConclusionText:
    """Everything both files show, read once, in Vietnamese, with the identity masked."""

    def __init__(self, case: Case) -> None:
        require_paper(case)
        self.case = case
        self.paper = PAPERS[case.track]
        self._mask = identity_masker(case)

    def masked(self, text: str) -> str:
        return self._mask.sub(MASK, text) if self._mask is not None and text else text

    @cached_property
    def handler(self) -> str:
        return self.case.handling_organisation.name

    @cached_property
    def signed(self) -> SignedPaper | None:
        """The signed copy of this conclusion (`signed_papers.current`), if recorded: the
        re-printed paper carries its number and date, so that it matches the copy on file."""
        from .signed_papers import current

        return current(self.case)

    @property
    def day(self) -> dt.date:
        if self.signed is not None:
            return self.signed.signed_on
        assert self.case.concluded_at is not None  # has_paper
        return timezone.localdate(self.case.concluded_at)

    @property
    def governing_body(self) -> str:
        return governing_body(self.case.handling_organisation)

    @property
    def issuing_body(self) -> str:
        return d.upper_name(self.handler)

    @property
    def number(self) -> str:
        if self.signed is not None:
            return self.signed.number
        return blank_number(self.paper.symbol)

    @property
    def place_and_date(self) -> str:
        return d.place_and_date(place_from(self.case.handling_organisation), self.day)

    @cached_property
    def person_name(self) -> str:
        staff = self.case.subject_staff
        return staff.full_name if staff is not None else ""

    @property
    def subject(self) -> str:
        person = (
            self.person_name or f"cán bộ, công chức, viên chức của {self.case.organisation.name}"
        )
        return self.paper.subject.format(person=person)

    def introduction(self) -> str:
        case = self.case
        person = self.person_name or "cán bộ, công chức, viên chức"
        text = (
            f"Ngày {timezone.localdate(case.received_at):%d/%m/%Y}, {self.handler} tiếp nhận "
            f"{self.paper.received} (mã theo dõi {case.code}) đối với {person}, "
            f"{case.organisation.name}"
        )
        if case.accepted_at is not None:
            text += f"; thụ lý ngày {timezone.localdate(case.accepted_at):%d/%m/%Y}"
        return f"{text}.\n{self.paper.intro.format(handler=self.handler)}"

    def person_lines(self) -> list[str]:
        staff = self.case.subject_staff
        lines = []
        if staff is not None:
            lines.append(f"Họ và tên: {staff.full_name}.")
            if staff.position_title:
                lines.append(f"Chức vụ: {staff.position_title}.")
            else:
                with translation.override("vi"):
                    lines.append(f"Chức vụ: {staff.get_category_display()}.")
        if self.case.subject_description:
            label = "Mô tả" if staff is not None else "Người bị phản ánh"
            lines.append(f"{label}: {self.masked(self.case.subject_description)}.")
        lines.append(f"Cơ quan, đơn vị: {self.case.organisation.name}.")
        return lines

    def standard_lines(self) -> list[str]:
        clauses = sorted(self.case.clauses.all(), key=lambda clause: clause.code)
        lines = [f"{clause.code} {clause.short_title}" for clause in clauses]
        if self.case.other_standard:
            lines.append(f"Hành vi khác: {self.masked(self.case.other_standard)}")
        return lines

    def when_and_where(self) -> str:
        case = self.case
        parts = []
        if case.occurred_on is not None:
            parts.append(f"ngày {case.occurred_on:%d/%m/%Y}")
        if case.occurred_place:
            parts.append(f"tại {self.masked(case.occurred_place)}")
        return f"Thời gian, địa điểm xảy ra: {', '.join(parts)}." if parts else ""

    @property
    def description(self) -> str:
        """Where the report's own words are: the case file, not the paper.

        The paper goes to the person concerned, who is shown only what the handlers send
        them (`subject_detail`): a report's own words identify its author far more often
        than a name does (the shop opposite, the day of a visit), and no masking catches
        that. The handler restates in the conclusion what each finding is about, as a
        signed conclusion does anyway."""
        return (
            f"Nội dung {self.paper.received} được lưu đầy đủ trong hồ sơ vụ việc mã "
            f"{self.case.code}; văn bản này không trích nguyên văn để giữ bí mật thông tin "
            f"về {self.paper.reporter.lower()}."
        )

    def outcome_sentence(self) -> str:
        return f"{self.paper.outcome_lead} {OUTCOME_VI[self.case.outcome]}."

    @property
    def conclusion(self) -> str:
        return self.masked(self.case.conclusion)

    @cached_property
    def measures(self) -> list[Measure]:
        decided = self.case.discipline.filter(stage=DisciplineDecision.Stage.DECIDED)
        return [
            Measure(form=item.form.name, number=item.decision_number, decided_on=item.decided_on)
            for item in decided.select_related("form").order_by("decided_on", "pk")
            if item.decided_on is not None
        ]

    def measure_lines(self) -> list[str]:
        if self.measures:
            return [measure.text() for measure in self.measures]
        if self.case.outcome == Case.Outcome.UNSUBSTANTIATED:
            return ["Không áp dụng hình thức kỷ luật."]
        return [
            "Chưa có quyết định kỷ luật. Việc xem xét xử lý kỷ luật (nếu có) thực hiện theo "
            "Nghị định số 112/2020/NĐ-CP."
        ]

    def recipients(self) -> list[str]:
        paper, case = self.paper, self.case
        person = self.person_name or "Cán bộ, công chức, viên chức bị phản ánh"
        recipients = [f"{person} ({paper.person_role})"]
        if case.organisation_id != case.handling_organisation_id:
            recipients.append(f"{case.organisation.name} (cơ quan quản lý {paper.person_role})")
        if case.is_anonymous:
            recipients.append(f"{paper.reporter} (tra cứu bằng mã theo dõi)")
        else:
            recipients.append(f"{paper.reporter} (theo địa chỉ đã đăng ký)")
        recipients.append("Lưu: VT, hồ sơ")
        return recipients

    def basename(self) -> str:
        return f"{self.paper.file_stem}-{self.case.code}"


class _ConclusionMixin:
    def __init__(self, case: Case) -> None:
        self.text = ConclusionText(case)

    def basename(self) -> str:
        return self.text.basename()


class ConclusionDocx(_ConclusionMixin, DocxExporter):
    def build(self, document: DocumentObject) -> None:
        t = self.text
        d.heading_block(
            document,
            governing_body=t.governing_body,
            issuing_body=t.issuing_body,
            number=t.number,
            place=place_from(t.case.handling_organisation),
            day=t.day,
        )
        d.title_block(document, t.paper.kind, t.subject)
        d.body_text(document, t.introduction())
        d.section_heading(document, t.paper.person)
        d.body_text(document, "\n".join(t.person_lines()))
        d.section_heading(document, t.paper.content)
        standards = t.standard_lines()
        d.body_text(
            document,
            "Chuẩn mực liên quan: " + ("; ".join(standards) if standards else "không nêu") + ".",
        )
        d.body_text(document, t.when_and_where())
        d.body_text(document, t.description, empty="(Không có nội dung.)")
        d.section_heading(document, t.paper.result)
        d.body_text(document, t.outcome_sentence())
        d.body_text(document, t.conclusion)
        d.section_heading(document, MEASURES_HEADING)
        d.body_text(document, "\n".join(t.measure_lines()))
        d.recipients_and_signer(
            document, recipients=t.recipients(), signer_title=SIGNER, signer_name=""
        )


class ConclusionPdf(_ConclusionMixin, Exporter):
    extension = "pdf"
    content_type = PDF

    def html(self) -> str:
        t = self.text
        with translation.override("vi"):
            return render_to_string(
                "cases/pdf/conclusion.html",
                {
                    "t": t,
                    "governing_body": t.governing_body,
                    "issuing_body": t.issuing_body,
                    # Spaces would collapse in HTML: the clerk's blank is kept with no-break ones.
                    "number": t.number if t.signed else t.number.replace(" ", "\u00a0" * 2),
                    "place_and_date": t.place_and_date,
                    "document_kind": t.paper.kind,
                    "subject": t.subject,
                    "national_name": d.NATIONAL_NAME,
                    "motto": d.MOTTO,
                    "standards": "; ".join(t.standard_lines()) or "không nêu",
                    "signer": SIGNER,
                    "measures_heading": MEASURES_HEADING,
                },
            )

    def render(self) -> bytes:
        return render_pdf(self.html())


EXPORTERS: Final[Mapping[str, type[_ConclusionMixin]]] = {
    "docx": ConclusionDocx,
    "pdf": ConclusionPdf,
}


def exporter(case: Case, fmt: str) -> Exporter:
    """The paper of `case` as `fmt` ("docx", "pdf"); a ValidationError before the conclusion."""
    made = EXPORTERS[fmt](case)
    assert isinstance(made, Exporter)
    return made
