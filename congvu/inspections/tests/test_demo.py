"""The demo inspections, as the demo users meet them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases.models import Case
from congvu.conduct.services import load_seed_catalogue
from congvu.inspections.demo import load_demo_inspections
from congvu.inspections.models import CorrectiveAction, Inspection, InspectionFile
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import make_user


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_demo_has_a_concluded_inspection_with_a_case_and_a_hidden_unannounced_one(
    province: dict[str, Organisation],
    head: User,
    outsider: User,
    staff_member: StaffMember,
) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    make_user("thanhtra", Role.INSPECTOR, province["root"])
    focal = make_user("daumoi", Role.FOCAL_POINT, province["commune"])
    assert load_demo_inspections(province["root"]) == 3
    concluded = Inspection.objects.get(status="concluded")
    assert concluded.organisation == province["dept_justice"]
    assert Case.objects.get(channel="inspection").inspection_finding.inspection == concluded
    assert CorrectiveAction.objects.filter(observation__inspection=concluded).count() == 1
    unannounced = Inspection.objects.get(kind="unannounced")
    assert unannounced.status == "planned"
    assert unannounced not in Inspection.objects.visible_to(focal)
    assert Inspection.objects.visible_to(focal).filter(kind="scheduled").count() == 1
    assert concluded in Inspection.objects.visible_to(head)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_without_users_the_demo_has_no_inspections(province: dict[str, Organisation]) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    assert load_demo_inspections(province["root"]) == 0
    assert not Inspection.objects.exists()


def test_the_demo_inspection_happened_weeks_ago_and_its_corrective_action_is_overdue(
    province: dict[str, Organisation], head: User, staff_member: StaffMember
) -> None:
    # Its dates agree with its story: planned, started and concluded on days before
    # today (not all at the minute the demo was loaded), the action due 10 working days
    # after it was set, so overdue now; the breaches are those a counter really shows.
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    make_user("thanhtra", Role.INSPECTOR, province["root"])
    make_user("daumoi", Role.FOCAL_POINT, province["commune"])
    load_demo_inspections(province["root"])
    done = Inspection.objects.get(status="concluded")
    today = timezone.localdate()
    assert done.started_at is not None and done.concluded_at is not None
    assert timezone.localdate(done.started_at) == done.planned_on < today
    assert done.started_at < done.concluded_at < timezone.now()
    action = CorrectiveAction.objects.get(observation__inspection=done)
    assert action.observation.clause.code == "II.2.a"
    assert action.due_on < today
    breached = set(
        done.observations.filter(result="breached").values_list("clause__code", flat=True)
    )
    assert breached == {"II.1.b", "II.2.a"}


def test_the_demo_badge_breach_carries_the_inspectors_photo_which_the_head_can_open(
    province: dict[str, Organisation], head: User, staff_member: StaffMember, media: Path
) -> None:
    from django.urls import reverse

    from ...conftest import client_for

    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    make_user("thanhtra", Role.INSPECTOR, province["root"])
    make_user("daumoi", Role.FOCAL_POINT, province["commune"])
    load_demo_inspections(province["root"])
    photo = InspectionFile.objects.get()
    assert photo.observation.clause.code == "II.1.b" and photo.content_type == "image/jpeg"
    inspection = photo.observation.inspection
    page = client_for(head).get(reverse("inspections:detail", args=[inspection.code]))
    link = reverse("inspections:file", args=[inspection.code, photo.pk])
    assert link in page.content.decode()
    assert client_for(head).get(link).status_code == 200


def test_the_demo_programme_is_approved_carried_out_in_part_and_keeps_its_surprise(
    province: dict[str, Organisation], head: User
) -> None:
    from congvu.inspections import programme_selectors
    from congvu.inspections.models import InspectionProgramme, ProgrammeItem

    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    inspector = make_user("thanhtra", Role.INSPECTOR, province["root"])
    make_user("noivu", Role.HOME_AFFAIRS, province["root"])
    focal = make_user("daumoi", Role.FOCAL_POINT, province["commune"])
    load_demo_inspections(province["root"])
    today = timezone.localdate()
    programme = InspectionProgramme.objects.get()
    assert programme.status == "approved" and programme.year == today.year
    states = {
        row.item.organisation_id: row.state
        for row in programme_selectors.coverage(inspector, programme, today).rows
    }
    if Inspection.objects.get(status="concluded").programme_item is not None:
        assert states[province["dept_justice"].pk] == "concluded"
    if today.month > 3:
        assert "overdue" in states.values()
    # The commune's unannounced item is not the commune's to see before the visit starts.
    assert not ProgrammeItem.objects.visible_to(focal).exists()
    assert not InspectionProgramme.objects.visible_to(focal).exists()
    assert set(ProgrammeItem.objects.visible_to(head).values_list("organisation", flat=True)) <= {
        province["dept_justice"].pk
    }
