"""A new province's first day (README "First start of a province"): what the pages say
while there is nothing yet — no organisation, then only the top one and the catalogue.

Every other test starts from a populated province; these start from an empty database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import Role, User
from congvu.conduct.services import load_seed_catalogue
from congvu.conftest import START, client_for, kind, make_staff, make_user
from congvu.feedback import services as feedback_services
from congvu.feedback.tests.ratings_helpers import rate
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember
from congvu.scoring import services as scoring_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db: Any) -> User:
    return User.objects.create_superuser(username="quantri", password="pw-for-tests-123")


def make_root() -> Organisation:
    """Step 3 done: the province's top organisation, with the model code of conduct."""
    top = org_services.create_organisation(
        actor=None,
        code="H26",
        name="Ủy ban nhân dân tỉnh Hưng Yên",
        kind=kind("province_pc"),
        valid_from=START,
    )
    load_seed_catalogue(scope=top, actor=None, activate=True)
    feedback_services.clear_caches()
    return top


@pytest.fixture
def root(db: Any) -> Organisation:
    return make_root()


@pytest.fixture
def member(root: Organisation) -> StaffMember:
    return make_staff(root, "Lê Thị Mai", "SNV-0002")


# --- Before the top organisation ---------------------------------------------------------


def test_the_administrators_home_on_an_empty_database_says_where_to_start(
    superuser: User,
) -> None:
    client = client_for(superuser)
    html = client.get(reverse("core:home")).content.decode()

    assert 'data-testid="empty-installation"' in html
    assert "Bạn xem được 0 cơ quan" not in html
    assert f'href="{reverse("organisations:create_root")}"' in html
    assert f'href="{reverse("imports:start")}"' in html

    make_root()
    html = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="empty-installation"' not in html
    assert "Bạn xem được 1 cơ quan, đơn vị." in html


def test_a_user_who_may_not_start_the_tree_is_told_but_not_offered_the_form(db: Any) -> None:
    html = client_for(make_user("nobody")).get(reverse("core:home")).content.decode()

    assert 'data-testid="empty-installation"' in html
    assert reverse("organisations:create_root") not in html


def test_the_reports_page_before_the_tree_offers_no_button_that_fails(superuser: User) -> None:
    client = client_for(superuser)
    html = client.get(reverse("reporting:index")).content.decode()

    # Both would answer 403 and 404 without an organisation to issue the period.
    assert client.get(reverse("reporting:period_create")).status_code == 403
    assert reverse("reporting:period_create") not in html
    assert reverse("reporting:period_yearly") not in html
    assert 'data-testid="empty-installation"' in html
    assert f'href="{reverse("organisations:tree")}"' in html

    make_root()
    html = client.get(reverse("reporting:index")).content.decode()
    assert reverse("reporting:period_create") in html
    assert reverse("reporting:period_yearly") in html
    assert 'data-testid="empty-installation"' not in html
    assert client.get(reverse("reporting:period_create")).status_code == 200


# --- The top organisation and the catalogue, nothing else -------------------------------


def test_the_public_satisfaction_page_shows_no_template_comment(root: Organisation) -> None:
    html = Client().get(reverse("transparency:index")).content.decode()

    assert "{#" not in html and "#}" not in html
    assert "No session, no CSRF token" not in html


def test_the_satisfaction_pages_without_ratings_say_so_instead_of_drawing_empty_axes(
    root: Organisation, member: StaffMember
) -> None:
    officer = client_for(make_user("noivu", Role.HOME_AFFAIRS, root))
    pages = [
        (officer, reverse("feedback:province")),
        (officer, reverse("feedback:organisation", args=[root.pk])),
        (officer, reverse("feedback:staff", args=[member.pk])),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'data-testid="trend-empty"' in html, url
        assert "Chưa có lượt đánh giá nào được tính trong khoảng thời gian này" in html, url
        assert 'class="rt-trend"' not in html, url

    public = Client().get(reverse("transparency:index")).content.decode()
    assert 'data-testid="trend-empty"' in public and 'class="rt-trend"' not in public
    assert "Chưa có tháng nào đủ 30 lượt đánh giá để công khai" in public


def test_the_public_page_with_a_few_ratings_does_not_say_there_are_none(
    root: Organisation, member: StaffMember
) -> None:
    """Under 30 a month the public page publishes nothing (no one may be recognised):
    its empty chart must not read as "no rating counted", the internal pages draw it."""
    target = feedback_services.target_for_badge(member.badge_token)
    assert target is not None
    rate(target, level=1)

    public = Client().get(reverse("transparency:index")).content.decode()
    assert "Chưa có tháng nào đủ 30 lượt đánh giá để công khai" in public
    assert "Chưa có lượt đánh giá nào được tính" not in public
    # Its months are withheld as the organisations' rows are, not printed as 0 ratings.
    table = public.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
    assert '<td class="num">0</td>' not in table
    assert table.count("chưa đủ 30 lượt đánh giá") == 12

    officer = client_for(make_user("noivu", Role.HOME_AFFAIRS, root))
    internal = officer.get(reverse("feedback:province")).content.decode()
    assert 'class="rt-trend"' in internal and 'data-testid="trend-empty"' not in internal


def test_the_cases_dashboard_without_cases_draws_no_bars_of_zero(root: Organisation) -> None:
    officer = client_for(make_user("noivu", Role.HOME_AFFAIRS, root))
    response = officer.get(reverse("cases:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="dash-chart' not in html
    # The months, the clauses, the kinds of report and the conclusions: four charts, none drawn.
    assert html.count("<p>Không có số liệu.</p>") >= 4


def test_the_plan_dashboard_of_a_new_province_points_home_affairs_to_adding_a_plan(
    root: Organisation,
) -> None:
    officer = client_for(make_user("noivu", Role.HOME_AFFAIRS, root))
    html = officer.get(reverse("dashboards:province")).content.decode()

    assert 'data-testid="dashboard-empty"' in html
    assert f'href="{reverse("planning:plan_create")}"' in html


def test_a_viewer_of_the_empty_plan_dashboard_is_not_offered_to_add_a_plan(
    root: Organisation,
) -> None:
    viewer = client_for(make_user("xem", Role.VIEWER, root))
    response = viewer.get(reverse("dashboards:province"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="dashboard-empty"' in html
    assert reverse("planning:plan_create") not in html


def test_the_first_accounts_form_says_how_home_affairs_watches_the_whole_province(
    superuser: User, root: Organisation
) -> None:
    """Step 5: the form's box is unticked by default, and Home Affairs granted the top
    organisation alone sees none of the departments or communes."""
    html = client_for(superuser).get(reverse("accounts:user_create")).content.decode()

    assert "Sở Nội vụ theo dõi cả tỉnh: nhập mã cơ quan gốc" in html


def test_a_first_scorecard_that_ranks_no_one_says_so_before_it_is_published(
    root: Organisation,
) -> None:
    org_services.create_organisation(
        actor=None, code="H26.01", name="Sở Nội vụ", kind=kind("department"), parent=root
    )
    officer = make_user("noivu", Role.HOME_AFFAIRS, root)
    scorecard = scoring_services.create_scorecard(
        root,
        actor=officer,
        name="Chấm điểm năm 2026",
        period_start=START,
        period_end=START.replace(month=12, day=31),
        kinds=[kind("department")],
        criteria=[
            scoring_services.CriterionIn("tasks_on_time", 50),
            scoring_services.CriterionIn("satisfaction", 50),
        ],
    )
    client = client_for(officer)
    url = reverse("scoring:detail", args=[scorecard.pk])
    assert 'data-testid="nobody-ranked"' not in client.get(url).content.decode()

    scoring_services.compute(scorecard, actor=officer)
    html = client.get(url).content.decode()

    assert 'data-testid="nobody-ranked"' in html
    assert "Chưa cơ quan nào được xếp hạng" in html
    assert reverse("scoring:publish", args=[scorecard.pk]) in html  # a warning, not a lock
