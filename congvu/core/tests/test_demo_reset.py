"""`manage.py demo --reset` on a populated database, twice in a row, as an operator runs it.

Its own module and a transactional test: the flush must run outside any transaction (on
PostgreSQL a TRUNCATE inside the module-wide demo's open transaction fails on its pending
deferred foreign-key checks), as it does from the command line."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client

from congvu.cases.models import DisciplineForm, RoutingRule, TrackClock
from congvu.core import seeds
from congvu.feedback.models import RatingScale
from congvu.organisations.models import Organisation, OrganisationKind

from .conftest import run_demo


@pytest.mark.django_db(transaction=True)
def test_reset_rebuilds_a_populated_database_twice_in_a_row(tmp_path, settings):
    """The flush also empties the rows the data migrations loaded; `--reset` once failed
    on the second build with "No satisfaction scale is in use yet"."""
    # An earlier transactional test may have flushed the migrations' rows already.
    seeds.restore_all()
    settings.MEDIA_ROOT = tmp_path / "media"
    tiny = ("--staff", "60", "--communes", "2", "--units", "2")
    run_demo(tmp_path, *tiny, "--reset")
    assert Organisation.objects.exists()
    for _again in range(2):
        text, passwords = run_demo(tmp_path, *tiny, "--reset")
        assert "Đã tạo" in text
        assert Client().login(request=HttpRequest(), username="noivu", password=passwords["noivu"])
    assert RatingScale.objects.filter(is_active=True).count() == 1
    assert OrganisationKind.objects.exists()
    assert TrackClock.objects.exists() and RoutingRule.objects.exists()
    assert DisciplineForm.objects.exists()
