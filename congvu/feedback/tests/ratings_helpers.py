"""Helpers shared by the ratings core tests (F1): the catalogue, answers, a counter."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import make_staff
from congvu.feedback import services
from congvu.feedback.models import Counter, Dossier, Rating
from congvu.feedback.services import RatingTarget
from congvu.organisations.models import Organisation, StaffMember


def load_catalogue(province: dict[str, Organisation]) -> None:
    load_seed_catalogue(scope=province["root"], actor=None, activate=True)
    services.clear_caches()


def commune_staff_member(province: dict[str, Organisation]) -> StaffMember:
    """A civil servant of UBND xã An Bình, the second organisation the dashboards compare."""
    return make_staff(province["commune"], "Phạm Thị Hoa", "XAB-001")


def all_yes(target: RatingTarget) -> dict[int, str]:
    return {c.clause_id: "yes" for c in services.criteria_for(target)}


def working_hours(day: dt.date | None = None, hour: int = 10) -> dt.datetime:
    """A moment inside the default opening hours (07:00–17:30), local time."""
    day = day or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def rate(target: RatingTarget, *, level: int = 1, **kwargs: Any) -> Rating:
    kwargs.setdefault("answers", all_yes(target))
    kwargs.setdefault("submission_id", uuid.uuid4())
    kwargs.setdefault("now", working_hours())
    return services.submit_rating(target, level=level, **kwargs)


def make_counter(organisation: Organisation, *staff: StaffMember, **fields: Any) -> Counter:
    counter = Counter.objects.create(organisation=organisation, name="Quầy số 1", **fields)
    counter.staff.add(*staff)
    counter.refresh_from_db()
    return counter


def make_dossier(
    organisation: Organisation, staff: StaffMember | None, code: str = "HS-001"
) -> Dossier:
    return Dossier.objects.create(
        code=code, organisation=organisation, staff=staff, source=Dossier.Source.FORM
    )
