"""Inspection fixtures: the seed catalogue, an inspector on the whole province, the
inspected organisation's focal point, and helpers that walk an inspection through."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conduct.models import CodeVersion
from congvu.conduct.services import load_seed_catalogue
from congvu.inspections import programme_services, services, workflow
from congvu.inspections.models import Inspection, InspectionProgramme, Observation, ProgrammeItem
from congvu.organisations.models import Organisation

from ...conftest import client_for, make_user

# Some days ahead: an inspection is planned for today or later (a fixed date would pass).
PLANNED_ON = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> CodeVersion:
    return load_seed_catalogue(scope=province["root"], actor=None, activate=True)


@pytest.fixture
def inspector(province: dict[str, Organisation]) -> User:
    return make_user("inspector", Role.INSPECTOR, province["root"])


@pytest.fixture
def focal(province: dict[str, Organisation]) -> User:
    return make_user("focal", Role.FOCAL_POINT, province["dept_justice"])


@pytest.fixture
def as_inspector(inspector: User) -> Client:
    return client_for(inspector)


@pytest.fixture
def as_focal(focal: User) -> Client:
    return client_for(focal)


def plan(
    organisation: Organisation,
    lead: User,
    *,
    kind: str = Inspection.Kind.SCHEDULED,
    **fields: Any,
) -> Inspection:
    return services.plan_inspection(
        organisation,
        actor=lead,
        kind=kind,
        planned_on=fields.pop("planned_on", PLANNED_ON),
        lead=lead,
        **fields,
    )


def start(inspection: Inspection, actor: User) -> Inspection:
    return workflow.transition(inspection, Inspection.Status.IN_PROGRESS, actor=actor)


def answer_all(
    inspection: Inspection, actor: User, *, breach: int = 0, staff_id: int | None = None
) -> list[Observation]:
    """Answer every clause "kept", except the first `breach` ones, which are breached."""
    answers = []
    for index, observation in enumerate(inspection.observations.order_by("order")):
        if index < breach:
            answers.append(
                services.Answer(
                    observation.pk,
                    Observation.Result.BREACHED,
                    "Cán bộ không đeo thẻ khi tiếp dân.",
                    staff_id,
                )
            )
        else:
            answers.append(services.Answer(observation.pk, Observation.Result.KEPT))
    services.record_observations(inspection, answers, actor=actor)
    return list(inspection.observations.order_by("order"))


def conclude(inspection: Inspection, actor: User) -> Inspection:
    return workflow.transition(
        inspection,
        Inspection.Status.CONCLUDED,
        actor=actor,
        conclusion="Cơ quan thực hiện cơ bản đúng quy tắc ứng xử.",
    )


def concluded_with_breach(
    organisation: Organisation, inspector: User, **kw: Any
) -> tuple[Inspection, Observation]:
    inspection = start(plan(organisation, inspector), inspector)
    observations = answer_all(inspection, inspector, breach=1, **kw)
    return conclude(inspection, inspector), observations[0]


@pytest.fixture
def approved(
    province: dict[str, Organisation], inspector: User, officer: User
) -> InspectionProgramme:
    """Next year's approved programme: the justice department in Q4 (scheduled), the
    commune in Q3 (scheduled). For the amendment tests."""
    prog = programme_services.create_programme(
        province["root"],
        actor=inspector,
        year=timezone.localdate().year + 1,
        title="Kế hoạch kiểm tra",
    )
    for organisation, quarter in ((province["dept_justice"], 4), (province["commune"], 3)):
        programme_services.add_item(
            prog,
            actor=inspector,
            organisation=organisation,
            quarter=quarter,
            kind=Inspection.Kind.SCHEDULED,
        )
    return programme_services.approve(prog, actor=officer, decision_number="1/QĐ-SNV")


# --- the programme's people and items (amendment tests) ----------------------------------------


@pytest.fixture
def root_viewer(province: dict[str, Organisation]) -> User:
    return make_user("root_viewer", Role.VIEWER, province["root"])


@pytest.fixture
def stranger(province: dict[str, Organisation]) -> User:
    """The head of an organisation the programme does not name."""
    return make_user("stranger", Role.HEAD, province["dept_home"])


def item_of(prog: InspectionProgramme, organisation: Organisation) -> ProgrammeItem:
    return ProgrammeItem.objects.select_related("organisation", "programme").get(
        programme=prog, organisation=organisation
    )
