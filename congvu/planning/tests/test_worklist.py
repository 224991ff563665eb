"""The home page's work list, planning's part: assignments, confirmations, extensions,
the code of conduct to acknowledge."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from congvu.accounts.models import Role, RoleGrant, User
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, make_user
from congvu.core import worklist
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember
from congvu.planning import progress
from congvu.planning.models import Assignment, Task

from .test_progress_helpers import days, focal_point, make_assignment, make_plan


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def test_a_focal_point_sees_the_overdue_and_the_soon_due_assignments_of_their_organisation(
    province: dict[str, Organisation],
) -> None:
    plan = make_plan(province["root"])
    late = make_assignment(plan, province["dept_justice"], code="1", due=days(-3))
    soon = make_assignment(plan, province["dept_justice"], code="2", due=days(1))
    make_assignment(plan, province["dept_justice"], code="3", due=days(60))  # not yet
    make_assignment(plan, province["commune"], code="4", due=days(-3))  # not theirs
    user = focal_point(province["dept_justice"])

    work = work_of(user)

    overdue = work["planning.assignments_overdue"]
    assert (overdue.count, overdue.urgency) == (1, worklist.OVERDUE)
    assert overdue.entries[0].url == f"/assignments/{late.pk}/"
    assert overdue.entries[0].due_on == late.due_on
    assert "Sở Tư pháp" in overdue.entries[0].text
    assert "quán triệt" in overdue.entries[0].text  # the task's content, not only its code
    assert work["planning.assignments_due_soon"].entries[0].url == f"/assignments/{soon.pk}/"
    # The list it links to shows them.
    page = client_for(user).get(overdue.url)
    assert page.status_code == 200
    assert f"/assignments/{late.pk}/" in page.content.decode()


def test_a_head_sees_completions_to_confirm_and_home_affairs_does_not(
    province: dict[str, Organisation], head: User, officer: User
) -> None:
    plan = make_plan(province["root"])
    done = make_assignment(
        plan,
        province["dept_justice"],
        progress=Assignment.Progress.DONE,
        percent=100,
        completed_on=days(-1),
    )
    item = work_of(head)["planning.completions_to_confirm"]
    assert item.count == 1
    assert item.entries[0].url == f"/assignments/{done.pk}/"
    # The list behind the link filters on it.
    page = client_for(head).get(item.url).content.decode()
    assert f"/assignments/{done.pk}/" in page
    # Home Affairs may confirm anywhere, but confirming is the head's own duty.
    assert "planning.completions_to_confirm" not in work_of(officer)

    progress.confirm_completion(done, actor=head)
    assert "planning.completions_to_confirm" not in work_of(head)


def test_the_assigning_side_sees_extension_requests_waiting_for_a_decision(
    province: dict[str, Organisation], officer: User, head: User
) -> None:
    plan = make_plan(province["root"])
    assignment = make_assignment(plan, province["dept_justice"], due=days(5))
    progress.request_extension(
        assignment, actor=head, requested_due_on=days(30), reason="Chờ ý kiến của Bộ."
    )
    item = work_of(officer)["planning.extensions_to_decide"]
    assert item.count == 1
    assert item.url == "/assignments/extensions/"
    assert days(30).strftime("%d/%m/%Y") in item.entries[0].text
    assert "planning.extensions_to_decide" not in work_of(head)  # asked, not deciding


def test_a_staff_member_is_asked_to_confirm_the_code_until_they_do(
    province: dict[str, Organisation], staff_user: User, staff_member: StaffMember
) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    item = work_of(staff_user)["planning.code_to_acknowledge"]
    assert (item.count, item.url) == (1, "/dissemination/acknowledge/")

    response = client_for(staff_user).post("/dissemination/acknowledge/", {"confirm": "on"})
    assert response.status_code == 302
    assert "planning.code_to_acknowledge" not in work_of(staff_user)


def test_nothing_for_a_viewer_and_the_home_page_says_so(
    province: dict[str, Organisation], viewer: User
) -> None:
    plan = make_plan(province["root"])
    make_assignment(plan, province["dept_justice"], due=days(-3))
    assert work_of(viewer) == {}
    page = client_for(viewer).get("/").content.decode()
    assert "Hiện không có việc nào chờ bạn." in page


def test_a_head_of_the_province_without_subtree_sees_only_their_own_organisation(
    province: dict[str, Organisation],
) -> None:
    plan = make_plan(province["root"])
    make_assignment(plan, province["dept_justice"], due=days(-3))
    user = make_user("head.root", Role.HEAD, province["root"])
    RoleGrant.objects.filter(user=user).update(include_subtree=False)
    assert "planning.assignments_overdue" not in work_of(user)


def test_the_overdue_count_covers_the_whole_subtree_in_a_fixed_number_of_queries(
    province: dict[str, Organisation], head: User
) -> None:
    # Counted organisation by organisation (SQLite's planner walked the province's open
    # work otherwise: docs/benchmarks.md), so the count must still be the list's.
    plan = make_plan(province["root"])
    make_assignment(plan, province["dept_justice"], code="1", due=days(-3))
    older = make_assignment(plan, province["division_justice"], code="2", due=days(-10))
    make_assignment(
        plan,
        province["dept_justice"],
        code="3",
        due=days(-2),
        progress=Assignment.Progress.DONE,
        percent=100,
        completed_on=days(-1),
    )  # done, if late
    make_assignment(plan, province["commune"], code="4", due=days(-3))  # another's
    closed = make_assignment(plan, province["dept_justice"], code="5", due=days(-4))
    Task.objects.filter(pk=closed.task_id).update(status=Task.Status.CLOSED)

    def overdue() -> tuple[worklist.Item, int]:
        fresh = User.objects.get(pk=head.pk)
        with CaptureQueriesContext(connection) as queries:
            items = worklist.providers()["planning"](fresh, timezone.localdate())
        found = {item.key: item for item in items}["planning.assignments_overdue"]
        return found, len(queries.captured_queries)

    item, queries = overdue()
    assert item.count == 2
    assert item.entries[0].url == f"/assignments/{older.pk}/"  # the oldest first
    page = client_for(head).get(item.url).content.decode()
    assert f"/assignments/{older.pk}/" in page

    for number in range(4):
        unit = org_services.create_organisation(
            actor=None,
            code=f"H56.02.1{number}",
            name=f"Trung tâm trợ giúp pháp lý số {number}",
            kind=OrganisationKind.objects.get(code="public_service_unit"),
            parent=province["dept_justice"],
            valid_from=days(-400),
        )
        make_assignment(plan, unit, code="1", due=days(-1))
    item, more_queries = overdue()
    assert item.count == 6
    assert more_queries == queries
