"""The kiosk's language switch: English for one citizen, Vietnamese again for the next.

The kiosk is one tablet for everybody at a counter. Its language is carried in its
address (`?lang=en`), which the thank-you page, the idle reset and the "new form"
links drop; the site-wide `congvu_lang` cookie is neither read nor written there.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from congvu.feedback.models import Counter, Rating
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, make_counter
from .test_public_pages import citizen, form_data

Province = dict[str, Organisation]
TITLE = (
    "Anh/chị hài lòng với cách phục vụ hôm nay không?",
    "Are you satisfied with the service today?",
)
SEND = ("Gửi đánh giá", "Send rating")
THANKS = "Cảm ơn anh/chị đã đánh giá!"


@pytest.fixture
def counter(province: Province, staff_member: StaffMember) -> Counter:
    load_catalogue(province)
    return make_counter(province["dept_justice"], staff_member)


@pytest.fixture
def url(counter: Counter) -> str:
    return reverse("feedback_public:kiosk", args=[counter.kiosk_token])


def text(response: HttpResponse) -> str:
    return response.content.decode()


def kiosk_data(page: str, **changes: Any) -> dict[str, Any]:
    """What the tablet sends: `form_data`, with the counter as a whole ticked as it starts."""
    return form_data(page, **{"staff": "0", **changes})


def switch_link(page: str, language: str) -> str:
    """The address of the switch's link to `language`, as a browser would follow it."""
    match = re.search(rf'<a href="([^"]+)"[^>]*data-testid="kiosk-lang-{language}"', page)
    assert match is not None, f"no link to {language}"
    return html_lib.unescape(match.group(1))


def form_action(page: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', page)
    assert match is not None
    return html_lib.unescape(match.group(1))


def refresh_target(page: str) -> str:
    match = re.search(r'http-equiv="refresh" content="\d+;url=([^"]+)"', page)
    assert match is not None
    return html_lib.unescape(match.group(1))


def assert_vietnamese(response: HttpResponse) -> None:
    page = text(response)
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in page


def assert_no_language_cookie(client: Client, response: HttpResponse) -> None:
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_the_kiosk_starts_in_vietnamese_and_offers_english_in_its_header(url: str) -> None:
    response = citizen().get(url)
    page = text(response)
    assert_vietnamese(response)
    assert TITLE[0] in page and SEND[0] in page
    bar = re.search(r'<header class="kiosk-bar">(.*?)</header>', page, re.S)
    assert bar is not None
    assert 'lang="en"' in bar.group(1) and ">English</a>" in bar.group(1)
    assert ">Tiếng Việt</a>" in bar.group(1)
    assert switch_link(page, "en") == f"{url}?lang=en"
    assert switch_link(page, "vi") == url


def test_switching_the_kiosk_to_english_shows_it_in_english(url: str) -> None:
    client = citizen()
    response = client.get(switch_link(text(client.get(url)), "en"))
    page = text(response)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    for english in (
        TITLE[1],
        SEND[1],
        "Further comments (optional)",
        "Rate the counter as a whole",
    ):
        assert english in page
    for vietnamese in (TITLE[0], SEND[0], "Góp ý thêm (không bắt buộc)"):
        assert vietnamese not in page
    # The counter's name is data, kept in Vietnamese and marked so.
    assert re.search(r'<span class="kiosk-place" lang="vi">', page)
    # The form goes back to the English page, and the way back to Vietnamese is offered.
    assert form_action(page) == f"{url}?lang=en"
    assert 'aria-current="true" data-testid="kiosk-lang-en"' in page
    assert switch_link(page, "vi") == url


def test_the_switch_is_a_plain_link_that_works_without_javascript(url: str) -> None:
    """No script, no form, no cookie: following the link's address is the whole switch."""
    page = text(citizen().get(url))
    nav = re.search(r'<nav class="kiosk-lang"[^>]*>(.*?)</nav>', page, re.S)
    assert nav is not None
    assert "<script" not in nav.group(1) and "<form" not in nav.group(1)
    assert "onclick" not in nav.group(1)
    # A browser without JavaScript (Django's test client) gets English by following it.
    english = Client().get(switch_link(page, "en"))
    assert '<html lang="en">' in text(english)


def test_after_an_english_rating_the_thank_you_page_and_the_next_form_are_vietnamese(
    url: str, staff_member: StaffMember
) -> None:
    client = citizen()
    page = text(client.get(f"{url}?lang=en"))
    response = client.post(form_action(page), kiosk_data(page, staff=str(staff_member.pk)))
    assert response.status_code == 302
    assert "lang=" not in response["Location"]
    thanks = client.get(response["Location"])
    assert_vietnamese(thanks)
    thanks_page = text(thanks)
    assert THANKS in thanks_page
    assert '<p lang="en">Thank you for your rating.</p>' in thanks_page
    assert refresh_target(thanks_page) == url
    assert f'<a class="button" href="{url}">Phiếu mới</a>' in thanks_page
    following = client.get(refresh_target(thanks_page))
    assert_vietnamese(following)
    assert TITLE[0] in text(following)
    assert_no_language_cookie(client, following)
    assert Rating.objects.filter(channel="kiosk").count() == 1


def test_the_idle_reset_of_the_english_kiosk_goes_back_to_vietnamese(url: str) -> None:
    client = citizen()
    page = text(client.get(f"{url}?lang=en"))
    # kiosk.js goes to data-kiosk-home after a minute without a touch; without
    # JavaScript the <noscript> refresh does it.
    home = re.search(r'data-kiosk-home="([^"]+)"', page)
    assert home is not None and html_lib.unescape(home.group(1)) == url
    assert refresh_target(page) == url
    reset = client.get(url)
    assert_vietnamese(reset)
    assert TITLE[0] in text(reset) and TITLE[1] not in text(reset)


def test_the_kiosk_never_sets_the_site_language_cookie(url: str, staff_member: StaffMember) -> None:
    client = citizen()
    responses = [client.get(url), client.get(f"{url}?lang=en")]
    page = text(responses[-1])
    responses.append(client.post(form_action(page), kiosk_data(page)))
    responses.append(client.get(responses[-1]["Location"]))
    for response in responses:
        assert_no_language_cookie(client, response)


def test_a_tablet_left_in_english_by_the_site_switch_still_serves_the_kiosk_in_vietnamese(
    url: str, counter: Counter
) -> None:
    """The officer who set up the tablet may have used the site's switch; the kiosk ignores it."""
    client = citizen()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert_vietnamese(client.get(url))
    assert_vietnamese(
        client.get(reverse("feedback_public:kiosk_thanks", args=[counter.kiosk_token]))
    )
    # ... and leaves the cookie as it found it: the rest of the site stays English for them.
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in text(client.get("/"))


@pytest.mark.parametrize(
    "value",
    ["fr", "", "EN", "en-US", "english", "x" * 5000, "<script>alert(1)</script>", "en\n"],
)
def test_an_unknown_language_value_gives_the_vietnamese_kiosk(
    url: str, staff_member: StaffMember, value: str
) -> None:
    client = citizen()
    response = client.get(url, {"lang": value})
    assert response.status_code == 200
    assert_vietnamese(response)
    page = text(response)
    assert "<script>alert" not in page
    assert form_action(page) == url
    posted = client.post(f"{url}?{urlencode({'lang': value[:100]})}", kiosk_data(page))
    assert posted.status_code == 302
    assert Rating.objects.count() == 1


def test_a_refused_english_form_is_shown_again_in_english(url: str) -> None:
    client = citizen()
    page = text(client.get(f"{url}?lang=en"))
    response = client.post(form_action(page), kiosk_data(page, level=None, comment="Chờ lâu"))
    again = text(response)
    assert response.status_code == 400
    assert "Choose how satisfied you are." in again
    assert "Hãy chọn mức độ hài lòng" not in again
    assert "Chờ lâu" in again
    assert form_action(again) == f"{url}?lang=en"
    assert refresh_target(again) == url


def test_a_kiosk_message_in_english_returns_to_the_vietnamese_form(url: str) -> None:
    from congvu.feedback import services
    from congvu.feedback.models import RatingScale

    RatingScale.objects.update(is_active=False)
    services.clear_caches()
    response = citizen().get(f"{url}?lang=en")
    page = text(response)
    assert response.status_code == 503
    assert "Ratings not open yet" in page
    assert refresh_target(page) == url
    assert f'<a class="button" href="{url}">New form</a>' in page


def test_an_unknown_kiosk_in_english_is_still_a_friendly_404(db: Any) -> None:
    response = Client().get("/kiosk/nope?lang=en")
    assert response.status_code == 404


def test_the_english_kiosk_and_its_assets_weigh_under_60_kb(url: str) -> None:
    page = text(citizen().get(f"{url}?lang=en"))
    total = len(page.encode())
    assets = re.findall(r'(?:href|src)="/static/([^"?]+)"', page)
    assert {"css/rate.css", "js/kiosk.js"} <= set(assets)
    for asset in assets:
        path = finders.find(asset)
        assert path, asset
        total += Path(str(path)).stat().st_size
    assert total < 60 * 1024, total
