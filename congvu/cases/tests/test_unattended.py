"""A citizen's report about an organisation where nobody would see it as their work
(no head, no case handler, not given to anyone) reaches Home Affairs: their work list,
one notice, the case list's filter, the case page, the API."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.apps import apps
from django.test import Client
from django.utils import timezone

from congvu.accounts import services as account_services
from congvu.accounts.models import Role, RoleGrant, User
from congvu.conftest import client_for, make_staff, make_user
from congvu.core import daily, worklist
from congvu.core.models import Notification
from congvu.organisations.models import Organisation, StaffMember

from .. import assignment, default_handler, unattended
from ..models import Case
from .office_helpers import file_report, make_case_handler

TODAY = dt.date(2026, 11, 29)


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def told(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=unattended.KIND))


def test_a_report_to_an_organisation_without_handlers_reaches_home_affairs_once(
    province: dict[str, Organisation], officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    commune = province["commune"]  # nobody holds a role there
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=commune)

    item = work_of(officer)["cases.unattended"]
    assert item.title == "Vụ việc chưa có người xử lý"
    assert item.count == 1
    assert [entry.url for entry in item.entries] == [f"/cases/{case.code}/"]
    listed = client_for(officer).get(item.url).content.decode()
    assert case.code in listed
    notice = told(officer)
    assert [n.title for n in notice] == [f"Vụ việc {case.code} chưa có người xử lý"]
    assert notice[0].url == f"/cases/{case.code}/"
    # The daily job does not tell them again.
    assert daily.registered()["cases.unattended_notice"](TODAY) == {"cases": 0, "notices": 0}
    assert len(told(officer)) == 1


def test_once_a_handler_is_granted_the_case_leaves_the_list(
    province: dict[str, Organisation], officer: User
) -> None:
    case = file_report(organisation=province["commune"])
    assert work_of(officer)["cases.unattended"].count == 1

    handler = make_case_handler(province["commune"])

    assert "cases.unattended" not in work_of(officer)
    assert not unattended.is_unattended(case)
    # Their grant taken away: unattended again.
    account_services.revoke_grant(RoleGrant.objects.get(user=handler), actor=officer)
    assert work_of(officer)["cases.unattended"].count == 1


def test_a_head_above_with_the_subtree_or_an_officer_given_the_case_attends_to_it(
    province: dict[str, Organisation], officer: User
) -> None:
    division = province["division_justice"]
    case = file_report(organisation=province["commune"])
    above = file_report(organisation=division)
    assert unattended.is_unattended(above)  # nobody at Tư pháp or under it yet

    make_user("justice_head", Role.HEAD, province["dept_justice"])  # with its subtree

    assert not unattended.is_unattended(above)
    assert unattended.is_unattended(case)
    # Home Affairs gives the commune's case to one of its own: someone has it now.
    assignment.assign(case, assignee=officer, actor=officer)
    assert not unattended.is_unattended(case)
    account_services.deactivate_user(
        officer, actor=User.objects.create_superuser("root", password="pw-for-tests-123")
    )
    assert unattended.is_unattended(case)


def test_a_default_handler_gets_the_new_cases_so_they_are_attended(
    province: dict[str, Organisation], officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    commune = province["commune"]
    default_handler.set_default(commune, handler=officer, actor=officer)
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=commune)
    assert not unattended.is_unattended(case)
    assert "cases.unattended" not in work_of(officer)
    assert told(officer) == []


def test_the_daily_job_tells_of_cases_that_became_unattended_later_once(
    province: dict[str, Organisation], officer: User
) -> None:
    commune = province["commune"]
    head = make_user("commune_head", Role.HEAD, commune)
    first = file_report(organisation=commune)
    second = file_report(organisation=commune)
    assert told(officer) == []

    account_services.deactivate_user(head, actor=officer)
    job = daily.registered()["cases.unattended_notice"]

    assert job(TODAY) == {"cases": 2, "notices": 1}
    [notice] = told(officer)
    assert notice.title == "2 vụ việc chưa có người xử lý"
    assert first.code in notice.body and second.code in notice.body
    assert job(TODAY) == {"cases": 0, "notices": 0}
    assert len(told(officer)) == 1


def test_the_organisations_own_people_and_others_are_not_told(
    province: dict[str, Organisation],
    officer: User,
    head: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=province["dept_justice"])  # the head is there
    assert not unattended.is_unattended(case)
    assert told(officer) == [] and told(head) == []
    assert "cases.unattended" not in work_of(head)
    assert "cases.unattended" not in work_of(outsider)


# --- the case list, the case page, the API ----------------------------------------------


def test_the_list_filter_shows_only_the_unattended_cases_to_those_overseeing(
    province: dict[str, Organisation], as_officer: Client, as_head: Client
) -> None:
    nobody = file_report(organisation=province["commune"])
    handled = file_report(organisation=province["dept_justice"])

    page = as_officer.get("/cases/?unattended=yes").content.decode()
    assert nobody.code in page and handled.code not in page
    assert "Chưa có người xử lý" in page
    whole = as_officer.get("/cases/").content.decode()
    assert nobody.code in whole and handled.code in whole
    # The head's own organisation has people by definition: no such filter for them.
    assert 'name="unattended"' not in as_head.get("/cases/").content.decode()


def test_the_case_page_says_nobody_handles_it_and_where_to_fix_it(
    province: dict[str, Organisation], as_officer: Client, as_head: Client, head: User
) -> None:
    case = file_report(organisation=province["commune"])
    page = as_officer.get(f"/cases/{case.code}/").content.decode()
    assert 'data-testid="unattended"' in page
    assert 'data-testid="unattended-grant"' in page
    assert f"/cases/default-handlers/{province['commune'].pk}/" in page

    handled = file_report(organisation=province["dept_justice"])
    assert 'data-testid="unattended"' not in as_head.get(f"/cases/{handled.code}/").content.decode()


def test_the_case_page_and_list_keep_outsiders_out(
    province: dict[str, Organisation], as_outsider: Client, viewer: User
) -> None:
    case = file_report(organisation=province["dept_justice"])
    assert as_outsider.get(f"/cases/{case.code}/").status_code == 404
    assert case.code not in as_outsider.get("/cases/?unattended=yes").content.decode()
    assert client_for(viewer).get("/cases/?unattended=yes").status_code == 403


def test_the_api_flags_and_filters_unattended_cases(
    province: dict[str, Organisation], officer: User, head: User
) -> None:
    nobody = file_report(organisation=province["commune"])
    handled = file_report(organisation=province["dept_justice"])
    api = client_for(officer)

    rows = api.get("/api/v1/cases").json()["items"]
    flags = {row["code"]: row["unattended"] for row in rows}
    assert flags == {nobody.code: True, handled.code: False}
    only = api.get("/api/v1/cases?unattended=true").json()["items"]
    assert [row["code"] for row in only] == [nobody.code]
    others = api.get("/api/v1/cases?unattended=false").json()["items"]
    assert [row["code"] for row in others] == [handled.code]
    assert api.get(f"/api/v1/cases/{nobody.code}").json()["unattended"] is True
    assert client_for(head).get(f"/api/v1/cases/{nobody.code}").status_code == 404


def test_a_closed_case_is_never_unattended(
    province: dict[str, Organisation], officer: User
) -> None:
    case = file_report(organisation=province["commune"])
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    assert "cases.unattended" not in work_of(officer)
    assert not unattended.is_unattended(Case.objects.get(pk=case.pk))


# --- the subject is not someone; told once a spell ---------------------------------------


def _the_communes_only_handler(commune: Organisation) -> tuple[User, StaffMember]:
    """The commune's only case handler, who is also on its staff (their account linked)."""
    handler = make_case_handler(commune, full_name="Trần Văn Bình")
    staff = make_staff(commune, "Trần Văn Bình", "XAB-001")
    staff.user = handler
    staff.save(update_fields=["user"])
    return handler, staff


def test_a_report_about_the_only_handler_is_unattended_everywhere_and_they_are_not_told(
    province: dict[str, Organisation], officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    commune = province["commune"]
    handler, staff = _the_communes_only_handler(commune)
    with django_capture_on_commit_callbacks(execute=True):
        about_them = file_report(staff=staff)
        other = file_report(organisation=commune)  # the handler sees this one

    # Home Affairs: the work list (page and API), the list's filter, the case page, the API.
    item = work_of(officer)["cases.unattended"]
    assert item.count == 1
    assert [entry.url for entry in item.entries] == [f"/cases/{about_them.code}/"]
    browser = client_for(officer)
    assert about_them.code in browser.get("/").content.decode()
    api_work = {row["key"]: row for row in browser.get("/api/v1/me/work").json()}
    assert api_work["cases.unattended"]["count"] == 1
    listed = browser.get("/cases/?unattended=yes").content.decode()
    assert about_them.code in listed and other.code not in listed
    assert 'data-testid="unattended"' in browser.get(f"/cases/{about_them.code}/").content.decode()
    rows = browser.get("/api/v1/cases").json()["items"]
    assert {row["code"]: row["unattended"] for row in rows} == {
        about_them.code: True,
        other.code: False,
    }
    only = browser.get("/api/v1/cases?unattended=true").json()["items"]
    assert [row["code"] for row in only] == [about_them.code]
    assert browser.get(f"/api/v1/cases/{about_them.code}").json()["unattended"] is True
    assert [n.title for n in told(officer)] == [f"Vụ việc {about_them.code} chưa có người xử lý"]

    # The handler is told nothing of it, and still never sees it.
    assert told(handler) == []
    assert "cases.unattended" not in work_of(handler)
    assert client_for(handler).get(f"/cases/{about_them.code}/").status_code == 404
    # A second handler there: someone has it.
    make_user("second_handler", Role.CASE_HANDLER, commune)
    assert not unattended.is_unattended(about_them)
    assert "cases.unattended" not in work_of(officer)


def test_the_daily_job_does_not_tell_the_subject_of_a_case_about_them(
    province: dict[str, Organisation], officer: User
) -> None:
    commune = province["commune"]
    handler, staff = _the_communes_only_handler(commune)
    head = make_user("commune_head", Role.HEAD, commune)
    case = file_report(staff=staff)
    assert not unattended.is_unattended(case)  # the head has it

    account_services.deactivate_user(head, actor=officer)

    assert daily.registered()["cases.unattended_notice"](TODAY) == {"cases": 1, "notices": 1}
    assert [n.title for n in told(officer)] == [f"Vụ việc {case.code} chưa có người xử lý"]
    assert told(handler) == []


def test_a_case_taken_on_then_left_again_is_told_again_once(
    province: dict[str, Organisation], officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    commune = province["commune"]
    job = daily.registered()["cases.unattended_notice"]
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=commune)
    assert len(told(officer)) == 1
    assert job(TODAY) == {"cases": 0, "notices": 0}  # the same spell

    handler = make_case_handler(commune)
    assert job(TODAY) == {"cases": 0, "notices": 0}  # attended: nothing to tell
    account_services.revoke_grant(RoleGrant.objects.get(user=handler), actor=officer)

    assert job(TODAY) == {"cases": 1, "notices": 1}
    assert [n.title for n in told(officer)] == [f"Vụ việc {case.code} chưa có người xử lý"] * 2
    # Never twice in one spell.
    assert job(TODAY) == {"cases": 0, "notices": 0}
    assert len(told(officer)) == 2


def test_a_case_given_to_an_officer_and_back_is_told_again_once(
    province: dict[str, Organisation], officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    job = daily.registered()["cases.unattended_notice"]
    with django_capture_on_commit_callbacks(execute=True):
        case = file_report(organisation=province["commune"])
    assert len(told(officer)) == 1
    assignment.assign(case, assignee=officer, actor=officer)
    assert job(TODAY) == {"cases": 0, "notices": 0}
    assignment.unassign(case, actor=officer)
    assert job(TODAY) == {"cases": 1, "notices": 1}
    assert job(TODAY) == {"cases": 0, "notices": 0}
    assert len(told(officer)) == 2


def test_the_migration_marks_the_cases_already_told(
    province: dict[str, Organisation], officer: User, head: User
) -> None:
    told_case = file_report(organisation=province["commune"])  # told at filing
    other = file_report(organisation=province["dept_justice"])  # the head has it
    Case.objects.update(unattended_told_at=None)
    migration = import_module("congvu.cases.migrations.0014_case_unattended_told_at")
    migration.fill(apps, None)
    assert Case.objects.get(pk=told_case.pk).unattended_told_at is not None
    assert Case.objects.get(pk=other.pk).unattended_told_at is None
    # Marked: the daily job does not tell it again.
    assert daily.registered()["cases.unattended_notice"](TODAY) == {"cases": 0, "notices": 0}
