"""Property-based run of the planning, dissemination and reporting operations, with data.

The whole-API run (test_schemathesis.py) starts from an empty plan table, so
its requests to these operations mostly meet 404s. Here the database holds a
plan, tasks, assignments in every state, a progress update with an evidence
file, a pending extension request, a dissemination session, acknowledgements,
a report period and a report, so that the generated ids (small integers)
reach real rows and the handlers and services run through. The requests go
through the whole site's URLconf: the services link their notifications to
the pages.

Run alone: .venv/bin/pytest congvu/api/tests/test_schemathesis_planning.py -q
"""

import datetime as dt
import os
from typing import Any

import pytest
import schemathesis
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from config.wsgi import application
from congvu.accounts.models import User
from congvu.accounts.services import create_api_token
from congvu.conduct.models import CodeVersion
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember
from congvu.planning.models import (
    Acknowledgement,
    Dissemination,
    EvidenceFile,
    ExtensionRequest,
    ProgressUpdate,
)
from congvu.reporting import services as reporting

from .conftest import API_URLCONF, DEEPER_RUNS, DERANDOMIZE, make_version
from .test_plans_api import make_assignment, make_plan, make_task
from .test_schemathesis import same_connection  # noqa: F401 - a fixture used below

EXAMPLES = int(os.environ.get("CONGVU_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = DEEPER_RUNS["planning"]


def planning_data(
    province: dict[str, Organisation], officer: User, head: User, staff: StaffMember
) -> None:
    today = timezone.localdate()
    dept, commune = province["dept_justice"], province["commune"]
    plan = make_plan(province["root"])
    task = make_task(plan, "1", dept, commune)
    make_task(make_plan(dept, "12/KH-STP"), "1", dept)
    day = dt.timedelta(days=1)
    open_ = make_assignment(task, dept, period="2026-Q1", due_on=today + day)
    make_assignment(task, dept, period="2026-Q2", due_on=today - day)
    make_assignment(task, commune, period="2026-Q1", due_on=today, progress="in_progress")
    done = make_assignment(
        task, commune, period="2026-Q2", due_on=today, completed_on=today, progress="done"
    )
    update = ProgressUpdate.objects.create(
        assignment=done, progress="done", percent=100, completed_on=today, author=head
    )
    EvidenceFile.objects.create(
        update=update,
        file="evidence/2026/11/0123456789abcdef.pdf",
        original_name="Báo cáo.pdf",
        content_type="application/pdf",
        size=1024,
        sha256="0" * 64,
    )
    ExtensionRequest.objects.create(
        assignment=open_,
        requested_due_on=today + 30 * day,
        previous_due_on=open_.due_on,
        reason="Chờ hướng dẫn",
        requested_by=head,
    )
    session = Dissemination.objects.create(
        organisation=dept,
        held_on=today - day,
        format=Dissemination.Format.CONFERENCE,
        content="Quán triệt Bộ quy tắc ứng xử",
        participants=10,
        recorded_by=head,
    )
    session.attendees.add(staff)
    version = make_version(province["root"], CodeVersion.Status.ACTIVE, "2025")
    Acknowledgement.objects.create(
        staff=staff, code_version=version, method="recorded", recorded_by=head
    )
    period = reporting.create_period(
        actor=None,
        issuing_organisation=province["root"],
        name="Báo cáo năm 2099",
        kind="yearly",
        covers_from=dt.date(2025, 1, 1),
        covers_to=dt.date(2099, 11, 15),
        due_on=dt.date(2099, 11, 15),
        reporting_kinds=OrganisationKind.objects.filter(code__in=["department", "commune_pc"]),
    )
    reporting.create_report(period, organisation=dept, actor=head)


@pytest.fixture
def officer_headers(
    same_connection: None,  # noqa: F811 - the imported fixture
    settings: Any,
    province: dict[str, Organisation],
    staff_member: StaffMember,
    officer: User,
    head: User,
    tmp_path: Any,
) -> dict[str, str]:
    settings.ROOT_URLCONF = "config.urls"
    settings.MEDIA_ROOT = tmp_path
    planning_data(province, officer, head, staff_member)
    _, key = create_api_token(officer, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


with override_settings(ROOT_URLCONF=API_URLCONF):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=OPERATIONS
    )


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_planning_operations_never_fail_and_keep_to_their_schema(
    case: Any, officer_headers: dict[str, str]
) -> None:
    # As in the whole-API run: schema-valid input may be refused (422) because of the
    # data (a deadline before the current one, a report already submitted).
    case.call_and_validate(headers=officer_headers, excluded_checks=[positive_data_acceptance])
