"""Selectors behind the dashboards: figures from the rollups, scoping, months, ranking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from congvu.feedback import rollups, selectors, services
from congvu.feedback.models import Rating
from congvu.feedback.services import RatingTarget
from congvu.feedback.tests.ratings_helpers import load_catalogue, rate, working_hours
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db


def badge(staff: StaffMember) -> RatingTarget:
    target = services.target_for_badge(staff.badge_token)
    assert target is not None
    return target


def rate_many(
    target: RatingTarget, *, satisfied: int, unsatisfied: int = 0, day: dt.date | None = None
) -> None:
    when = working_hours(day)
    for _n in range(satisfied):
        rate(target, level=1, now=when)
    for _n in range(unsatisfied):
        rate(target, level=4, now=when)


def flagged_rating(target: RatingTarget, *, level: int = 1) -> Rating:
    """A rating held back by detection (as `submit_rating` stores one), in the rollups."""
    scale, _levels = services.active_scale()
    now = working_hours()
    rating = Rating.objects.create(
        created_at=now,
        rated_on=timezone.localdate(now),
        channel=target.channel,
        organisation=target.organisation,
        staff=target.staff,
        scale=scale,
        level=level,
        satisfied=level <= 2,
        answers={},
        comment="Bình chọn dồn dập",
        state=Rating.State.FLAGGED,
        flag_reasons="burst",
        device_hash="d" * 32,
    )
    rollups.add(rating)
    return rating


@pytest.fixture
def rated(province: dict[str, Organisation], staff_member: StaffMember) -> dict[str, Any]:
    load_catalogue(province)
    target = badge(staff_member)
    rate_many(target, satisfied=8, unsatisfied=2)
    return {"target": target, "staff": staff_member}


def test_month_range_and_the_default_period_are_whole_months() -> None:
    assert selectors.month_range(dt.date(2026, 3, 17), dt.date(2026, 5, 2)) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 5, 1),
    )
    assert selectors.default_period(dt.date(2026, 2, 10)) == (
        dt.date(2025, 3, 1),
        dt.date(2026, 2, 1),
    )
    assert selectors.month_end(dt.date(2024, 2, 5)) == dt.date(2024, 2, 29)
    assert len(selectors.months_between(dt.date(2025, 11, 1), dt.date(2026, 2, 1))) == 4


def test_the_index_of_an_organisation_counts_its_ratings_with_the_interval(
    rated: dict[str, Any], province: dict[str, Organisation]
) -> None:
    start, end = selectors.default_period(timezone.localdate())
    index = selectors.organisation_index(province["dept_justice"], start=start, end=end)
    assert (index.counted, index.satisfied, index.total) == (10, 8, 10)
    assert index.share == pytest.approx(0.8)
    assert index.low == pytest.approx(0.490162, abs=1e-6)
    assert index.high == pytest.approx(0.943318, abs=1e-6)
    assert index.levels == (8, 0, 0, 2, 0)


def test_flagged_ratings_are_not_counted_until_included(
    rated: dict[str, Any], province: dict[str, Organisation], head: Any
) -> None:
    start, end = selectors.default_period(timezone.localdate())
    rating = flagged_rating(rated["target"])
    index = selectors.organisation_index(province["dept_justice"], start=start, end=end)
    assert (index.counted, index.flagged, index.total) == (10, 1, 11)
    services.review_rating(rating, include=True, reason="Đã xác minh với người dân", actor=head)
    index = selectors.organisation_index(province["dept_justice"], start=start, end=end)
    assert (index.counted, index.satisfied, index.flagged) == (11, 9, 0)


def test_organisation_rows_are_scoped_and_ranked(
    rated: dict[str, Any], province: dict[str, Organisation], head: Any, outsider: Any, officer: Any
) -> None:
    start, end = selectors.default_period(timezone.localdate())
    rows = {r.code: r for r in selectors.organisation_rows(head, start=start, end=end)}
    # The head of Sở Tư pháp sees it (and its subtree's non-division organisations), nothing else.
    assert set(rows) == {"H56.02"}
    assert rows["H56.02"].rank == 1 and rows["H56.02"].index.counted == 10
    assert [r.code for r in selectors.organisation_rows(outsider, start=start, end=end)] == [
        "H56.30"
    ]
    every = selectors.organisation_rows(officer, start=start, end=end)
    assert {r.code for r in every} == {"H56", "H56.01", "H56.02", "H56.30"}
    assert [r.rank for r in every if r.code != "H56.02"] == [None, None, None]


def test_an_organisation_with_few_ratings_is_not_ranked(
    province: dict[str, Organisation], staff_member: StaffMember, officer: Any
) -> None:
    load_catalogue(province)
    rate_many(badge(staff_member), satisfied=selectors.MIN_RANKED - 1)
    start, end = selectors.default_period(timezone.localdate())
    row = next(
        r for r in selectors.organisation_rows(officer, start=start, end=end) if r.code == "H56.02"
    )
    assert row.rank is None and row.index.counted == selectors.MIN_RANKED - 1


def test_public_rows_hide_figures_under_thirty_counted_ratings(
    rated: dict[str, Any], province: dict[str, Organisation]
) -> None:
    start, end = selectors.default_period(timezone.localdate())
    row = next(
        r
        for r in selectors.organisation_rows(None, start=start, end=end, public=True)
        if r.code == "H56.02"
    )
    assert not row.published and row.index.counted == 0 and row.index.share is None
    rate_many(rated["target"], satisfied=20)
    row = next(
        r
        for r in selectors.organisation_rows(None, start=start, end=end, public=True)
        if r.code == "H56.02"
    )
    assert row.published and row.index.counted == 30 and row.rank == 1


def test_the_trend_has_every_month_and_months_outside_the_period_are_left_out(
    rated: dict[str, Any], province: dict[str, Organisation]
) -> None:
    today = timezone.localdate()
    old = selectors.add_months(selectors.month_start(today), -14)
    rate_many(rated["target"], satisfied=0, unsatisfied=3, day=old)
    start, end = selectors.default_period(today)
    trend = selectors.monthly_trend(organisation=province["dept_justice"], start=start, end=end)
    assert len(trend) == 12
    assert trend[-1][1].counted == 10
    assert sum(index.counted for _m, index in trend) == 10
    longer = selectors.monthly_trend(organisation=None, start=old, end=end)
    assert longer[0] == (old, longer[0][1]) and longer[0][1].counted == 3


def test_behaviour_rates_come_from_the_criterion_rollups(
    province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    load_catalogue(province)
    target = badge(staff_member)
    criteria = services.criteria_for(target)
    first = next(c for c in criteria if not c.yes_is_breach)
    for answer in ("yes", "yes", "yes", "no", "unknown"):
        answers = {c.clause_id: "yes" if not c.yes_is_breach else "no" for c in criteria}
        answers[first.clause_id] = answer
        rate(target, answers=answers)
    start, end = selectors.default_period(timezone.localdate())
    rates = {
        r.clause_id: r
        for r in selectors.criterion_rates(
            organisation=province["dept_justice"], start=start, end=end
        )
    }
    assert (rates[first.clause_id].kept, rates[first.clause_id].breached) == (3, 1)
    assert rates[first.clause_id].unknown == 1
    assert rates[first.clause_id].rate == pytest.approx(0.75)
    mine = {
        r.clause_id: r for r in selectors.staff_criterion_rates(staff_member, start=start, end=end)
    }
    assert (mine[first.clause_id].kept, mine[first.clause_id].breached) == (3, 1)


def test_staff_rows_put_the_lowest_index_first(
    province: dict[str, Organisation], staff_member: StaffMember
) -> None:
    from congvu.organisations import services as org_services

    load_catalogue(province)
    other = org_services.create_staff(
        actor=None,
        organisation=province["dept_justice"],
        full_name="Trần Thị Bình",
        staff_code="STP-002",
        category=StaffMember.Category.CIVIL_SERVANT,
        valid_from=dt.date(2025, 1, 1),
    )
    rate_many(badge(staff_member), satisfied=10)
    rate_many(badge(other), satisfied=5, unsatisfied=5)
    start, end = selectors.default_period(timezone.localdate())
    rows = selectors.staff_rows(province["dept_justice"], start=start, end=end)
    assert [r.full_name for r in rows] == ["Trần Thị Bình", "Nguyễn Văn Đức"]
    assert rows[0].index.share == pytest.approx(0.5)


def test_ties_in_share_are_ranked_by_the_lower_bound_of_the_interval() -> None:
    # The ranking orders equal shares by the number of ratings; for equal shares that is
    # exactly the order of the Wilson lower bound (which grows with the number of ratings).
    from congvu.feedback.stats import wilson

    rows = [
        selectors.OrganisationRow(
            organisation_id=n,
            code=f"X{n}",
            name=f"Cơ quan {n:03d}",
            kind="",
            kind_code="",
            kind_id=1,
            parent_id=None,
            sums=(counted, counted, satisfied, 0, 0, 0, 0, 0, 0, 0),
        )
        for n, (satisfied, counted) in enumerate(
            (s * k, c * k) for c in range(1, 25) for s in range(c + 1) for k in (1, 2, 3, 7, 40)
        )
    ]
    ranked = selectors._rank(list(rows), 1)
    by_bound = sorted(
        rows,
        key=lambda r: (
            -r.sums[2] / r.sums[1],
            -(wilson(r.sums[2], r.sums[1]) or (0.0, 0.0))[0],
            -r.sums[1],
            r.name,
        ),
    )
    assert [r.organisation_id for r in ranked] == [r.organisation_id for r in by_bound]
    assert [r.rank for r in ranked] == list(range(1, len(rows) + 1))


def test_a_review_of_an_older_rating_shows_at_once(
    rated: dict[str, Any], province: dict[str, Organisation], head: Any, officer: Any
) -> None:
    today = timezone.localdate()
    start, end = selectors.default_period(today)
    last_month = selectors.add_months(selectors.month_start(today), -1)
    target = rated["target"]
    scale, _levels = services.active_scale()
    old = Rating.objects.create(
        created_at=working_hours(last_month),
        rated_on=last_month,
        channel=target.channel,
        organisation=target.organisation,
        staff=target.staff,
        scale=scale,
        level=1,
        satisfied=True,
        answers={},
        state=Rating.State.FLAGGED,
        flag_reasons="burst",
    )
    rollups.add(old)

    def justice() -> selectors.OrganisationRow:
        rows = selectors.organisation_rows(officer, start=start, end=end)
        return next(r for r in rows if r.code == "H56.02")

    assert (justice().index.counted, justice().index.flagged) == (10, 1)
    services.review_rating(old, include=True, reason="Đã xác minh", actor=head)
    assert (justice().index.counted, justice().index.flagged) == (11, 0)
    assert selectors.province_index(start=start, end=end).counted == 11
