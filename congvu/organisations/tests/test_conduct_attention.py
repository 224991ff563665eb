"""The "Cần lưu ý" (attention) filter is found set-based (`conduct_record.attention_ids`);
it must flag exactly the staff whose computed row (`ConductRow.reasons`) needs attention."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import timezone

from congvu.accounts.models import Role, User
from congvu.conduct import selectors as conduct_selectors
from congvu.conduct import services as conduct_services
from congvu.conftest import make_staff, make_user
from congvu.feedback.models import StaffMonthRollup
from congvu.organisations import conduct_record
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning.models import Acknowledgement

from .conduct_helpers import build_world

Province = dict[str, Organisation]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _supplement(scope: Organisation, officer: User) -> None:
    draft = conduct_services.create_draft(scope, actor=officer, title="Bổ sung", version="1")
    section = conduct_services.add_section(draft, actor=officer, code="B.1", title="Bổ sung")
    conduct_services.add_clause(section, actor=officer, code="B.1.a", short_title="a", text="a")
    conduct_services.activate(draft, actor=officer)


def _move(member: StaffMember, to: Organisation) -> None:
    org_services.update_staff(
        member,
        actor=None,
        full_name=member.full_name,
        staff_code=member.staff_code,
        category=member.category,
        position_title=member.position_title,
        is_leader=member.is_leader,
        organisation=to,
        division=None,
        email=member.email,
        phone=member.phone,
        effective=timezone.localdate(),
    )


def _varied_staff(province: Province, officer: User, rng: random.Random) -> None:
    """Forty staff members across the tree (the provincial code, and supplements on the
    Department of Justice and its division): some confirmed every version, some one of
    them, some only after last year ended; ratings around the threshold and the minimum,
    some given in organisations a head of the department may not watch; some left, some
    moved out."""
    today = timezone.localdate()
    year = today.year
    places = [
        (province["dept_justice"], None),
        (province["dept_justice"], province["division_justice"]),
        (province["division_justice"], None),
        (province["dept_home"], None),
        (province["commune"], None),
        (province["root"], None),
    ]
    rollups = []
    for n in range(40):
        organisation, division = places[n % len(places)]
        member = make_staff(organisation, f"Cán bộ Thử {n}", f"T-{n:03d}", division=division)
        for version in conduct_selectors.applicable_versions(organisation):
            when = rng.choice(
                [
                    None,
                    timezone.now(),
                    timezone.make_aware(dt.datetime(year - 1, 6, 1, 9)),
                    timezone.make_aware(dt.datetime(year, 1, 1, 0, 10)),  # just after last year
                ]
            )
            if when is not None:
                Acknowledgement.objects.create(
                    staff=member,
                    code_version=version,
                    method=Acknowledgement.Method.SELF,
                    recorded_by=officer,
                    acknowledged_at=when,
                )
        for month_year in (year, year - 1):
            where = rng.choice([organisation, organisation, province["dept_home"]])
            counted = rng.choice([0, 4, 9, 10, 10, 20])
            satisfied = rng.choice([0, counted * 7 // 10, counted * 8 // 10, counted])
            if counted:
                rollups.append(
                    StaffMonthRollup(
                        staff=member,
                        organisation=where,
                        month=dt.date(month_year, rng.randint(1, today.month), 1),
                        total=counted,
                        counted=counted,
                        satisfied=satisfied,
                    )
                )
        if n % 7 == 3:
            org_services.mark_staff_left(member, actor=None, left_on=today)
        elif n % 9 == 4:
            _move(
                member,
                province["commune"]
                if organisation != province["commune"]
                else province["dept_home"],
            )
    StaffMonthRollup.objects.bulk_create(rollups)


def _python_rule(record: conduct_record.Record) -> list[int]:
    return [row.staff_id for row in record.all_rows() if row.attention]


def test_the_sql_filter_flags_exactly_the_rows_the_python_rule_flags(
    province: Province,
    staff_member: StaffMember,
    staff_user: User,
    head: User,
    officer: User,
    settings: Any,
) -> None:
    build_world(province, staff_member, staff_user, head)
    for scope in (province["dept_justice"], province["division_justice"]):
        _supplement(scope, officer)
    _varied_staff(province, officer, random.Random(86))
    focal = make_user("focal-alone", Role.FOCAL_POINT, province["dept_justice"])
    focal.grants.update(include_subtree=False)
    today = timezone.localdate()
    readers = {
        officer: ["root", "dept_justice", "division_justice", "commune", "dept_home"],
        head: ["dept_justice", "division_justice"],
        focal: ["dept_justice"],
    }
    reasons: set[str] = set()
    flagged_somewhere = 0
    for minimum, threshold in ((10, 70), (5, 80)):
        settings.CONDUCT_RECORD_MIN_RATINGS = minimum
        settings.CONDUCT_RECORD_INDEX_THRESHOLD = threshold
        for user, names in readers.items():
            for name in names:
                for subtree in (False, True):
                    for year in (today.year, today.year - 1):
                        for sort, query in (("name", ""), ("index", ""), ("name", "thu")):
                            period = conduct_record.Period(year, today)
                            every = conduct_record.record(
                                user,
                                province[name],
                                period,
                                subtree=subtree,
                                sort=sort,
                                query=query,
                            )
                            rows = list(every.all_rows())
                            reasons.update(code for row in rows for code in row.reasons)
                            expected = [row.staff_id for row in rows if row.attention]
                            found = conduct_record.record(
                                user,
                                province[name],
                                period,
                                subtree=subtree,
                                sort=sort,
                                query=query,
                                attention=True,
                            )
                            assert found.order == expected, (
                                user.username,
                                name,
                                subtree,
                                year,
                                sort,
                                query,
                                minimum,
                                threshold,
                            )
                            flagged_somewhere += bool(expected) and len(expected) < len(rows)
    # The data is varied enough for the comparison to mean something: every reason
    # occurs, and most lists hold both flagged and unflagged staff.
    assert reasons == set(conduct_record.REASONS)
    assert flagged_somewhere > 50


def test_the_filter_reads_the_same_few_queries_for_more_staff(
    province: Province, officer: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    conduct_services.load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    period = conduct_record.parse_year(None)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = conduct_record.record(
                officer, province["root"], period, subtree=True, attention=True
            )
            found.rows(found.order[:100])
        return len(captured.captured_queries)

    for n in range(3):
        make_staff(province["dept_justice"], f"Cán bộ {n}", f"Q-{n:03d}")
    count()  # warm the caches (grants, catalogue)
    few = count()
    for n in range(3, 30):
        make_staff(province["commune" if n % 2 else "dept_home"], f"Cán bộ {n}", f"Q-{n:03d}")
    assert count() == few
