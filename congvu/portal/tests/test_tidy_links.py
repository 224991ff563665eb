"""A public link typed with a slash, or pasted with the sentence's punctuation, still works."""

from __future__ import annotations

import pytest
from django.test import Client

from congvu.feedback.tests.ratings_helpers import load_catalogue, make_counter, make_dossier
from congvu.organisations.models import Organisation, StaffMember

Province = dict[str, Organisation]


@pytest.mark.parametrize(
    "tail",
    ["/", ".", ",", ")", ").", "/.", "”", "»", "%20", "%E2%80%8B", "%C2%A0", "…", "!", "'"],
)
def test_a_badge_link_with_something_after_its_token_shows_the_badge(
    province: Province, staff_member: StaffMember, tail: str
) -> None:
    token = staff_member.badge_token
    response = Client().get(f"/r/{token}{tail}", follow=True)
    assert response.redirect_chain == [(f"/r/{token}", 301)]
    assert response.status_code == 200
    assert staff_member.full_name in response.content.decode()


def test_the_receipt_counter_kiosk_and_report_links_are_tidied_too(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    dossier = make_dossier(province["dept_justice"], staff_member)
    links = [
        f"/d/{dossier.rating_token}",
        f"/q/{counter.qr_token}",
        f"/kiosk/{counter.kiosk_token}",
        f"/report/s/{staff_member.badge_token}",
    ]
    client = Client()
    for link in links:
        response = client.get(link + "/.", follow=True)
        assert response.redirect_chain == [(link, 301)], link
        assert response.status_code == 200, link


def test_the_query_string_goes_with_the_tidied_link(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    response = Client().get(f"/kiosk/{counter.kiosk_token}/", {"lang": "en"})
    assert response.status_code == 301
    assert response["Location"] == f"/kiosk/{counter.kiosk_token}?lang=en"


def test_an_unknown_token_with_a_slash_reaches_the_friendly_page(province: Province) -> None:
    # The redirect does not look the token up, so it tells no one whether a token exists.
    response = Client().get("/r/no-such-token/", follow=True)
    assert response.redirect_chain == [("/r/no-such-token", 301)]
    assert response.status_code == 404
    assert "Thẻ này không còn hiệu lực" in response.content.decode()


def test_the_kiosk_thank_you_page_and_odd_tokens_are_left_alone(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    thanks = Client().get(f"/kiosk/{counter.kiosk_token}/thanks")
    assert thanks.status_code != 301
    # Punctuation inside a token is not a tail: the badge page says the badge is unknown.
    odd = Client().get(f"/r/{staff_member.badge_token[:5]}.{staff_member.badge_token[5:]}")
    assert odd.status_code == 404
