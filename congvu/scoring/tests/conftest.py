"""Data the scoring tests compute on: assignments, ratings, cases, staff in the small
province of congvu/conftest.py, all in 2025 (the scorecards' period)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.cases.models import Case, Track
from congvu.conftest import kind, make_staff, make_user
from congvu.feedback.models import OrganisationMonthRollup
from congvu.organisations.models import Organisation
from congvu.planning.models import Assignment, Plan, Task
from congvu.scoring import services
from congvu.scoring.models import Scorecard

YEAR_START = dt.date(2025, 1, 1)
YEAR_END = dt.date(2025, 12, 31)
TODAY = dt.date(2026, 1, 15)


def assignment(
    task: Task, organisation: Organisation, *, due: dt.date, done: dt.date | None
) -> Assignment:
    return Assignment.objects.create(
        task=task,
        organisation=organisation,
        period=due.isoformat(),
        period_start=YEAR_START,
        period_end=YEAR_END,
        original_due_on=due,
        due_on=due,
        progress=Assignment.Progress.DONE if done else Assignment.Progress.IN_PROGRESS,
        percent=100 if done else 50,
        completed_on=done,
    )


def substantiated_case(organisation: Organisation, concluded: dt.date) -> Case:
    at = timezone.make_aware(dt.datetime.combine(concluded, dt.time(10)))
    return Case.objects.create(
        track=Track.FEEDBACK,
        status=Case.Status.CONCLUDED,
        outcome=Case.Outcome.SUBSTANTIATED,
        channel=Case.Channel.WEB,
        organisation=organisation,
        handling_organisation=organisation,
        description="Cán bộ gây phiền hà",
        subject_description="Cán bộ tiếp nhận hồ sơ",
        received_at=at,
        acknowledge_due=concluded,
        concluded_at=at,
    )


@pytest.fixture
def scored(province: dict[str, Organisation], officer: User) -> dict[str, Organisation]:
    """Sở Tư pháp: two staff, one task on time and one overdue, 18/20 satisfied, no case.
    Sở Nội vụ: one staff, no task, a substantiated case. The commune: 5 ratings only."""
    justice, home, commune = province["dept_justice"], province["dept_home"], province["commune"]
    make_staff(justice, "Nguyễn Văn An", "STP-1")
    make_staff(justice, "Trần Thị Bình", "STP-2")
    make_staff(home, "Lê Văn Cường", "SNV-1")
    make_staff(commune, "Phạm Thị Dung", "XAB-1")
    plan = Plan.objects.create(
        number="86/KH-UBND",
        title="Văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=YEAR_START,
    )
    task = Task.objects.create(plan=plan, code="1", content="Quán triệt", starts_on=YEAR_START)
    assignment(task, justice, due=dt.date(2025, 6, 30), done=dt.date(2025, 6, 1))
    assignment(task, justice, due=dt.date(2025, 9, 30), done=None)
    # Due after the period: not counted.
    assignment(task, justice, due=dt.date(2026, 3, 31), done=None)
    substantiated_case(home, dt.date(2025, 5, 5))
    for org, counted, satisfied in ((justice, 20, 18), (commune, 5, 5)):
        OrganisationMonthRollup.objects.create(
            organisation=org,
            month=dt.date(2025, 3, 1),
            total=counted,
            counted=counted,
            satisfied=satisfied,
        )
    return province


def make_scorecard(
    province: dict[str, Organisation],
    officer: User,
    *,
    criteria: tuple[tuple[str, int], ...] = (("tasks_on_time", 50), ("misconduct", 50)),
    kinds: tuple[str, ...] = ("department", "commune_pc"),
    min_criteria: int | None = None,
) -> Scorecard:
    return services.create_scorecard(
        province["root"],
        actor=officer,
        name="Xếp hạng năm 2025",
        period_start=YEAR_START,
        period_end=YEAR_END,
        kinds=[kind(code) for code in kinds],
        criteria=[services.CriterionIn(m, Decimal(w)) for m, w in criteria],
        min_criteria=min_criteria,
    )


@pytest.fixture
def scorecard(scored: dict[str, Organisation], officer: User) -> Scorecard:
    return make_scorecard(scored, officer)


@pytest.fixture
def computed(scorecard: Scorecard, officer: User) -> Scorecard:
    services.compute(scorecard, actor=officer, today=TODAY)
    scorecard.refresh_from_db()
    return scorecard


@pytest.fixture
def published(computed: Scorecard, officer: User) -> Scorecard:
    return services.publish(computed, actor=officer)


@pytest.fixture
def province_viewer(province: dict[str, Organisation]) -> User:
    """Sees the whole province but may not manage scorecards: 403 where it would be 404."""
    return make_user("province_viewer", Role.VIEWER, province["root"])


@pytest.fixture
def make_nobody(db: object) -> User:
    """An account without any role."""
    return make_user("nobody")
