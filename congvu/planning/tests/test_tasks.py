import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape

from congvu.audit.models import AuditEvent
from congvu.conftest import form_key, kind, page_form, said_already_sent, said_changed_meanwhile
from congvu.organisations import restructuring
from congvu.organisations import services as org_services
from congvu.planning import services
from congvu.planning.models import Assignment, AssignmentRollup, Plan, Schedule, Task
from congvu.planning.tasks import sync_assignments

D = dt.date
TODAY = D(2026, 5, 10)


@pytest.fixture
def plan(province):
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch thực hiện Đề án Văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=D(2025, 3, 1),
    )


def by_kinds(plan, *codes, **fields):
    values = {
        "code": "1",
        "content": "Quán triệt Quyết định 1847 đến toàn thể cán bộ",
        "assign_to": Task.AssignTo.KINDS,
        "assignee_kinds": [kind(code) for code in codes],
        "schedule": Schedule.ONCE,
        "due_on": D(2026, 6, 30),
        "starts_on": D(2026, 1, 1),
        "today": TODAY,
    }
    values.update(fields)
    return services.create_task(plan, actor=None, **values)


def keys(task):
    return sorted(
        (a.organisation.code, a.period, a.due_on)
        for a in task.assignments.select_related("organisation")
    )


def test_a_named_task_gives_each_named_organisation_one_assignment(plan, province, officer):
    task = services.create_task(
        plan,
        actor=officer,
        code="2",
        content="Ban hành quy tắc ứng xử",
        assignees=[province["dept_home"], province["dept_justice"]],
        due_on=D(2026, 9, 30),
        starts_on=D(2026, 1, 1),
        today=TODAY,
    )
    assert keys(task) == [("H56.01", "", D(2026, 9, 30)), ("H56.02", "", D(2026, 9, 30))]
    assert AuditEvent.objects.filter(action="planning.task_create").count() == 1
    rollup = AssignmentRollup.objects.get(organisation=province["dept_home"], plan=plan)
    assert rollup.total == 1


def test_a_named_task_without_assignees_goes_to_its_lead_organisation(plan, province):
    task = services.create_task(
        plan,
        actor=None,
        code="9",
        content="Kiểm tra công vụ",
        lead_organisation=province["dept_home"],
        schedule=Schedule.YEARLY,
        due_month=12,
        due_day=15,
        starts_on=D(2026, 1, 1),
        today=TODAY,
    )
    assert keys(task) == [("H56.01", "2026", D(2026, 12, 15)), ("H56.01", "2027", D(2027, 12, 15))]


def test_a_task_by_kinds_reaches_every_organisation_of_those_kinds_under_the_issuer(plan, province):
    task = by_kinds(plan, "department", "commune_pc")
    assert [code for code, _p, _d in keys(task)] == ["H56.01", "H56.02", "H56.30"]


def test_a_recurring_task_gives_one_assignment_per_organisation_and_period(plan, province):
    task = by_kinds(
        plan, "commune_pc", code="5", schedule=Schedule.QUARTERLY, due_on=None, due_day=25
    )
    assert keys(task) == [
        ("H56.30", "2026-Q1", D(2026, 3, 25)),
        ("H56.30", "2026-Q2", D(2026, 6, 25)),
        ("H56.30", "2026-Q3", D(2026, 9, 25)),
    ]


def test_in_english_a_task_for_kinds_names_the_kinds_in_english(as_officer, plan, province):
    task = by_kinds(plan, "department", "commune_pc")
    as_officer.cookies["congvu_lang"] = "en"
    html = as_officer.get(reverse("planning:task_detail", args=[task.pk])).content.decode()
    assert f"Every organisation of type: {kind('department').name_en};" in html
    assert escape(kind("commune_pc").name_en) in html
    assert kind("department").name not in html
    plan_html = as_officer.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert kind("department").name_en in plan_html


def test_fanning_out_again_creates_nothing_new(plan, province):
    task = by_kinds(plan, "department")
    assert services.fan_out(task, today=TODAY) == 0
    assert task.assignments.count() == 2


def test_an_organisation_created_later_gets_its_assignment_on_the_next_sync(plan, province):
    task = by_kinds(plan, "commune_pc", schedule=Schedule.YEARLY, due_on=None, due_month=11)
    new_commune = org_services.create_organisation(
        actor=None,
        code="H56.31",
        name="Ủy ban nhân dân phường Hiến Nam",
        kind=kind("commune_pc"),
        parent=province["root"],
        valid_from=D(2026, 4, 1),
    )
    assert not task.assignments.filter(organisation=new_commune).exists()
    assert services.sync_all_tasks(today=TODAY) == 2
    assert sorted(
        task.assignments.filter(organisation=new_commune).values_list("period", flat=True)
    ) == [
        "2026",
        "2027",
    ]


def test_a_closed_organisation_gets_nothing_for_periods_after_it_closed(plan, province):
    restructuring.dissolve_organisation(province["commune"], actor=None, effective=D(2026, 4, 1))
    task = by_kinds(
        plan, "commune_pc", schedule=Schedule.QUARTERLY, due_on=None, starts_on=D(2026, 1, 1)
    )
    assert [period for _c, period, _d in keys(task)] == ["2026-Q1"]


def test_an_assignment_keeps_the_organisation_it_was_made_for_after_a_rename(plan, province):
    task = by_kinds(plan, "commune_pc")
    before = task.assignments.get()
    restructuring.rename_organisation(
        province["commune"], actor=None, name="UBND phường An Bình", effective=D(2026, 5, 1)
    )
    services.sync_all_tasks(today=TODAY)
    assert list(task.assignments.all()) == [before]


def test_updating_a_task_moves_untouched_deadlines_and_keeps_started_work(plan, province):
    task = by_kinds(plan, "department")
    started = task.assignments.get(organisation=province["dept_home"])
    started.progress = Assignment.Progress.IN_PROGRESS
    started.save()
    services.update_task(task, actor=None, due_on=D(2026, 7, 31), today=TODAY)
    due = dict(task.assignments.values_list("organisation__code", "due_on"))
    assert due == {"H56.01": D(2026, 6, 30), "H56.02": D(2026, 7, 31)}
    services.update_task(task, actor=None, assignee_kinds=[kind("commune_pc")], today=TODAY)
    assert sorted(task.assignments.values_list("organisation__code", flat=True)) == [
        "H56.01",
        "H56.30",
    ]


def test_closing_a_task_removes_untouched_future_periods_and_stops_the_sync(plan, province):
    task = by_kinds(plan, "department", schedule=Schedule.MONTHLY, due_on=None)
    assert task.assignments.filter(period="2026-06").count() == 2
    services.close_task(task, actor=None, today=TODAY)
    assert not task.assignments.filter(period="2026-06").exists()
    assert task.assignments.filter(period="2026-05").count() == 2
    assert services.sync_all_tasks(today=D(2026, 8, 1)) == 0


def test_the_daily_background_task_runs_the_sync(plan, province):
    task = by_kinds(plan, "department", schedule=Schedule.YEARLY, due_on=None)
    task.assignments.all().delete()
    sync_assignments.call()
    assert task.assignments.exists()


def test_task_errors_are_bilingual_and_write_nothing(plan, province):
    with pytest.raises(ValidationError) as caught:
        services.create_task(
            plan, actor=None, code="1", content="Nhiệm vụ", assignees=[province["commune"]]
        )
    assert " / " in caught.value.messages[0]
    by_kinds(plan, "department")
    with pytest.raises(ValidationError):
        by_kinds(plan, "commune_pc")  # the same code again
    with pytest.raises(ValidationError):
        by_kinds(plan, code="7")  # no kinds
    assert Task.objects.count() == 1


def test_only_plan_managers_may_write_tasks(justice_plan, province, viewer, outsider):
    fields = {"code": "1", "content": "x", "due_on": D(2026, 6, 30), "starts_on": D(2026, 1, 1)}
    with pytest.raises(PermissionDenied):
        services.create_task(
            justice_plan, actor=viewer, assignees=[province["dept_justice"]], **fields
        )
    with pytest.raises(Http404):
        services.create_task(
            justice_plan, actor=outsider, assignees=[province["commune"]], **fields
        )
    assert not Task.objects.exists()


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def justice_plan(province):
    """A plan of Sở Tư pháp: the outsider (a commune) neither issues nor receives it."""
    return Plan.objects.create(
        number="12/KH-STP",
        title="Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=D(2025, 3, 1),
    )


@pytest.fixture
def justice_task(justice_plan, province):
    return services.create_task(
        justice_plan,
        actor=None,
        code="1",
        content="Niêm yết chuẩn mực ứng xử tại phòng tiếp dân",
        assignees=[province["division_justice"]],
        schedule=Schedule.QUARTERLY,
        starts_on=D(2025, 1, 1),
    )


def task_post(province, **overrides):
    data = {
        "code": "2",
        "content": "Tự kiểm tra việc chấp hành kỷ luật hành chính",
        "deliverable": "Biên bản",
        "lead_organisation": province["dept_justice"].pk,
        "assign_to": "named",
        "assignees": [province["dept_justice"].pk],
        "schedule": "quarterly",
        "due_day": "25",
        "starts_on": "2026-01-01",
        "status": "active",
    }
    data.update(overrides)
    return data


def test_the_task_page_lists_assignments_with_the_government_status(as_officer, justice_task):
    Assignment.objects.filter(task=justice_task, period="2025-Q1").update(
        completed_on=D(2025, 4, 20)
    )
    response = as_officer.get(reverse("planning:task_detail", args=[justice_task.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Hoàn thành trễ hạn" in text
    assert "Quá hạn" in text
    first = justice_task.assignments.first()
    assert reverse("assignments:detail", args=[first.pk]) in text


def test_the_task_page_filters_by_status_period_and_kind(as_officer, justice_task):
    url = reverse("planning:task_detail", args=[justice_task.pk])
    response = as_officer.get(url, {"period": "2025-Q2", "state": "overdue"})
    assert response.context["page"].paginator.count == 1
    response = as_officer.get(url, {"kind": kind("commune_pc").pk})
    assert response.context["page"].paginator.count == 0
    assert as_officer.get(url, {"state": "nonsense"}).status_code == 200


def test_the_task_page_is_404_for_an_outsider(as_outsider, justice_task):
    url = reverse("planning:task_detail", args=[justice_task.pk])
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.get(reverse("planning:task_edit", args=[justice_task.pk])).status_code == 404


def test_a_viewer_sees_the_task_but_may_not_change_it(as_viewer, justice_task, province):
    assert as_viewer.get(reverse("planning:task_detail", args=[justice_task.pk])).status_code == 200
    edit = reverse("planning:task_edit", args=[justice_task.pk])
    assert as_viewer.get(edit).status_code == 403
    assert as_viewer.post(edit, task_post(province)).status_code == 403
    close = reverse("planning:task_close", args=[justice_task.pk])
    assert as_viewer.post(close).status_code == 403
    new = reverse("planning:task_create", args=[justice_task.plan_id])
    assert as_viewer.post(new, task_post(province)).status_code == 403
    assert Task.objects.count() == 1


def test_an_officer_adds_a_task_and_it_is_fanned_out(as_officer, justice_plan, province):
    url = reverse("planning:task_create", args=[justice_plan.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(url, task_post(province))
    task = Task.objects.get(plan=justice_plan, code="2")
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:task_detail", args=[task.pk])
    assert task.assignments.filter(organisation=province["dept_justice"]).exists()


def test_a_task_sent_twice_is_added_once_and_both_lead_to_it(as_officer, justice_plan, province):
    # A double tap, or Back and "Lưu" again: the page's form is sent twice.
    url = reverse("planning:task_create", args=[justice_plan.pk])
    data = task_post(province, once=form_key(as_officer.get(url)))
    first, second = as_officer.post(url, data), as_officer.post(url, data)
    task = Task.objects.get(plan=justice_plan, code="2")
    assert (
        first["Location"] == second["Location"] == reverse("planning:task_detail", args=[task.pk])
    )
    assert said_already_sent(as_officer, second)


def test_a_bad_task_form_keeps_the_input_and_says_why(as_officer, justice_plan, province):
    url = reverse("planning:task_create", args=[justice_plan.pk])
    response = as_officer.post(
        url, task_post(province, schedule="once", due_day="", content="Nội dung giữ lại")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nội dung giữ lại" in text
    assert "A one-off task needs a deadline" in text
    assert not Task.objects.exists()


def test_an_officer_edits_and_closes_a_task(as_officer, justice_task, province):
    url = reverse("planning:task_edit", args=[justice_task.pk])
    assert as_officer.get(url).status_code == 200
    response = as_officer.post(url, task_post(province, code="1", content="Nội dung mới"))
    assert response.status_code == 302
    justice_task.refresh_from_db()
    assert justice_task.content == "Nội dung mới"
    as_officer.post(reverse("planning:task_close", args=[justice_task.pk]))
    justice_task.refresh_from_db()
    assert justice_task.status == Task.Status.CLOSED


def test_a_task_saved_from_a_page_someone_else_saved_since_is_refused_and_keeps_the_input(
    as_officer, justice_task, province
):
    justice_task.assignees.set([province["dept_justice"]])  # one the form offers
    url = reverse("planning:task_edit", args=[justice_task.pk])
    tab_a, tab_b = page_form(as_officer.get(url)), page_form(as_officer.get(url))
    assert as_officer.post(url, {**tab_b, "content": "Nội dung do B sửa"}).status_code == 302
    refused = as_officer.post(url, {**tab_a, "deliverable": "Báo cáo do A thêm"})
    assert refused.status_code == 400 and said_changed_meanwhile(refused)
    assert "Báo cáo do A thêm" in refused.content.decode()
    assert escape("hiện là: «Nội dung do B sửa»") in refused.content.decode()
    justice_task.refresh_from_db()
    assert (justice_task.content, justice_task.deliverable) == ("Nội dung do B sửa", "")
    # The re-drawn form, sent again after review, goes through.
    again = page_form(refused)
    assert again["deliverable"] == "Báo cáo do A thêm"
    assert as_officer.post(url, {**again, "content": "Nội dung do B sửa"}).status_code == 302
    justice_task.refresh_from_db()
    assert (justice_task.content, justice_task.deliverable) == (
        "Nội dung do B sửa",
        "Báo cáo do A thêm",
    )


def test_a_task_dated_far_from_our_time_is_refused_with_a_clear_error(province, officer):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from congvu.planning import services
    from congvu.planning.models import Plan, Task

    plan = Plan.objects.create(
        number="2/KH",
        title="x",
        issuing_organisation=province["root"],
        issued_on=dt.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        services.create_task(
            plan,
            actor=officer,
            code="1",
            content="Nhiệm vụ",
            assignees=[province["commune"]],
            starts_on=dt.date(2026, 1, 1),
            due_on=dt.date(9999, 12, 31),
        )
    assert "due_on" in error.value.message_dict
    assert not Task.objects.filter(plan=plan).exists()


def test_a_yearly_date_no_year_has_is_refused(plan):
    with pytest.raises(ValidationError) as refused:
        by_kinds(plan, "department", schedule=Schedule.YEARLY, due_on=None, due_month=2, due_day=31)
    assert refused.value.message_dict["due_day"] == [
        "Tháng 2 không có ngày 31. / Month 2 has no day 31."
    ]
    assert not Task.objects.exists()
    leap = by_kinds(
        plan, "department", schedule=Schedule.YEARLY, due_on=None, due_month=2, due_day=29
    )
    assert leap.due_day == 29
