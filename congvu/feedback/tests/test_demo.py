"""The demo's ratings: a few months of believable data, with rollups equal to a rebuild."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import client_for
from congvu.feedback import rollups, services
from congvu.feedback.demo import DAYS, load_demo_ratings
from congvu.feedback.models import (
    Counter,
    CriterionMonthRollup,
    Dossier,
    OrganisationMonthRollup,
    Rating,
    StaffMonthRollup,
)
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

COUNTS = ("total", "counted", "satisfied", "flagged", "verified", "level_1", "level_5")


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        "organisation": sorted(
            OrganisationMonthRollup.objects.values_list("organisation_id", "month", *COUNTS)
        ),
        "staff": sorted(
            StaffMonthRollup.objects.values_list("staff_id", "organisation_id", "month", *COUNTS)
        ),
        "criterion": sorted(
            CriterionMonthRollup.objects.values_list(
                "organisation_id", "month", "clause_id", "kept", "breached", "unknown"
            )
        ),
    }


@pytest.fixture
def demo_province(province: dict[str, Organisation], staff_user: Any) -> dict[str, Organisation]:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    services.clear_caches()
    for org_key, prefix in (("commune", "XA"), ("dept_justice", "STP"), ("dept_home", "SNV")):
        for n in range(6):
            org_services.create_staff(
                actor=None,
                organisation=province[org_key],
                full_name=f"Trần Thị Hoa {prefix} {n}",
                staff_code=f"{prefix}-D{n:02d}",
                category=StaffMember.Category.CIVIL_SERVANT,
            )
    return province


def test_the_demo_rates_the_front_line_and_its_rollups_equal_a_rebuild(
    demo_province: dict[str, Organisation],
) -> None:
    made = load_demo_ratings(demo_province["root"], seed=86)

    assert made == Rating.objects.count() > 200
    assert OrganisationMonthRollup.objects.aggregate(n=Sum("total"))["n"] == made
    kept = snapshot()
    assert kept["criterion"] and kept["staff"]
    rollups.rebuild()
    assert snapshot() == kept


def test_demo_ratings_cover_the_last_months_through_every_channel(
    demo_province: dict[str, Organisation],
) -> None:
    load_demo_ratings(demo_province["root"], seed=86)
    today = timezone.localdate()

    dates = Rating.objects.values_list("rated_on", flat=True)
    assert min(dates) >= today - dt.timedelta(days=DAYS)
    assert max(dates) <= today
    assert set(Rating.objects.values_list("channel", flat=True)) == set(Rating.Channel.values)
    assert Counter.objects.filter(organisation=demo_province["commune"]).exists()
    # One rating per dossier, verified; some receipts were never rated.
    by_dossier = Rating.objects.filter(channel=Rating.Channel.DOSSIER)
    assert by_dossier.filter(verified=True).count() == by_dossier.count() > 0
    assert not by_dossier.filter(dossier__isnull=True).exists()
    assert Dossier.objects.filter(rating__isnull=True).exists()


def test_the_demo_fills_the_review_queue_and_the_staff_members_own_page(
    demo_province: dict[str, Organisation], staff_user: Any
) -> None:
    load_demo_ratings(demo_province["root"], seed=86)

    flagged = Rating.objects.filter(state=Rating.State.FLAGGED)
    assert {"burst", "off_hours"} <= set(flagged.values_list("flag_reasons", flat=True))
    assert Rating.objects.filter(state=Rating.State.EXCLUDED).exclude(review_reason="").exists()
    own = Rating.objects.filter(staff__user=staff_user)
    assert own.count() >= 25
    assert own.exclude(comment="").exists()


def test_the_public_page_shows_an_organisation_of_the_demo(
    demo_province: dict[str, Organisation],
) -> None:
    load_demo_ratings(demo_province["root"], seed=86)

    response = client_for(None).get("/transparency/")

    assert response.status_code == 200
    assert demo_province["dept_justice"].name in response.content.decode()


def test_the_demo_is_the_same_for_the_same_seed(demo_province: dict[str, Organisation]) -> None:
    load_demo_ratings(demo_province["root"], seed=7)
    first = list(Rating.objects.order_by("pk").values_list("rated_on", "level", "channel"))
    Rating.objects.all().delete()
    Dossier.objects.all().delete()
    Counter.objects.all().delete()
    load_demo_ratings(demo_province["root"], seed=7)

    assert list(Rating.objects.order_by("pk").values_list("rated_on", "level", "channel")) == first
