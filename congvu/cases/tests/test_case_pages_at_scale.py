"""The case list and the dashboard ask the database a fixed number of times, however many
cases and assignees they show: the assignees' grants are read together, the working-day
calendar once per page. And they still tell the same things (who must be replaced, which
deadlines are near)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role, RoleGrant, User
from congvu.conftest import client_for, make_user
from congvu.core.models import WorkingDayOverride
from congvu.organisations.models import Organisation, StaffMember

from .. import assignment, clocks
from ..models import Case, Track
from .office_helpers import file_report, make_case_handler, media  # noqa: F401

LIST = reverse("cases:list")
DASHBOARD = reverse("cases:dashboard")
HANDLERS = 8


@pytest.fixture
def crowd(head: User, staff_member: StaffMember, province: dict[str, Organisation]) -> list[Case]:
    """Two cases per handler, eight handlers; the last three lose their role; deadlines
    spread from overdue to far away, across the tracks; a provincial day off next week."""
    today = timezone.localdate()
    WorkingDayOverride.objects.create(
        date=today + dt.timedelta(days=2), is_working_day=False, reason="Nghỉ bù"
    )
    tracks = [Track.FEEDBACK, Track.COMPLAINT, Track.DENUNCIATION]
    cases: list[Case] = []
    for n in range(HANDLERS):
        handler = make_case_handler(province["dept_justice"], full_name=f"Cán bộ xử lý {n}")
        handler.username = f"handler{n}"
        handler.save(update_fields=["username"])
        for k in range(2):
            case = file_report(staff=staff_member, track=tracks[(n + k) % 3])
            assignment.assign(case, assignee=handler, actor=head)
            Case.objects.filter(pk=case.pk).update(
                acknowledge_due=today + dt.timedelta(days=(2 * n + k) - 3)
            )
            cases.append(case)
    RoleGrant.objects.filter(user__username__in=[f"handler{n}" for n in range(5, 8)]).delete()
    return cases


def _stale_handlers() -> set[str]:
    return {f"Cán bộ xử lý {n}" for n in range(5, HANDLERS)}


def test_the_case_list_reads_grants_and_calendar_once(
    as_head: Client, crowd: list[Case], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(30):
        response = as_head.get(LIST)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 2 * HANDLERS
    # Who must be replaced: the cases of the three who lost their role, and no other.
    flagged = {
        case.assignee.full_name
        for case in rows_cases(rows)
        if case.pk in response.context["to_reassign"]
    }
    assert flagged == _stale_handlers()
    assert len(response.context["to_reassign"]) == 6
    # The deadlines say what they said one case at a time (the day off counted).
    today = timezone.localdate()
    states = {case.pk: deadline.state for case, deadline, _s in rows}
    for case in Case.objects.filter(pk__in=states):
        assert states[case.pk] == str(clocks.due_state(case, today))
    assert {"overdue", "due_soon", "on_time"} <= set(states.values())
    page = response.content.decode()
    assert page.count("Cần giao lại") == 6


def rows_cases(rows: list[Any]) -> list[Case]:
    return [case for case, _deadline, _s in rows]


def test_the_dashboard_reads_the_assignees_grants_together(
    as_head: Client, crowd: list[Case], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(30):
        response = as_head.get(DASHBOARD)
    assert response.status_code == 200
    handlers = {row.name: row for row in response.context["handler_rows"] if row.user_id}
    assert len(handlers) == HANDLERS
    assert {name for name, row in handlers.items() if row.to_reassign} == _stale_handlers()
    assert all(row.to_reassign == 2 for name, row in handlers.items() if name in _stale_handlers())
    assert sum(row.open for row in handlers.values()) == 2 * HANDLERS


def test_more_assignees_do_not_mean_more_queries(
    head: User, crowd: list[Case], province: dict[str, Organisation]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            assignment.stale_pairs(Case.objects.all())
        return len(seen)

    before = count()
    extra = make_case_handler(province["dept_justice"], full_name="Người thứ chín")
    case = Case.objects.filter(assignee__isnull=True).first() or file_report(
        organisation=province["dept_justice"]
    )
    assignment.assign(case, assignee=extra, actor=head)
    assert count() == before


def test_the_pages_stay_closed_to_those_without_the_permission(
    crowd: list[Case], province: dict[str, Organisation]
) -> None:
    staffer = make_user("staffer", Role.STAFF, province["dept_justice"])
    for path in (LIST, DASHBOARD):
        assert client_for(staffer).get(path).status_code == 403
    # A head elsewhere sees none of these cases.
    outsider = client_for(make_user("elsewhere", Role.HEAD, province["commune"]))
    response = outsider.get(LIST)
    assert response.status_code == 200
    assert not any(case.code in response.content.decode() for case in crowd)
