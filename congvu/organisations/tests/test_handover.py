"""What a merge, a split or a dissolution does with the closed organisation's open work
(findings 4 and 5 of the reorganisation walk): assignments, cases, planned inspections,
role grants, and the history that stays readable."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from congvu.accounts.models import Role, User
from congvu.audit.models import AuditEvent
from congvu.cases.models import Case, CaseEvent
from congvu.cases.tests.office_helpers import file_report
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for, kind, make_staff, make_user
from congvu.core.models import Notification
from congvu.inspections.models import Inspection
from congvu.organisations import restructuring
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation
from congvu.planning import services as planning
from congvu.planning.models import Assignment, Plan, Schedule, Task

Province = dict[str, Organisation]
D = dt.date
EFFECTIVE = D(2026, 9, 1)
TODAY = D(2026, 11, 28)


@pytest.fixture
def communes(province: Province) -> tuple[Organisation, Organisation]:
    second = org_services.create_organisation(
        actor=None,
        code="H56.31",
        name="Ủy ban nhân dân xã Bình Thanh",
        kind=kind("commune_pc"),
        parent=province["root"],
        valid_from=D(2025, 1, 1),
    )
    return province["commune"], second


@pytest.fixture
def yearly(province: Province) -> Task:
    plan = Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=D(2025, 3, 1),
    )
    return planning.create_task(
        plan,
        actor=None,
        code="1",
        content="Báo cáo kết quả thực hiện văn hóa công vụ",
        assign_to=Task.AssignTo.KINDS,
        assignee_kinds=[kind("commune_pc")],
        schedule=Schedule.YEARLY,
        due_month=11,
        due_day=15,
        starts_on=D(2026, 1, 1),
        today=TODAY,
    )


def merge(communes: tuple[Organisation, Organisation], officer: User) -> Organisation:
    return restructuring.merge_organisations(
        list(communes),
        actor=officer,
        effective=EFFECTIVE,
        new=restructuring.NewOrganisation(
            code="H56.40", name="Ủy ban nhân dân xã Vũ Bình", kind=kind("commune_pc")
        ),
    )


def rows(task: Task) -> list[tuple[str, str]]:
    return sorted(task.assignments.values_list("organisation__code", "period"))


def test_a_merge_moves_open_assignments_to_the_new_organisation_once(
    communes: tuple[Organisation, Organisation], yearly: Task, officer: User
) -> None:
    assert rows(yearly) == [
        ("H56.30", "2026"),
        ("H56.30", "2027"),
        ("H56.31", "2026"),
        ("H56.31", "2027"),
    ]
    new = merge(communes, officer)
    # One row per period: the two communes' untouched duplicates became one.
    assert rows(yearly) == [("H56.40", "2026"), ("H56.40", "2027")]
    # The daily sync gives nothing back to the closed communes, nothing twice to the new one.
    planning.sync_all_tasks(today=TODAY)
    assert rows(yearly) == [("H56.40", "2026"), ("H56.40", "2027")]
    event = AuditEvent.objects.filter(action="organisations.handover").first()
    assert event is not None and event.data["successor"] == new.code


def test_completed_work_stays_and_started_work_wins_over_an_untouched_copy(
    communes: tuple[Organisation, Organisation], yearly: Task, officer: User
) -> None:
    first, second = communes
    done = yearly.assignments.get(organisation=first, period="2026")
    Assignment.objects.filter(pk=done.pk).update(
        progress=Assignment.Progress.DONE, percent=100, completed_on=D(2026, 8, 20)
    )
    started = yearly.assignments.get(organisation=second, period="2027")
    Assignment.objects.filter(pk=started.pk).update(
        progress=Assignment.Progress.IN_PROGRESS, percent=30
    )
    new = merge(communes, officer)
    assert Assignment.objects.get(pk=done.pk).organisation_id == first.pk  # the past stays
    moved = Assignment.objects.get(pk=started.pk)
    assert (moved.organisation_id, moved.percent) == (new.pk, 30)
    assert yearly.assignments.filter(organisation=new, period="2027").count() == 1


def test_a_new_organisation_is_not_given_a_period_already_due_before_it_existed(
    province: Province, yearly: Task
) -> None:
    late = org_services.create_organisation(
        actor=None,
        code="H56.50",
        name="Ủy ban nhân dân phường Mới",
        kind=kind("commune_pc"),
        parent=province["root"],
        valid_from=TODAY,
    )
    planning.sync_all_tasks(today=TODAY)
    assert sorted(
        yearly.assignments.filter(organisation=late).values_list("period", flat=True)
    ) == ["2027"]


def test_an_open_case_goes_to_the_successor_told_like_a_new_case(
    province: Province, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    justice, home = province["dept_justice"], province["dept_home"]
    member = make_staff(justice, "Phạm Văn Đức", "STP-009")
    case = file_report(staff=member)
    done = file_report(staff=member)
    Case.objects.filter(pk=done.pk).update(status=Case.Status.CLOSED)
    old_head = make_user("head.stp", Role.HEAD, justice)
    new_head = make_user("gd.snv", Role.HEAD, home)
    assert client_for(new_head).get(reverse("cases:detail", args=[case.code])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        restructuring.merge_organisations([justice], actor=officer, effective=EFFECTIVE, into=home)

    case.refresh_from_db()
    assert case.handling_organisation_id == home.pk
    assert case.organisation_id == justice.pk  # the case was about Sở Tư pháp: it still is
    assert Case.objects.get(pk=done.pk).handling_organisation_id == justice.pk
    routed = case.events.get(kind=CaseEvent.Kind.ROUTED)
    assert "Sở Tư pháp" in routed.body and "Sở Nội vụ" in routed.body
    assert "01/09/2026" in routed.body
    page = client_for(new_head).get(reverse("cases:detail", args=[case.code]))
    assert page.status_code == 200
    assert "Chuyển cơ quan xử lý từ Sở Tư pháp sang Sở Nội vụ" in page.content.decode()
    told = Notification.objects.filter(user=new_head, url=f"/cases/{case.code}/")
    assert told.exists()
    assert not Notification.objects.filter(user=old_head, url=f"/cases/{case.code}/").exists()


def test_planned_inspections_of_a_closed_organisation_are_cancelled_with_the_reason(
    province: Province, officer: User
) -> None:
    version = load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    inspector = make_user("inspector", Role.INSPECTOR, province["root"])
    common = {
        "organisation": province["dept_justice"],
        "kind": Inspection.Kind.SCHEDULED,
        "planned_on": TODAY + dt.timedelta(days=10),
        "lead": inspector,
        "code_version": version,
    }
    planned = Inspection.objects.create(code="KT-PLANNED1", **common)
    running = Inspection.objects.create(
        code="KT-RUNNING1", status=Inspection.Status.IN_PROGRESS, **common
    )
    restructuring.merge_organisations(
        [province["dept_justice"]], actor=officer, effective=EFFECTIVE, into=province["dept_home"]
    )
    planned.refresh_from_db()
    assert planned.status == Inspection.Status.CANCELLED
    assert "đã sáp nhập vào Sở Nội vụ từ 01/09/2026" in planned.cancel_reason
    assert Inspection.objects.get(pk=running.pk).status == Inspection.Status.IN_PROGRESS


def test_a_cancelled_inspections_lead_and_members_are_told_why(
    province: Province, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    version = load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    lead = make_user("truong.doan", Role.INSPECTOR, province["root"])
    member = make_user("thanh.vien", Role.INSPECTOR, province["root"])
    bystander = make_user("thanh.tra.khac", Role.INSPECTOR, province["root"])
    respondent = make_user("head.stp", Role.HEAD, province["dept_justice"])
    common = {
        "organisation": province["dept_justice"],
        "planned_on": TODAY + dt.timedelta(days=10),
        "lead": lead,
        "code_version": version,
    }
    planned = Inspection.objects.create(
        code="KT-PLANNED2", kind=Inspection.Kind.SCHEDULED, **common
    )
    planned.members.add(member, officer)  # the officer who merges is told nothing
    # Unannounced: the organisation never knew of it, but its team did.
    surprise = Inspection.objects.create(
        code="KT-SURPRISE", kind=Inspection.Kind.UNANNOUNCED, **common
    )

    with django_capture_on_commit_callbacks(execute=True):
        restructuring.merge_organisations(
            [province["dept_justice"]],
            actor=officer,
            effective=EFFECTIVE,
            into=province["dept_home"],
        )

    def told(user: User) -> set[str]:
        return set(
            Notification.objects.filter(
                user=user, key="organisations.inspection_cancelled"
            ).values_list("url", flat=True)
        )

    both = {f"/inspections/{planned.code}/", f"/inspections/{surprise.code}/"}
    assert told(lead) == both
    assert told(member) == {f"/inspections/{planned.code}/"}
    assert told(officer) == told(bystander) == told(respondent) == set()
    notice = Notification.objects.get(user=member, key="organisations.inspection_cancelled")
    assert notice.kind == "inspection"
    assert notice.title == "Cuộc kiểm tra KT-PLANNED2 tại Sở Tư pháp đã được hủy"
    assert "Sở Tư pháp đã sáp nhập vào Sở Nội vụ từ 01/09/2026" in notice.body
    assert "hãy lập cuộc kiểm tra mới tại Sở Nội vụ" in notice.body
    # The inspected organisation is told of the announced one, as before.
    assert Notification.objects.filter(
        user=respondent, url=f"/inspections/{planned.code}/"
    ).exists()


def test_the_team_of_an_inspection_of_a_dissolved_organisation_reads_it_in_english(
    province: Province, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    from congvu.core.notices import worded

    version = load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    lead = make_user("truong.doan", Role.INSPECTOR, province["root"])
    Inspection.objects.create(
        code="KT-DISSOLVE",
        organisation=province["commune"],
        kind=Inspection.Kind.SCHEDULED,
        planned_on=TODAY + dt.timedelta(days=10),
        lead=lead,
        code_version=version,
    )
    with django_capture_on_commit_callbacks(execute=True):
        restructuring.dissolve_organisation(province["commune"], actor=officer, effective=EFFECTIVE)
    notice = Notification.objects.get(user=lead, key="organisations.inspection_cancelled")
    assert "giải thể từ 01/09/2026" in notice.body
    with translation.override("en"):
        english = worded(notice)
    commune = "Ủy ban nhân dân xã An Bình"
    assert english.title == f"Inspection KT-DISSOLVE of {commune} has been cancelled"
    assert english.body == "Ủy ban nhân dân xã An Bình was dissolved from 01/09/2026."


def test_grants_on_a_closed_organisation_stay_marked_and_account_managers_are_told(
    communes: tuple[Organisation, Organisation],
    officer: User,
    head: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    focal = make_user("daumoi.xa", Role.FOCAL_POINT, communes[0])
    with django_capture_on_commit_callbacks(execute=True):
        new = merge(communes, officer)
    # Not moved: a grant on the new commune is a decision someone takes.
    assert list(focal.grants.values_list("organisation_id", flat=True)) == [communes[0].pk]
    notice = Notification.objects.get(user=officer, key="organisations.grants_on_closed")
    assert "daumoi.xa" in notice.body and f"/accounts/users/{focal.pk}/" in notice.body
    assert new.name in notice.body

    as_officer = client_for(officer)
    page = as_officer.get(reverse("accounts:user_detail", args=[focal.pk])).content.decode()
    assert "Cơ quan đã đóng (ngày cuối 31/08/2026)" in page
    listed = as_officer.get(reverse("accounts:user_list") + "?closed=1").content.decode()
    assert "daumoi.xa" in listed and "Cơ quan đã đóng" in listed
    assert "officer" not in listed.split("user-table", 1)[1]
    # The list is the account managers' only: a focal point has no grant to manage.
    assert client_for(focal).get(reverse("accounts:user_list")).status_code == 403
    # Sở Tư pháp's head manages accounts there, not the communes'.
    assert client_for(head).get(reverse("accounts:user_detail", args=[focal.pk])).status_code == 404


def test_home_affairs_still_opens_a_former_province_merged_into_its_own(
    province: Province, officer: User, outsider: User
) -> None:
    old = org_services.create_organisation(
        actor=None,
        code="T34",
        name="Ủy ban nhân dân tỉnh Thái Bình",
        kind=kind("province_pc"),
        valid_from=D(2025, 1, 1),
    )
    district = org_services.create_organisation(
        actor=None,
        code="T34.10",
        name="Ủy ban nhân dân huyện Vũ Thư",
        kind=kind("commune_pc"),
        parent=old,
        valid_from=D(2025, 1, 1),
    )
    restructuring.dissolve_organisation(district, actor=None, effective=D(2025, 7, 1))
    restructuring.merge_organisations(
        [old], actor=None, effective=D(2025, 7, 1), into=province["root"]
    )
    as_officer = client_for(officer)
    for org in (old, district):
        assert as_officer.get(reverse("organisations:detail", args=[org.pk])).status_code == 200
    tree = as_officer.get(reverse("organisations:tree") + "?day=30/06/2025").content.decode()
    assert "Thái Bình" in tree and "huyện Vũ Thư" in tree
    # A commune's head oversees the commune, not what merged into the province.
    as_outsider = client_for(outsider)
    assert as_outsider.get(reverse("organisations:detail", args=[old.pk])).status_code == 404
    assert timezone.localdate() >= D(2025, 7, 1)
