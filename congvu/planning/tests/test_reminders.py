"""The daily reminder digest for heads and focal points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from congvu.accounts.models import Role, RoleGrant, User
from congvu.conftest import make_user
from congvu.core import daily, digests
from congvu.core.models import Notification
from congvu.organisations.models import Organisation
from congvu.planning import reminders
from congvu.planning.models import Assignment, Plan, Task

pytestmark = pytest.mark.django_db

THURSDAY = dt.date(2026, 3, 5)  # no public holiday in the next fortnight


@pytest.fixture
def task(province: dict[str, Organisation]) -> Task:
    plan = Plan.objects.create(
        number="86/KH-UBND",
        title="Kế hoạch thực hiện văn hóa công vụ",
        issuing_organisation=province["root"],
        issued_on=dt.date(2019, 8, 30),
    )
    return Task.objects.create(
        plan=plan,
        code="2",
        content="Quán triệt bộ quy tắc ứng xử đến toàn thể cán bộ",
        starts_on=dt.date(2026, 1, 1),
    )


@pytest.fixture
def assign(task: Task) -> Callable[..., Assignment]:
    def make(organisation: Organisation, due: dt.date, **kwargs: Any) -> Assignment:
        return Assignment.objects.create(
            task=kwargs.pop("of", task),
            organisation=organisation,
            period=kwargs.pop("period", f"p{Assignment.objects.count()}"),
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            original_due_on=due,
            due_on=due,
            **kwargs,
        )

    return make


@pytest.fixture
def mailed_head(head: User) -> User:
    head.email = "head@stp.example.vn"
    head.save(update_fields=["email"])
    return head


def run_jobs(capture: Any, day: dt.date = THURSDAY) -> None:
    with capture(execute=True):
        daily.run_due(day)


def test_a_head_gets_a_mail_listing_work_due_soon_and_overdue(
    mailed_head: User,
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
) -> None:
    overdue = assign(province["division_justice"], dt.date(2026, 3, 2))
    soon = assign(province["dept_justice"], dt.date(2026, 3, 10))
    run_jobs(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head@stp.example.vn"]
    assert message.subject == "[Công vụ] Nhắc việc ngày 05/03/2026: 1 sắp đến hạn, 1 quá hạn"
    body = message.body
    assert "Quán triệt bộ quy tắc ứng xử đến toàn thể cán bộ" in body
    assert "Phòng Hành chính tư pháp" in body and "Sở Tư pháp" in body
    assert "Hạn: 02/03/2026" in body and "Hạn: 10/03/2026" in body
    assert f"{settings.SITE_URL}/assignments/{overdue.pk}/" in body
    assert f"{settings.SITE_URL}/assignments/{soon.pk}/" in body
    assert body.index("QUÁ HẠN") < body.index("SẮP ĐẾN HẠN")


def test_a_head_who_turned_planning_mails_off_gets_the_digest_in_the_app_only(
    mailed_head: User,
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailed_head.mail_muted_groups = ["planning"]
    mailed_head.save(update_fields=["mail_muted_groups"])
    assign(province["dept_justice"], dt.date(2026, 3, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(THURSDAY) == {"notifications": 1, "mails": 0}
    assert mail.outbox == []
    assert "1 quá hạn" in Notification.objects.get(user=mailed_head, kind="digest").title


def test_running_the_daily_jobs_twice_sends_one_mail_and_one_notification(
    mailed_head: User,
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
) -> None:
    assign(province["dept_justice"], dt.date(2026, 3, 6))
    run_jobs(django_capture_on_commit_callbacks)
    run_jobs(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(user=mailed_head)
    assert notification.kind == "digest"
    assert notification.title == "Nhắc việc ngày 05/03/2026: 1 sắp đến hạn, 0 quá hạn"
    assert notification.url == "/assignments/?due=soon"
    # Even called directly, the digest of a day goes out once.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(THURSDAY) == {"notifications": 0, "mails": 0}
    assert len(mail.outbox) == 1


def test_only_users_with_something_due_get_mail(
    mailed_head: User,
    outsider: User,
    officer: User,
    viewer: User,
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
) -> None:
    for user in (outsider, officer, viewer):
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    assign(province["dept_justice"], dt.date(2026, 3, 9))
    assign(province["commune"], dt.date(2026, 4, 30))  # the commune's work is not due yet
    assign(province["commune"], dt.date(2026, 3, 1), completed_on=dt.date(2026, 2, 27))
    run_jobs(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["head@stp.example.vn"]]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"head"}


def test_the_due_soon_window_counts_working_days_across_a_weekend(
    head: User, province: dict[str, Organisation], assign: Callable[..., Assignment]
) -> None:
    dept = province["dept_justice"]
    # Thursday + 5 working days: Fri, Mon, Tue, Wed, Thu 12/03.
    inside = assign(dept, dt.date(2026, 3, 12))
    today = assign(dept, THURSDAY)
    outside = assign(dept, dt.date(2026, 3, 13))
    digest = reminders.build_digest(head, THURSDAY)
    assert digest.due_soon == [today, inside]
    assert outside not in digest.due_soon and digest.overdue == []


def test_a_focal_point_without_the_subtree_hears_only_of_their_organisation(
    province: dict[str, Organisation], assign: Callable[..., Assignment]
) -> None:
    focal = make_user("focal", Role.FOCAL_POINT, province["dept_justice"])
    RoleGrant.objects.filter(user=focal).update(include_subtree=False)
    own = assign(province["dept_justice"], dt.date(2026, 3, 4))
    assign(province["division_justice"], dt.date(2026, 3, 4))
    digest = reminders.build_digest(focal, THURSDAY)
    assert digest.overdue == [own] and digest.due_soon == []


def test_closed_tasks_and_finished_work_are_left_out(
    head: User, task: Task, province: dict[str, Organisation], assign: Callable[..., Assignment]
) -> None:
    closed = Task.objects.create(
        plan=task.plan,
        code="3",
        content="Nhiệm vụ đã kết thúc",
        starts_on=dt.date(2026, 1, 1),
        status=Task.Status.CLOSED,
    )
    assign(province["dept_justice"], dt.date(2026, 3, 2), of=closed)
    assign(province["dept_justice"], dt.date(2026, 3, 2), completed_on=dt.date(2026, 3, 3))
    assert reminders.build_digest(head, THURSDAY).is_empty


def test_a_user_without_an_email_address_still_gets_the_notification(
    head: User,
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    django_capture_on_commit_callbacks: Any,
) -> None:
    assign(province["dept_justice"], dt.date(2026, 3, 2))
    run_jobs(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    notification = Notification.objects.get(user=head)
    assert notification.url == "/assignments/?due=overdue"
    assert "0 sắp đến hạn, 1 quá hạn" in notification.title


def test_many_digests_go_out_over_one_connection(
    province: dict[str, Organisation],
    assign: Callable[..., Assignment],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for index in range(3):
        user = make_user(f"focal{index}", Role.FOCAL_POINT, province["dept_justice"])
        user.email = f"focal{index}@example.vn"
        user.save(update_fields=["email"])
    assign(province["dept_justice"], dt.date(2026, 3, 2))
    opened: list[Any] = []
    real = digests.get_connection

    def counting(*args: Any, **kwargs: Any) -> Any:
        connection = real(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(digests, "get_connection", counting)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_digests(THURSDAY) == {"notifications": 3, "mails": 3}
    assert len(opened) == 1 and len(mail.outbox) == 3
