from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.conftest import form_key, form_version, said_already_sent, said_changed_meanwhile
from congvu.reporting import services
from congvu.reporting.models import OrganisationReport, ReportPeriod

pytestmark = pytest.mark.django_db

INDEX = reverse("reporting:index")


def page(response: Any) -> str:
    return response.content.decode()


def test_the_index_lists_periods_and_reports(as_head: Client, draft: OrganisationReport) -> None:
    html = page(as_head.get(INDEX))
    assert "Báo cáo kết quả thực hiện văn hóa công vụ năm 2026" in html
    assert "Sở Tư pháp" in html
    assert "css/reporting.css" in html
    assert "style=" not in html and "<script>" not in html


def test_home_affairs_opens_a_period_from_the_form(as_officer: Client, province: Any) -> None:
    url = reverse("reporting:period_create")
    assert as_officer.get(url).status_code == 200
    kinds = [
        str(k.pk)
        for k in ReportPeriod.reporting_kinds.field.related_model.objects.filter(
            code__in=["department", "commune_pc"]
        )
    ]
    response = as_officer.post(
        url,
        {
            "issuing_organisation": province["root"].pk,
            "name": "Báo cáo 6 tháng đầu năm 2026",
            "kind": "half_year",
            "covers_from": "2026-01-01",
            "covers_to": "2026-06-30",
            "due_on": "15/07/2026",
            "reporting_kinds": kinds,
        },
    )
    period = ReportPeriod.objects.get(name="Báo cáo 6 tháng đầu năm 2026")
    assert response.status_code == 302
    assert period.kind == "half_year"


def test_a_period_sent_twice_is_opened_once_and_both_lead_to_it(
    as_officer: Client, province: Any
) -> None:
    url = reverse("reporting:period_create")
    kind = ReportPeriod.reporting_kinds.field.related_model.objects.get(code="department")
    data = {
        "issuing_organisation": province["root"].pk,
        "name": "Báo cáo 6 tháng đầu năm 2026",
        "kind": "half_year",
        "covers_from": "2026-01-01",
        "covers_to": "2026-06-30",
        "due_on": "15/07/2026",
        "reporting_kinds": [kind.pk],
        "once": form_key(as_officer.get(url)),
    }
    first, second = as_officer.post(url, data), as_officer.post(url, data)
    period = ReportPeriod.objects.get()
    assert first["Location"] == second["Location"] == reverse("reporting:period", args=[period.pk])
    assert said_already_sent(as_officer, second)


def test_a_bad_period_form_keeps_the_input_and_says_why(as_officer: Client, province: Any) -> None:
    response = as_officer.post(
        reverse("reporting:period_create"),
        {
            "issuing_organisation": province["root"].pk,
            "name": "Kỳ đột xuất",
            "kind": "ad_hoc",
            "covers_from": "2026-06-30",
            "covers_to": "2026-01-01",
            "due_on": "not a date",
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "Kỳ đột xuất" in html
    assert "Ngày không hợp lệ" in html


def test_a_period_starting_in_year_one_is_refused_instead_of_breaking_its_page(
    as_officer: Client, province: Any
) -> None:
    kinds = [
        str(k.pk)
        for k in ReportPeriod.reporting_kinds.field.related_model.objects.filter(code="department")
    ]
    response = as_officer.post(
        reverse("reporting:period_create"),
        {
            "issuing_organisation": province["root"].pk,
            "name": "Kỳ gõ nhầm năm",
            "kind": "ad_hoc",
            "covers_from": "01/01/0001",
            "covers_to": "2026-06-30",
            "due_on": "15/07/2026",
            "reporting_kinds": kinds,
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "Ngày phải trong khoảng năm 2000–2100" in html
    assert "Kỳ gõ nhầm năm" in html
    assert not ReportPeriod.objects.filter(name="Kỳ gõ nhầm năm").exists()


def test_a_head_cannot_open_a_period(as_head: Client, province: Any) -> None:
    assert as_head.get(reverse("reporting:period_create")).status_code == 403


def test_home_affairs_sees_the_compilation_with_exports(
    as_officer: Client, draft: OrganisationReport, period: ReportPeriod
) -> None:
    html = page(as_officer.get(reverse("reporting:period", args=[period.pk])))
    assert "Tổng hợp toàn tỉnh" in html
    assert "Ủy ban nhân dân xã An Bình" in html
    assert reverse("reporting:period_export", args=[period.pk, "xlsx"]) in html


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_home_affairs_downloads_the_provincial_report(
    as_officer: Client, period: ReportPeriod, fmt: str
) -> None:
    response = as_officer.get(reverse("reporting:period_export", args=[period.pk, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_a_viewer_cannot_download_the_provincial_report(
    as_viewer: Client, period: ReportPeriod
) -> None:
    url = reverse("reporting:period_export", args=[period.pk, "docx"])
    assert as_viewer.get(url).status_code == 403


def test_the_head_creates_edits_and_submits_a_report(
    as_head: Client, period: ReportPeriod, province: Any
) -> None:
    response = as_head.post(
        reverse("reporting:report_create", args=[period.pk]),
        {"organisation": province["dept_justice"].pk},
    )
    report = OrganisationReport.objects.get(period=period)
    assert response.status_code == 302
    url = reverse("reporting:report", args=[report.pk])
    assert "Nộp báo cáo" in page(as_head.get(url))
    form = {
        "results": "Kết quả tốt.",
        "shortcomings_and_causes": "",
        "proposals": "",
        "number": "15/BC-STP",
        "signer_name": "Nguyễn Văn An",
        "signer_title": "Giám đốc",
    }
    response = as_head.post(reverse("reporting:report_submit", args=[report.pk]), form)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted" and report.results == "Kết quả tốt."
    assert "nộp muộn" not in page(as_head.get(url)) or report.is_late
    # Sent again (the back button, a second tab): it is in already, nothing changes.
    again = as_head.post(
        reverse("reporting:report_submit", args=[report.pk]), {**form, "results": "Khác."}
    )
    assert again.status_code == 302 and again["Location"] == url
    assert "không cần nộp lại" in page(as_head.get(url))
    report.refresh_from_db()
    assert report.status == "submitted" and report.results == "Kết quả tốt."


def test_a_late_submission_is_marked_on_the_page(
    as_head: Client, draft: OrganisationReport
) -> None:
    ReportPeriod.objects.filter(pk=draft.period_id).update(due_on="2020-01-01")
    form = {"results": "Kết quả.", "number": "", "signer_name": "", "signer_title": ""}
    as_head.post(reverse("reporting:report_submit", args=[draft.pk]), form)
    draft.refresh_from_db()
    assert draft.is_late
    assert "nộp muộn" in page(as_head.get(reverse("reporting:report", args=[draft.pk])))


def test_submitting_without_results_keeps_the_other_input(
    as_head: Client, draft: OrganisationReport
) -> None:
    response = as_head.post(
        reverse("reporting:report_submit", args=[draft.pk]),
        {
            "results": "",
            "proposals": "Đề xuất giữ lại",
            "number": "",
            "signer_name": "",
            "signer_title": "",
        },
    )
    assert response.status_code == 400
    assert "Đề xuất giữ lại" in page(response)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_home_affairs_returns_a_report_with_comments(
    as_officer: Client, draft: OrganisationReport, head: Any
) -> None:
    services.submit_report(draft, actor=head)
    url = reverse("reporting:report_review", args=[draft.pk])
    response = as_officer.post(url, {"decision": "return", "comments": ""})
    assert response.status_code == 400
    response = as_officer.post(url, {"decision": "return", "comments": "Bổ sung minh chứng."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "returned"
    assert "Bổ sung minh chứng." in page(
        as_officer.get(reverse("reporting:report", args=[draft.pk]))
    )


def test_the_outsider_gets_404_on_another_organisations_report(
    as_outsider: Client, draft: OrganisationReport
) -> None:
    assert as_outsider.get(reverse("reporting:report", args=[draft.pk])).status_code == 404
    url = reverse("reporting:report_export", args=[draft.pk, "docx"])
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.post(reverse("reporting:report_submit", args=[draft.pk])).status_code == 404


def test_the_viewer_reads_but_gets_403_on_writes(
    as_viewer: Client, draft: OrganisationReport
) -> None:
    url = reverse("reporting:report", args=[draft.pk])
    html = page(as_viewer.get(url))
    assert "Đã quán triệt Quyết định 1847" in html and "Nộp báo cáo" not in html
    assert as_viewer.post(url, {"results": "x"}).status_code == 403
    assert as_viewer.post(reverse("reporting:report_submit", args=[draft.pk])).status_code == 403
    review = reverse("reporting:report_review", args=[draft.pk])
    assert as_viewer.post(review, {"decision": "accept"}).status_code == 403


def test_the_head_downloads_their_report(as_head: Client, draft: OrganisationReport) -> None:
    response = as_head.get(reverse("reporting:report_export", args=[draft.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_home_affairs_closes_and_reopens_a_period_others_cannot(
    as_officer: Client, as_head: Client, as_outsider: Client, period: Any
) -> None:
    from congvu.reporting.models import ReportPeriod

    url = f"/reports/periods/{period.pk}/status/"
    assert as_head.post(url, {"status": "closed"}).status_code == 403
    # The provincial period reaches every organisation, the commune's head included:
    # visible to them, but not theirs to close.
    assert as_outsider.post(url, {"status": "closed"}).status_code == 403
    as_officer.post(url, {"status": "closed"})
    period.refresh_from_db()
    assert period.status == ReportPeriod.Status.CLOSED
    assert "Mở lại kỳ báo cáo" in page(as_officer.get(f"/reports/periods/{period.pk}/"))
    as_officer.post(url, {"status": "open"})
    period.refresh_from_db()
    assert period.status == ReportPeriod.Status.OPEN
    bad = as_officer.post(url, {"status": "nonsense"}, follow=True)
    assert "Trạng thái không hợp lệ" in page(bad)


def test_a_save_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_head: Client, draft: OrganisationReport
) -> None:
    url = reverse("reporting:report", args=[draft.pk])
    fields = {name: getattr(draft, name) for name in services.NARRATIVE_FIELDS}
    tab_a = {**fields, "stale": form_version(as_head.get(url))}
    tab_b = {**fields, "stale": form_version(as_head.get(url))}
    assert as_head.post(url, {**tab_b, "results": "Kết quả do B viết."}).status_code == 302
    refused = as_head.post(url, {**tab_a, "proposals": "Đề xuất do A viết."})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Đề xuất do A viết." in page(refused)  # A's input, kept
    assert "hiện là: «Kết quả do B viết.»" in page(refused)  # B's change, shown
    draft.refresh_from_db()
    assert (draft.results, draft.proposals) == ("Kết quả do B viết.", "Đề nghị tập huấn thêm.")
    # Reviewed, A sends the re-drawn form again: it carries the current version now.
    again = {**tab_a, "results": "Kết quả do B viết.", "proposals": "Đề xuất do A viết."}
    again["stale"] = form_version(refused)
    assert as_head.post(url, again).status_code == 302
    draft.refresh_from_db()
    assert (draft.results, draft.proposals) == ("Kết quả do B viết.", "Đề xuất do A viết.")


def test_submitting_from_a_page_someone_else_saved_since_submits_nothing(
    as_head: Client, draft: OrganisationReport
) -> None:
    url = reverse("reporting:report", args=[draft.pk])
    fields = {name: getattr(draft, name) for name in services.NARRATIVE_FIELDS}
    tab_a = {**fields, "stale": form_version(as_head.get(url))}
    as_head.post(url, {**fields, "stale": tab_a["stale"], "number": "16/BC-STP"})
    refused = as_head.post(reverse("reporting:report_submit", args=[draft.pk]), tab_a)
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "16/BC-STP")
