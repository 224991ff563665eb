from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from congvu.accounts.services import create_api_token
from congvu.cases import routing, services
from congvu.cases.models import Case, CaseEvent, RoutingRule, Track
from congvu.conftest import client_for

from .core_helpers import make_leader, report


def test_the_default_rules_are_installed(db):
    rules = list(RoutingRule.objects.order_by("order").values_list("subject_is_leader", "route_to"))
    assert rules == [(True, "supervisor"), (None, "employer")]


def test_a_staff_members_case_goes_to_their_employer(staff_member, province):
    assert report(staff_member).case.handling_organisation == province["dept_justice"]


def test_a_leaders_case_goes_to_the_supervising_organisation(province):
    leader = make_leader(province["dept_justice"])
    assert report(leader).case.handling_organisation == province["root"]


def test_a_leader_of_the_root_is_handled_by_the_root(province):
    leader = make_leader(province["root"], code="UB-LEAD")
    assert report(leader).case.handling_organisation == province["root"]


def test_a_fixed_rule_for_one_track_wins_when_it_comes_first(staff_member, province):
    RoutingRule.objects.create(
        order=1,
        name="Tố cáo: Sở Nội vụ",
        track=Track.DENUNCIATION,
        route_to=RoutingRule.Route.FIXED,
        fixed_organisation=province["dept_home"],
    )
    assert (
        report(staff_member, track=Track.DENUNCIATION).case.handling_organisation
        == (province["dept_home"])
    )
    assert (
        report(staff_member, track=Track.FEEDBACK).case.handling_organisation
        == (province["dept_justice"])
    )


def test_an_inactive_rule_is_ignored(province):
    RoutingRule.objects.filter(subject_is_leader=True).update(is_active=False)
    leader = make_leader(province["dept_justice"])
    assert report(leader).case.handling_organisation == province["dept_justice"]


def test_without_any_rule_a_leader_still_never_handles_their_own_case(province):
    RoutingRule.objects.all().delete()
    leader = make_leader(province["dept_justice"])
    assert (
        routing.route(subject_staff=leader, organisation=leader.organisation, track=Track.FEEDBACK)
        == province["root"]
    )


def test_home_affairs_sees_every_case_and_an_outsider_none(
    officer, outsider, head, staff_member, province
):
    leader_case = report(make_leader(province["dept_justice"])).case
    case = report(staff_member).case
    assert set(Case.objects.visible_to(officer)) == {case, leader_case}
    assert not Case.objects.visible_to(outsider).exists()
    assert case in Case.objects.visible_to(head)


def test_duplicates_are_linked_and_both_reporters_told(head, staff_member):
    main = report(staff_member).case
    duplicate = report(staff_member).case
    services.link_duplicate(duplicate, main=main, actor=head)
    duplicate.refresh_from_db()
    assert duplicate.main_case == main
    for case in (main, duplicate):
        assert case.events.filter(
            kind=CaseEvent.Kind.LINKED, audience=CaseEvent.Audience.REPORTER
        ).exists()
    with pytest.raises(ValidationError):
        services.link_duplicate(main, main=main, actor=head)
    # A third report linked to the duplicate lands on the main case.
    third = report(staff_member).case
    services.link_duplicate(third, main=duplicate, actor=head)
    third.refresh_from_db()
    assert third.main_case == main


def test_a_leaders_case_handled_above_is_not_confirmed_to_their_department(province, head):
    # The department's head sees the department's cases, but not one about its leader that
    # the province handles: 404 on its pages and in the API, as for a code never issued.
    leader = make_leader(province["dept_justice"])
    case = report(leader).case
    as_head = client_for(head)
    assert as_head.get(reverse("cases:detail", args=[case.code])).status_code == 404
    assert as_head.post(reverse("cases:note", args=[case.code]), {}).status_code == 404
    assert case.code not in as_head.get(reverse("cases:list")).content.decode()
    _, key = create_api_token(head, name="tests")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(f"/api/v1/cases/{case.code}").status_code == 404
