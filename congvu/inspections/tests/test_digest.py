"""The daily digest of corrective actions: each of the inspected organisation's own people
with open actions overdue or due within a week gets one notification and one e-mail a day,
naming the inspection, the organisation and the deadline only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from congvu.accounts.models import Role, User
from congvu.core import daily, notices
from congvu.core.models import Notification
from congvu.inspections import digest, services
from congvu.inspections.models import CorrectiveAction
from congvu.organisations.models import Organisation

from ...conftest import make_user
from .conftest import answer_all, conclude, plan, start

pytestmark = pytest.mark.usefixtures("catalogue")


def with_email(user: User) -> User:
    user.email = f"{user.username}@example.vn"
    user.save(update_fields=["email"])
    return user


def actions_due(
    organisation: Organisation, inspector: User, *offsets: int
) -> tuple[str, list[CorrectiveAction]]:
    """A concluded inspection of `organisation` with one open action due `offset` days
    from today for each offset (negative: overdue)."""
    inspection = start(plan(organisation, inspector), inspector)
    observations = answer_all(inspection, inspector, breach=len(offsets))
    actions = [
        services.add_corrective_action(
            observation, actor=inspector, description="Nguyễn Văn Đức đeo thẻ khi tiếp dân."
        )
        for observation in observations[: len(offsets)]
    ]
    conclude(inspection, inspector)
    today = timezone.localdate()
    for action, offset in zip(actions, offsets, strict=True):
        CorrectiveAction.objects.filter(pk=action.pk).update(
            due_on=today + dt.timedelta(days=offset)
        )
    return inspection.code, actions


def test_the_organisations_people_get_one_digest_of_overdue_and_due_soon_actions(
    province: dict[str, Organisation],
    inspector: User,
    focal: User,
    officer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with_email(focal)
    with_email(officer)
    code, actions = actions_due(province["dept_justice"], inspector, -2, 3, 20)
    # Done actions are not owed any more.
    services.respond(actions[1], actor=focal, response="Đã xong.", done=True)
    actions_due(province["dept_justice"], inspector, 5)
    Notification.objects.all().delete()
    mail.outbox.clear()
    today = timezone.localdate()

    with django_capture_on_commit_callbacks(execute=True):
        result = digest.send_digests(today)

    assert result == {"notifications": 1, "mails": 1}
    notice = Notification.objects.get(user=focal, kind=digest.KIND)
    assert notice.title == f"Biện pháp khắc phục ngày {today:%d/%m/%Y}: 1 sắp đến hạn, 1 quá hạn"
    overdue_day = today - dt.timedelta(days=2)
    assert f"- {code} (Sở Tư pháp), hạn khắc phục: {overdue_day:%d/%m/%Y}" in notice.body
    assert f"/inspections/{code}/" in notice.body
    # The action due in 20 days is not listed; the action's words are never in a mail.
    assert f"{today + dt.timedelta(days=20):%d/%m/%Y}" not in notice.body
    assert "Nguyễn Văn Đức" not in notice.body
    [sent] = mail.outbox
    assert sent.to == [focal.email]
    assert sent.subject.endswith(notice.title)
    # Home Affairs oversees; the inspector runs the inspection: neither owes the actions.
    assert not Notification.objects.filter(user__in=[officer, inspector]).exists()


def test_a_second_run_the_same_day_sends_nothing_and_nobody_with_nothing_owed_is_told(
    province: dict[str, Organisation], inspector: User, focal: User
) -> None:
    other = with_email(make_user("head_commune", Role.HEAD, province["commune"]))
    actions_due(province["dept_justice"], inspector, 1)
    today = timezone.localdate()
    assert digest.send_digests(today)["notifications"] == 1
    assert digest.send_digests(today) == {"notifications": 0, "mails": 0}
    assert not Notification.objects.filter(user=other).exists()


def test_the_digest_is_one_of_the_daily_jobs(db: Any) -> None:
    assert daily.registered()["inspections.corrective_digest"] is digest.send_digests


def test_the_digest_reads_in_english_after_the_switch(
    province: dict[str, Organisation], inspector: User, focal: User
) -> None:
    actions_due(province["dept_justice"], inspector, -1, -3)
    today = timezone.localdate()
    digest.send_digests(today)
    notice = Notification.objects.get(user=focal, kind=digest.KIND)
    with translation.override("en"):
        worded = notices.worded(notice)
    assert worded.title == f"Corrective actions on {today:%d/%m/%Y}: 0 due soon, 2 overdue"
    assert "OVERDUE: 2 corrective actions" in worded.body
