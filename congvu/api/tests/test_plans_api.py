"""Plans and tasks through /api/v1/: scoped like the plan pages, written through the services.

The builders at the top are shared with the other planning API tests.
"""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import User
from congvu.conftest import client_for
from congvu.organisations.models import Organisation
from congvu.planning.models import Assignment, Plan, Task

PLANS = "/api/v1/plans"
TASKS = "/api/v1/tasks"


def make_plan(issuer: Organisation, number: str = "86/KH-UBND", **extra: Any) -> Plan:
    return Plan.objects.create(
        number=number,
        title=extra.pop("title", "Kế hoạch thực hiện văn hóa công vụ"),
        issuing_organisation=issuer,
        issued_on=extra.pop("issued_on", dt.date(2025, 1, 2)),
        **extra,
    )


def make_task(plan: Plan, code: str = "1", *assignees: Organisation, **extra: Any) -> Task:
    task = Task.objects.create(
        plan=plan,
        code=code,
        content=extra.pop("content", "Quán triệt quy tắc ứng xử đến toàn thể cán bộ"),
        starts_on=extra.pop("starts_on", dt.date(2025, 1, 2)),
        **extra,
    )
    task.assignees.set(assignees)
    return task


def make_assignment(
    task: Task,
    organisation: Organisation,
    *,
    period: str = "",
    due_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    progress: str = Assignment.Progress.NOT_STARTED,
) -> Assignment:
    due = due_on or timezone.localdate() + dt.timedelta(days=30)
    return Assignment.objects.create(
        task=task,
        organisation=organisation,
        period=period,
        period_start=dt.date(2025, 1, 1),
        period_end=max(due, dt.date(2025, 12, 31)),
        original_due_on=due,
        due_on=due,
        completed_on=completed_on,
        progress=progress,
        percent=100 if completed_on else (50 if progress == "in_progress" else 0),
    )


@pytest.fixture
def plan(province: dict[str, Organisation]) -> Plan:
    return make_plan(province["root"])


@pytest.fixture
def task(plan: Plan, province: dict[str, Organisation]) -> Task:
    return make_task(plan, "1", province["dept_justice"], province["commune"])


@pytest.fixture
def justice_plan(province: dict[str, Organisation]) -> Plan:
    """The department's own plan, derived from the province's: nothing to do with the commune."""
    return make_plan(
        province["dept_justice"],
        "12/KH-STP",
        title="Kế hoạch của Sở Tư pháp",
        issued_on=dt.date(2025, 3, 1),
    )


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


# --- reads --------------------------------------------------------------------------------


def test_officer_lists_every_plan_with_its_issuer(
    api_officer: Client, plan: Plan, justice_plan: Plan
) -> None:
    response = api_officer.get(PLANS)
    # Newest first.
    assert numbers(response) == ["12/KH-STP", "86/KH-UBND"]
    first = response.json()["items"][1]
    assert first["issuing_organisation"]["code"] == "H56"
    assert first["issued_on"] == "2025-01-02"
    assert first["has_document"] is False
    assert response.json()["count"] == 2


def test_head_sees_the_provincial_plan_above_their_department(
    api_head: Client, plan: Plan, justice_plan: Plan
) -> None:
    assert numbers(api_head.get(PLANS)) == ["12/KH-STP", "86/KH-UBND"]
    assert api_head.get(f"{PLANS}/{plan.pk}").json()["number"] == "86/KH-UBND"


def test_outsider_gets_404_for_another_departments_plan_and_its_tasks(
    api_outsider: Client, plan: Plan, justice_plan: Plan
) -> None:
    make_task(justice_plan, "1")
    assert numbers(api_outsider.get(PLANS)) == ["86/KH-UBND"]
    assert api_outsider.get(f"{PLANS}/{justice_plan.pk}").status_code == 404
    assert api_outsider.get(f"{PLANS}/{justice_plan.pk}/tasks").status_code == 404
    [hidden] = justice_plan.tasks.all()
    assert api_outsider.get(f"{TASKS}/{hidden.pk}").status_code == 404


def test_a_role_without_plan_view_gets_403(staff_user: User, justice_plan: Plan) -> None:
    client = client_for(staff_user)
    assert client.get(PLANS).status_code == 403
    # The department is theirs (visible) but plans are not for the self-only role.
    assert client.get(f"{PLANS}/{justice_plan.pk}").status_code == 403


def test_anonymous_callers_get_401(anonymous: Client, plan: Plan, task: Task) -> None:
    for url in (PLANS, f"{PLANS}/{plan.pk}", f"{PLANS}/{plan.pk}/tasks", f"{TASKS}/{task.pk}"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert response.json()["detail"]
    assert anonymous.post(PLANS, {}, content_type="application/json").status_code == 401


def test_a_missing_plan_is_404(api_officer: Client, db: Any) -> None:
    assert api_officer.get(f"{PLANS}/999999").status_code == 404


def test_plan_filters_by_issuer_subtree_and_dates(
    api_officer: Client, province: dict[str, Organisation], plan: Plan, justice_plan: Plan
) -> None:
    justice = province["dept_justice"].pk
    assert numbers(api_officer.get(PLANS, {"organisation": justice})) == ["12/KH-STP"]
    assert numbers(api_officer.get(PLANS, {"issued_after": "2025-01-03"})) == ["12/KH-STP"]
    assert numbers(api_officer.get(PLANS, {"issued_before": "2025-01-02"})) == ["86/KH-UBND"]
    assert api_officer.get(PLANS, {"issued_after": "02/01/2025"}).status_code == 422


def test_a_plans_tasks_list_their_organisations(
    api_head: Client, plan: Plan, task: Task, province: dict[str, Organisation]
) -> None:
    task.assignee_kinds.set([])
    task.coordinating_organisations.set([province["dept_home"]])
    response = api_head.get(f"{PLANS}/{plan.pk}/tasks")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["code"] == "1"
    assert [o["code"] for o in item["assignees"]] == ["H56.02", "H56.30"]
    assert [o["code"] for o in item["coordinating_organisations"]] == ["H56.01"]
    assert item["schedule"] == "once"
    assert item["starts_on"] == "2025-01-02"
    assert api_head.get(f"{TASKS}/{task.pk}").json()["content"].startswith("Quán triệt")


def test_task_list_filters_by_status(api_officer: Client, plan: Plan, task: Task) -> None:
    make_task(plan, "2", status=Task.Status.CLOSED)
    codes = [t["code"] for t in api_officer.get(f"{PLANS}/{plan.pk}/tasks").json()["items"]]
    assert codes == ["1", "2"]
    closed = api_officer.get(f"{PLANS}/{plan.pk}/tasks", {"status": "closed"}).json()["items"]
    assert [t["code"] for t in closed] == ["2"]


# --- writes -------------------------------------------------------------------------------


def new_plan(issuer: Organisation, **extra: Any) -> dict[str, Any]:
    return {
        "number": "05/KH-STP",
        "title": "Kế hoạch thực hiện văn hóa công vụ năm 2026",
        "issuing_organisation": issuer.pk,
        "issued_on": "2026-01-05",
    } | extra


def test_officer_creates_a_derived_plan(
    api_officer: Client, province: dict[str, Organisation], plan: Plan
) -> None:
    response = api_officer.post(
        PLANS, new_plan(province["dept_justice"], parent=plan.pk), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "05/KH-STP"
    assert body["parent_id"] == plan.pk
    assert body["issuing_organisation"]["code"] == "H56.02"
    assert Plan.objects.filter(number="05/KH-STP").exists()


def test_viewer_gets_403_creating_a_plan(
    api_viewer: Client, province: dict[str, Organisation]
) -> None:
    response = api_viewer.post(
        PLANS, new_plan(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Plan.objects.filter(number="05/KH-STP").exists()


def test_outsider_gets_404_creating_a_plan_for_another_department(
    api_outsider: Client, province: dict[str, Organisation]
) -> None:
    response = api_outsider.post(
        PLANS, new_plan(province["dept_justice"]), content_type="application/json"
    )
    assert response.status_code == 404


def test_a_duplicate_plan_number_is_a_422_on_that_field(
    api_officer: Client, province: dict[str, Organisation], plan: Plan
) -> None:
    response = api_officer.post(
        PLANS,
        new_plan(province["root"], number="86/KH-UBND"),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "number"]


def test_officer_adds_a_task_and_it_is_fanned_out_to_its_assignees(
    api_officer: Client, province: dict[str, Organisation], plan: Plan
) -> None:
    body = {
        "code": "2",
        "content": "Niêm yết quy tắc ứng xử tại bộ phận một cửa",
        "assignees": [province["dept_justice"].pk, province["commune"].pk],
        "due_on": "2026-12-31",
        "starts_on": "2026-01-01",
    }
    response = api_officer.post(f"{PLANS}/{plan.pk}/tasks", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert [o["code"] for o in response.json()["assignees"]] == ["H56.02", "H56.30"]
    task = Task.objects.get(plan=plan, code="2")
    assert sorted(task.assignments.values_list("organisation__code", "due_on")) == [
        ("H56.02", dt.date(2026, 12, 31)),
        ("H56.30", dt.date(2026, 12, 31)),
    ]


def test_a_task_naming_an_unknown_organisation_is_a_422(
    api_officer: Client, province: dict[str, Organisation], plan: Plan
) -> None:
    body = {"code": "2", "content": "Nội dung", "assignees": [999999], "due_on": "2026-12-31"}
    response = api_officer.post(f"{PLANS}/{plan.pk}/tasks", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assignees"]


def test_viewer_gets_403_adding_a_task_to_a_plan_they_see(
    api_viewer: Client, province: dict[str, Organisation], plan: Plan
) -> None:
    body = {"code": "2", "content": "Nội dung", "due_on": "2026-12-31"}
    response = api_viewer.post(f"{PLANS}/{plan.pk}/tasks", body, content_type="application/json")
    assert response.status_code == 403
    assert not Task.objects.filter(plan=plan, code="2").exists()


def test_officer_closes_a_task(api_officer: Client, task: Task) -> None:
    response = api_officer.post(f"{TASKS}/{task.pk}/close")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_head_gets_403_closing_a_provincial_task(api_head: Client, task: Task) -> None:
    assert api_head.post(f"{TASKS}/{task.pk}/close").status_code == 403


@pytest.mark.parametrize("schedule", ["once", "monthly", "yearly"])
def test_a_task_dated_outside_1990_2100_is_a_422_not_a_calendar_overflow(
    api_officer: Client, plan: Plan, schedule: str, province: dict[str, Organisation]
) -> None:
    for day in ("0001-01-01", "9999-12-01"):
        body = {
            "code": "X",
            "content": "Nội dung",
            "schedule": schedule,
            "starts_on": day,
            "due_on": day,
            "assignees": [province["dept_justice"].pk],
        }
        response = api_officer.post(
            f"{PLANS}/{plan.pk}/tasks", body, content_type="application/json"
        )
        assert response.status_code == 422, (day, response.content[:300])
        assert ["body", "payload", "starts_on"] in [
            error["loc"] for error in response.json()["detail"]
        ]
    assert not Task.objects.filter(code="X").exists()


def test_officer_changes_a_plans_title_and_detaches_it_from_its_parent(
    api_officer: Client, plan: Plan, justice_plan: Plan
) -> None:
    Plan.objects.filter(pk=justice_plan.pk).update(parent=plan)
    response = api_officer.patch(
        f"{PLANS}/{justice_plan.pk}",
        {"title": "Kế hoạch đã sửa", "parent": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["parent_id"]) == ("Kế hoạch đã sửa", None)
    assert response.json()["number"] == "12/KH-STP"


def test_viewer_gets_403_changing_a_plan(api_viewer: Client, justice_plan: Plan) -> None:
    response = api_viewer.patch(
        f"{PLANS}/{justice_plan.pk}", {"title": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_moving_a_tasks_deadline_moves_its_untouched_assignments(
    api_officer: Client, plan: Plan, province: dict[str, Organisation]
) -> None:
    body = {
        "code": "3",
        "content": "Nội dung",
        "assignees": [province["dept_justice"].pk],
        "starts_on": "2026-01-01",
        "due_on": "2026-06-30",
    }
    created = api_officer.post(f"{PLANS}/{plan.pk}/tasks", body, content_type="application/json")
    task_id = created.json()["id"]
    response = api_officer.patch(
        f"{TASKS}/{task_id}",
        {
            "due_on": "2026-09-30",
            "assignees": [province["dept_justice"].pk, province["commune"].pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["due_on"] == "2026-09-30"
    assert sorted(
        Assignment.objects.filter(task_id=task_id).values_list("organisation__code", "due_on")
    ) == [
        ("H56.02", dt.date(2026, 9, 30)),
        ("H56.30", dt.date(2026, 9, 30)),
    ]


def test_a_json_body_that_is_not_an_object_is_a_422(api_officer: Client, plan: Plan) -> None:
    response = api_officer.patch(f"{PLANS}/{plan.pk}", [None], content_type="application/json")
    assert response.status_code == 422


def test_the_officer_uploads_the_plans_document_and_a_viewer_cannot(
    api_officer: Client, api_viewer: Client, plan: Plan, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    from congvu.core.tests.media_helpers import AUTHOR, pdf_bytes

    def upload(client: Client, name: str, content: bytes | None = None) -> Any:
        document = SimpleUploadedFile(
            name, pdf_bytes() if content is None else content, content_type="application/pdf"
        )
        return client.post(f"/api/v1/plans/{plan.pk}/document", {"document": document})

    assert upload(api_viewer, "ke-hoach.pdf").status_code in (403, 404)
    refused = upload(api_officer, "ke-hoach.exe")
    assert refused.status_code == 422
    disguised = upload(api_officer, "ke-hoach.pdf", b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 422
    assert "ke-hoach.pdf" in disguised.json()["detail"][0]["msg"]
    plan.refresh_from_db()
    assert not plan.document
    response = upload(api_officer, "ke-hoach-86.pdf")
    assert response.status_code == 200, response.content
    assert response.json()["has_document"] is True
    plan.refresh_from_db()
    with plan.document.open("rb") as stored:
        assert AUTHOR.encode() not in stored.read()  # cleaned like the form's upload
