"""Helpers for the cases core tests (intake, workflow, clocks, discipline…)."""

from __future__ import annotations

from typing import Any

import pytest

from congvu.cases import services, workflow
from congvu.cases.models import Case, Track
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from ...conftest import START

S = Case.Status


def report(
    staff: StaffMember | None = None,
    *,
    organisation: Organisation | None = None,
    files: Any = (),
    actor: Any = None,
    **fields: Any,
) -> services.Receipt:
    data = services.ReportInput(
        subject_staff=staff,
        organisation=organisation,
        description=fields.pop("description", "Cán bộ gây khó dễ, đòi tiền bồi dưỡng."),
        **fields,
    )
    return services.submit_report(data, files=files, actor=actor)


def make_leader(organisation: Organisation, *, code: str = "STP-LEAD") -> StaffMember:
    return org_services.create_staff(
        actor=None,
        organisation=organisation,
        full_name="Trần Thị Giám Đốc",
        staff_code=code,
        category=StaffMember.Category.CIVIL_SERVANT,
        position_title="Giám đốc",
        is_leader=True,
        valid_from=START,
    )


def move(case: Case, *path: str, actor: Any) -> Case:
    """Walk `case` along `path` with the arguments each step needs."""
    for to in path:
        case = workflow.transition(
            case,
            to,
            actor=actor,
            note="Ghi chú" if to in (S.RECEIVED,) or case.status == S.CLOSED else "",
            reject_reason=Case.RejectReason.INSUFFICIENT if to == S.REJECTED else "",
            outcome=Case.Outcome.SUBSTANTIATED if to == S.CONCLUDED else "",
            conclusion="Phản ánh đúng." if to == S.CONCLUDED else "",
        )
    return case


TRACK = Track


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
