"""A task newly given to organisations tells their heads and focal points: one notice per
person per action (however many organisations and periods it reached for them), not the
one who acted, not Home Affairs' oversight, not another organisation's people; nothing
for the next periods the daily sync adds nor for an organisation that already had the task;
an organisation created after the task is told when the daily sync gives it the task."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from congvu.accounts.models import Role, RoleGrant, User
from congvu.conftest import kind, make_user
from congvu.core import notices
from congvu.core.models import Notification
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation
from congvu.planning import services, task_import
from congvu.planning.models import Plan, Schedule, Task
from congvu.planning.new_tasks import KIND, first_due

from .test_task_import import GOOD, workbook

D = dt.date
TODAY = D(2026, 5, 10)


@pytest.fixture
def plan(province: dict[str, Organisation]) -> Plan:
    return Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch thực hiện Đề án Văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=D(2025, 3, 1),
    )


@pytest.fixture
def focal(province: dict[str, Organisation]) -> User:
    return make_user("focal", Role.FOCAL_POINT, province["dept_justice"])


def told(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=KIND).order_by("pk"))


def new_task(plan: Plan, actor: Any, organisations: list[Organisation], **fields: Any) -> Task:
    values: dict[str, Any] = {
        "code": "2",
        "content": "Ban hành quy tắc ứng xử của cán bộ, công chức tại cơ quan",
        "assignees": organisations,
        "due_on": D(2026, 9, 30),
        "starts_on": D(2026, 1, 1),
        "today": TODAY,
        **fields,
    }
    return services.create_task(plan, actor=actor, **values)


def test_a_new_task_tells_the_head_and_focal_point_of_each_organisation_once(
    plan: Plan,
    province: dict[str, Organisation],
    officer: User,
    head: User,
    focal: User,
    outsider: User,
    viewer: User,
) -> None:
    home_head = make_user("home.head", Role.HEAD, province["dept_home"])
    task = new_task(plan, officer, [province["dept_home"], province["dept_justice"]])
    [notice] = told(head)
    assert notice.title == (
        "Nhiệm vụ mới: 2. Ban hành quy tắc ứng xử của cán bộ, công chức tại cơ quan"
        " — hạn 30/09/2026"
    )
    assert notice.body == "Kế hoạch 86/KH-UBND.\nCơ quan thực hiện: Sở Tư pháp"
    assert notice.url == f"/assignments/?task={task.pk}"
    assert len(told(focal)) == 1
    assert told(home_head)[0].body.endswith("Cơ quan thực hiện: Sở Nội vụ")
    # Home Affairs oversees (and acted here), the commune was not given the task, a viewer
    # answers for nothing.
    assert told(officer) == told(outsider) == told(viewer) == []


def test_the_one_who_creates_the_task_is_not_told(
    plan: Plan, province: dict[str, Organisation], head: User, focal: User
) -> None:
    RoleGrant.objects.create(user=head, role=Role.HOME_AFFAIRS, organisation=province["root"])
    new_task(plan, head, [province["dept_justice"]])
    assert told(head) == []
    assert len(told(focal)) == 1


def test_a_recurring_task_to_many_organisations_is_one_notice_with_the_first_deadline_ahead(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User
) -> None:
    # The head answers for the department and its division: two organisations, and the
    # quarters of 2026 for each: still one notice, naming the next deadline, not a past one.
    task = new_task(
        plan,
        officer,
        [province["dept_justice"], province["division_justice"]],
        schedule=Schedule.QUARTERLY,
        due_on=None,
    )
    assert task.assignments.count() > 2
    [notice] = told(head)
    assert notice.title.endswith("— hạn 30/06/2026")
    assert notice.body.endswith("Cơ quan thực hiện: Sở Tư pháp, Phòng Hành chính tư pháp")


def test_the_first_deadline_named_is_the_next_one_or_the_last_when_all_are_past() -> None:
    dues = [D(2026, 3, 31), D(2026, 6, 30), D(2026, 9, 30)]
    assert first_due(dues, D(2026, 5, 10)) == D(2026, 6, 30)
    assert first_due(dues, D(2026, 6, 30)) == D(2026, 6, 30)
    assert first_due(dues, D(2026, 12, 1)) == D(2026, 9, 30)


def test_a_change_tells_only_the_organisations_newly_given_the_task(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User, outsider: User
) -> None:
    task = new_task(plan, officer, [province["dept_justice"]])
    services.update_task(
        task,
        actor=officer,
        today=TODAY,
        due_on=D(2026, 10, 31),
        assignees=[province["dept_justice"], province["commune"]],
    )
    assert len(told(head)) == 1  # a new deadline is not a new task
    [notice] = told(outsider)
    assert notice.title.endswith("— hạn 31/10/2026")


def test_a_draft_tells_nobody_until_it_is_activated(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User
) -> None:
    task = new_task(plan, officer, [province["dept_justice"]], status=Task.Status.DRAFT)
    assert told(head) == []
    services.update_task(task, actor=officer, today=TODAY, status=Task.Status.ACTIVE)
    assert len(told(head)) == 1


def test_the_daily_sync_tells_nobody_of_the_next_periods(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User
) -> None:
    new_task(
        plan,
        officer,
        [province["dept_justice"]],
        schedule=Schedule.QUARTERLY,
        due_on=None,
        today=D(2026, 1, 15),
    )
    assert len(told(head)) == 1
    assert services.sync_all_tasks(today=D(2026, 11, 20)) > 0
    assert len(told(head)) == 1


def test_the_daily_sync_tells_an_organisation_created_after_the_task_once(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User, outsider: User
) -> None:
    # A task for every commune; a commune created later gets it from the daily sync.
    services.create_task(
        plan,
        actor=officer,
        code="1",
        content="Quán triệt Quyết định 1847 đến toàn thể cán bộ",
        assign_to=Task.AssignTo.KINDS,
        assignee_kinds=[kind("commune_pc")],
        due_on=D(2026, 6, 30),
        starts_on=D(2026, 1, 1),
        today=TODAY,
    )
    assert len(told(outsider)) == 1  # the commune An Bình's head, at creation
    new_commune = org_services.create_organisation(
        actor=None,
        code="H56.31",
        name="Ủy ban nhân dân xã Tân Phong",
        kind=kind("commune_pc"),
        parent=province["root"],
        valid_from=D(2026, 5, 1),
    )
    new_head = make_user("tanphong.head", Role.HEAD, new_commune)
    assert services.sync_all_tasks(today=TODAY) == 1
    [notice] = told(new_head)
    assert notice.title.startswith("Nhiệm vụ mới: 1. Quán triệt Quyết định 1847")
    assert notice.body.endswith("Cơ quan thực hiện: Ủy ban nhân dân xã Tân Phong")
    assert len(told(outsider)) == 1 and told(head) == []
    assert services.sync_all_tasks(today=TODAY) == 0
    assert len(told(new_head)) == 1


def test_a_refused_task_tells_nobody(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User
) -> None:
    new_task(plan, officer, [province["dept_justice"]])
    with pytest.raises(ValidationError):  # the same number twice: refused
        new_task(plan, officer, [province["dept_justice"]])
    assert len(told(head)) == 1


def test_an_imported_table_is_one_notice_per_person_with_the_tasks_listed(
    province: dict[str, Organisation], officer: User, head: User, outsider: User
) -> None:
    plan = Plan.objects.create(
        number="12/KH-UBND",
        title="Kế hoạch năm 2026",
        issuing_organisation=province["root"],
        issued_on=D(2026, 1, 10),
    )
    home_head = make_user("home.head", Role.HEAD, province["dept_home"])
    preview = task_import.commit(plan, task_import.read_rows(workbook(GOOD)), actor=officer)
    assert preview.error_count == 0 and Task.objects.filter(plan=plan).count() == 3
    [notice] = told(home_head)  # tasks 1, 2 and 3 reach the Department of Home Affairs
    assert notice.title == "3 nhiệm vụ mới của kế hoạch 12/KH-UBND"
    assert notice.url == f"/assignments/?plan={plan.pk}"
    lines = notice.body.splitlines()
    assert lines[0] == "Cơ quan thực hiện: Sở Nội vụ"
    assert lines[2].startswith("- 1. Quán triệt Quyết định 1847") and lines[2].endswith(
        "— hạn 31/03/2026"
    )
    assert [line[:4] for line in lines[2:]] == ["- 1.", "- 2.", "- 3."]
    assert len(told(head)) == 1 and told(head)[0].title.startswith("2 nhiệm vụ mới")
    assert len(told(outsider)) == 1
    assert told(officer) == []


def test_the_notices_are_worded_in_english_for_an_english_reader(
    plan: Plan, province: dict[str, Organisation], officer: User, head: User
) -> None:
    new_task(plan, officer, [province["dept_justice"]])
    with translation.override("en"):
        title, body = notices.worded(told(head)[0])
    assert title == (
        "New task: 2. Ban hành quy tắc ứng xử của cán bộ, công chức tại cơ quan — due 30/09/2026"
    )
    assert body == "Plan 86/KH-UBND.\nOrganisation(s) to carry it out: Sở Tư pháp"
    several = Plan.objects.create(
        number="12/KH-UBND",
        title="Kế hoạch năm 2026",
        issuing_organisation=province["root"],
        issued_on=D(2026, 1, 10),
    )
    task_import.commit(several, task_import.read_rows(workbook(GOOD)), actor=officer)
    with translation.override("en"):
        title, body = notices.worded(told(head)[-1])
    assert title == "2 new tasks of plan 12/KH-UBND"
    assert "- 1. Quán triệt Quyết định 1847 đến toàn thể cán bộ — due 31/03/2026" in body


def test_each_notice_is_mailed_once_after_the_commit(
    plan: Plan,
    province: dict[str, Organisation],
    officer: User,
    head: User,
    focal: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    head.email, focal.email = "head@example.vn", "focal@example.vn"
    head.save(update_fields=["email"])
    focal.mail_notices = False  # turned e-mails off: the notice stays in the app
    focal.save(update_fields=["email", "mail_notices"])
    with django_capture_on_commit_callbacks(execute=True):
        new_task(plan, officer, [province["dept_justice"]])
    assert [message.to for message in mail.outbox] == [["head@example.vn"]]
    assert mail.outbox[0].subject.startswith("[Công vụ] Nhiệm vụ mới: 2. Ban hành")
    assert len(told(focal)) == 1


def test_many_organisations_are_told_in_a_few_queries(
    plan: Plan,
    province: dict[str, Organisation],
    officer: User,
    django_assert_max_num_queries: Any,
) -> None:
    from congvu.organisations import services as org_services

    communes = [
        org_services.create_organisation(
            actor=None,
            code=f"H56.9{n:02d}",
            name=f"UBND xã {n}",
            kind=kind("commune_pc"),
            parent=province["root"],
            valid_from=D(2025, 1, 1),
        )
        for n in range(30)
    ]
    for n, commune in enumerate(communes):
        make_user(f"commune.head.{n}", Role.HEAD, commune)
    with django_assert_max_num_queries(40):
        new_task(plan, officer, communes)
    assert Notification.objects.filter(kind=KIND).count() == 30
