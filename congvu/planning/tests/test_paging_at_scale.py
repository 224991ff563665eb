"""The assignment list at provincial scale: the same rows for every role as before the
rewrite of `openable_by`, the same order page by page, and a bounded number of queries."""

import datetime as dt
from typing import Any

import pytest
from django.db.models import Q
from django.urls import reverse

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.accounts.models import Role, RoleGrant, User
from congvu.api.assignments import extensions_of
from congvu.conftest import START, client_for, kind, make_user
from congvu.core.windowed import KeysFirst, LeadOrdered
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation
from congvu.planning import progress_views
from congvu.planning.models import Assignment, ExtensionRequest

from .test_progress_helpers import days, make_assignment, make_plan

ORDER = ("due_on", "task__plan_id", "task__order", "task__code", "organisation__path", "period")


def former_openable(user: Any) -> Any:
    """`openable_by` as it was written before (a subquery over the assignments)."""
    issuers = access.organisations_for(user, Perm.PLAN_MANAGE).values("pk")
    return Assignment.objects.filter(
        Q(pk__in=Assignment.objects.visible_to(user).values("pk"))
        | Q(task__plan__issuing_organisation__in=issuers)
        | Q(task__plan__issuing_organisation__successor__in=issuers)
    )


@pytest.fixture
def work(province: dict[str, Organisation]) -> dict[str, Any]:
    """Plans issued at every level (one by a closed organisation whose successor is the
    Department of Justice), assigned across the tree, with requests for extensions."""
    old = org_services.create_organisation(
        actor=None,
        code="H56.09",
        name="Sở cũ đã sáp nhập",
        kind=kind("department"),
        parent=province["root"],
        valid_from=START,
    )
    Organisation.objects.filter(pk=old.pk).update(
        valid_to=dt.date(2025, 6, 30), successor=province["dept_justice"]
    )
    plans = {
        "root": make_plan(province["root"]),
        "justice": make_plan(province["dept_justice"], number="12/KH-STP"),
        "old": make_plan(old, number="3/KH-SC"),
        "commune": make_plan(province["commune"], number="7/KH-UBND"),
    }
    places = ["dept_home", "dept_justice", "division_justice", "commune"]
    rows = []
    for p, plan in enumerate(plans.values()):
        for o, place in enumerate(places):
            for code in ("1", "2"):
                rows.append(
                    make_assignment(plan, province[place], code=code, due=days(5 + (p + o) % 3))
                )
    requester = make_user("requester")
    for row in rows[::3]:
        ExtensionRequest.objects.create(
            assignment=row,
            requested_due_on=row.due_on + dt.timedelta(days=30),
            previous_due_on=row.due_on,
            reason="Chờ số liệu",
            requested_by=requester,
        )
    return {"old": old, "rows": rows}


def users_of_every_role(province: dict[str, Organisation]) -> list[User]:
    users = []
    for place in ("root", "dept_justice", "commune"):
        for role in Role:
            users.append(make_user(f"{role.value}-{place}", role, province[place]))
    alone = make_user("head-alone")
    RoleGrant.objects.create(
        user=alone, role=Role.HEAD, organisation=province["dept_justice"], include_subtree=False
    )
    users.append(alone)
    users.append(make_user("nobody"))
    admin = make_user("admin")
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    users.append(User.objects.get(pk=admin.pk))
    return users


def test_every_role_opens_the_same_assignments_and_extension_requests_as_before(
    work: dict[str, Any], province: dict[str, Organisation]
) -> None:
    seen_some = 0
    for user in users_of_every_role(province):
        expected = set(former_openable(user).values_list("pk", flat=True))
        assert set(Assignment.objects.openable_by(user).values_list("pk", flat=True)) == expected
        assert set(extensions_of(user).values_list("pk", flat=True)) == set(
            ExtensionRequest.objects.filter(assignment__in=expected).values_list("pk", flat=True)
        )
        seen_some += 0 < len(expected) < len(work["rows"])
    assert seen_some >= 5  # the comparison is not between empty or complete sets only


def test_the_issuing_side_opens_what_it_assigned_outside_its_subtree(
    work: dict[str, Any], province: dict[str, Organisation]
) -> None:
    issuer = make_user("issuer", Role.HOME_AFFAIRS, province["dept_justice"])
    opened = Assignment.objects.openable_by(issuer)
    in_commune = opened.filter(organisation=province["commune"])
    # Its own plan and its predecessor's, given to the commune; not the province's plan.
    assert {a.task.plan.number for a in in_commune} == {"12/KH-STP", "3/KH-SC"}
    assert (
        client_for(issuer).get(reverse("assignments:detail", args=[in_commune[0].pk])).status_code
        == 200
    )
    others = Assignment.objects.filter(organisation=province["commune"]).exclude(pk__in=in_commune)
    assert (
        client_for(issuer).get(reverse("assignments:detail", args=[others[0].pk])).status_code
        == 404
    )


def test_a_window_of_due_dates_gives_the_rows_of_the_full_order(work: dict[str, Any]) -> None:
    qs = Assignment.objects.all()
    everything = list(qs.order_by(*ORDER))
    windowed = LeadOrdered(qs, ORDER)
    assert windowed.count() == len(windowed) == len(everything) == 32
    for size in (1, 3, 7, 50):
        for start in range(0, len(everything) + 2):
            assert windowed[start : start + size] == everything[start : start + size]
    assert list(windowed) == everything
    assert windowed[31] == everything[31]
    with pytest.raises(IndexError):
        windowed[32]
    keyed = KeysFirst(qs, ("-due_on", "-pk"))
    newest = list(qs.order_by("-due_on", "-pk"))
    assert keyed.count() == 32
    for start in range(0, 34, 5):
        assert keyed[start : start + 5] == newest[start : start + 5]


def test_the_list_pages_through_every_assignment_in_order(
    work: dict[str, Any], as_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_views, "PER_PAGE", 5)
    expected = list(Assignment.objects.order_by(*ORDER).values_list("pk", flat=True))
    shown = []
    for number in range(1, 8):
        response = as_officer.get(reverse("assignments:list"), {"page": number})
        assert response.status_code == 200
        shown += [row.assignment.pk for row in response.context["rows"]]
    assert shown == expected
    assert len(shown) == 32
    beyond = as_officer.get(reverse("assignments:list"), {"page": 99})  # the last page
    assert [row.assignment.pk for row in beyond.context["rows"]] == expected[30:]


def test_the_list_asks_a_bounded_number_of_queries(
    work: dict[str, Any],
    as_officer: Any,
    province: dict[str, Organisation],
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("assignments:list")
    as_officer.get(url)  # session, caches
    with django_assert_max_num_queries(14):
        assert as_officer.get(url).status_code == 200
    plan = make_plan(province["root"], number="99/KH-UBND")
    for code in "3456789":
        for place in ("dept_home", "dept_justice", "commune"):
            make_assignment(plan, province[place], code=code, due=days(40 + int(code)))
    with django_assert_max_num_queries(14):
        assert as_officer.get(url, {"page": 2}).status_code == 200
