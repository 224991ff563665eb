from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from congvu.feedback import daily, devices, services
from congvu.feedback.models import DeviceSalt, Rating
from congvu.feedback.services import RatingRejected
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, make_counter, rate

Province = dict[str, Organisation]


@pytest.fixture(autouse=True)
def _fresh_salts() -> None:
    devices.forget_cached_salts()


def request_from(ip: str, ua: str) -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


def test_the_device_hash_is_stable_within_a_day_and_reveals_neither_ip_nor_browser(
    db: Any,
) -> None:
    first = devices.device_hash(request_from("198.51.100.9", "Phone A"))
    assert first == devices.device_hash(request_from("198.51.100.9", "Phone A"))
    assert first != devices.device_hash(request_from("198.51.100.9", "Phone B"))
    assert first != devices.device_hash(request_from("198.51.100.10", "Phone A"))
    assert len(first) == 32 and int(first, 16) >= 0
    assert "198.51.100.9" not in first
    assert DeviceSalt.objects.filter(day=timezone.localdate()).count() == 1


def test_the_same_device_hashes_differently_on_another_day(db: Any) -> None:
    today = timezone.localdate()
    a = devices.hash_for("198.51.100.9", "Phone A", day=today)
    b = devices.hash_for("198.51.100.9", "Phone A", day=today + dt.timedelta(days=1))
    assert a != b


def test_a_salt_created_by_another_process_meanwhile_is_used(db: Any) -> None:
    day = timezone.localdate()
    DeviceSalt.objects.create(day=day, salt="f" * 64)
    assert devices.salt_for(day) == "f" * 64
    devices.forget_cached_salts()
    assert devices.salt_for(day) == "f" * 64
    assert DeviceSalt.objects.count() == 1


def test_the_daily_job_deletes_salts_older_than_two_days(db: Any) -> None:
    today = timezone.localdate()
    for age in range(5):
        devices.salt_for(today - dt.timedelta(days=age))
    assert daily.purge_salts(today) == 2
    kept = sorted(DeviceSalt.objects.values_list("day", flat=True))
    assert kept == [today - dt.timedelta(days=2), today - dt.timedelta(days=1), today]


@pytest.fixture
def badge(province: Province, staff_member: StaffMember) -> services.RatingTarget:
    load_catalogue(province)
    target = services.target_for_badge(staff_member.badge_token)
    assert target is not None
    return target


def test_one_device_rates_one_staff_member_at_most_three_times_an_hour(
    badge: services.RatingTarget,
) -> None:
    now = timezone.now()
    for minute in range(3):
        rate(badge, device_hash="a" * 32, now=now + dt.timedelta(minutes=minute))
    with pytest.raises(RatingRejected) as refused:
        rate(badge, device_hash="a" * 32, now=now + dt.timedelta(minutes=5))
    assert refused.value.code == "rate_limited"
    assert " / " in refused.value.message
    # Another device, or the same one an hour later, may.
    rate(badge, device_hash="b" * 32, now=now + dt.timedelta(minutes=5))
    rate(badge, device_hash="a" * 32, now=now + dt.timedelta(minutes=61))
    assert Rating.objects.count() == 5


def test_one_device_sends_at_most_thirty_ratings_an_hour(
    badge: services.RatingTarget, settings: Any
) -> None:
    # Lift the per-person limit to reach the per-device one with a single staff member.
    settings.RATINGS_LIMITS = {"per_target_per_hour": 1000}
    now = timezone.now()
    for second in range(30):
        rate(badge, level=3, device_hash="c" * 32, now=now + dt.timedelta(seconds=second))
    with pytest.raises(RatingRejected) as refused:
        rate(badge, level=3, device_hash="c" * 32, now=now + dt.timedelta(minutes=1))
    assert refused.value.code == "rate_limited"
    assert "Thiết bị này đã gửi nhiều đánh giá" in refused.value.message
    assert Rating.objects.count() == 30


def test_the_kiosk_is_exempt_from_device_limits(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    kiosk = services.target_for_kiosk(counter.kiosk_token, staff_id=staff_member.pk)
    assert kiosk is not None
    for _ in range(40):
        rate(kiosk, level=2, device_hash="k" * 32)
    assert Rating.objects.filter(channel="kiosk", state="counted").count() == 40


def test_a_retry_after_the_limit_returns_the_stored_rating(
    badge: services.RatingTarget,
) -> None:
    import uuid

    now = timezone.now()
    first_id = uuid.uuid4()
    first = rate(badge, device_hash="e" * 32, submission_id=first_id, now=now)
    rate(badge, device_hash="e" * 32, now=now)
    rate(badge, device_hash="e" * 32, now=now)
    again = rate(badge, device_hash="e" * 32, submission_id=first_id, now=now)
    assert again.pk == first.pk
