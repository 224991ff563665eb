from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from congvu.cases.demo import load_demo_cases
from congvu.cases.models import Case, DisciplineDecision
from congvu.conduct.services import load_seed_catalogue

from .core_helpers import make_leader


def test_the_demo_cases_cover_every_state_quietly_and_keep_the_chain_intact(
    officer, staff_member, province, capsys
):
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    make_leader(province["dept_justice"])
    assert load_demo_cases(province["root"], seed=7) == 10
    assert capsys.readouterr().out == ""
    assert set(Case.objects.values_list("status", flat=True)) == set(Case.Status.values)
    assert Case.objects.filter(is_anonymous=True).exists()
    assert Case.objects.filter(is_anonymous=False).exclude(reporter_name="").exists()
    assert DisciplineDecision.objects.filter(stage="decided").count() == 1
    assert Case.objects.filter(assignee__isnull=False).count() == 7
    assert Case.objects.filter(assignee__isnull=True).exists()
    assert Case.objects.filter(tags__isnull=False).distinct().count() == 5
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_without_a_handler_the_demo_cases_stay_received(staff_member, province):
    assert load_demo_cases(province["root"], seed=1) == 10
    assert set(Case.objects.values_list("status", flat=True)) == {"received"}


def test_a_demo_case_history_happens_when_the_case_did(officer, staff_member, province):
    # The demo spreads its cases over the last months: their history must say the same
    # dates as the case (received on …), not the moment the demo was loaded.
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    make_leader(province["dept_justice"])
    load_demo_cases(province["root"], seed=7)
    now = timezone.now()
    for case in Case.objects.all():
        events = list(case.events.order_by("created_at", "pk"))
        assert events[0].created_at == case.received_at, case.code
        assert f"{case.acknowledge_due:%d/%m/%Y}" in events[0].body
        assert all(case.received_at <= e.created_at < now for e in events), case.code
        if case.accepted_at is not None:
            assert any(abs(e.created_at - case.accepted_at).total_seconds() < 60 for e in events)
