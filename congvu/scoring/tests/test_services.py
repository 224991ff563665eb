"""Computing, ranking and publishing scorecards (services and metrics)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from congvu.accounts.models import User
from congvu.audit.models import AuditEvent
from congvu.conftest import kind
from congvu.organisations import restructuring
from congvu.organisations.models import Organisation
from congvu.scoring import services
from congvu.scoring.metrics import REGISTRY, Period
from congvu.scoring.models import OrganisationScore, Scorecard

from .conftest import TODAY, YEAR_END, YEAR_START, make_scorecard

PERIOD = Period(YEAR_START, YEAR_END, YEAR_END)


def score_of(scorecard: Scorecard, organisation: Organisation) -> services.OrganisationScore:
    return scorecard.scores.get(organisation=organisation)


def test_tasks_on_time_counts_only_assignments_due_in_the_period(
    scored: dict[str, Organisation],
) -> None:
    orgs = Organisation.objects.all()
    values = REGISTRY["tasks_on_time"].compute(PERIOD, orgs)
    justice = values[scored["dept_justice"].pk]
    assert justice.value == 50.0
    assert justice.detail == {"due": 2, "on_time": 1, "late": 0, "overdue": 1}
    assert scored["dept_home"].pk not in values  # no assignment: no data, not 0


def test_satisfaction_needs_enough_counted_ratings(scored: dict[str, Organisation]) -> None:
    values = REGISTRY["satisfaction"].compute(PERIOD, Organisation.objects.all())
    assert values[scored["dept_justice"].pk].value == 90.0
    assert scored["commune"].pk not in values  # 5 ratings are too few


def test_misconduct_turns_cases_per_100_staff_into_a_score(scored: dict[str, Organisation]) -> None:
    values = REGISTRY["misconduct"].compute(PERIOD, Organisation.objects.all())
    assert values[scored["dept_justice"].pk].value == 100.0  # no case
    home = values[scored["dept_home"].pk]
    assert home.detail["per_100_staff"] == 100.0  # one case, one staff member
    assert home.value == 0.0
    assert scored["root"].pk not in values  # no staff: no data


def test_every_metric_runs_on_an_empty_province(province: dict[str, Organisation]) -> None:
    for metric in REGISTRY.values():
        assert metric.compute(PERIOD, Organisation.objects.all()) == {}


def test_compute_renormalises_weights_and_ranks_within_each_kind(
    computed: Scorecard, scored: dict[str, Organisation]
) -> None:
    justice = score_of(computed, scored["dept_justice"])
    home = score_of(computed, scored["dept_home"])
    commune = score_of(computed, scored["commune"])
    assert justice.total == 75.0  # (50 × 50 + 100 × 50) / 100
    # 75 reaches "Hoàn thành tốt", but Decree 90 asks 80 % of tasks on time for it: 50 %.
    assert (justice.rank, justice.grade) == (1, "Hoàn thành")
    assert justice.grade_notes == [
        {"grade": "Hoàn thành tốt", "metric": "tasks_on_time", "value": 50.0, "min": 80.0}
    ]
    # No task for Sở Nội vụ: scored on misconduct alone, and told so.
    assert home.total == 0.0
    assert home.missing == ["tasks_on_time"]
    assert home.parts["misconduct"]["share"] == 1.0
    assert (home.rank, home.grade) == (2, "Không hoàn thành")
    # The commune is ranked among communes only.
    assert commune.rank == 1
    assert computed.status == Scorecard.Status.COMPUTED
    assert computed.computed_as_of == YEAR_END
    assert computed.medians[str(justice.kind_id)]["total"] == 37.5


def test_an_organisation_with_too_few_criteria_is_not_ranked(
    scored: dict[str, Organisation], officer: User
) -> None:
    scorecard = make_scorecard(scored, officer, min_criteria=2)
    services.compute(scorecard, actor=officer, today=TODAY)
    home = score_of(scorecard, scored["dept_home"])
    assert (home.total, home.rank, home.grade) == (None, None, "")
    assert score_of(scorecard, scored["dept_justice"]).rank == 1


def test_equal_totals_share_a_rank(scored: dict[str, Organisation], officer: User) -> None:
    make_scorecard_kwargs = {"criteria": (("misconduct", 1),), "kinds": ("department",)}
    scorecard = make_scorecard(scored, officer, **make_scorecard_kwargs)  # type: ignore[arg-type]
    Organisation.objects.filter(pk=scored["dept_home"].pk)  # keeps its case: 0 points
    services.compute(scorecard, actor=officer, today=TODAY)
    ranks = dict(scorecard.scores.values_list("organisation__code", "rank"))
    assert ranks == {"H56.01": 2, "H56.02": 1}


def test_organisations_closed_before_the_period_are_not_scored(
    scored: dict[str, Organisation], officer: User
) -> None:
    Organisation.objects.filter(pk=scored["dept_home"].pk).update(
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2024, 6, 30)
    )
    scorecard = make_scorecard(scored, officer)
    services.compute(scorecard, actor=officer, today=TODAY)
    codes = set(scorecard.scores.values_list("organisation__code", flat=True))
    assert codes == {"H56.02", "H56.30"}  # divisions and the province are never scored


def test_an_organisation_renamed_after_the_period_keeps_the_name_it_had_then(
    scored: dict[str, Organisation], officer: User
) -> None:
    # Renamed from 01/01/2026; the 2025 ranking is computed on 15/01/2026.
    restructuring.rename_organisation(
        scored["dept_justice"],
        actor=None,
        name="Sở Tư pháp và Hộ tịch",
        effective=dt.date(2026, 1, 1),
    )
    scorecard = make_scorecard(scored, officer)
    services.compute(scorecard, actor=officer, today=TODAY)
    score = score_of(scorecard, scored["dept_justice"])
    assert score.organisation_name == "Sở Tư pháp"
    # Found by either name, without accents.
    for typed in ("so tu phap va ho tich", "so tu phap"):
        assert scorecard.scores.filter(search_name__contains=typed).filter(pk=score.pk).exists()


def test_the_kind_an_organisation_had_in_the_period_decides_its_group(
    scored: dict[str, Organisation], officer: User
) -> None:
    # The commune was recorded as a department until the end of 2025 (say, imported
    # history); from 2026 it is a commune. The 2025 ranking of departments includes it,
    # that of communes does not, whatever its kind is today.
    commune = scored["commune"]
    first = commune.versions.get()
    first.valid_to = YEAR_END
    first.kind = kind("department")
    first.save()
    commune.versions.create(
        name=commune.name, kind=kind("commune_pc"), parent=commune.parent, valid_from=TODAY
    )
    departments = make_scorecard(scored, officer, kinds=("department",))
    services.compute(departments, actor=officer, today=TODAY)
    assert score_of(departments, commune).kind == kind("department")
    communes = make_scorecard(scored, officer, kinds=("commune_pc",))
    services.compute(communes, actor=officer, today=TODAY)
    assert not communes.scores.filter(organisation=commune).exists()


def test_publishing_freezes_the_scores_and_is_audited(published: Scorecard, officer: User) -> None:
    assert published.status == Scorecard.Status.PUBLISHED
    assert AuditEvent.objects.filter(
        action="scorecard.publish", object_id=str(published.pk)
    ).exists()
    with pytest.raises(ValidationError, match="đã công bố"):
        services.compute(published, actor=officer, today=TODAY)
    with pytest.raises(ValidationError):
        services.publish(published, actor=officer)


def test_a_draft_cannot_be_published(scorecard: Scorecard, officer: User) -> None:
    with pytest.raises(ValidationError, match="tính điểm trước"):
        services.publish(scorecard, actor=officer)


def test_a_new_version_copies_the_rules_as_a_draft(published: Scorecard, officer: User) -> None:
    copy = services.new_version(published, actor=officer)
    assert copy.status == Scorecard.Status.DRAFT
    assert copy.previous == published
    assert list(copy.criteria.values_list("metric", "weight")) == [
        ("tasks_on_time", Decimal("50.00")),
        ("misconduct", Decimal("50.00")),
    ]


def test_editing_a_computed_scorecard_clears_its_scores(computed: Scorecard, officer: User) -> None:
    services.update_scorecard(
        computed,
        actor=officer,
        name=computed.name,
        period_start=computed.period_start,
        period_end=computed.period_end,
        kinds=list(computed.kinds.all()),
        criteria=[services.CriterionIn("misconduct", 1)],
        grades=[services.GradeIn(0, "Đạt")],
    )
    computed.refresh_from_db()
    assert computed.status == Scorecard.Status.DRAFT
    assert not computed.scores.exists()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ([], "ít nhất một tiêu chí"),
        ([services.CriterionIn("misconduct", 0)], "lớn hơn 0"),
        ([services.CriterionIn("misconduct", "abc")], "lớn hơn 0"),
        ([services.CriterionIn("misconduct", 1), services.CriterionIn("misconduct", 2)], "hai lần"),
        ([services.CriterionIn("no_such_metric", 1)], "Chỉ số không có"),
    ],
)
def test_bad_criteria_are_refused_with_the_reason(
    province: dict[str, Organisation],
    officer: User,
    criteria: list[services.CriterionIn],
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.create_scorecard(
            province["root"],
            actor=officer,
            name="X",
            period_start=YEAR_START,
            period_end=YEAR_END,
            kinds=[kind("department")],
            criteria=criteria,
        )
    assert not Scorecard.objects.exists()


def test_grades_need_a_lowest_threshold_of_zero() -> None:
    with pytest.raises(ValidationError, match="ngưỡng 0"):
        services.clean_grades([services.GradeIn(50, "Đạt")])
    assert services.clean_grades([services.GradeIn(0, "B"), services.GradeIn(80, "A")]) == [
        {"min": 80.0, "label": "A"},
        {"min": 0.0, "label": "B"},
    ]


def test_only_score_managers_create_compute_and_publish(
    scorecard: Scorecard, province: dict[str, Organisation], head: User, province_viewer: User
) -> None:
    with pytest.raises(Http404):  # the province is invisible to a department's head
        services.compute(scorecard, actor=head, today=TODAY)
    with pytest.raises(PermissionDenied):
        services.compute(scorecard, actor=province_viewer, today=TODAY)
    with pytest.raises(PermissionDenied):
        make_scorecard(province, province_viewer)


def test_deleting_a_published_scorecard_is_refused(published: Scorecard, officer: User) -> None:
    with pytest.raises(ValidationError):
        services.delete_scorecard(published, actor=officer)
    assert Scorecard.objects.filter(pk=published.pk).exists()


def test_deleting_a_computed_scorecard_takes_its_scores(computed: Scorecard, officer: User) -> None:
    services.delete_scorecard(computed, actor=officer)
    assert not OrganisationScore.objects.exists()
