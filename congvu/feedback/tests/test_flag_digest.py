"""The daily notice to reviewers about flagged ratings waiting for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from congvu.accounts.models import User
from congvu.conftest import START, make_staff
from congvu.core import daily
from congvu.core.models import Notification
from congvu.feedback import detection, flag_digest, services
from congvu.feedback.models import Rating
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, rate, working_hours

Province = dict[str, Organisation]


def _flag(ratings: list[Rating], *, days_ago: int = 0) -> None:
    """Flag `ratings` as detection does (rollups kept right), `days_ago` days ago."""
    chosen = Rating.objects.filter(pk__in=[r.pk for r in ratings])
    chosen.update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    detection._flag(chosen, reason="burst")


@pytest.fixture
def flagged(province: Province, staff_member: StaffMember) -> list[Rating]:
    load_catalogue(province)
    target = services.target_for_badge(staff_member.badge_token)
    assert target is not None
    ratings = [rate(target, comment=f"Bình luận riêng {n}") for n in range(3)]
    _flag(ratings[:2])
    _flag(ratings[2:], days_ago=5)
    return ratings


def _notices(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=flag_digest.NOTIFICATION_KIND))


def test_the_head_is_told_how_many_flagged_ratings_wait_and_how_many_are_new(
    flagged: list[Rating], head: User, province: Province
) -> None:
    flag_digest.send(timezone.localdate())

    [notice] = _notices(head)
    today = timezone.localdate()
    assert notice.title == (
        f"Đánh giá chờ xem xét ngày {today:%d/%m/%Y}: 3 lượt bị gắn cờ, 2 lượt mới từ hôm qua"
    )
    assert notice.url == "/ratings/flagged/"
    justice = province["dept_justice"]
    assert f"- {justice.name}: 3 lượt chờ xem xét (2 mới)" in notice.body
    assert f"/ratings/flagged/?organisation={justice.pk}" in notice.body


def test_the_notice_names_counts_and_organisations_never_what_citizens_wrote(
    flagged: list[Rating], head: User
) -> None:
    flag_digest.send(timezone.localdate())

    [notice] = _notices(head)
    assert "Bình luận riêng" not in notice.body
    assert "burst" not in notice.body


def test_home_affairs_hears_of_the_whole_province_and_an_outsider_nothing(
    flagged: list[Rating], officer: User, head: User, outsider: User, viewer: User
) -> None:
    result = flag_digest.send(timezone.localdate())

    assert len(_notices(officer)) == 1
    assert len(_notices(head)) == 1
    assert _notices(outsider) == []  # a head elsewhere: nothing waits in their scope
    assert _notices(viewer) == []  # may see ratings, may not review them
    assert result["notifications"] == 2  # the head and the officer


def test_a_second_run_on_the_same_day_sends_nothing_more(flagged: list[Rating], head: User) -> None:
    today = timezone.localdate()
    flag_digest.send(today)
    assert flag_digest.send(today) == {"notifications": 0, "mails": 0}
    assert len(_notices(head)) == 1
    flag_digest.send(today + dt.timedelta(days=1))
    assert len(_notices(head)) == 2  # the next day, if still waiting


def test_reviewers_with_an_address_get_an_email_after_the_commit(
    flagged: list[Rating], head: User, django_capture_on_commit_callbacks: object
) -> None:
    head.email = "head@example.vn"
    head.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        result = flag_digest.send(timezone.localdate())

    assert result["mails"] == 1
    [message] = mail.outbox
    assert message.to == ["head@example.vn"]
    assert message.subject.startswith("[Công vụ] Đánh giá chờ xem xét ngày")


def test_nothing_is_sent_once_every_flag_is_reviewed(
    flagged: list[Rating], head: User, officer: User
) -> None:
    for rating in flagged:
        services.review_rating(rating, include=True, reason="Đã xác minh", actor=head)

    assert flag_digest.send(timezone.localdate()) == {"notifications": 0, "mails": 0}


def test_many_organisations_are_listed_up_to_ten_and_the_rest_counted(
    province: Province, officer: User
) -> None:
    load_catalogue(province)
    ratings = []
    for n in range(12):
        org = org_services.create_organisation(
            actor=None,
            code=f"H56.{50 + n}",
            name=f"Cơ quan {n:02}",
            kind=province["dept_justice"].kind,
            parent=province["root"],
            valid_from=START,
        )
        member = make_staff(org, f"Cán bộ {n}", f"Q-{n}")
        target = services.target_for_badge(member.badge_token)
        assert target is not None
        ratings.append(rate(target, now=working_hours()))
    _flag(ratings)

    flag_digest.send(timezone.localdate())

    [notice] = _notices(officer)
    assert notice.body.count("lượt chờ xem xét (1 mới)") == 10
    assert "- và 2 cơ quan khác: 2 lượt chờ xem xét" in notice.body


def test_the_digest_is_a_daily_job_after_the_jumps_are_flagged() -> None:
    names = list(daily.registered())
    assert names.index("feedback.flag_jumps") < names.index("feedback.flag_digest")
