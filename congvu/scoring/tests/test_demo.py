"""The demo scorecard, as the demo users meet it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.organisations.models import Organisation
from congvu.scoring.demo import load_demo_scores
from congvu.scoring.models import Scorecard


def test_the_demo_publishes_a_computed_scorecard_the_public_can_read(
    scored: dict[str, Organisation], officer: User, client: Client
) -> None:
    assert load_demo_scores(scored["root"]) == 3  # two departments and the commune
    scorecard = Scorecard.objects.get()
    assert scorecard.status == Scorecard.Status.PUBLISHED
    assert scorecard.criteria.count() == 7
    page = client.get(reverse("rankings:detail", args=[scorecard.pk])).content.decode()
    assert "Sở Tư pháp" in page


def test_a_demo_without_a_home_affairs_user_has_no_scorecard(
    province: dict[str, Organisation],
) -> None:
    assert load_demo_scores(province["root"]) == 0
    assert not Scorecard.objects.exists()
