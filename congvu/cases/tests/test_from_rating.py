"""A low rating opens a case from the ratings pages (issue 5 §1)."""

from __future__ import annotations

from typing import Any

from congvu.accounts.models import User
from congvu.cases.models import Case
from congvu.conftest import client_for
from congvu.feedback import services as ratings
from congvu.feedback.tests.ratings_helpers import load_catalogue, rate
from congvu.organisations.models import StaffMember


def badge_rating(province: dict[str, Any], staff_member: StaffMember, **kwargs: Any) -> Any:
    """A citizen's rating of `staff_member` from their badge (`rate`'s `level`, `comment`…)."""
    load_catalogue(province)
    target = ratings.target_for_badge(staff_member.badge_token)
    assert target is not None
    return rate(target, **kwargs)


def low_rating(province: dict[str, Any], staff_member: StaffMember) -> Any:
    return badge_rating(
        province, staff_member, level=5, comment="Cán bộ quát nạt, bắt chờ cả buổi."
    )


def satisfied_rating(province: dict[str, Any], staff_member: StaffMember) -> Any:
    return badge_rating(province, staff_member, level=1)


def test_the_head_opens_a_case_from_a_low_rating_and_lands_on_it(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    rating = low_rating(province, staff_member)
    response = client_for(head).post(f"/cases/from-rating/{rating.pk}/")
    case = Case.objects.get(source_rating=rating)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.code}/"
    assert case.subject_staff == staff_member
    assert case.channel == Case.Channel.FLAGGED_RATING
    assert "quát nạt" in case.description
    # Pressing the button twice does not open a second case.
    client_for(head).post(f"/cases/from-rating/{rating.pk}/")
    assert Case.objects.filter(source_rating=rating).count() == 1


def test_a_satisfied_rating_opens_no_case_and_says_why(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    rating = satisfied_rating(province, staff_member)
    client = client_for(head)
    response = client.post(f"/cases/from-rating/{rating.pk}/", follow=True)
    assert not Case.objects.exists()
    assert "Chỉ mở vụ việc từ đánh giá thấp" in response.content.decode()


def test_in_english_a_satisfied_rating_opens_no_case_and_says_why_in_english(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    # The service words its refusal in the record's language, both halves: an English
    # reader reads the English alone.
    rating = satisfied_rating(province, staff_member)
    client = client_for(head)
    client.cookies["congvu_lang"] = "en"
    page = client.post(f"/cases/from-rating/{rating.pk}/", follow=True).content.decode()
    assert "Only a low or flagged rating can open a case." in page
    assert "Chỉ mở vụ việc" not in page


def test_an_outsider_gets_404_and_a_viewer_403(
    province: dict[str, Any], staff_member: StaffMember, outsider: User, viewer: User
) -> None:
    rating = low_rating(province, staff_member)
    assert client_for(outsider).post(f"/cases/from-rating/{rating.pk}/").status_code == 404
    assert client_for(viewer).post(f"/cases/from-rating/{rating.pk}/").status_code == 403
    assert client_for(viewer).get(f"/cases/from-rating/{rating.pk}/").status_code == 405
    assert not Case.objects.exists()


def test_the_api_opens_a_case_from_a_rating_once(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    from congvu.accounts.services import create_api_token

    rating = low_rating(province, staff_member)
    _, key = create_api_token(head, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = client_for(None)
    url = "/api/v1/cases/from-rating"
    first = client.post(url, {"rating": rating.pk}, content_type="application/json", **headers)
    assert first.status_code == 201, first.content
    assert first.json()["subject_staff"]["id"] == staff_member.pk
    again = client.post(url, {"rating": rating.pk}, content_type="application/json", **headers)
    assert again.status_code == 200
    assert again.json()["code"] == first.json()["code"]
    assert (
        client.post(url, {"rating": 10**6}, content_type="application/json", **headers).status_code
        == 404
    )


def test_the_review_queue_offers_to_open_a_case_from_a_flagged_rating(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    from congvu.feedback.models import Rating

    rating = low_rating(province, staff_member)
    Rating.objects.filter(pk=rating.pk).update(state=Rating.State.FLAGGED)
    page = client_for(head).get("/ratings/flagged/").content.decode()
    assert f"/cases/from-rating/{rating.pk}/" in page
    assert "Mở vụ việc từ đánh giá này" in page


def test_a_next_that_is_no_page_of_the_site_falls_back_to_the_flagged_list(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    # A hand-edited `next` ("²", "?page=2"): `redirect()` took it for a view's name (500).
    rating = satisfied_rating(province, staff_member)
    client = client_for(head)
    for next_url in ("²", "?page=2", "feedback:flagged"):
        response = client.post(f"/cases/from-rating/{rating.pk}/", {"next": next_url})
        assert response.status_code == 302
        assert response["Location"] == "/ratings/flagged/"
    response = client.post(f"/cases/from-rating/{rating.pk}/", {"next": "/ratings/?from=01/2026"})
    assert response["Location"] == "/ratings/?from=01/2026"
    assert not Case.objects.exists()


def test_a_case_from_a_rating_says_it_has_no_reporter_rather_than_an_anonymous_one(
    province: dict[str, Any], staff_member: StaffMember, head: User
) -> None:
    rating = low_rating(province, staff_member)
    client_for(head).post(f"/cases/from-rating/{rating.pk}/")
    case = Case.objects.get(source_rating=rating)
    html = client_for(head).get(f"/cases/{case.code}/").content.decode()
    reporter = html.split('data-testid="reporter">')[1].split("</p>")[0]
    assert "vụ việc mở từ một lượt đánh giá ẩn danh của người dân" in reporter
    assert "Ẩn danh" not in reporter
