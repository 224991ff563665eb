"""A phone number, e-mail address or ID number typed into a rating's comment is shown
"[…]" wherever the comment is read — the rated staff member's own page, the head's and
the province's pages, the review of flagged ratings, the API, the case opened from the
rating — while the rating keeps the comment as the citizen wrote it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.cases.models import Case
from congvu.conftest import client_for
from congvu.feedback.models import Rating
from congvu.feedback.tests.ratings_helpers import load_catalogue, rate
from congvu.feedback.tests.test_selectors import badge, flagged_rating
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db

PHONE = "0987 654 321"
EMAIL = "lan.tran@gmail.com"
CCCD = "034190012345"
WRITTEN = f"Cán bộ gắt gỏng. Gọi lại cho tôi {PHONE}, mail {EMAIL}, CCCD {CCCD}."
SHOWN = "Cán bộ gắt gỏng. Gọi lại cho tôi […], mail […], CCCD […]."


def shows_it_masked(text: str) -> bool:
    return SHOWN in text and PHONE not in text and EMAIL not in text and CCCD not in text


@pytest.fixture
def unhappy(province: dict[str, Organisation], staff_member: StaffMember) -> Rating:
    """Sở Tư pháp's staff member rated "very dissatisfied" with contact details typed in."""
    load_catalogue(province)
    return rate(badge(staff_member), level=5, comment=WRITTEN)


@pytest.fixture
def flagged(province: dict[str, Organisation], staff_member: StaffMember) -> Rating:
    load_catalogue(province)
    rating = flagged_rating(badge(staff_member))
    Rating.objects.filter(pk=rating.pk).update(comment=WRITTEN)
    rating.refresh_from_db()
    return rating


def test_the_rating_keeps_the_comment_as_written(unhappy: Rating) -> None:
    assert Rating.objects.get(pk=unhappy.pk).comment == WRITTEN


def test_the_rated_staff_member_sees_the_comment_masked_on_their_own_page(
    unhappy: Rating, staff_user: User
) -> None:
    response = client_for(staff_user).get(reverse("feedback:mine"))
    assert response.status_code == 200
    assert shows_it_masked(response.content.decode())


def test_the_head_sees_it_masked_on_the_staff_members_page_and_the_organisations(
    unhappy: Rating, as_head: Client, staff_member: StaffMember, province: dict[str, Any]
) -> None:
    staff_page = as_head.get(reverse("feedback:staff", args=[staff_member.pk]))
    assert staff_page.status_code == 200 and shows_it_masked(staff_page.content.decode())
    org_page = as_head.get(reverse("feedback:organisation", args=[province["dept_justice"].pk]))
    assert org_page.status_code == 200 and shows_it_masked(org_page.content.decode())


def test_home_affairs_sees_it_masked_on_the_organisations_page(
    unhappy: Rating, as_officer: Client, province: dict[str, Any]
) -> None:
    page = as_officer.get(reverse("feedback:organisation", args=[province["dept_justice"].pk]))
    assert page.status_code == 200 and shows_it_masked(page.content.decode())


def test_the_reviewer_sees_a_flagged_comment_masked(
    flagged: Rating, as_head: Client, province: dict[str, Any]
) -> None:
    queue = as_head.get(reverse("feedback:flagged"))
    assert queue.status_code == 200 and shows_it_masked(queue.content.decode())
    org_page = as_head.get(reverse("feedback:organisation", args=[province["dept_justice"].pk]))
    assert reverse("feedback:review", args=[flagged.pk]) in org_page.content.decode()
    assert shows_it_masked(org_page.content.decode())


def test_the_review_pages_stay_closed_to_outsiders_and_roles_without_the_permission(
    flagged: Rating, as_outsider: Client, as_viewer: Client
) -> None:
    review = reverse("feedback:review", args=[flagged.pk])
    data = {f"r{flagged.pk}-decision": "include", f"r{flagged.pk}-reason": "Đã xác minh"}
    assert as_outsider.post(review, data).status_code == 404
    assert as_viewer.post(review, data).status_code == 403
    assert PHONE not in as_viewer.get(reverse("feedback:flagged")).content.decode()


def test_the_api_shows_a_flagged_comment_masked_in_the_queue_and_the_decision(
    flagged: Rating, head: User
) -> None:
    from congvu.api.tests.conftest import bearer
    from congvu.api.tests.test_feedback_api import post_json

    api = bearer(head)
    queue = api.get("/api/v1/ratings/flagged")
    assert queue.status_code == 200
    assert queue.json()["items"][0]["comment"] == SHOWN
    assert PHONE not in queue.content.decode()
    decided = post_json(
        api, f"/api/v1/ratings/{flagged.pk}/review", {"decision": "include", "reason": "Xác minh"}
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["comment"] == SHOWN
    many = post_json(
        api, "/api/v1/ratings/review", {"ids": [flagged.pk], "decision": "exclude", "reason": "Lại"}
    )
    assert many.status_code in (200, 422)
    assert PHONE not in many.content.decode()
    assert Rating.objects.get(pk=flagged.pk).comment == WRITTEN


def test_a_case_opened_from_the_rating_quotes_the_comment_masked(
    unhappy: Rating, head: User, staff_user: User
) -> None:
    client = client_for(head)
    response = client.post(f"/cases/from-rating/{unhappy.pk}/")
    case = Case.objects.get(source_rating=unhappy)
    assert response.status_code == 302
    assert case.description == SHOWN
    assert shows_it_masked(client.get(f"/cases/{case.code}/").content.decode())
    from congvu.api.tests.conftest import bearer

    api = bearer(head).get(f"/api/v1/cases/{case.code}")
    assert api.status_code == 200 and api.json()["description"] == SHOWN
    # The staff member concerned reads it on their own page of cases too.
    mine = client_for(staff_user).get(reverse("cases:mine"))
    assert PHONE not in mine.content.decode()
    assert Rating.objects.get(pk=unhappy.pk).comment == WRITTEN


def test_a_case_opened_through_the_api_quotes_the_comment_masked(
    unhappy: Rating, head: User
) -> None:
    from congvu.api.tests.conftest import bearer
    from congvu.api.tests.test_feedback_api import post_json

    response = post_json(bearer(head), "/api/v1/cases/from-rating", {"rating": unhappy.pk})
    assert response.status_code == 201, response.content
    assert response.json()["description"] == SHOWN


def test_no_export_carries_the_comment_as_written(
    unhappy: Rating, as_head: Client, head: User
) -> None:
    client_for(head).post(f"/cases/from-rating/{unhappy.pk}/")
    for fmt in ("csv", "xlsx"):
        exported = as_head.get(reverse("cases:export"), {"format": fmt} if fmt == "csv" else {})
        assert exported.status_code == 200
        assert PHONE.encode() not in exported.content and CCCD.encode() not in exported.content
    open_data = Client().get(reverse("transparency:csv"))
    rows = list(csv.reader(io.StringIO(open_data.content.decode("utf-8-sig"))))
    assert rows and not any(PHONE in cell for row in rows for cell in row)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_rating_form_asks_for_no_phone_id_number_or_e_mail(
    staff_member: StaffMember, province: dict[str, Organisation], language: str
) -> None:
    load_catalogue(province)
    client = Client()
    if language == "en":
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/r/{staff_member.badge_token}").content.decode()
    if language == "vi":
        assert "Không ghi họ tên, số điện thoại, số CCCD hay địa chỉ e-mail." in html
        assert "Muốn được trả lời, hãy dùng «Phản ánh sai phạm»." in html
    else:
        assert "Do not write your name, phone number, citizen ID number or e-mail address." in html
        assert "To get an answer, use «Report misconduct»." in html


def test_the_migration_masks_the_quote_of_cases_opened_before_the_mask(
    unhappy: Rating, head: User, staff_member: StaffMember
) -> None:
    from importlib import import_module

    from django.apps import apps

    from congvu.cases.tests.office_helpers import file_report

    client_for(head).post(f"/cases/from-rating/{unhappy.pk}/")
    old = Case.objects.get(source_rating=unhappy)
    # As such a case was stored before: the comment quoted as typed (trimmed), and
    # searchable by the number.
    Rating.objects.filter(pk=unhappy.pk).update(comment=f"  {WRITTEN}\n")
    Case.objects.filter(pk=old.pk).update(description=WRITTEN, search_text="0987 654 321")
    # A case whose officer wrote their own words when opening it, quoting the number:
    # not the citizen's comment, left alone. And a case from a citizen's own report.
    own_words = Case.objects.create(
        **{
            f.name: getattr(old, f.name)
            for f in Case._meta.concrete_fields
            if f.name not in ("id", "code", "description", "search_text")
        },
        code="PA-OWNWORDS",
        description=f"Công dân đề nghị gọi lại {PHONE}.",
    )
    reported = file_report(staff=staff_member, description=f"Tôi là người dân, số {PHONE}.")

    import_module("congvu.cases.migrations.0015_mask_rating_quotes").mask(apps, None)

    old.refresh_from_db()
    assert old.description == SHOWN
    assert "0987" not in old.search_text and "gat gong" in old.search_text
    assert shows_it_masked(client_for(head).get(f"/cases/{old.code}/").content.decode())
    assert Case.objects.get(pk=own_words.pk).description == f"Công dân đề nghị gọi lại {PHONE}."
    assert Case.objects.get(pk=reported.pk).description == f"Tôi là người dân, số {PHONE}."
    # The rating keeps what the citizen wrote.
    assert Rating.objects.get(pk=unhappy.pk).comment == f"  {WRITTEN}\n"
