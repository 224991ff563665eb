"""The home page's work list, the inspections' part: the team's inspections, the
inspected organisation's corrective actions."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from congvu.accounts.models import User
from congvu.conduct.models import CodeVersion
from congvu.core import worklist
from congvu.inspections import services
from congvu.inspections.models import CorrectiveAction
from congvu.organisations.models import Organisation

from .conftest import concluded_with_breach, plan, start


def work_of(user: User) -> dict[str, worklist.Item]:
    return {item.key: item for item in worklist.collect(user, timezone.localdate())}


def test_the_lead_sees_the_inspection_under_way_and_the_one_coming(
    province: dict[str, Organisation], catalogue: CodeVersion, inspector: User, focal: User
) -> None:
    today = timezone.localdate()
    running = start(plan(province["dept_justice"], inspector), inspector)
    coming = plan(province["commune"], inspector, planned_on=today + dt.timedelta(days=3))
    plan(province["dept_home"], inspector, planned_on=today + dt.timedelta(days=60))  # later

    work = work_of(inspector)

    assert [e.url for e in work["inspections.in_progress"].entries] == [
        f"/inspections/{running.code}/"
    ]
    assert [e.url for e in work["inspections.planned"].entries] == [f"/inspections/{coming.code}/"]
    assert work["inspections.planned"].urgency == worklist.DUE_SOON
    assert "inspections.in_progress" not in work_of(focal)  # not on the team


def test_the_inspected_organisation_sees_its_overdue_corrective_action(
    province: dict[str, Organisation],
    catalogue: CodeVersion,
    inspector: User,
    focal: User,
    officer: User,
    outsider: User,
) -> None:
    inspection, breach = concluded_with_breach(province["dept_justice"], inspector)
    action = services.add_corrective_action(
        breach, actor=inspector, description="Đeo thẻ công chức khi tiếp dân."
    )
    CorrectiveAction.objects.filter(pk=action.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2)
    )

    item = work_of(focal)["inspections.actions_overdue"]
    assert (item.count, item.urgency) == (1, worklist.OVERDUE)
    assert item.entries[0].url == f"/inspections/{inspection.code}/"
    assert "Đeo thẻ công chức" in item.entries[0].text
    assert "inspections.actions_overdue" not in work_of(officer)  # oversight, not its duty
    assert "inspections.actions_overdue" not in work_of(outsider)

    CorrectiveAction.objects.filter(pk=action.pk).update(
        status=CorrectiveAction.Status.DONE, done_at=timezone.now()
    )
    assert "inspections.actions_overdue" not in work_of(focal)
