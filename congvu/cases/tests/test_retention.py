from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from congvu.cases import reporter, retention
from congvu.cases.models import Case, CaseEvent

from .core_helpers import move, report

S = Case.Status


def _named(staff):
    return report(
        staff,
        is_anonymous=False,
        reporter_name="Lê Thị Hoa",
        reporter_phone="0987654321",
        reporter_email="hoa@example.vn",
    )


def test_the_retention_period_is_configurable(settings):
    settings.CASES_RETENTION_DAYS = 30
    assert retention.retention_days() == 30


def test_identities_of_cases_finished_long_ago_are_erased_and_the_command_says_so(
    head, staff_member, settings
):
    settings.CASES_RETENTION_DAYS = 365
    old = _named(staff_member)
    old_case = move(old.case, S.ACCEPTED, S.INVESTIGATING, S.CONCLUDED, S.CLOSED, actor=head)
    rejected = move(_named(staff_member).case, S.REJECTED, actor=head)
    recent = move(_named(staff_member).case, S.REJECTED, actor=head)
    still_open = _named(staff_member).case
    long_ago = timezone.now() - dt.timedelta(days=400)
    Case.objects.filter(pk=old_case.pk).update(closed_at=long_ago)
    Case.objects.filter(pk=rejected.pk).update(rejected_at=long_ago)
    Case.objects.filter(pk=still_open.pk).update(received_at=long_ago)

    out = StringIO()
    call_command("apply_case_retention", "--dry-run", stdout=out)
    assert "Dry run: 2 case(s)" in out.getvalue()
    assert Case.objects.get(pk=old_case.pk).reporter_name == "Lê Thị Hoa"

    out = StringIO()
    call_command("apply_case_retention", stdout=out)
    assert "identity of 2 case(s)" in out.getvalue()
    for pk in (old_case.pk, rejected.pk):
        case = Case.objects.get(pk=pk)
        assert (case.reporter_name, case.reporter_phone, case.reporter_email) == ("", "", "")
        assert case.identity_erased_at is not None
        assert case.events.filter(kind=CaseEvent.Kind.ERASED, actor=None).count() == 1
    for pk in (recent.pk, still_open.pk):
        assert Case.objects.get(pk=pk).reporter_name == "Lê Thị Hoa"
    # The reporter who kept the code can still read the outcome.
    assert reporter.follow(old.code, old.passphrase).pk == old_case.pk

    out = StringIO()
    call_command("apply_case_retention", stdout=out)
    assert "identity of 0 case(s)" in out.getvalue()


def test_the_daily_job_applies_retention(head, staff_member, settings):
    settings.CASES_RETENTION_DAYS = 1
    case = move(_named(staff_member).case, S.REJECTED, actor=head)
    Case.objects.filter(pk=case.pk).update(rejected_at=timezone.now() - dt.timedelta(days=2))
    assert retention.daily_job(timezone.localdate()) == {"due": 1, "erased": 1}
