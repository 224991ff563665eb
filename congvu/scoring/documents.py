"""A scorecard's ranking as an official document for the reward proposal (đề nghị khen
thưởng): DOCX and PDF in the Vietnamese administrative format (Decree 30/2020/NĐ-CP), and
an XLSX of the same ranking.

The building blocks are the provincial report's (`reporting.documents` for python-docx,
`reporting/pdf/_heading.html` and `reporting/pdf.css` for WeasyPrint, the sheet helpers
of `reporting.spreadsheets`, the `Exporter` base class of `reporting.exporters`); only
the content is here. Every file is built from one `Ranking` so the three say the same.

The document is dated at publication for a published scorecard (so a published
ranking's file never changes and may be cached), on the day of the download otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from openpyxl import Workbook

from congvu.core.cells import safe_row
from congvu.organisations.models import OrganisationKind
from congvu.reporting import documents as d
from congvu.reporting.exporters import (
    BLANK_NUMBER,
    PDF,
    XLSX,
    DocxExporter,
    Exporter,
    governing_body,
    in_official_language,
    render_pdf,
)
from congvu.reporting.services import place_from

# Private helpers of the provincial workbook, imported rather than copied: the two
# workbooks share their look (title rows, header row, fonts).
from congvu.reporting.spreadsheets import bold_row, header_row, title_rows

from . import selectors
from .models import Criterion, OrganisationScore, Scorecard, metric_label

FORMATS: Final = ("docx", "pdf", "xlsx")
PDF_CACHE_SECONDS: Final = 24 * 3600
RANKING_HEADERS: Final = ("Hạng", "Cơ quan, đơn vị", "Tổng điểm", "Xếp loại", "Tiêu chí thiếu")


def decimal_comma(value: float | None, places: int = 2) -> str:
    """82,50: the Vietnamese decimal comma; blank for no value."""
    return "" if value is None else f"{value:.{places}f}".replace(".", ",")


def require_scores(scorecard: Scorecard) -> None:
    if scorecard.status == Scorecard.Status.DRAFT:
        raise ValidationError(
            _(
                "Bảng điểm chưa được tính điểm nên chưa có văn bản xếp hạng. / The scorecard "
                "has not been computed: there is no ranking to export yet."
            )
        )


def grade_with_reason(score: OrganisationScore) -> str:
    """The grade, and the conditions that kept a higher one from the organisation."""
    missed = "; ".join(
        f"{metric_label(n['metric'])} {decimal_comma(n['value'])} < "
        f"{decimal_comma(n['min'], 0)} (điều kiện mức “{n['grade']}”)"
        for n in score.grade_notes
    )
    return f"{score.grade} ({missed})" if missed else score.grade


@dataclass
class KindRanking:
    kind: OrganisationKind
    ranked: list[OrganisationScore] = field(default_factory=list)
    not_enough: list[OrganisationScore] = field(default_factory=list)


@dataclass
class Ranking:
    """Everything the three files show, read once."""

    scorecard: Scorecard
    criteria: list[Criterion]
    kinds: list[KindRanking]
    reward_grade: str
    needed: int

    @classmethod
    def of(cls, scorecard: Scorecard) -> Ranking:
        criteria = selectors.criteria_of(scorecard)
        by_kind = {k.pk: KindRanking(k) for k in selectors.kinds_of(scorecard)}
        scores = list(selectors.ranking(scorecard))
        selectors.missing_labels(scorecard, scores)
        for score in scores:
            group = by_kind.get(score.kind_id)
            if group is None:  # a kind removed from the scorecard after computing
                group = by_kind[score.kind_id] = KindRanking(score.kind)
            (group.ranked if score.ranked else group.not_enough).append(score)
        top = max(scorecard.grades, key=lambda g: float(g["min"]), default=None)
        return cls(
            scorecard=scorecard,
            criteria=criteria,
            kinds=[k for k in by_kind.values() if k.ranked or k.not_enough],
            reward_grade=str(top["label"]) if top else "",
            needed=scorecard.needed_criteria(len(criteria)),
        )

    @property
    def proposed(self) -> list[OrganisationScore]:
        """Organisations of the top grade, kind by kind in rank order."""
        return [
            s
            for k in self.kinds
            for s in k.ranked
            if self.reward_grade and s.grade == self.reward_grade
        ]

    @property
    def not_enough(self) -> list[OrganisationScore]:
        return [s for k in self.kinds for s in k.not_enough]

    # --- texts shared by the DOCX and the PDF ---

    def day(self) -> dt.date:
        published_at = self.scorecard.published_at
        return timezone.localdate(published_at) if published_at else timezone.localdate()

    def issuer(self) -> tuple[str, str]:
        organisation = self.scorecard.organisation
        return governing_body(organisation), d.upper_name(organisation.name)

    def place_and_date(self) -> str:
        return d.place_and_date(place_from(self.scorecard.organisation), self.day())

    def subject(self) -> str:
        name = self.scorecard.name.strip()
        if not name.lower().startswith("kết quả"):
            name = f"Kết quả {name[:1].lower()}{name[1:]}"
        return f"{name} và đề nghị khen thưởng"

    def introduction(self) -> str:
        s = self.scorecard
        as_of = f"; số liệu đến ngày {s.computed_as_of:%d/%m/%Y}" if s.computed_as_of else ""
        return (
            f"Căn cứ bảng điểm “{s.name}” (kỳ từ ngày {s.period_start:%d/%m/%Y} đến ngày "
            f"{s.period_end:%d/%m/%Y}{as_of}), {s.organisation.name} báo cáo kết quả chấm "
            "điểm, xếp hạng các cơ quan, đơn vị và đề nghị khen thưởng như sau:"
        )

    def rules(self) -> list[str]:
        grades = "; ".join(
            f"{g['label']}: từ {decimal_comma(float(g['min']), 0)} điểm"
            + "".join(
                f" và {metric_label(c['metric'])} từ {decimal_comma(float(c['min']), 0)}"
                for c in g.get("conditions") or []
            )
            for g in sorted(self.scorecard.grades, key=lambda g: -float(g["min"]))
        )
        if self.scorecard.condition_metrics():
            grades += (
                ". Cơ quan đạt ngưỡng điểm của một mức nhưng không đạt điều kiện của mức đó "
                "được xếp mức thấp hơn liền kề"
            )
        return [
            "Tổng điểm (0–100) = Σ (điểm tiêu chí × trọng số) / Σ trọng số, chỉ tính các tiêu "
            "chí cơ quan có dữ liệu; tiêu chí không có dữ liệu không tính là 0 điểm.",
            f"Cơ quan có dữ liệu dưới {self.needed} tiêu chí: chưa đủ dữ liệu, không xếp hạng, "
            "không xếp loại. Xếp hạng trong từng loại cơ quan.",
            f"Xếp loại: {grades}.",
        ]

    def criteria_rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                str(n),
                c.display_label,
                decimal_comma(c.weight_pct, 1),  # type: ignore[attr-defined]
                c.formula,  # type: ignore[attr-defined]
            )
            for n, c in enumerate(self.criteria, start=1)
        ]

    @staticmethod
    def ranked_rows(scores: list[OrganisationScore]) -> list[tuple[str, str, str, str, str]]:
        return [
            (
                str(s.rank or ""),
                s.organisation_name,
                decimal_comma(s.total),
                grade_with_reason(s),
                "; ".join(s.missing_labels) or "—",  # type: ignore[attr-defined]
            )
            for s in scores
        ]

    @staticmethod
    def not_enough_rows(scores: list[OrganisationScore]) -> list[tuple[str, str, str, str]]:
        return [
            (
                str(n),
                s.organisation_name,
                str(s.kind),
                "; ".join(s.missing_labels) or "—",  # type: ignore[attr-defined]
            )
            for n, s in enumerate(scores, start=1)
        ]

    def proposed_rows(self) -> list[tuple[str, str, str, str, str]]:
        return [
            (str(n), s.organisation_name, str(s.kind), str(s.rank or ""), decimal_comma(s.total))
            for n, s in enumerate(self.proposed, start=1)
        ]

    def proposal_text(self) -> str:
        if not self.proposed:
            return f"Không có cơ quan, đơn vị nào đạt xếp loại “{self.reward_grade}”."
        return (
            f"Đề nghị khen thưởng {len(self.proposed)} cơ quan, đơn vị đạt xếp loại "
            f"“{self.reward_grade}”:"
        )


class _RankingMixin:
    def __init__(self, scorecard: Scorecard) -> None:
        self.scorecard = scorecard

    @cached_property
    def ranking(self) -> Ranking:
        return Ranking.of(self.scorecard)

    def basename(self) -> str:
        return f"xep-hang-{self.scorecard.pk}-{self.scorecard.name}"


def _left_align_from(table: object, column: int) -> None:
    """Text columns after the total read left-aligned (the shared table right-aligns from
    its first number on); done on the XML, as `data_table` builds its rows."""
    tbl = table._tbl  # type: ignore[attr-defined]
    for tr in tbl.tr_lst[1:]:
        for tc in tr.tc_lst[column:]:
            for jc in tc.iter(qn("w:jc")):
                jc.set(qn("w:val"), "left")


class RankingDocx(_RankingMixin, DocxExporter):
    def build(self, document: DocumentObject) -> None:
        r = self.ranking
        governing, issuing = r.issuer()
        d.heading_block(
            document,
            governing_body=governing,
            issuing_body=issuing,
            number=BLANK_NUMBER,
            place=place_from(self.scorecard.organisation),
            day=r.day(),
        )
        d.title_block(document, "BÁO CÁO", r.subject())
        d.body_text(document, r.introduction())
        d.section_heading(document, "I. TIÊU CHÍ, TRỌNG SỐ VÀ CÁCH TÍNH")
        d.data_table(
            document,
            ["STT", "Tiêu chí", "Trọng số (%)", "Cách tính"],
            r.criteria_rows(),
            widths_mm=[12, 50, 23, 80],
            numeric_from=2,
        )
        d.body_text(document, "\n".join(r.rules()))
        d.section_heading(document, "II. KẾT QUẢ XẾP HẠNG")
        for n, group in enumerate(r.kinds, start=1):
            d.section_heading(document, f"{n}. {group.kind}")
            if group.ranked:
                table = d.data_table(
                    document,
                    list(RANKING_HEADERS),
                    r.ranked_rows(group.ranked),
                    widths_mm=[14, 70, 22, 30, 29],
                )
                _left_align_from(table, 3)
            else:
                d.body_text(document, "Không có cơ quan, đơn vị nào đủ dữ liệu để xếp hạng.")
        d.section_heading(document, "III. CƠ QUAN, ĐƠN VỊ CHƯA ĐỦ DỮ LIỆU ĐỂ XẾP HẠNG")
        if r.not_enough:
            d.data_table(
                document,
                ["STT", "Cơ quan, đơn vị", "Loại", "Tiêu chí thiếu"],
                r.not_enough_rows(r.not_enough),
                widths_mm=[12, 70, 38, 45],
                numeric_from=4,
            )
        else:
            d.body_text(document, "Không có.")
        d.section_heading(document, "IV. ĐỀ NGHỊ KHEN THƯỞNG")
        d.body_text(document, r.proposal_text())
        if r.proposed:
            d.data_table(
                document,
                ["STT", "Cơ quan, đơn vị", "Loại", "Hạng", "Tổng điểm"],
                r.proposed_rows(),
                widths_mm=[12, 70, 38, 20, 25],
                numeric_from=3,
            )
        d.recipients_and_signer(
            document,
            recipients=["Hội đồng Thi đua - Khen thưởng (để xem xét)", "Lưu: VT"],
            signer_title="Thủ trưởng cơ quan",
            signer_name="",
        )


class RankingPdf(_RankingMixin, Exporter):
    extension = "pdf"
    content_type = PDF

    def render(self) -> bytes:
        """A small ranking's PDF, made in the request and kept in the cache (a large one is
        made on the worker: `scoring.pdf_exports`). A published scorecard never changes and
        its file is dated at publication: one rendering. A computed one is dated the day it
        is downloaded: one rendering per computation and day (a recompute or an edit changes
        `computed_at`)."""
        scorecard = self.scorecard
        if scorecard.is_published and scorecard.published_at is not None:
            key = f"scoring:ranking-pdf:{scorecard.pk}:{scorecard.published_at.timestamp()}"
        elif scorecard.computed_at is not None:
            key = (
                f"scoring:ranking-pdf:{scorecard.pk}:{scorecard.computed_at.timestamp()}:"
                f"{timezone.localdate().isoformat()}"
            )
        else:
            return self.render_now()
        body = cache.get(key)
        if body is None:
            body = self.render_now()
            cache.set(key, body, timeout=PDF_CACHE_SECONDS)
        return bytes(body)

    def render_now(self) -> bytes:
        return render_pdf(self.html())

    @in_official_language
    def html(self) -> str:
        """The document WeasyPrint lays out (its hash tells whether a stored PDF is current)."""
        r = self.ranking
        governing, issuing = r.issuer()
        return render_to_string(
            "scoring/pdf/ranking.html",
            {
                "r": r,
                "governing_body": governing,
                "issuing_body": issuing,
                "number": BLANK_NUMBER,
                "place_and_date": r.place_and_date(),
                "subject": r.subject(),
                "national_name": d.NATIONAL_NAME,
                "motto": d.MOTTO,
                "ranking_headers": RANKING_HEADERS,
                "kinds": [(group.kind, r.ranked_rows(group.ranked)) for group in r.kinds],
                "not_enough": r.not_enough_rows(r.not_enough),
                "proposed": r.proposed_rows(),
            },
        )


RANKING_SHEET: Final = "Xep hang"
CRITERIA_SHEET: Final = "Tieu chi"
PROPOSED_SHEET: Final = "De nghi khen thuong"


class RankingXlsx(_RankingMixin, Exporter):
    """Numbers stay numbers (totals and criterion values 0–100); one row per organisation,
    ranked kind by kind, those without enough data after their kind's ranked ones."""

    extension = "xlsx"
    content_type = XLSX

    def render(self) -> bytes:
        r, s = self.ranking, self.scorecard
        # A working file: its titles and headers follow the reader's language, all of them
        # (as the case list's export); the DOCX and PDF are the official, Vietnamese, papers.
        subtitle = _("Kỳ từ %(start)s đến %(end)s.") % {
            "start": f"{s.period_start:%d/%m/%Y}",
            "end": f"{s.period_end:%d/%m/%Y}",
        }
        subtitle += f" {s.organisation.name}. {s.get_status_display()}."
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None  # a new workbook always has its first sheet
        sheet.title = RANKING_SHEET
        headers = [
            _("Hạng"),
            _("Mã định danh"),
            _("Cơ quan, đơn vị"),
            _("Loại"),
            _("Tổng điểm"),
            _("Xếp loại"),
            _("Số tiêu chí có dữ liệu"),
            _("Tiêu chí thiếu dữ liệu"),
            *(c.display_label for c in r.criteria),
            _("Đề nghị khen thưởng"),
        ]
        widths = [8, 14, 48, 24, 10, 20, 10, 30, *([14] * len(r.criteria)), 12]
        title_rows(sheet, s.name, subtitle, len(headers))
        header_row(sheet, headers, widths)
        for group in r.kinds:
            for score in [*group.ranked, *group.not_enough]:
                sheet.append(
                    safe_row(
                        [
                            score.rank,
                            score.organisation_code,
                            score.organisation_name,
                            str(group.kind),
                            None if score.total is None else round(score.total, 2),
                            s.grade_display(score.grade)
                            if score.grade
                            else (_("Chưa đủ dữ liệu") if score.total is None else ""),
                            score.with_data,
                            "; ".join(score.missing_labels),  # type: ignore[attr-defined]
                            *((score.parts.get(c.metric) or {}).get("value") for c in r.criteria),
                            "x" if r.reward_grade and score.grade == r.reward_grade else "",
                        ]
                    )
                )

        criteria = workbook.create_sheet(CRITERIA_SHEET)
        # The rules are the official document's sentences, as written (Vietnamese): a
        # criterion's name inside them is Vietnamese too, never the reader's English.
        with translation.override(settings.LANGUAGE_CODE):
            rules = d.sentences(r.rules())
        title_rows(criteria, _("Tiêu chí: %(name)s") % {"name": s.name}, rules, 5)
        header_row(
            criteria,
            [_("STT"), _("Mã chỉ số"), _("Tiêu chí"), _("Trọng số (%)"), _("Cách tính")],
            [6, 20, 40, 12, 80],
        )
        criteria.freeze_panes = "A5"
        for n, c in enumerate(r.criteria, start=1):
            criteria.append(
                safe_row([n, c.metric, c.display_label, round(c.weight_pct, 2), c.formula])  # type: ignore[attr-defined]
            )

        proposed = workbook.create_sheet(PROPOSED_SHEET)
        title_rows(proposed, r.proposal_text(), subtitle, 5)
        header_row(
            proposed,
            [_("STT"), _("Cơ quan, đơn vị"), _("Loại"), _("Hạng"), _("Tổng điểm")],
            [6, 48, 24, 8, 10],
        )
        for n, score in enumerate(r.proposed, start=1):
            proposed.append(
                safe_row(
                    [
                        n,
                        score.organisation_name,
                        str(score.kind),
                        score.rank,
                        round(score.total or 0, 2),
                    ]
                )
            )
        if r.proposed:
            total = _("Cộng: %(count)s cơ quan, đơn vị") % {"count": len(r.proposed)}
            proposed.append([None, total, None, None, None])
            bold_row(proposed, proposed.max_row, 5)

        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


EXPORTERS: Final[dict[str, type[_RankingMixin]]] = {
    "docx": RankingDocx,
    "pdf": RankingPdf,
    "xlsx": RankingXlsx,
}


def exporter(scorecard: Scorecard, fmt: str) -> Exporter:
    require_scores(scorecard)
    made = EXPORTERS[fmt](scorecard)
    assert isinstance(made, Exporter)
    return made
