from __future__ import annotations

from io import StringIO

from django.core.management import call_command

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
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()


def test_without_a_handler_the_demo_cases_stay_received(staff_member, province):
    assert load_demo_cases(province["root"], seed=1) == 10
    assert set(Case.objects.values_list("status", flat=True)) == {"received"}
