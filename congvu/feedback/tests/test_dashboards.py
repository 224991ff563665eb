"""The ratings dashboards: province, organisation, staff, one's own, review of flagged ratings."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from congvu.accounts.models import Role
from congvu.audit.models import AuditEvent
from congvu.conftest import client_for, make_user
from congvu.feedback import rollups, services
from congvu.feedback.models import Rating
from congvu.feedback.tests.ratings_helpers import (
    commune_staff_member,
    load_catalogue,
    rate,
    working_hours,
)
from congvu.feedback.tests.test_selectors import badge, flagged_rating, rate_many
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(province: dict[str, Organisation], staff_member: StaffMember) -> dict[str, Any]:
    """Sở Tư pháp: 8 satisfied and 2 dissatisfied ratings this month, one with a comment."""
    load_catalogue(province)
    target = badge(staff_member)
    rate_many(target, satisfied=8, unsatisfied=1)
    rate(target, level=4, comment="Chờ lâu quá, không được hướng dẫn", device_hash="f" * 32)
    return {"target": target}


# --- Province ----------------------------------------------------------------------------------


def test_the_province_page_shows_each_organisation_with_its_index_and_interval(
    rated: dict[str, Any], as_officer: Any
) -> None:
    response = as_officer.get(reverse("feedback:province"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html
    # 8 of 10 satisfied: 80 %, Wilson 95 % interval 49.0–94.3 %.
    assert "80,0 %" in html
    assert "49,0–94,3 %" in html
    assert "Ủy ban nhân dân xã An Bình" in html and "chưa có đánh giá" in html
    assert 'data-testid="trend-chart"' in html and 'data-testid="trend-table"' in html


def test_the_province_page_of_a_head_lists_only_their_organisations(
    rated: dict[str, Any], as_outsider: Any, as_head: Any
) -> None:
    outsider_html = as_outsider.get(reverse("feedback:province")).content.decode()
    assert "Sở Tư pháp" not in outsider_html
    assert "Ủy ban nhân dân xã An Bình" in outsider_html
    assert "Sở Tư pháp" in as_head.get(reverse("feedback:province")).content.decode()


def test_a_staff_member_without_rating_view_gets_403_on_the_province_page(
    staff_user: Any,
) -> None:
    assert client_for(staff_user).get(reverse("feedback:province")).status_code == 403


def test_an_organisation_with_few_ratings_is_marked_as_not_enough_data(
    province: dict[str, Organisation], staff_member: StaffMember, as_officer: Any
) -> None:
    load_catalogue(province)
    rate_many(badge(staff_member), satisfied=3)
    html = as_officer.get(reverse("feedback:province")).content.decode()
    assert "chưa đủ dữ liệu" in html


@pytest.mark.parametrize(
    "params",
    [
        {"from": "abc", "to": "12/2026"},
        {"from": "13/2026"},
        {"from": "01/2026", "to": "01/2025"},
        {"from": "x" * 5000},
        {"to": "2026-13-45"},
        {"from": "01/1900", "to": "01/1990"},
    ],
)
def test_a_bad_period_shows_a_message_instead_of_failing(
    rated: dict[str, Any], as_officer: Any, params: dict[str, str]
) -> None:
    response = as_officer.get(reverse("feedback:province"), params)
    assert response.status_code == 200
    assert 'data-testid="period-errors"' in response.content.decode()
    assert "Sở Tư pháp" in response.content.decode()


def test_a_period_filter_in_the_past_leaves_out_this_months_ratings(
    rated: dict[str, Any], as_officer: Any
) -> None:
    last_year = timezone.localdate().year - 1
    response = as_officer.get(
        reverse("feedback:province"), {"from": f"01/{last_year}", "to": f"31/12/{last_year}"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "period-errors" not in html
    assert f"01/01/{last_year}" in html and f"31/12/{last_year}" in html
    assert "80,0 %" not in html


def test_the_province_page_query_count_does_not_grow_with_ratings(
    province: dict[str, Organisation], staff_member: StaffMember, officer: Any
) -> None:
    load_catalogue(province)
    target = badge(staff_member)
    client = client_for(officer)
    scale, _levels = services.active_scale()
    clause_ids = [c.clause_id for c in services.criteria_for(target)]

    def add(n: int) -> None:
        today = timezone.localdate()
        Rating.objects.bulk_create(
            Rating(
                created_at=working_hours(today - dt.timedelta(days=31 * (i % 6))),
                rated_on=today - dt.timedelta(days=31 * (i % 6)),
                channel=Rating.Channel.BADGE,
                organisation=target.organisation,
                staff=staff_member,
                scale=scale,
                level=1 + i % 5,
                satisfied=i % 5 < 2,
                answers={str(c): "ny"[i % 2] for c in clause_ids},
            )
            for i in range(n)
        )
        rollups.rebuild()

    add(10)
    client.get(reverse("feedback:province"))  # warm per-process caches
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("feedback:province")).status_code == 200
    add(190)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("feedback:province"))
    assert response.status_code == 200 and Rating.objects.count() == 200
    assert len(many) == len(few)
    assert not any('"feedback_rating"' in q["sql"] for q in many.captured_queries)


def test_the_province_page_reuses_organisation_totals_until_the_rollups_change(
    rated: dict[str, Any], as_officer: Any
) -> None:
    url = reverse("feedback:province")
    with CaptureQueriesContext(connection) as first:
        assert "80,0 %" in as_officer.get(url).content.decode()
    with CaptureQueriesContext(connection) as again:
        assert "80,0 %" in as_officer.get(url).content.decode()
    assert len(again) < len(first)
    # A new rating changes the month's totals, so the cached totals are not used.
    rate(rated["target"], level=1)
    html = as_officer.get(url).content.decode()
    assert "80,0 %" not in html and "81,8 %" in html


def test_a_review_shows_on_the_province_page_at_once(
    rated: dict[str, Any], as_officer: Any, head: Any
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:province")
    assert "80,0 %" in as_officer.get(url).content.decode()
    services.review_rating(flagged, include=True, reason="Đã xác minh", actor=head)
    assert "81,8 %" in as_officer.get(url).content.decode()


def org_table_names(html: str) -> list[str]:
    """The organisation names of the ranking table, in the order shown."""
    table = html.split('data-testid="org-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([^<]+)</a>', table)


def test_the_organisation_table_can_be_sorted(rated: dict[str, Any], as_officer: Any) -> None:
    url = reverse("feedback:province")
    by_rank = org_table_names(as_officer.get(url).content.decode())
    assert by_rank[0] == "Sở Tư pháp"  # the only ranked organisation
    assert len(by_rank) == 4
    by_name = org_table_names(as_officer.get(url, {"sort": "name"}).content.decode())
    assert by_name == [
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Ủy ban nhân dân tỉnh Hưng Yên",
        "Ủy ban nhân dân xã An Bình",
    ]
    weakest = org_table_names(as_officer.get(url, {"sort": "weakest"}).content.decode())
    assert weakest[0] == "Sở Tư pháp" and sorted(weakest) == sorted(by_rank)
    response = as_officer.get(url, {"sort": "<script>", "q": "x" * 5000})
    assert response.status_code == 200
    form = response.content.decode().split('data-testid="org-search"', 1)[1].split("</form>")[0]
    assert "<script>" not in form and 'value="rank" selected' in form


def test_the_organisation_search_ignores_accents_and_keeps_the_ranks(
    rated: dict[str, Any], as_officer: Any
) -> None:
    response = as_officer.get(reverse("feedback:province"), {"q": "tu phap"})
    html = response.content.decode()
    assert response.status_code == 200
    assert org_table_names(html) == ["Sở Tư pháp"]
    assert "1/4" in html  # found among the organisations watched
    assert 'value="tu phap"' in html
    assert org_table_names(
        as_officer.get(reverse("feedback:province"), {"q": "H56.30"}).content.decode()
    ) == ["Ủy ban nhân dân xã An Bình"]
    nothing = as_officer.get(reverse("feedback:province"), {"q": "không có"}).content.decode()
    assert org_table_names(nothing) == [] and "Không tìm thấy cơ quan nào." in nothing


def test_an_outsider_cannot_find_organisations_outside_their_scope(
    rated: dict[str, Any], as_outsider: Any
) -> None:
    html = as_outsider.get(reverse("feedback:province"), {"q": "tư pháp"}).content.decode()
    assert "Sở Tư pháp" not in html and "Không tìm thấy cơ quan nào." in html


def test_the_organisation_table_is_paged_and_the_links_keep_the_search_and_order(
    rated: dict[str, Any], as_officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from congvu.feedback import views

    monkeypatch.setattr(views, "ORGANISATIONS_PER_PAGE", 3)
    url = reverse("feedback:province")
    first = as_officer.get(url, {"sort": "name"}).content.decode()
    assert org_table_names(first) == ["Sở Nội vụ", "Sở Tư pháp", "Ủy ban nhân dân tỉnh Hưng Yên"]
    assert "sort=name&amp;page=2#orgs" in first
    second = as_officer.get(url, {"sort": "name", "page": "2"}).content.decode()
    assert org_table_names(second) == ["Ủy ban nhân dân xã An Bình"]
    for page in ("999", "abc", "-1"):
        response = as_officer.get(url, {"sort": "name", "page": page})
        assert response.status_code == 200 and org_table_names(response.content.decode())


def test_the_province_trend_of_a_head_counts_only_their_organisations(
    rated: dict[str, Any], province: dict[str, Organisation], as_head: Any
) -> None:
    from congvu.feedback.tests.test_selectors import rate_many

    commune_staff = commune_staff_member(province)
    rate_many(badge(commune_staff), satisfied=0, unsatisfied=10)
    for _twice in range(2):  # the second time from the cache
        html = as_head.get(reverse("feedback:province")).content.decode()
        trend = html.split('data-testid="trend-table"', 1)[1].split("</table>", 1)[0]
        # This month: the head's 8/10 against the province's 8/20.
        assert "80,0 %" in trend and "40,0 %" in trend


def test_figures_are_printed_as_floatformat_prints_them() -> None:
    from django.template.defaultfilters import floatformat
    from django.utils import translation

    from congvu.feedback.templatetags.ratings_format import diff, pct

    with translation.override("vi"):
        for value in (0.0, 0.8, 0.80249, 0.8025, 0.12345, 0.999999, 1.0, 0.0005, 1 / 3):
            assert pct(value) == floatformat(100 * value, 1)
            assert pct(value, 0) == floatformat(100 * value, 0)
        assert pct(None) == "–"
        assert diff(2.25) == '<span class="rt-up">+2,3</span>'
        assert diff(-0.04) == "<span>0</span>" and diff(-3.15).startswith('<span class="rt-down">')
    with translation.override("en"):
        assert pct(0.8) == "80.0"


# --- Organisation ------------------------------------------------------------------------------


def test_the_head_sees_their_organisation_staff_comments_and_comparisons(
    rated: dict[str, Any], as_head: Any, province: dict[str, Organisation]
) -> None:
    response = as_head.get(reverse("feedback:organisation", args=[province["dept_justice"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "80,0 %" in html and "49,0–94,3 %" in html
    assert "Nguyễn Văn Đức" in html  # staff table
    assert "Chờ lâu quá, không được hướng dẫn" in html  # comments, text only
    assert "f" * 32 not in html
    assert "Toàn tỉnh" in html and "Cơ quan cùng loại" in html


def test_an_outsider_gets_404_and_a_role_without_rating_view_403_on_an_organisation(
    rated: dict[str, Any], as_outsider: Any, staff_user: Any, province: dict[str, Organisation]
) -> None:
    url = reverse("feedback:organisation", args=[province["dept_justice"].pk])
    assert as_outsider.get(url).status_code == 404
    assert client_for(staff_user).get(url).status_code == 403
    assert as_outsider.get(reverse("feedback:organisation", args=[999999])).status_code == 404


def test_the_head_can_review_flagged_ratings_but_a_viewer_cannot(
    rated: dict[str, Any], as_head: Any, as_viewer: Any, province: dict[str, Organisation]
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:organisation", args=[province["dept_justice"].pk])
    head_html = as_head.get(url).content.decode()
    assert reverse("feedback:review", args=[flagged.pk]) in head_html
    assert "Bình chọn dồn dập" in head_html
    viewer_html = as_viewer.get(url).content.decode()
    assert reverse("feedback:review", args=[flagged.pk]) not in viewer_html
    review = reverse("feedback:review", args=[flagged.pk])
    data = {f"r{flagged.pk}-decision": "include", f"r{flagged.pk}-reason": "Đã xác minh"}
    assert as_viewer.post(review, data).status_code == 403
    flagged.refresh_from_db()
    assert flagged.state == Rating.State.FLAGGED


def test_an_included_flagged_rating_counts_in_the_index(
    rated: dict[str, Any], as_head: Any, province: dict[str, Organisation]
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:organisation", args=[province["dept_justice"].pk])
    assert "81,8 %" not in as_head.get(url).content.decode()
    response = as_head.post(
        reverse("feedback:review", args=[flagged.pk]),
        {
            f"r{flagged.pk}-decision": "include",
            f"r{flagged.pk}-reason": "Người dân xác nhận",
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    flagged.refresh_from_db()
    assert flagged.state == Rating.State.INCLUDED
    assert AuditEvent.objects.filter(action="rating.include").count() == 1
    # 9 of 11 satisfied now.
    assert "81,8 %" in as_head.get(url).content.decode()


def test_a_review_without_a_reason_is_refused_and_keeps_the_choice(
    rated: dict[str, Any], as_head: Any
) -> None:
    flagged = flagged_rating(rated["target"])
    response = as_head.post(
        reverse("feedback:review", args=[flagged.pk]),
        {f"r{flagged.pk}-decision": "exclude", f"r{flagged.pk}-reason": "  "},
    )
    assert response.status_code == 400
    assert "Hãy ghi lý do" in response.content.decode()
    assert re.search(r'value="exclude"[^>]*checked', response.content.decode())
    flagged.refresh_from_db()
    assert flagged.state == Rating.State.FLAGGED


def test_reviewing_a_rating_that_is_not_flagged_gives_a_clear_message(
    rated: dict[str, Any], as_head: Any
) -> None:
    counted = Rating.objects.filter(state=Rating.State.COUNTED).first()
    assert counted is not None
    response = as_head.post(
        reverse("feedback:review", args=[counted.pk]),
        {f"r{counted.pk}-decision": "exclude", f"r{counted.pk}-reason": "Thử"},
    )
    assert response.status_code == 400
    assert "không chờ xem xét" in response.content.decode()


def test_an_outsider_gets_404_when_reviewing_and_get_is_not_allowed(
    rated: dict[str, Any], as_outsider: Any, as_head: Any
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:review", args=[flagged.pk])
    data = {f"r{flagged.pk}-decision": "exclude", f"r{flagged.pk}-reason": "x"}
    assert as_outsider.post(url, data).status_code == 404
    assert as_head.get(url).status_code == 405


# --- Flagged queue -----------------------------------------------------------------------------


def test_the_flagged_queue_lists_ratings_in_the_reviewers_scope(
    rated: dict[str, Any],
    as_head: Any,
    as_outsider: Any,
    as_viewer: Any,
    staff_user: Any,
    province: dict[str, Organisation],
) -> None:
    flagged_rating(rated["target"])
    url = reverse("feedback:flagged")
    assert "Bình chọn dồn dập" in as_head.get(url).content.decode()
    assert "Bình chọn dồn dập" not in as_outsider.get(url).content.decode()
    assert as_viewer.get(url).status_code == 403
    assert client_for(staff_user).get(url).status_code == 403
    only = {"organisation": province["dept_justice"].pk}
    assert as_outsider.get(url, only).status_code == 404
    assert as_head.get(url, only).status_code == 200
    assert as_head.get(url, {"organisation": "abc"}).status_code == 404


def _bulk(decision: str, reason: str, *ratings: Rating, **extra: Any) -> dict[str, Any]:
    return {
        "bulk-decision": decision,
        "bulk-reason": reason,
        "ratings": [str(r.pk) for r in ratings],
        **extra,
    }


def test_several_flagged_ratings_are_excluded_at_once_each_audited(
    rated: dict[str, Any], as_head: Any
) -> None:
    burst = [flagged_rating(rated["target"]) for _ in range(3)]
    queue = as_head.get(reverse("feedback:flagged")).content.decode()
    assert queue.count('form="bulk-review"') == 3  # one box per rating, no JavaScript needed
    assert 'data-testid="bulk-review"' in queue

    response = as_head.post(
        reverse("feedback:review_many"),
        _bulk("exclude", "Một điện thoại bấm liên tục", *burst[:2], next="/ratings/flagged/"),
    )

    assert response.status_code == 302 and response["Location"] == "/ratings/flagged/"
    states = [Rating.objects.get(pk=r.pk).state for r in burst]
    assert states == [Rating.State.EXCLUDED, Rating.State.EXCLUDED, Rating.State.FLAGGED]
    events = AuditEvent.objects.filter(action="rating.exclude")
    assert events.count() == 2
    assert {e.data["reason"] for e in events} == {"Một điện thoại bấm liên tục"}
    follow = as_head.get("/ratings/flagged/").content.decode()
    assert "Đã loại 2 lượt đánh giá khỏi chỉ số." in follow


def test_a_bulk_review_with_one_rating_already_reviewed_changes_nothing_and_keeps_the_input(
    rated: dict[str, Any], as_head: Any, head: Any
) -> None:
    first, second = flagged_rating(rated["target"]), flagged_rating(rated["target"])
    services.review_rating(second, include=True, reason="Đã xác minh", actor=head)

    response = as_head.post(
        reverse("feedback:review_many"), _bulk("exclude", "Lý do chung", first, second)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Lượt đánh giá số {second.pk}" in html and "không chờ xem xét" in html
    assert re.search(rf'value="{first.pk}" form="bulk-review" checked', html)
    assert "Lý do chung" in html and re.search(r'value="exclude"[^>]*checked', html)
    first.refresh_from_db()
    assert first.state == Rating.State.FLAGGED  # all or nothing


def test_a_bulk_review_needs_a_choice_a_decision_and_a_reason(
    rated: dict[str, Any], as_head: Any
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:review_many")

    nothing_ticked = as_head.post(url, _bulk("include", "Lý do"))
    no_reason = as_head.post(url, _bulk("include", " ", flagged))
    garbage = as_head.post(url, {**_bulk("include", "Lý do", flagged), "ratings": ["1x"]})

    assert nothing_ticked.status_code == 400
    assert "Hãy chọn ít nhất một lượt đánh giá" in nothing_ticked.content.decode()
    assert no_reason.status_code == 400 and "Hãy ghi lý do" in no_reason.content.decode()
    assert garbage.status_code == 400 and "Lựa chọn không hợp lệ" in garbage.content.decode()
    flagged.refresh_from_db()
    assert flagged.state == Rating.State.FLAGGED


def test_a_bulk_review_of_someone_elses_rating_is_404_and_without_the_permission_403(
    rated: dict[str, Any], as_outsider: Any, as_viewer: Any
) -> None:
    flagged = flagged_rating(rated["target"])
    url = reverse("feedback:review_many")
    data = _bulk("exclude", "Lý do", flagged)

    assert as_viewer.post(url, data).status_code == 403
    assert as_outsider.post(url, data).status_code == 404
    flagged.refresh_from_db()
    assert flagged.state == Rating.State.FLAGGED


# --- Staff -------------------------------------------------------------------------------------


def test_the_head_sees_one_staff_members_ratings_without_rater_data(
    rated: dict[str, Any], as_head: Any, staff_member: StaffMember
) -> None:
    response = as_head.get(reverse("feedback:staff", args=[staff_member.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "80,0 %" in html
    assert "Chờ lâu quá, không được hướng dẫn" in html
    assert "f" * 32 not in html and "10:00" not in html


def test_staff_pages_refuse_outsiders_and_roles_without_rating_view(
    rated: dict[str, Any],
    as_outsider: Any,
    staff_user: Any,
    staff_member: StaffMember,
    province: dict[str, Organisation],
) -> None:
    url = reverse("feedback:staff", args=[staff_member.pk])
    assert as_outsider.get(url).status_code == 404
    assert as_outsider.get(reverse("feedback:staff", args=[999999])).status_code == 404
    colleague = org_services.create_staff(
        actor=None,
        organisation=province["dept_justice"],
        full_name="Lê Văn Cường",
        staff_code="STP-003",
        category=StaffMember.Category.CIVIL_SERVANT,
        valid_from=dt.date(2025, 1, 1),
    )
    client = client_for(staff_user)
    assert client.get(reverse("feedback:staff", args=[colleague.pk])).status_code == 403
    own = client.get(url)
    assert own.status_code == 302 and own["Location"] == reverse("feedback:mine")


def test_a_staff_member_sees_their_own_ratings_and_comments_without_rater_data(
    rated: dict[str, Any], staff_user: Any
) -> None:
    response = client_for(staff_user).get(reverse("feedback:mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "80,0 %" in html and "49,0–94,3 %" in html
    assert "Chờ lâu quá, không được hướng dẫn" in html
    assert timezone.localdate().strftime("%d/%m/%Y") in html
    assert "f" * 32 not in html and "10:00" not in html
    assert 'data-testid="criteria-table"' in html


def test_a_user_without_a_staff_record_gets_a_clear_page(province: dict[str, Organisation]) -> None:
    user = make_user("no-staff", Role.VIEWER, province["dept_home"])
    response = client_for(user).get(reverse("feedback:mine"))
    assert response.status_code == 200
    assert 'data-testid="no-staff"' in response.content.decode()


def test_every_dashboard_needs_a_login(province: dict[str, Organisation]) -> None:
    client = client_for(None)
    for url in (
        reverse("feedback:province"),
        reverse("feedback:organisation", args=[province["dept_justice"].pk]),
        reverse("feedback:mine"),
        reverse("feedback:flagged"),
    ):
        assert client.get(url).status_code == 302
