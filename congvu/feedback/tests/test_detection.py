from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congvu.conftest import make_staff
from congvu.feedback import daily, detection, services
from congvu.feedback.models import OrganisationMonthRollup, Rating, StaffMonthRollup
from congvu.feedback.services import RatingTarget
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, make_counter, rate, working_hours

Province = dict[str, Organisation]


@pytest.fixture
def badge(province: Province, staff_member: StaffMember) -> RatingTarget:
    load_catalogue(province)
    target = services.target_for_badge(staff_member.badge_token)
    assert target is not None
    return target


def test_many_top_scores_from_one_device_are_flagged_and_not_counted(
    province: Province, badge: RatingTarget
) -> None:
    now = working_hours()
    # Different staff, one device: under the per-person limit, over the burst threshold.
    targets = [badge]
    for n in range(4):
        member = make_staff(province["dept_justice"], f"Cán bộ {n}", f"B-{n}")
        target = services.target_for_badge(member.badge_token)
        assert target is not None
        targets.append(target)
    states = [
        rate(t, level=1, device_hash="f" * 32, now=now + dt.timedelta(minutes=i)).state
        for i, t in enumerate(targets)
    ]
    assert states == ["counted"] * 4 + ["flagged"]
    assert Rating.objects.get(state="flagged").flag_reasons == "burst"
    row = OrganisationMonthRollup.objects.get()
    assert (row.total, row.counted, row.flagged) == (5, 4, 1)
    # A low score from the same device is no "top score" burst.
    assert rate(targets[1], level=4, device_hash="f" * 32, now=now).state == "counted"


def test_a_rating_far_outside_the_counters_hours_is_flagged(
    province: Province, staff_member: StaffMember, badge: RatingTarget
) -> None:
    make_counter(province["dept_justice"], staff_member)  # 07:00–17:30
    services.clear_caches()
    today = timezone.localdate()
    assert rate(badge, now=working_hours(today, hour=10)).state == "counted"
    assert rate(badge, now=working_hours(today, hour=19)).state == "counted"  # on the way home
    night = rate(badge, now=working_hours(today, hour=23))
    early = rate(badge, now=working_hours(today, hour=4))
    assert (night.state, night.flag_reasons) == ("flagged", "off_hours")
    assert early.state == "flagged"


def test_a_badge_of_someone_not_on_a_counter_is_rated_at_any_hour(badge: RatingTarget) -> None:
    assert rate(badge, now=working_hours(hour=23)).state == "counted"


def test_the_kiosk_at_night_is_flagged(province: Province, staff_member: StaffMember) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    kiosk = services.target_for_kiosk(counter.kiosk_token)
    assert kiosk is not None
    assert rate(kiosk, now=working_hours(hour=2)).state == "flagged"


def test_a_sudden_jump_against_the_history_flags_that_days_ratings(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    day = timezone.localdate() - dt.timedelta(days=1)
    for n in range(40):  # a history of mostly dissatisfied ratings
        rate(badge, level=4 if n % 5 else 2, now=working_hours(day - dt.timedelta(days=1 + n)))
    for _ in range(12):  # then a day of nothing but "very satisfied"
        rate(badge, level=1, now=working_hours(day))
    before = StaffMonthRollup.objects.get(staff=staff_member, month=day.replace(day=1))
    result = daily.flag_jumps(day)
    assert result == {"staff": 1, "ratings": 12}
    assert Rating.objects.filter(rated_on=day, state="flagged", flag_reasons="jump").count() == 12
    after = StaffMonthRollup.objects.get(staff=staff_member, month=day.replace(day=1))
    assert after.counted == before.counted - 12
    assert after.flagged == before.flagged + 12
    assert after.total == before.total
    # Run again: nothing new to flag.
    assert daily.flag_jumps(day) == {"staff": 0, "ratings": 0}


def test_a_steady_day_is_not_a_jump(badge: RatingTarget) -> None:
    day = timezone.localdate() - dt.timedelta(days=1)
    for n in range(40):
        rate(badge, level=1 if n % 5 else 3, now=working_hours(day - dt.timedelta(days=1 + n)))
    for _ in range(12):
        rate(badge, level=1, now=working_hours(day))
    assert daily.flag_jumps(day) == {"staff": 0, "ratings": 0}


def test_the_daily_job_judges_yesterday(badge: RatingTarget) -> None:
    today = timezone.localdate()
    assert daily.run_flag_jumps(today) == {"staff": 0, "ratings": 0}


def test_outside_hours_uses_the_margins() -> None:
    hours = ((dt.time(7, 0), dt.time(17, 30)),)
    at = dt.datetime(2026, 3, 2)
    assert not detection.outside_hours(at.replace(hour=6, minute=0), hours)
    assert detection.outside_hours(at.replace(hour=5, minute=59), hours)
    assert not detection.outside_hours(at.replace(hour=20, minute=30), hours)
    assert detection.outside_hours(at.replace(hour=20, minute=31), hours)
    assert not detection.outside_hours(at.replace(hour=3), ())
