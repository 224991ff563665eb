from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conduct.models import Clause
from congvu.feedback import detection, services
from congvu.feedback.models import (
    CriterionMonthRollup,
    Dossier,
    OrganisationMonthRollup,
    Rating,
    RatingScale,
    StaffMonthRollup,
)
from congvu.feedback.services import RatingRejected, RatingTarget
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import all_yes, load_catalogue, make_dossier, rate, working_hours

Province = dict[str, Organisation]


@pytest.fixture
def badge(province: Province, staff_member: StaffMember) -> RatingTarget:
    load_catalogue(province)
    target = services.target_for_badge(staff_member.badge_token)
    assert target is not None
    return target


def test_the_default_scale_has_five_levels_of_which_two_are_satisfied(db: Any) -> None:
    scale, levels = services.active_scale()
    assert scale.name == "5 mức"
    assert [level.label for level in levels] == [
        "Rất hài lòng",
        "Hài lòng",
        "Bình thường",
        "Không hài lòng",
        "Rất không hài lòng",
    ]
    assert [level.satisfied for level in levels] == [True, True, False, False, False]
    assert levels[0].label_en == "Very satisfied"
    three = RatingScale.objects.get(name="3 mức")
    assert not three.is_active
    assert three.levels.count() == 3


def test_existing_catalogues_get_the_rating_question_of_ii1c(province: Province) -> None:
    from importlib import import_module

    from django.apps import apps

    load_catalogue(province)
    clause = Clause.objects.get(code="II.1.c", rateable=True)
    Clause.objects.filter(pk=clause.pk).update(rating_question="", rating_yes_is_breach=False)
    import_module("congvu.feedback.migrations.0003_rating_question_ii1c").set_question(apps, None)
    clause.refresh_from_db()
    assert clause.rating_question.startswith("Cán bộ có đòi hỏi điều gì không đúng quy định")
    assert clause.rating_yes_is_breach


def test_the_form_asks_the_eight_behaviours_and_the_ii1c_question(badge: RatingTarget) -> None:
    criteria = services.criteria_for(badge)
    assert len(criteria) == 9
    improper = [c for c in criteria if c.yes_is_breach]
    assert len(improper) == 1
    assert improper[0].question.startswith("Cán bộ có đòi hỏi điều gì không đúng quy định")


def test_a_rating_is_stored_and_added_to_the_rollups(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    rating = rate(badge, level=2, comment="  Cán bộ nhiệt tình  ")
    assert Rating.objects.count() == 1
    assert rating.state == Rating.State.COUNTED
    assert rating.satisfied is True
    assert rating.comment == "Cán bộ nhiệt tình"
    month = rating.rated_on.replace(day=1)
    org_row = OrganisationMonthRollup.objects.get(organisation=badge.organisation, month=month)
    assert (org_row.total, org_row.counted, org_row.satisfied, org_row.level_2) == (1, 1, 1, 1)
    staff_row = StaffMonthRollup.objects.get(staff=staff_member, month=month)
    assert (staff_row.total, staff_row.counted, staff_row.satisfied) == (1, 1, 1)
    assert CriterionMonthRollup.objects.filter(organisation=badge.organisation).count() == 9
    assert sum(CriterionMonthRollup.objects.values_list("kept", flat=True)) == 8
    assert sum(CriterionMonthRollup.objects.values_list("breached", flat=True)) == 1


def test_yes_to_the_improper_demands_question_is_stored_as_a_breach(badge: RatingTarget) -> None:
    ii1c = Clause.objects.get(code="II.1.c", rateable=True)
    rating = rate(badge, answers={ii1c.pk: "yes"})
    assert rating.answers == {str(ii1c.pk): "n"}
    other = rate(badge, answers={ii1c.pk: "no"})
    assert other.answers == {str(ii1c.pk): "y"}


def test_the_same_submission_id_twice_stores_one_rating(badge: RatingTarget) -> None:
    submission = uuid.uuid4()
    first = rate(badge, submission_id=submission)
    second = rate(badge, submission_id=submission, level=5)
    assert second.pk == first.pk
    assert Rating.objects.count() == 1
    assert OrganisationMonthRollup.objects.get().total == 1


def test_a_second_rating_of_the_same_dossier_is_refused(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    dossier = make_dossier(province["dept_justice"], staff_member)
    target = services.target_for_dossier(dossier.rating_token)
    assert target is not None
    first = rate(target)
    assert first.verified is True
    with pytest.raises(RatingRejected) as refused:
        rate(target)
    assert refused.value.code == "already_rated"
    assert "đã được đánh giá" in refused.value.message
    assert Rating.objects.count() == 1
    assert OrganisationMonthRollup.objects.get().verified == 1


def test_a_staff_member_cannot_rate_themselves(
    province: Province, staff_member: StaffMember, staff_user: User, officer: User
) -> None:
    load_catalogue(province)
    badge = services.target_for_badge(staff_member.badge_token)  # the account is linked now
    assert badge is not None
    with pytest.raises(RatingRejected) as refused:
        rate(badge, user=staff_user)
    assert refused.value.code == "self_rating"
    assert Rating.objects.count() == 0
    assert rate(badge, user=officer).pk is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"level": 0}, "Mức độ hài lòng không hợp lệ"),
        ({"level": 6}, "Mức độ hài lòng không hợp lệ"),
        ({"level": "1"}, "Hãy chọn mức độ hài lòng"),
        ({"answers": {999999: "yes"}}, "Câu hỏi không có trên phiếu này"),
        ({"answers": {"abc": "yes"}}, "Câu hỏi không có trên phiếu này"),
        ({"comment": "x" * 1001}, "dài quá 1000 ký tự"),
        ({"comment": "a\x00b"}, "ký tự không hợp lệ"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_stored(
    badge: RatingTarget, change: dict[str, Any], expected: str
) -> None:
    kwargs: dict[str, Any] = {"level": 1, **change}
    with pytest.raises(RatingRejected) as refused:
        rate(badge, **kwargs)
    assert refused.value.code == "invalid"
    assert expected in refused.value.message
    assert " / " in refused.value.message  # Vietnamese / English
    assert Rating.objects.count() == 0
    assert OrganisationMonthRollup.objects.count() == 0


def test_an_answer_outside_yes_no_unknown_is_refused(badge: RatingTarget) -> None:
    clause_id = services.criteria_for(badge)[0].clause_id
    with pytest.raises(RatingRejected) as refused:
        rate(badge, answers={clause_id: "maybe"})
    assert "Câu trả lời không hợp lệ" in refused.value.message
    assert Rating.objects.count() == 0


def test_unknown_or_odd_tokens_are_no_target(db: Any) -> None:
    for token in ("", "nope", "x" * 500, "a\x00b"):
        assert services.target_for_badge(token) is None
        assert services.target_for_dossier(token) is None
        assert services.target_for_counter(token) is None
        assert services.target_for_kiosk(token) is None


def test_a_warm_submission_costs_five_statements(badge: RatingTarget) -> None:
    rate(badge, device_hash="a" * 32)  # warms the caches (scale, criteria, counter hours)
    answers = all_yes(badge)
    with CaptureQueriesContext(connection) as queries:
        services.submit_rating(
            badge,
            level=1,
            answers=answers,
            device_hash="b" * 32,
            submission_id=uuid.uuid4(),
            now=working_hours(),
        )
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # Device check, rating, organisation, staff and (one statement) criterion rollups.
    assert len(statements) == 5
    assert statements[-1].count("), (") == len(answers) - 1  # one row per question


def test_the_submission_target_of_a_badge_is_the_staff_member_and_organisation(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    with CaptureQueriesContext(connection) as queries:
        target = services.submission_target("badge", staff_member.badge_token)
    assert len(queries.captured_queries) == 1
    assert target is not None and target.staff is not None
    assert target.channel == Rating.Channel.BADGE
    assert target.staff.pk == staff_member.pk
    assert target.organisation.pk == staff_member.organisation_id
    assert target.organisation.path == staff_member.organisation.path
    assert (target.staff.is_leader, target.staff.is_active, target.staff.user_id) == (
        False,
        True,
        None,
    )
    # Fields the submission does not need are loaded when something reads them.
    assert target.staff.full_name == "Nguyễn Văn Đức"
    assert target.organisation.name == "Sở Tư pháp"
    assert services.criteria_for(target) == services.criteria_for(badge)


def test_the_submission_target_refuses_what_the_page_would_refuse(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    for token in ("", "nope", "x" * 500, "a\x00b"):
        assert services.submission_target("badge", token) is None
    assert services.submission_target("nothing", staff_member.badge_token) is None
    StaffMember.objects.filter(pk=staff_member.pk).update(is_active=False)
    assert services.submission_target("badge", staff_member.badge_token) is None
    assert services.target_for_badge(staff_member.badge_token) is None


def test_a_rating_written_without_the_orm_reads_back_like_one_the_orm_saved(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    target = services.submission_target("badge", staff_member.badge_token)
    assert target is not None
    clause = next(c.clause_id for c in services.criteria_for(badge) if not c.yes_is_breach)
    submission = uuid.uuid4()
    moment = working_hours()
    fast = services.submit_rating(
        target,
        level=2,
        answers={clause: "no"},
        comment="Tận tình, chu đáo",
        device_hash="c" * 32,
        submission_id=submission,
        now=moment,
    )
    assert fast.pk is not None and not fast._state.adding
    stored = Rating.objects.get(pk=fast.pk)
    reference = Rating(
        created_at=moment,
        rated_on=moment.date(),
        channel=Rating.Channel.BADGE,
        organisation=badge.organisation,
        staff=staff_member,
        scale=stored.scale,
        level=2,
        satisfied=True,
        answers={str(clause): "n"},
        comment="Tận tình, chu đáo",
        state=Rating.State.COUNTED,
        device_hash="c" * 32,
        submission_id=uuid.uuid4(),
    )
    reference.save(force_insert=True)
    reference.refresh_from_db()
    names = [
        f.attname for f in Rating._meta.concrete_fields if f.attname not in {"id", "submission_id"}
    ]
    assert [getattr(stored, n) for n in names] == [getattr(reference, n) for n in names]
    assert stored.submission_id == submission
    assert Rating.objects.filter(created_at=moment).count() == 2  # same stored datetime


def test_the_questions_of_the_organisations_of_a_province_are_cached_once(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    first = RatingTarget(Rating.Channel.COUNTER, province["dept_home"])
    second = RatingTarget(Rating.Channel.COUNTER, province["commune"])
    asked = services.criteria_for(first)
    with CaptureQueriesContext(connection) as queries:
        assert services.criteria_for(second) == asked
    assert queries.captured_queries == []


def test_the_versions_that_apply_are_those_the_catalogue_selectors_choose(
    province: Province,
) -> None:
    from congvu.conduct.models import CodeVersion
    from congvu.conduct.selectors import applicable_versions

    load_catalogue(province)

    def version(scope: Organisation, label: str, *, supplement: bool) -> None:
        CodeVersion.objects.create(
            scope=scope,
            is_supplement=supplement,
            title=f"Bộ quy tắc {label}",
            version=label,
            status=CodeVersion.Status.ACTIVE,
        )

    version(province["dept_justice"], "bs-stp", supplement=True)
    version(province["division_justice"], "bs-phong", supplement=True)
    version(province["commune"], "rieng-xa", supplement=False)  # replaces the province's
    CodeVersion.objects.create(
        scope=province["dept_home"], is_supplement=True, title="Nháp", version="nhap"
    )
    for organisation in Organisation.objects.all():
        expected = tuple(v.pk for v in applicable_versions(organisation))
        assert services.applicable_version_ids(organisation) == expected, organisation.code
    assert len(services.applicable_version_ids(province["division_justice"])) == 3


def test_a_changed_question_is_asked_at_once_in_this_process(badge: RatingTarget) -> None:
    criterion = services.criteria_for(badge)[0]
    clause = Clause.objects.get(pk=criterion.clause_id)
    clause.rating_question = "Cán bộ có chào hỏi không?"
    clause.save()
    assert services.criteria_for(badge)[0].question == "Cán bộ có chào hỏi không?"


def test_a_flagged_rating_is_left_out_until_a_reviewer_includes_it(
    badge: RatingTarget, head: User
) -> None:
    night = working_hours(hour=2)
    rating = rate(badge, level=1, now=night)
    counter_free = rating.state  # no counter: the staff member keeps no hours
    assert counter_free == Rating.State.COUNTED
    flagged = Rating.objects.create(
        created_at=working_hours(),
        rated_on=rating.rated_on,
        channel=Rating.Channel.BADGE,
        organisation=badge.organisation,
        staff=badge.staff,
        scale=rating.scale,
        level=1,
        satisfied=True,
        answers=rating.answers,
        state=Rating.State.FLAGGED,
        flag_reasons="burst",
    )
    from congvu.feedback import rollups

    rollups.add(flagged)
    row = OrganisationMonthRollup.objects.get()
    assert (row.total, row.counted, row.flagged) == (2, 1, 1)
    services.review_rating(flagged, include=True, reason="Đã xác minh với người dân", actor=head)
    row.refresh_from_db()
    assert (row.total, row.counted, row.satisfied, row.flagged) == (2, 2, 2, 0)
    assert CriterionMonthRollup.objects.filter(kept=2).count() == 8
    event = AuditEvent.objects.get(action="rating.include")
    assert event.data["reason"] == "Đã xác minh với người dân"
    with pytest.raises(RatingRejected):
        services.review_rating(flagged, include=False, reason="lại", actor=head)


def test_an_excluded_rating_stays_out_of_the_counted_figures(
    badge: RatingTarget, head: User
) -> None:
    rating = rate(badge)
    Rating.objects.filter(pk=rating.pk).update(state=Rating.State.FLAGGED)
    from congvu.feedback import rollups

    rating.state = Rating.State.FLAGGED
    rollups.change_state(rating, old_state=Rating.State.COUNTED)
    services.review_rating(rating, include=False, reason="Trùng lặp", actor=head)
    row = OrganisationMonthRollup.objects.get()
    assert (row.total, row.counted, row.flagged) == (1, 0, 0)
    assert AuditEvent.objects.filter(action="rating.exclude").count() == 1


def test_a_review_needs_a_reason_and_the_permission(
    badge: RatingTarget, head: User, viewer: User, outsider: User
) -> None:
    rating = rate(badge)
    Rating.objects.filter(pk=rating.pk).update(state=Rating.State.FLAGGED)
    rating.refresh_from_db()
    with pytest.raises(RatingRejected):
        services.review_rating(rating, include=True, reason="  ", actor=head)
    with pytest.raises(PermissionDenied):
        services.review_rating(rating, include=True, reason="ok", actor=viewer)
    with pytest.raises(Http404):
        services.review_rating(rating, include=True, reason="ok", actor=outsider)
    rating.refresh_from_db()
    assert rating.state == Rating.State.FLAGGED


def test_a_warm_rating_through_the_api_costs_seven_statements(
    badge: RatingTarget, staff_member: StaffMember
) -> None:
    import json

    from django.test import Client

    phone = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="phone-9")

    def send() -> Any:
        body = {
            "channel": "badge",
            "token": staff_member.badge_token,
            "level": 2,
            "answers": {str(k): v for k, v in all_yes(badge).items()},
            "submission_id": str(uuid.uuid4()),
        }
        return phone.post("/api/v1/ratings", json.dumps(body), content_type="application/json")

    assert send().status_code == 201  # warms the caches and the device salt
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == 201
    assert response.json()["state"] == "counted"
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The badge, the device's last hour, the address's last hour, the rating and its three
    # rollups.
    assert len(statements) == 7
    assert Rating.objects.count() == 2
    assert OrganisationMonthRollup.objects.get().total == 2


def _plan(sql: str, params: list[Any]) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_hot_lookups_still_use_an_index_after_the_single_column_ones_went(
    badge: RatingTarget,
) -> None:
    # Migration 0004 dropped the indexes on organisation, staff and device hash alone:
    # the composite indexes that start with them serve the lookups.
    now = working_hours()
    adapt = connection.ops.adapt_datetimefield_value
    device = _plan(
        detection._device_history_sql("staff"),
        [adapt(now)] * 4 + [badge.staff.pk if badge.staff else 0] + [adapt(now)] * 3 + ["a" * 32],
    )
    assert "rating_device_idx" in device
    table = Rating._meta.db_table
    by_org = _plan(
        f"SELECT id FROM {table} WHERE organisation_id = %s ORDER BY created_at DESC",  # noqa: S608
        [badge.organisation.pk],
    )
    assert "rating_org_idx" in by_org
    by_staff = _plan(
        f"SELECT id FROM {table} WHERE staff_id = %s ORDER BY created_at DESC",  # noqa: S608
        [badge.staff.pk if badge.staff else 0],
    )
    assert "rating_staff_idx" in by_staff


def test_the_address_lookup_uses_its_index_even_when_most_ratings_have_no_address(
    badge: RatingTarget,
) -> None:
    # Ratings from before the column (and kiosks') have no address: with them in a full
    # index, SQLite's statistics made it scan the whole table at every rating.
    now = working_hours()
    for _ in range(30):
        rate(badge, now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    adapt = connection.ops.adapt_datetimefield_value
    plan = _plan(
        detection._address_history_sql("staff"),
        [adapt(now)] * 4 + [badge.staff.pk if badge.staff else 0] + ["a" * 32],
    )
    assert "rating_address_idx" in plan


def test_one_rating_per_dossier_is_a_partial_unique_index_which_ratings_without_one_skip(
    db: Any,
) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Rating._meta.db_table)
    on_dossier = {
        name: info for name, info in constraints.items() if info["columns"] == ["dossier_id"]
    }
    # The column's own UNIQUE indexed the NULL of every badge rating; only the
    # partial index (… WHERE dossier_id IS NOT NULL) is left.
    assert [name for name, info in on_dossier.items() if info["unique"]] == [
        "rating_one_per_dossier"
    ]
    assert [name for name, info in on_dossier.items() if info["index"]] == [
        "rating_one_per_dossier"
    ]
    table = Rating._meta.db_table
    if connection.vendor == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE indexname = %s"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["rating_one_per_dossier"])
        (definition,) = cursor.fetchone()
    assert table in definition
    assert "WHERE" in definition
    assert "IS NOT NULL" in definition


def test_a_dossiers_rating_is_still_found_through_an_index(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    dossier = make_dossier(province["dept_justice"], staff_member)
    target = services.target_for_dossier(dossier.rating_token)
    assert target is not None
    rate(target, level=4)
    table = Rating._meta.db_table
    by_dossier = _plan(f"SELECT id FROM {table} WHERE dossier_id = %s", [dossier.pk])  # noqa: S608
    assert "rating_one_per_dossier" in by_dossier
    joined = Dossier.objects.select_related("rating").filter(pk=dossier.pk)
    sql, params = joined.query.sql_with_params()
    assert "rating_one_per_dossier" in _plan(sql, list(params))
    assert joined.get().rating.level == 4


def _comparable(params: list[Any]) -> list[Any]:
    # psycopg's Jsonb wrapper compares by identity: compare its type and content.
    return [(type(p).__name__, p.obj) if hasattr(p, "obj") else p for p in params]


@pytest.mark.parametrize("with_dossier", [False, True])
def test_a_rating_row_is_written_as_the_orm_would_write_it(
    province: Province, staff_member: StaffMember, with_dossier: bool
) -> None:
    load_catalogue(province)
    if with_dossier:
        dossier = make_dossier(province["dept_justice"], staff_member)
        target = services.target_for_dossier(dossier.rating_token)
    else:
        target = services.target_for_badge(staff_member.badge_token)
    assert target is not None
    rating = rate(target, level=2, comment="Chờ lâu", device_hash="d" * 32)
    # The parameters built from the values alone equal the ORM's preparation of the
    # stored instance (JSON, UUID, date and time differ between SQLite and PostgreSQL).
    values = {f.attname: getattr(rating, f.attname) for f in Rating._meta.concrete_fields}
    assert _comparable(services._row_params(values)) == _comparable(services._insert_params(rating))
    stored = Rating.objects.get(pk=rating.pk)
    assert {name: getattr(stored, name) for name in values} == values
    assert stored.answers == rating.answers != {}
    assert stored.verified is with_dossier
    # The returned rating has its related objects at hand, as an assigned one would.
    with CaptureQueriesContext(connection) as queries:
        assert rating.organisation == target.organisation
        assert rating.staff == staff_member
        assert rating.dossier == target.dossier
    assert len(queries) == 0
