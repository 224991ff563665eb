"""The inspection's life: planning, the checklist, conclusion, findings, corrective actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case
from congvu.cases.selectors import handler_cases
from congvu.conduct.models import Clause, CodeVersion
from congvu.inspections import selectors, services, workflow
from congvu.inspections.models import CorrectiveAction, Inspection, Observation
from congvu.organisations.models import Organisation, StaffMember

from .conftest import PLANNED_ON, answer_all, conclude, concluded_with_breach, plan, start

S = Inspection.Status
R = Observation.Result

pytestmark = pytest.mark.usefixtures("catalogue")


def actions_of(inspection: Inspection) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="inspections.inspection", object_id=str(inspection.pk)
        )
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_planning_uses_the_province_code_version_in_force_and_gives_a_code(
    province: dict[str, Organisation], inspector: User, catalogue: CodeVersion
) -> None:
    inspection = plan(province["dept_justice"], inspector, purpose="Kiểm tra bộ phận một cửa")
    assert inspection.code.startswith("KT-") and len(inspection.code) == 11
    assert inspection.status == S.PLANNED
    assert inspection.code_version == catalogue
    assert actions_of(inspection) == ["inspection.plan"]


def test_planning_refuses_a_lead_who_may_not_inspect_there_and_saves_nothing(
    province: dict[str, Organisation], inspector: User, head: User
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plan_inspection(
            province["dept_justice"],
            actor=inspector,
            kind="unannounced",
            planned_on=None,
            lead=head,
        )
    assert set(exc.value.message_dict) == {"lead", "planned_on"}
    assert not Inspection.objects.exists()


def test_an_outsider_cannot_plan_and_a_head_is_refused(
    province: dict[str, Organisation], outsider: User, head: User, inspector: User
) -> None:
    with pytest.raises(Http404):
        plan(province["dept_justice"], outsider)
    with pytest.raises(PermissionDenied):
        services.plan_inspection(
            province["dept_justice"],
            actor=head,
            kind="scheduled",
            planned_on=PLANNED_ON,
            lead=inspector,
        )


def test_starting_builds_the_checklist_of_every_observable_clause(
    province: dict[str, Organisation], inspector: User, catalogue: CodeVersion
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    observable = Clause.objects.filter(section__version=catalogue, observable=True)
    assert observable.count() > 5
    assert set(inspection.observations.values_list("clause_id", flat=True)) == set(
        observable.values_list("pk", flat=True)
    )
    assert inspection.started_at is not None
    assert actions_of(inspection) == ["inspection.plan", "inspection.in_progress"]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (source, target)
        for source in S
        for target in S
        if target not in workflow.ALLOWED[source] and source != S.IN_PROGRESS
    ],
)
def test_every_move_outside_the_table_is_refused(
    province: dict[str, Organisation], inspector: User, source: S, target: S
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    Inspection.objects.filter(pk=inspection.pk).update(
        status=source, cancel_reason="x", conclusion="x"
    )
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(inspection, target, actor=inspector, conclusion="x", reason="x")


def test_a_breach_without_a_note_is_refused_and_nothing_is_saved(
    province: dict[str, Organisation], inspector: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first, second = inspection.observations.order_by("order")[:2]
    with pytest.raises(ValidationError) as exc:
        services.record_observations(
            inspection,
            [services.Answer(first.pk, R.KEPT), services.Answer(second.pk, R.BREACHED, "  ")],
            actor=inspector,
        )
    assert f"note-{second.pk}" in exc.value.message_dict
    assert not inspection.observations.exclude(result="").exists()


def test_a_staff_member_of_another_organisation_cannot_be_named(
    province: dict[str, Organisation], inspector: User
) -> None:
    from ...conftest import make_staff

    stranger = make_staff(province["commune"], "Lê Văn Xã", "XA-001")
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.first()
    assert first is not None
    with pytest.raises(ValidationError) as exc:
        services.record_observations(
            inspection,
            [services.Answer(first.pk, R.BREACHED, "Không đeo thẻ", stranger.pk)],
            actor=inspector,
        )
    assert f"staff-{first.pk}" in exc.value.message_dict


def test_concluding_is_refused_while_a_clause_has_no_answer(
    province: dict[str, Organisation], inspector: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    first = inspection.observations.order_by("order").first()
    assert first is not None
    services.record_observations(
        inspection, [services.Answer(first.pk, R.NOT_OBSERVED)], actor=inspector
    )
    missing = inspection.observations.filter(result="").count()
    with pytest.raises(ValidationError) as exc:
        conclude(inspection, inspector)
    assert f"Còn {missing} chuẩn mực chưa có kết quả" in exc.value.message_dict["observations"][0]
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS and inspection.conclusion == ""
    answer_all(inspection, inspector)
    assert conclude(inspection, inspector).status == S.CONCLUDED


def test_cancelling_needs_a_reason(province: dict[str, Organisation], inspector: User) -> None:
    inspection = plan(province["dept_justice"], inspector)
    with pytest.raises(ValidationError):
        workflow.transition(inspection, S.CANCELLED, actor=inspector, reason=" ")
    done = workflow.transition(inspection, S.CANCELLED, actor=inspector, reason="Trùng lịch")
    assert done.status == S.CANCELLED and done.cancel_reason == "Trùng lịch"


def test_an_unannounced_inspection_is_hidden_from_the_organisation_until_it_starts(
    province: dict[str, Organisation],
    inspector: User,
    head: User,
    focal: User,
    staff_user: User,
    officer: User,
) -> None:
    inspection = plan(province["dept_justice"], inspector, kind=Inspection.Kind.UNANNOUNCED)
    for user in (head, focal, staff_user):
        assert not Inspection.objects.visible_to(user).exists()
        with pytest.raises(Http404):
            selectors.get_inspection(user, inspection.code)
    for user in (inspector, officer):
        assert selectors.get_inspection(user, inspection.code) == inspection
    start(inspection, inspector)
    for user in (head, focal):
        assert selectors.get_inspection(user, inspection.code) == inspection
    with pytest.raises(PermissionDenied):
        selectors.get_inspection(staff_user, inspection.code)


def test_a_scheduled_inspection_is_announced_to_the_head_but_a_viewer_is_refused(
    province: dict[str, Organisation], inspector: User, head: User, viewer: User, outsider: User
) -> None:
    inspection = plan(province["dept_justice"], inspector)
    assert selectors.get_inspection(head, inspection.code) == inspection
    with pytest.raises(PermissionDenied):
        selectors.get_inspection(viewer, inspection.code)
    with pytest.raises(Http404):
        selectors.get_inspection(outsider, inspection.code)


def test_the_organisation_sees_the_findings_only_once_concluded(
    province: dict[str, Organisation], inspector: User, head: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    answer_all(inspection, inspector, breach=1)
    assert not selectors.may_see_findings(head, inspection)
    assert selectors.may_see_findings(inspector, inspection)
    inspection = conclude(inspection, inspector)
    assert selectors.may_see_findings(head, inspection)


def test_a_breach_opens_a_case_linked_back_and_visible_to_the_handlers(
    province: dict[str, Organisation],
    inspector: User,
    officer: User,
    head: User,
    staff_member: StaffMember,
) -> None:
    inspection, breach = concluded_with_breach(
        province["dept_justice"], inspector, staff_id=staff_member.pk
    )
    case = services.open_case(breach, actor=inspector)
    assert case.channel == Case.Channel.INSPECTION
    assert case.subject_staff == staff_member
    assert list(case.clauses.all()) == [breach.clause]
    assert inspection.code in case.description
    breach.refresh_from_db()
    assert breach.case == case
    assert handler_cases(officer).filter(pk=case.pk).exists()
    assert handler_cases(head).filter(pk=case.pk).exists()
    # Asking twice opens nothing new.
    assert services.open_case(breach, actor=inspector) == case
    assert Case.objects.count() == 1
    assert "inspection.open_case" in actions_of(inspection)


def test_only_a_breach_opens_a_case(province: dict[str, Organisation], inspector: User) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    kept = answer_all(inspection, inspector)[0]
    with pytest.raises(ValidationError):
        services.open_case(kept, actor=inspector)
    assert not Case.objects.exists()


def test_a_breach_with_a_case_cannot_be_turned_into_kept(
    province: dict[str, Organisation], inspector: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    services.open_case(breach, actor=inspector)
    with pytest.raises(ValidationError):
        services.record_observations(
            inspection, [services.Answer(breach.pk, R.KEPT)], actor=inspector
        )


def test_the_corrective_action_is_due_in_working_days_across_tet(
    province: dict[str, Organisation], inspector: User, monkeypatch: Any
) -> None:
    _, breach = concluded_with_breach(province["dept_justice"], inspector)
    # Friday 13/02/2026; Tết Bính Ngọ closes offices from Monday 16 to Friday 20/02.
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 2, 13))
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    assert action.due_on == dt.date(2026, 3, 6)  # 10 working days; calendar days would give 23/02
    shorter = services.add_corrective_action(
        breach, actor=inspector, description="Niêm yết quy tắc", days=3
    )
    assert shorter.due_on == dt.date(2026, 2, 25)


def test_the_default_term_comes_from_the_setting(settings: Any) -> None:
    settings.INSPECTIONS_CORRECTIVE_DAYS = 5
    assert services.corrective_due(dt.date(2026, 4, 24)) == dt.date(2026, 5, 6)


def test_the_organisation_answers_a_corrective_action_and_closes_it(
    province: dict[str, Organisation], inspector: User, focal: User, viewer: User
) -> None:
    _, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    with pytest.raises(PermissionDenied):
        services.respond(action, actor=viewer, response="Đã làm")
    with pytest.raises(ValidationError):
        services.respond(action, actor=focal, response="")
    answered = services.respond(action, actor=focal, response="Đã nhắc toàn cơ quan.", done=True)
    assert answered.status == CorrectiveAction.Status.DONE and answered.done_at is not None
    assert not answered.is_overdue(dt.date(2099, 1, 1))
    assert AuditEvent.objects.filter(action="inspection.respond", actor=focal).exists()


def test_a_corrective_action_past_its_date_is_overdue(
    province: dict[str, Organisation], inspector: User
) -> None:
    _, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    assert not action.is_overdue(action.due_on)
    assert action.is_overdue(action.due_on + dt.timedelta(days=1))


def test_the_organisation_cannot_answer_before_the_conclusion(
    province: dict[str, Organisation], inspector: User, focal: User
) -> None:
    inspection = start(plan(province["dept_justice"], inspector), inspector)
    breach = answer_all(inspection, inspector, breach=1)[0]
    action = services.add_corrective_action(breach, actor=inspector, description="Đeo thẻ")
    with pytest.raises(ValidationError):
        services.respond(action, actor=focal, response="Đã làm")


def test_planning_is_refused_when_no_clause_of_the_code_is_observable(
    province: dict[str, Organisation], inspector: User, catalogue: CodeVersion
) -> None:
    Clause.objects.filter(section__version=catalogue).update(observable=False)
    with pytest.raises(ValidationError) as exc:
        plan(province["dept_justice"], inspector)
    assert "không có chuẩn mực nào kiểm tra được" in exc.value.message_dict["organisation"][0]
    assert not Inspection.objects.exists()


def test_a_case_from_an_inspection_says_it_has_no_reporter_and_who_recorded_it(
    province: dict[str, Organisation], inspector: User, officer: User, staff_member: StaffMember
) -> None:
    # Not "Ẩn danh" under "Người phản ánh", as if a citizen had hidden their name.
    from congvu.conftest import client_for

    _, breach = concluded_with_breach(province["dept_justice"], inspector, staff_id=staff_member.pk)
    case = services.open_case(breach, actor=inspector)
    client = client_for(officer)
    html = client.get(f"/cases/{case.code}/").content.decode()
    reporter = html.split('data-testid="reporter">')[1].split("</p>")[0]
    assert "vụ việc mở từ kết quả kiểm tra công vụ" in reporter
    assert "Ẩn danh" not in reporter
    client.cookies.load({"congvu_lang": "en"})
    english = client.get(f"/cases/{case.code}/").content.decode()
    assert "No reporter: the case was opened from a public service inspection" in english
