"""The ranking as an official document (DOCX, PDF) and a workbook (XLSX): they open,
carry the Decree 30 heading, the organisations in rank order and the reward proposal;
who may download them."""

from __future__ import annotations

import io
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.core.tests.document_helpers import docx_text, pdf_text
from congvu.organisations.models import Organisation
from congvu.reporting.documents import MOTTO, NATIONAL_NAME, vn_date
from congvu.scoring import services
from congvu.scoring.documents import RankingPdf, decimal_comma
from congvu.scoring.models import Scorecard

from .conftest import TODAY, make_scorecard


def download(client: Client, scorecard: Scorecard, fmt: str) -> bytes:
    response = client.get(reverse(f"scoring:{fmt}", args=[scorecard.pk]))
    assert response.status_code == 200, response.status_code
    assert re.fullmatch(
        rf'attachment; filename="xep-hang-{scorecard.pk}-xep-hang-nam-2025\.{fmt}"',
        response["Content-Disposition"],
    )
    return response.content


def in_order(text: str, *names: str) -> bool:
    positions = [text.index(name) for name in names]
    return positions == sorted(positions)


def test_the_totals_have_a_decimal_comma() -> None:
    assert decimal_comma(82.5) == "82,50"
    assert decimal_comma(None) == ""


def test_the_docx_is_in_the_administrative_format_with_the_ranking_and_the_proposal(
    as_officer: Client, computed: Scorecard
) -> None:
    text = docx_text(download(as_officer, computed, "docx"))
    assert NATIONAL_NAME in text and MOTTO in text
    assert f"Hưng Yên, {vn_date(timezone.localdate())}" in text
    assert "UBND TỈNH HƯNG YÊN" in text
    assert "BÁO CÁO" in text and "Kết quả xếp hạng năm 2025 và đề nghị khen thưởng" in text
    assert "Nhiệm vụ hoàn thành đúng hạn" in text  # a criterion, with its weight
    # Departments ranked with each other: Sở Tư pháp 75,00 before Sở Nội vụ 0,00.
    assert (
        "1 | Sở Tư pháp | 75,00 | Hoàn thành (Nhiệm vụ hoàn thành đúng hạn 50,00 < 80 "
        "(điều kiện mức “Hoàn thành tốt”))" in text
    )
    assert "Hoàn thành tốt: từ 75 điểm và Nhiệm vụ hoàn thành đúng hạn từ 80" in text
    assert "2 | Sở Nội vụ | 0,00 | Không hoàn thành" in text
    assert in_order(text, "Sở Tư pháp | 75,00", "Sở Nội vụ | 0,00")
    proposal = text[text.index("IV. ĐỀ NGHỊ KHEN THƯỞNG") :]
    assert "Đề nghị khen thưởng 1 cơ quan, đơn vị đạt xếp loại “Hoàn thành xuất sắc”" in proposal
    assert "Ủy ban nhân dân xã An Bình" in proposal and "Sở Tư pháp" not in proposal


def test_the_pdf_says_the_same(as_officer: Client, computed: Scorecard) -> None:
    text = pdf_text(download(as_officer, computed, "pdf"))
    assert NATIONAL_NAME in text and MOTTO in text
    assert f"Hưng Yên, {vn_date(timezone.localdate())}" in text
    assert in_order(text, "Sở Tư pháp 75,00", "Sở Nội vụ 0,00", "IV. ĐỀ NGHỊ KHEN THƯỞNG")
    proposal = text[text.index("IV. ĐỀ NGHỊ KHEN THƯỞNG") :]
    assert "Ủy ban nhân dân xã An Bình" in proposal and "Sở Tư pháp" not in proposal


def test_organisations_without_enough_data_are_listed_apart(
    scored: dict[str, Organisation], officer: User, as_officer: Client
) -> None:
    scorecard = make_scorecard(scored, officer, min_criteria=2)
    services.compute(scorecard, actor=officer, today=TODAY)
    text = docx_text(download(as_officer, scorecard, "docx"))
    ranking = text[text.index("II. KẾT QUẢ XẾP HẠNG") : text.index("III.")]
    apart = text[text.index("III. CƠ QUAN, ĐƠN VỊ CHƯA ĐỦ DỮ LIỆU") : text.index("IV.")]
    assert "Sở Tư pháp" in ranking and "Sở Nội vụ" not in ranking
    assert "Sở Nội vụ" in apart and "Ủy ban nhân dân xã An Bình" in apart
    assert "Không có cơ quan, đơn vị nào đạt xếp loại “Hoàn thành xuất sắc”" in text


def test_the_xlsx_holds_the_ranking_as_numbers_and_the_proposal(
    as_officer: Client, computed: Scorecard
) -> None:
    workbook = load_workbook(io.BytesIO(download(as_officer, computed, "xlsx")))
    rows = [r for r in workbook["Xep hang"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [(r[0], r[2], r[4], r[5]) for r in rows] == [
        (1, "Sở Tư pháp", 75.0, "Hoàn thành"),
        (2, "Sở Nội vụ", 0.0, "Không hoàn thành"),
        (1, "Ủy ban nhân dân xã An Bình", 100.0, "Hoàn thành xuất sắc"),
    ]
    proposed = list(workbook["De nghi khen thuong"].iter_rows(min_row=5, values_only=True))
    assert proposed[0][1] == "Ủy ban nhân dân xã An Bình"


def test_the_xlsx_in_english_names_grades_in_english_and_keeps_the_rules_vietnamese(
    as_officer: Client, computed: Scorecard
) -> None:
    as_officer.cookies["congvu_lang"] = "en"
    workbook = load_workbook(io.BytesIO(download(as_officer, computed, "xlsx")))
    rows = [r for r in workbook["Xep hang"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert [r[5] for r in rows] == ["Completed", "Not completed", "Completed excellently"]
    rules = " ".join(
        str(cell)
        for row in workbook["Tieu chi"].iter_rows(max_row=3, values_only=True)
        for cell in row
        if cell
    )
    # The official rules as written, not Vietnamese sentences with English names inside.
    assert "Nhiệm vụ hoàn thành đúng hạn từ 80" in rules
    assert "Tasks done on time" not in rules


def test_a_published_ranking_is_dated_at_publication_and_public_as_pdf(
    published: Scorecard, client: Client
) -> None:
    response = client.get(reverse("rankings:pdf", args=[published.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "public" in response["Cache-Control"]
    assert published.published_at is not None
    day = timezone.localdate(published.published_at)
    assert f"Hưng Yên, {vn_date(day)}" in pdf_text(response.content)
    assert (
        reverse("rankings:pdf", args=[published.pk])
        in client.get(reverse("rankings:detail", args=[published.pk])).content.decode()
    )


def test_the_public_gets_no_pdf_of_an_unpublished_scorecard(
    computed: Scorecard, client: Client
) -> None:
    assert client.get(reverse("rankings:pdf", args=[computed.pk])).status_code == 404


def test_anyone_who_sees_a_published_scorecard_downloads_its_files(
    as_outsider: Client, published: Scorecard
) -> None:
    for fmt in ("docx", "xlsx"):
        assert as_outsider.get(reverse(f"scoring:{fmt}", args=[published.pk])).status_code == 200


def test_an_unpublished_ranking_is_404_for_an_outsider_and_403_without_permission(
    as_outsider: Client, province_viewer: User, computed: Scorecard
) -> None:
    viewer = client_for(province_viewer)
    for fmt in ("docx", "pdf", "xlsx"):
        url = reverse(f"scoring:{fmt}", args=[computed.pk])
        assert as_outsider.get(url).status_code == 404, fmt
        assert viewer.get(url).status_code == 403, fmt


def test_a_draft_has_no_document_yet(as_officer: Client, scorecard: Scorecard) -> None:
    response = as_officer.get(reverse("scoring:pdf", args=[scorecard.pk]), follow=True)
    assert "chưa được tính điểm" in response.content.decode()
    page = as_officer.get(reverse("scoring:detail", args=[scorecard.pk])).content.decode()
    assert reverse("scoring:docx", args=[scorecard.pk]) not in page


def test_the_scorecard_page_offers_the_three_files(as_officer: Client, computed: Scorecard) -> None:
    page = as_officer.get(reverse("scoring:detail", args=[computed.pk])).content.decode()
    for fmt in ("docx", "pdf", "xlsx"):
        assert reverse(f"scoring:{fmt}", args=[computed.pk]) in page


def test_a_computed_rankings_pdf_is_rendered_once_per_computation(
    as_officer: Client, computed: Scorecard, officer: User, monkeypatch: Any
) -> None:
    renders: list[int] = []
    real = RankingPdf.render_now

    def counted(self: RankingPdf) -> bytes:
        renders.append(self.scorecard.pk)
        return real(self)

    monkeypatch.setattr(RankingPdf, "render_now", counted)
    first = download(as_officer, computed, "pdf")
    again = download(as_officer, computed, "pdf")
    assert again == first and len(renders) == 1  # ten seconds for a whole province, once

    services.compute(computed, actor=officer, today=TODAY)
    download(as_officer, computed, "pdf")
    assert len(renders) == 2  # new scores, a new document


def test_the_ranking_workbooks_headers_all_follow_the_readers_language(
    as_officer: Client, computed: Scorecard
) -> None:
    as_officer.cookies["congvu_lang"] = "en"
    workbook = load_workbook(io.BytesIO(download(as_officer, computed, "xlsx")))
    for sheet in workbook.worksheets:
        headers = [str(cell.value) for cell in sheet[4] if cell.value is not None]
        assert headers and all(h.isascii() for h in headers), (sheet.title, headers)
    assert [c.value for c in workbook["Tieu chi"][4]][:2] == ["No.", "Metric code"]


def test_the_ranking_papers_are_vietnamese_when_the_reader_uses_english(
    as_officer: Client, computed: Scorecard
) -> None:
    vietnamese = {fmt: download(as_officer, computed, fmt) for fmt in ("docx", "pdf")}
    as_officer.cookies["congvu_lang"] = "en"
    english = {fmt: download(as_officer, computed, fmt) for fmt in ("docx", "pdf")}
    assert docx_text(english["docx"]) == docx_text(vietnamese["docx"])
    assert pdf_text(english["pdf"]) == pdf_text(vietnamese["pdf"])
    assert "Tiêu chí" in docx_text(english["docx"])


def test_the_criteria_sheet_states_the_rules_without_doubled_punctuation(
    as_officer: Client, computed: Scorecard
) -> None:
    workbook = load_workbook(io.BytesIO(download(as_officer, computed, "xlsx")))
    rules = str(workbook["Tieu chi"]["A2"].value)
    assert rules.startswith("Tổng điểm (0–100)") and rules.endswith(".")
    assert ".;" not in rules and ".." not in rules


def test_the_xlsx_keeps_a_formula_typed_as_a_name_as_text(
    as_officer: Client, computed: Scorecard
) -> None:
    from congvu.core.tests.test_cells import FORMULA
    from congvu.scoring.models import OrganisationScore

    computed.scores.filter(organisation_code="H56.02").update(organisation_name=FORMULA)
    assert OrganisationScore.objects.filter(organisation_name=FORMULA).exists()
    workbook = load_workbook(io.BytesIO(download(as_officer, computed, "xlsx")))
    [cell] = [
        c
        for (c,) in workbook["Xep hang"].iter_rows(min_col=3, max_col=3)
        if c.value and FORMULA in c.value
    ]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA
