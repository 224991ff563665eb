"""The inspection pages as their users meet them: inspectors, the inspected organisation,
a viewer without the permission (403) and an outsider (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case
from congvu.inspections import services
from congvu.inspections.models import CorrectiveAction, Inspection, Observation
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import client_for, form_key, make_user, said_already_sent
from .conftest import PLANNED_ON, answer_all, concluded_with_breach, plan, start

S = Inspection.Status

pytestmark = pytest.mark.usefixtures("catalogue")


def url(name: str, *args: Any) -> str:
    return reverse(f"inspections:{name}", args=args)


def test_an_inspection_under_way_reads_in_progress_in_english_not_validating(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    # "Đang kiểm tra" is also the import job's status ("Validating"): each has its context.
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    as_inspector.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = as_inspector.get(url("detail", inspection.code)).content.decode()
    assert (
        '<span class="status insp-in_progress" data-testid="inspection-status">In progress<' in html
    )
    assert "Validating" not in html
    as_inspector.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert (
        "Đang kiểm tra</span>" in as_inspector.get(url("detail", inspection.code)).content.decode()
    )


def test_an_inspection_started_in_english_is_logged_in_vietnamese(
    province: dict[str, Organisation], inspector: User, as_officer: Client
) -> None:
    # The summary is permanent and hash-chained: it must not depend on who clicked.
    inspection = plan(province["dept_justice"], inspector)
    with translation.override("en"):
        start(inspection, inspector)
    event = AuditEvent.objects.get(action="inspection.in_progress")
    assert event.summary == f"{inspection.code}: Đã lên kế hoạch → Đang kiểm tra"
    page = as_officer.get(reverse("audit:list")).content.decode()
    assert "Đã lên kế hoạch → Đang kiểm tra" in page and "Planned" not in page


# --- list -----------------------------------------------------------------------------------


def test_the_inspector_finds_an_inspection_by_the_organisation_name_without_accents(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    justice = plan(province["dept_justice"], inspector)
    commune = plan(province["commune"], inspector)
    page = as_inspector.get(url("list"), {"q": "so tu phap"}).content.decode()
    assert justice.code in page and commune.code not in page
    page = as_inspector.get(url("list"), {"q": "AN BINH"}).content.decode()
    assert commune.code in page and justice.code not in page


def test_the_list_filters_by_status(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    planned = plan(province["dept_justice"], inspector)
    started = start(plan(province["commune"], inspector), inspector)
    page = as_inspector.get(url("list"), {"status": "in_progress"}).content.decode()
    assert started.code in page and planned.code not in page


def test_an_outsider_lists_none_of_another_organisation_and_a_viewer_is_refused(
    province: dict[str, Organisation], inspector: User, as_outsider: Client, as_viewer: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    response = as_outsider.get(url("list"))
    assert response.status_code == 200 and inspection.code not in response.content.decode()
    assert as_viewer.get(url("list")).status_code == 403


def test_the_menu_shows_inspections_to_inspectors_and_heads_but_not_to_viewers(
    as_inspector: Client, as_head: Client, as_viewer: Client
) -> None:
    link = f'href="{url("list")}"'
    assert link in as_inspector.get("/").content.decode()
    assert link in as_head.get("/").content.decode()
    assert link not in as_viewer.get("/").content.decode()


# --- planning -------------------------------------------------------------------------------


def test_the_inspector_plans_an_unannounced_inspection(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    assert as_inspector.get(url("new")).status_code == 200
    response = as_inspector.post(
        url("new"),
        {
            "organisation": province["dept_justice"].pk,
            "kind": "unannounced",
            "planned_on": f"{PLANNED_ON + dt.timedelta(days=1):%d/%m/%Y}",
            "lead": inspector.pk,
            "purpose": "Kiểm tra bộ phận một cửa",
        },
    )
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", inspection.code)
    assert inspection.kind == "unannounced" and inspection.planned_on == PLANNED_ON + dt.timedelta(
        days=1
    )
    page = as_inspector.get(response["Location"]).content.decode()
    assert "Đột xuất" in page and "Kiểm tra bộ phận một cửa" in page


def test_a_plan_sent_twice_plans_one_inspection_and_both_lead_to_it(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    # A double tap, or Back and "Lưu kế hoạch" again: the page's form is sent twice.
    data = {
        "organisation": province["dept_justice"].pk,
        "kind": "unannounced",
        "planned_on": f"{PLANNED_ON + dt.timedelta(days=1):%d/%m/%Y}",
        "lead": inspector.pk,
        "purpose": "Kiểm tra bộ phận một cửa",
        "once": form_key(as_inspector.get(url("new"))),
    }
    first, second = as_inspector.post(url("new"), data), as_inspector.post(url("new"), data)
    inspection = Inspection.objects.get()
    assert first["Location"] == second["Location"] == url("detail", inspection.code)
    assert said_already_sent(as_inspector, second)


def test_a_bad_plan_keeps_the_input_and_saves_nothing(
    province: dict[str, Organisation], inspector: User, head: User, as_inspector: Client
) -> None:
    response = as_inspector.post(
        url("new"),
        {
            "organisation": province["dept_justice"].pk,
            "kind": "scheduled",
            "planned_on": "31/02/2026",
            "lead": inspector.pk,
            "purpose": "Giữ lại nội dung này",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Giữ lại nội dung này" in page
    assert not Inspection.objects.exists()


def test_a_day_that_has_passed_is_refused_and_the_input_kept(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    """An inspection planned for 01/01/2020 told the organisation to prepare for it."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = as_inspector.post(
        url("new"),
        {
            "organisation": province["dept_justice"].pk,
            "kind": "scheduled",
            "planned_on": f"{yesterday:%d/%m/%Y}",
            "lead": inspector.pk,
            "purpose": "Giữ lại nội dung này",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ngày dự kiến đã qua" in page and "Giữ lại nội dung này" in page
    assert not Inspection.objects.exists()


def test_a_head_or_a_viewer_cannot_plan(as_head: Client, as_viewer: Client) -> None:
    assert as_head.get(url("new")).status_code == 403
    assert as_viewer.post(url("new"), {}).status_code == 403


# --- the inspection file --------------------------------------------------------------------


def test_the_detail_page_for_the_team_a_viewer_and_an_outsider(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    as_viewer: Client,
    as_outsider: Client,
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    page = as_inspector.get(url("detail", inspection.code)).content.decode()
    assert "Sở Tư pháp" in page and "Bắt đầu kiểm tra" in page
    assert as_viewer.get(url("detail", inspection.code)).status_code == 403
    assert as_outsider.get(url("detail", inspection.code)).status_code == 404
    assert as_inspector.get(url("detail", "KT-KHONGCO")).status_code == 404


def test_the_head_does_not_see_an_unannounced_inspection_before_it_starts(
    province: dict[str, Organisation], inspector: User, as_head: Client, as_focal: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind="unannounced")
    assert inspection.code not in as_head.get(url("list")).content.decode()
    assert as_head.get(url("detail", inspection.code)).status_code == 404
    assert as_focal.get(url("detail", inspection.code)).status_code == 404
    start(inspection, inspector)
    assert inspection.code in as_head.get(url("list")).content.decode()
    page = as_head.get(url("detail", inspection.code)).content.decode()
    assert "Đang kiểm tra" in page and "Bắt đầu kiểm tra" not in page


def test_starting_opens_the_checklist_and_a_head_cannot_start(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    as_head: Client,
    as_outsider: Client,
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert as_head.post(url("start", inspection.code)).status_code == 403
    assert as_outsider.post(url("start", inspection.code)).status_code == 404
    response = as_inspector.post(url("start", inspection.code))
    assert response.status_code == 302 and response["Location"] == url("checklist", inspection.code)
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS


# --- the checklist --------------------------------------------------------------------------


def test_the_checklist_lists_every_observable_clause_and_saves_the_answers(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    staff_member: StaffMember,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    observations = list(inspection.observations.order_by("order"))
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    for o in observations:
        assert o.clause.short_title in page
    assert "Nguyễn Văn Đức" in page  # the staff picker
    first, second = observations[:2]
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "breached",
            f"note-{first.pk}": "Không đeo thẻ công chức",
            f"staff-{first.pk}": "Nguyễn Văn Đức (STP-001)",
            f"result-{second.pk}": "kept",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.result, first.staff) == ("breached", staff_member)
    page = as_inspector.get(url("checklist", inspection.code)).content.decode()
    assert f"Đã trả lời 2/{len(observations)}" in page


def test_a_breach_without_a_note_is_refused_on_the_checklist_with_the_input_kept(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first, second = inspection.observations.order_by("order")[:2]
    response = as_inspector.post(
        url("checklist", inspection.code),
        {
            f"result-{first.pk}": "kept",
            f"note-{first.pk}": "Ghi chú được giữ lại",
            f"result-{second.pk}": "breached",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ghi rõ vi phạm đã thấy" in page
    assert "Ghi chú được giữ lại" in page
    assert not inspection.observations.exclude(result="").exists()


def test_the_checklist_is_refused_to_a_head_and_hidden_from_an_outsider(
    province: dict[str, Organisation],
    inspector: User,
    as_head: Client,
    as_outsider: Client,
    as_viewer: Client,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    assert as_head.get(url("checklist", inspection.code)).status_code == 403
    assert as_viewer.get(url("checklist", inspection.code)).status_code == 403
    assert as_outsider.post(url("checklist", inspection.code), {}).status_code == 404


# --- conclusion -----------------------------------------------------------------------------


def test_concluding_is_refused_with_a_clear_message_while_clauses_are_unanswered(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    total = inspection.observations.count()
    response = as_inspector.post(
        url("conclude", inspection.code), {"c-conclusion": "Kết luận giữ lại"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Còn {total} chuẩn mực chưa có kết quả" in page
    assert "Kết luận giữ lại" in page
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS
    answer_all(inspection, inspector)
    response = as_inspector.post(url("conclude", inspection.code), {"c-conclusion": "Đạt yêu cầu"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == S.CONCLUDED and inspection.conclusion == "Đạt yêu cầu"


def test_the_head_cannot_conclude_and_an_outsider_cannot_cancel(
    province: dict[str, Organisation], inspector: User, as_head: Client, as_outsider: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    assert as_head.post(url("conclude", inspection.code), {"c-conclusion": "x"}).status_code == 403
    assert as_outsider.post(url("cancel", inspection.code), {"x-reason": "x"}).status_code == 404


def test_cancelling_needs_a_reason_on_the_page(
    province: dict[str, Organisation], inspector: User, as_inspector: Client
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert as_inspector.post(url("cancel", inspection.code), {"x-reason": ""}).status_code == 400
    response = as_inspector.post(url("cancel", inspection.code), {"x-reason": "Trùng lịch họp"})
    assert response.status_code == 302
    page = as_inspector.get(url("detail", inspection.code)).content.decode()
    assert "Đã hủy" in page and "Trùng lịch họp" in page


# --- findings -------------------------------------------------------------------------------


def test_a_breach_opens_a_case_that_appears_in_the_cases_list(
    province: dict[str, Organisation],
    inspector: User,
    as_inspector: Client,
    as_officer: Client,
    as_head: Client,
    as_outsider: Client,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    assert as_head.post(url("open_case", inspection.code, breach.pk)).status_code == 403
    assert as_outsider.post(url("open_case", inspection.code, breach.pk)).status_code == 404
    response = as_inspector.post(url("open_case", inspection.code, breach.pk))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "inspection"
    assert case.code in as_officer.get(reverse("cases:list")).content.decode()
    detail = as_inspector.get(url("detail", inspection.code)).content.decode()
    assert reverse("cases:detail", args=[case.code]) in detail
    # The case file links back to the inspection, for those who may open it, to the finding.
    case_page = as_officer.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert "Mở từ cuộc kiểm tra" in case_page
    assert f"{url('detail', inspection.code)}#f{breach.pk}" in case_page
    assert breach.clause.short_title in case_page


def test_the_inspected_head_sees_the_inspection_on_the_case_page_but_not_the_finding_yet(
    province: dict[str, Organisation], inspector: User, as_head: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    case = services.open_case(breach, actor=inspector)
    response = as_head.get(reverse("cases:detail", args=[case.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{url("detail", inspection.code)}"' in page
    assert f"#f{breach.pk}" not in page


def test_the_inspector_sets_a_corrective_action_and_bad_days_are_refused(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, as_head: Client
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    target = url("add_action", inspection.code, breach.pk)
    prefix = f"a{breach.pk}"
    response = as_inspector.post(
        target, {f"{prefix}-description": "Treo bảng quy tắc", f"{prefix}-days": "0"}
    )
    assert response.status_code == 400 and "Treo bảng quy tắc" in response.content.decode()
    assert not CorrectiveAction.objects.exists()
    assert (
        as_head.post(target, {f"{prefix}-description": "x", f"{prefix}-days": "5"}).status_code
        == 403
    )
    response = as_inspector.post(
        target, {f"{prefix}-description": "Treo bảng quy tắc", f"{prefix}-days": "5"}
    )
    assert response.status_code == 302
    action = CorrectiveAction.objects.get()
    page = as_head.get(url("detail", inspection.code)).content.decode()
    assert "Treo bảng quy tắc" in page and action.due_on.strftime("%d/%m/%Y") in page


def test_the_focal_point_answers_a_corrective_action_once_concluded(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    as_focal: Client,
    as_viewer: Client,
    as_outsider: Client,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    target = url("respond", inspection.code, action.pk)
    prefix = f"r{action.pk}"
    assert as_viewer.post(target, {f"{prefix}-response": "x"}).status_code == 403
    assert as_outsider.post(target, {f"{prefix}-response": "x"}).status_code == 404
    assert as_focal.post(target, {f"{prefix}-response": ""}).status_code == 400
    response = as_focal.post(
        target, {f"{prefix}-response": "Đã nhắc toàn cơ quan", f"{prefix}-done": "on"}
    )
    assert response.status_code == 302
    page = as_focal.get(url("detail", inspection.code)).content.decode()
    assert "Đã nhắc toàn cơ quan" in page and "Đã khắc phục" in page
    assert 'data-testid="observation-table"' in page and "Thực hiện đúng" in page
    assert AuditEvent.objects.filter(action="inspection.respond", actor=focal).exists()


def test_a_corrective_action_and_its_report_sent_twice_are_recorded_once(
    province: dict[str, Organisation], inspector: User, as_inspector: Client, as_focal: Client
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    detail = url("detail", inspection.code)
    prefix = f"a{breach.pk}"
    key = form_key(as_inspector.get(detail), f"{prefix}-once")
    data = {f"{prefix}-description": "Treo bảng quy tắc", f"{prefix}-days": "5"}
    target = url("add_action", inspection.code, breach.pk)
    first = as_inspector.post(target, {**data, f"{prefix}-once": key})
    second = as_inspector.post(target, {**data, f"{prefix}-once": key})
    assert first["Location"] == second["Location"] == detail
    action = CorrectiveAction.objects.get()
    assert said_already_sent(as_inspector, second)

    prefix = f"r{action.pk}"
    key = form_key(as_focal.get(detail), f"{prefix}-once")
    target = url("respond", inspection.code, action.pk)
    data = {f"{prefix}-response": "Đang treo bảng", f"{prefix}-once": key}
    first, second = as_focal.post(target, data), as_focal.post(target, data)
    assert first["Location"] == second["Location"] == detail
    assert AuditEvent.objects.filter(action="inspection.respond").count() == 1
    assert said_already_sent(as_focal, second)


def test_a_case_handler_without_inspection_rights_gets_no_link_to_the_inspection(
    province: dict[str, Organisation], inspector: User
) -> None:
    handler = client_for(make_user("xuly", Role.CASE_HANDLER, province["root"]))
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    case = services.open_case(breach, actor=inspector)
    page = handler.get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200
    assert url("detail", inspection.code) not in page.content.decode()
    assert handler.get(url("detail", inspection.code)).status_code == 403


def test_the_organisation_sees_no_findings_while_the_inspection_runs(
    province: dict[str, Organisation], inspector: User, as_head: Client
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    answer_all(inspection, inspector, breach=1)
    page = as_head.get(url("detail", inspection.code)).content.decode()
    assert "Cán bộ không đeo thẻ" not in page
    assert "sau khi có kết luận" in page
    assert Observation.objects.filter(result="breached").exists()


@pytest.mark.parametrize(
    ("name", "with_finding"),
    [
        ("checklist", False),
        ("start", False),
        ("conclude", False),
        ("cancel", False),
        ("open_case", True),
        ("add_action", True),
    ],
)
def test_every_team_action_is_hidden_from_an_outsider_and_refused_to_a_viewer_and_a_head(
    province: dict[str, Organisation],
    inspector: User,
    as_outsider: Client,
    as_viewer: Client,
    as_head: Client,
    name: str,
    with_finding: bool,
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    args = (inspection.code, breach.pk) if with_finding else (inspection.code,)
    assert as_outsider.post(url(name, *args), {}).status_code == 404
    assert as_viewer.post(url(name, *args), {}).status_code == 403
    assert as_head.post(url(name, *args), {}).status_code == 403
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS
    assert not Case.objects.exists() and not CorrectiveAction.objects.exists()
