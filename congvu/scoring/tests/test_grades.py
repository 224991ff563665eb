"""Grades with conditions (Decree 90: "good" and above only with ≥ 80 % of tasks on time),
the reason shown where the grade is, and grade labels in English."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.organisations.models import Organisation
from congvu.scoring import services
from congvu.scoring.forms import grades_text
from congvu.scoring.models import OrganisationScore, Scorecard, default_grades

from .conftest import TODAY, make_scorecard
from .test_views import new_form


def score_of(scorecard: Scorecard, organisation: Organisation) -> OrganisationScore:
    return scorecard.scores.get(organisation=organisation)


def english(client: Client) -> Client:
    client.cookies["congvu_lang"] = "en"
    return client


def test_the_default_grades_carry_decree_90s_condition_on_the_top_two() -> None:
    grades = {g["label"]: g for g in default_grades()}
    tasks = [{"metric": "tasks_on_time", "min": 80}]
    assert grades["Hoàn thành xuất sắc"]["conditions"] == tasks
    assert grades["Hoàn thành tốt"]["conditions"] == tasks
    assert "conditions" not in grades["Hoàn thành"]
    assert "conditions" not in grades["Không hoàn thành"]


def test_a_total_worth_excellent_with_half_the_tasks_on_time_gets_completed(
    scored: dict[str, Organisation], officer: User
) -> None:
    # Sở Tư pháp: no misconduct (100), one task on time of two (50): total 95.
    scorecard = make_scorecard(scored, officer, criteria=(("misconduct", 9), ("tasks_on_time", 1)))
    services.compute(scorecard, actor=officer, today=TODAY)
    justice = score_of(scorecard, scored["dept_justice"])
    assert justice.total == 95.0
    assert justice.grade == "Hoàn thành"  # neither of the two grades above it
    assert [n["grade"] for n in justice.grade_notes] == ["Hoàn thành xuất sắc", "Hoàn thành tốt"]
    # Without task data the condition is not applied: the commune keeps its top grade.
    commune = score_of(scorecard, scored["commune"])
    assert commune.grade == "Hoàn thành xuất sắc" and commune.grade_notes == []


def test_a_condition_applies_even_when_its_metric_is_not_a_weighted_criterion(
    scored: dict[str, Organisation], officer: User
) -> None:
    scorecard = make_scorecard(scored, officer, criteria=(("misconduct", 1),))
    services.compute(scorecard, actor=officer, today=TODAY)
    justice = score_of(scorecard, scored["dept_justice"])
    assert justice.total == 100.0 and justice.grade == "Hoàn thành"
    assert "tasks_on_time" not in justice.parts  # not part of the total


def test_a_scorecard_without_conditions_grades_by_the_total_alone(
    scored: dict[str, Organisation], officer: User
) -> None:
    scorecard = make_scorecard(scored, officer)
    scorecard.grades = [{"min": 75, "label": "Tốt"}, {"min": 0, "label": "Chưa tốt"}]
    scorecard.save()
    services.compute(scorecard, actor=officer, today=TODAY)
    assert score_of(scorecard, scored["dept_justice"]).grade == "Tốt"


def test_the_ranking_and_the_breakdown_say_why_the_grade_is_lower(
    as_officer: Client, computed: Scorecard, scored: dict[str, Organisation]
) -> None:
    reason = (
        "Không xếp loại “Hoàn thành tốt” vì Nhiệm vụ hoàn thành đúng hạn đạt 50,00, "
        "dưới ngưỡng 80 của mức này."
    )
    ranking = as_officer.get(reverse("scoring:detail", args=[computed.pk])).content.decode()
    assert reason in ranking
    assert "Hoàn thành tốt ≥ 75 và Nhiệm vụ hoàn thành đúng hạn ≥ 80" in ranking
    url = reverse("scoring:organisation", args=[computed.pk, scored["dept_justice"].pk])
    assert reason in as_officer.get(url).content.decode()
    url = reverse("scoring:organisation", args=[computed.pk, scored["commune"].pk])
    assert "Không xếp loại" not in as_officer.get(url).content.decode()


def test_grades_and_reasons_are_in_english_in_english_mode(
    as_officer: Client, published: Scorecard, client: Client
) -> None:
    page = english(client).get(reverse("rankings:detail", args=[published.pk])).content.decode()
    assert "Completed excellently ≥ 90 and" in page
    assert "Not completed" in page  # Sở Nội vụ's grade
    assert "Not given “Completed well”: " in page
    assert "Không hoàn thành" not in page
    staff = english(as_officer).get(reverse("scoring:detail", args=[published.pk]))
    assert "Completed excellently" in staff.content.decode()


def test_the_form_reads_english_labels_and_conditions_and_shows_them_again(
    as_officer: Client, province: dict[str, Organisation]
) -> None:
    grades = "80: Tốt | en: Good | tasks_on_time >= 80 | satisfaction ≥ 70,5\n0: Chưa tốt"
    response = as_officer.post(reverse("scoring:new"), new_form(province, grades=grades))
    assert response.status_code == 302
    scorecard = Scorecard.objects.get()
    assert scorecard.grades[0] == {
        "min": 80.0,
        "label": "Tốt",
        "label_en": "Good",
        "conditions": [
            {"metric": "tasks_on_time", "min": 80.0},
            {"metric": "satisfaction", "min": 70.5},
        ],
    }
    edit = as_officer.get(reverse("scoring:edit", args=[scorecard.pk])).content.decode()
    assert "80: Tốt | en: Good | tasks_on_time &gt;= 80 | satisfaction &gt;= 70,5" in edit
    assert grades_text(default_grades()).splitlines()[1] == (
        "75: Hoàn thành tốt | en: Completed well | tasks_on_time >= 80"
    )


@pytest.mark.parametrize(
    ("grades", "error"),
    [
        ("80: Tốt | tasks_on_time > 80\n0: Chưa tốt", "chỉ số &gt;= ngưỡng"),
        ("80: Tốt | khong_co >= 80\n0: Chưa tốt", "Chỉ số không có: khong_co"),
        ("80: Tốt | tasks_on_time >= 120\n0: Chưa tốt", "Ngưỡng của điều kiện phải từ 0 đến 100"),
        ("80: Tốt\n0: Chưa tốt | tasks_on_time >= 80", "Mức thấp nhất không có điều kiện"),
    ],
)
def test_a_wrong_condition_is_explained_and_the_input_kept(
    as_officer: Client, province: dict[str, Organisation], grades: str, error: str
) -> None:
    response = as_officer.post(reverse("scoring:new"), new_form(province, grades=grades))
    page = response.content.decode()
    assert response.status_code == 400
    assert error in page
    assert 'value="Xếp hạng năm 2025"' in page
    assert not Scorecard.objects.exists()


def test_a_new_version_keeps_the_conditions_and_english_labels(
    published: Scorecard, officer: User
) -> None:
    copy = services.new_version(published, actor=officer)
    assert copy.grades == published.grades
    assert copy.grades[0]["conditions"] == [{"metric": "tasks_on_time", "min": 80.0}]


def test_the_service_refuses_a_condition_on_an_unknown_metric(
    province: dict[str, Organisation], officer: User
) -> None:
    grade = services.GradeIn(80, "Tốt", conditions=[services.ConditionIn("nope", 80)])
    with pytest.raises(ValidationError) as caught:
        services.clean_grades([grade, services.GradeIn(0, "Chưa tốt")])
    assert "nope" in str(caught.value)


def test_the_api_takes_and_returns_conditions_and_the_reasons(
    computed: Scorecard, scored: dict[str, Organisation], officer: User
) -> None:
    from congvu.api.tests.conftest import bearer

    api = bearer(officer)
    scorecard = api.get(f"/api/v1/scorecards/{computed.pk}").json()
    assert scorecard["grades"][1] == {
        "min": 75.0,
        "label": "Hoàn thành tốt",
        "label_en": "Completed well",
        "conditions": [{"metric": "tasks_on_time", "min": 80.0}],
    }
    ranking = api.get(f"/api/v1/scorecards/{computed.pk}/ranking").json()["items"]
    justice = next(r for r in ranking if r["organisation"]["name"] == "Sở Tư pháp")
    assert justice["grade"] == "Hoàn thành"
    assert justice["grade_notes"] == [
        {"grade": "Hoàn thành tốt", "metric": "tasks_on_time", "value": 50.0, "min": 80.0}
    ]
    body: dict[str, Any] = {
        "organisation": scored["root"].pk,
        "name": "Có điều kiện",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "kinds": ["department"],
        "criteria": [{"metric": "misconduct", "weight": 1}],
        "grades": [
            {
                "min": 60,
                "label": "Đạt",
                "label_en": "Pass",
                "conditions": [{"metric": "satisfaction", "min": 70}],
            },
            {"min": 0, "label": "Chưa đạt"},
        ],
    }
    created = api.post("/api/v1/scorecards", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["grades"][0]["conditions"] == [{"metric": "satisfaction", "min": 70.0}]
