from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from congvu.accounts.models import User
from congvu.feedback import services
from congvu.feedback.models import (
    CriterionMonthRollup,
    OrganisationMonthRollup,
    Rating,
    StaffMonthRollup,
)
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, make_counter, make_dossier, rate, working_hours

Province = dict[str, Organisation]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    def rows(model: Any, keys: list[str]) -> list[tuple[Any, ...]]:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        return sorted(tuple(row[f] for f in fields) for row in model.objects.values(*fields))

    return {
        "organisation": rows(OrganisationMonthRollup, []),
        "staff": rows(StaffMonthRollup, []),
        "criterion": rows(CriterionMonthRollup, []),
    }


def test_rebuilding_the_rollups_gives_identical_results(
    province: Province, staff_member: StaffMember, head: User
) -> None:
    load_catalogue(province)
    other = org_services.create_staff(
        actor=None,
        organisation=province["commune"],
        full_name="Trần Thị Mai",
        staff_code="XAB-002",
        category=StaffMember.Category.CIVIL_SERVANT,
        valid_from=dt.date(2025, 1, 1),
    )
    badge = services.target_for_badge(staff_member.badge_token)
    commune_badge = services.target_for_badge(other.badge_token)
    assert badge is not None and commune_badge is not None
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=3)
    for level in (1, 2, 3, 4, 5):
        rate(badge, level=level, now=working_hours(today))
        rate(commune_badge, level=level, now=working_hours(last_month))
    some = {c.clause_id: "unknown" for c in services.criteria_for(badge)[:3]}
    rate(badge, level=2, answers=some, now=working_hours(last_month))
    counter = make_counter(province["dept_justice"], staff_member)
    counter_target = services.target_for_counter(counter.qr_token)
    assert counter_target is not None
    rate(counter_target, level=1, answers={})
    dossier = make_dossier(province["dept_justice"], staff_member)
    dossier_target = services.target_for_dossier(dossier.rating_token)
    assert dossier_target is not None
    rate(dossier_target, level=3)
    # Two flagged ratings, one included and one excluded after review; one still waiting.
    flagged = [
        rate(badge, level=1, device_hash="d" * 32, now=working_hours(today, hour=9))
        for _ in range(3)
    ]
    Rating.objects.filter(pk__in=[r.pk for r in flagged]).update(state=Rating.State.FLAGGED)
    from congvu.feedback import rollups

    for rating in flagged:
        rating.state = Rating.State.FLAGGED
        rollups.change_state(rating, old_state=Rating.State.COUNTED)
    services.review_rating(flagged[0], include=True, reason="Hợp lệ", actor=head)
    services.review_rating(flagged[1], include=False, reason="Trùng", actor=head)

    live = snapshot()
    assert live["organisation"] and live["staff"] and live["criterion"]
    out = io.StringIO()
    call_command("rebuild_rating_rollups", stdout=out)
    assert snapshot() == live
    assert "Rebuilt the rating rollups from 16 ratings" in out.getvalue()
    justice = OrganisationMonthRollup.objects.get(
        organisation=province["dept_justice"], month=today.replace(day=1)
    )
    # 5 badge + counter + dossier + 3 (flagged: 1 included, 1 excluded, 1 waiting)
    assert (justice.total, justice.counted, justice.flagged, justice.verified) == (10, 8, 1, 1)


def test_rebuilding_an_empty_table_writes_nothing(db: Any) -> None:
    out = io.StringIO()
    call_command("rebuild_rating_rollups", stdout=out)
    assert "from 0 ratings" in out.getvalue()
    assert OrganisationMonthRollup.objects.count() == 0


def test_the_rollup_month_is_the_local_month_of_the_rating(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    badge = services.target_for_badge(staff_member.badge_token)
    assert badge is not None
    # 23:30 UTC on the last day of a month is already the 1st in Vietnam (UTC+7).
    moment = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.timezone.utc)
    rating = services.submit_rating(
        badge, level=1, answers={}, submission_id=uuid.uuid4(), now=moment
    )
    assert rating.rated_on == dt.date(2026, 2, 1)
    assert OrganisationMonthRollup.objects.get().month == dt.date(2026, 2, 1)


def test_the_postgresql_statement_has_a_value_for_every_placeholder(
    province: Province, staff_member: StaffMember
) -> None:
    from congvu.feedback import rollups

    load_catalogue(province)
    badge = services.target_for_badge(staff_member.badge_token)
    counter = services.target_for_counter(make_counter(province["dept_home"]).qr_token)
    assert badge is not None and counter is not None
    for target, state in ((badge, Rating.State.COUNTED), (counter, Rating.State.FLAGGED)):
        asked = services.criteria_for(target)
        rating = rate(target, answers={c.clause_id: "unknown" for c in asked})
        rating.state = state
        members, params = rollups.postgresql_members(rating)
        assert members.count("%s") == len(params)
        assert params[:2] == [rating.organisation_id, rating.rated_on.replace(day=1)]
        assert ("rollup_staff" in members) == (target.staff is not None)
        if state == Rating.State.COUNTED:
            # The questions go as four arrays (clause, kept, breached, unknown).
            clauses, kept, breached, unknown = params[-4:]
            assert clauses == sorted(c.clause_id for c in asked)
            assert (sum(kept), sum(breached), sum(unknown)) == (0, 0, len(asked))
        else:
            assert "rollup_criteria" not in members
