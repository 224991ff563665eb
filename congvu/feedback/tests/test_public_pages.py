from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from congvu.accounts.models import User
from congvu.conduct.models import Clause
from congvu.conftest import client_for
from congvu.feedback import services as rating_services
from congvu.feedback.models import OrganisationMonthRollup, Rating
from congvu.organisations.models import Organisation, StaffMember

from .ratings_helpers import load_catalogue, make_counter, make_dossier

Province = dict[str, Organisation]
IP = "203.0.113.77"
UA = "Mozilla/5.0 (Linux; Android 9; Cheap Phone) RatingTest/1.0"


def citizen() -> Client:
    return Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)


def form_data(page: str, **changes: Any) -> dict[str, Any]:
    """What a citizen sends back: every criterion "yes", "very satisfied", the page's id."""
    data: dict[str, Any] = dict.fromkeys(set(re.findall(r'name="(c\d+)"', page)), "yes")
    data["level"] = "1"
    data["comment"] = ""
    match = re.search(r'name="submission_id" value="([0-9a-f-]+)"', page)
    assert match is not None
    data["submission_id"] = match.group(1)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def badge_url(province: Province, staff_member: StaffMember) -> str:
    load_catalogue(province)
    return reverse("portal:badge", args=[staff_member.badge_token])


def test_a_citizen_rates_from_the_badge_and_sees_the_thank_you_page(badge_url: str) -> None:
    client = citizen()
    page = client.get(badge_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nguyễn Văn Đức" in html
    assert "Rất hài lòng" in html
    assert "Cán bộ có đòi hỏi điều gì không đúng quy định" in html
    assert html.count('value="unknown"') == 9
    assert "csrfmiddlewaretoken" in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    response = client.post(badge_url, form_data(html, comment="Rất tận tình"))
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Cảm ơn anh/chị đã đánh giá" in thanks.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.comment) == ("badge", 1, "Rất tận tình")
    assert OrganisationMonthRollup.objects.get().counted == 1


def test_the_badge_page_works_with_csrf_checks_on(badge_url: str) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP, HTTP_USER_AGENT=UA)
    html = client.get(badge_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    assert client.post(badge_url, form_data(html)).status_code == 403  # no token: refused
    response = client.post(badge_url, form_data(html, csrfmiddlewaretoken=token.group(1)))
    assert response.status_code == 302
    assert Rating.objects.count() == 1


def test_posting_the_same_form_twice_stores_one_rating(badge_url: str) -> None:
    client = citizen()
    data = form_data(client.get(badge_url).content.decode())
    first = client.post(badge_url, data)
    second = client.post(badge_url, data)
    assert first["Location"] == second["Location"]
    assert Rating.objects.count() == 1


def test_the_thank_you_page_links_to_the_misconduct_report_for_that_staff_member(
    badge_url: str, staff_member: StaffMember
) -> None:
    client = citizen()
    data = form_data(client.get(badge_url).content.decode())
    thanks = client.get(client.post(badge_url, data)["Location"]).content.decode()
    if _report_exists():  # the cases pages are built alongside
        expected = reverse("cases_public:report_staff", args=[staff_member.badge_token])
        assert f"{expected}?rating={data['submission_id']}" in thanks
        assert "Phản ánh sai phạm" in thanks


def _report_exists() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("cases_public:report_staff", args=["x"])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": None}, "Hãy chọn mức độ hài lòng"),
        ({"level": "9"}, "Mức độ hài lòng không hợp lệ"),
        ({"comment": "x" * 1001}, "Góp ý dài quá 1000 ký tự"),
        ({"comment": "a\x00b"}, "Null characters are not allowed"),
        ({"submission_id": "not-a-uuid"}, "Phiếu đã hết hạn"),
    ],
)
def test_malformed_or_oversize_posts_are_400_with_the_answers_kept(
    badge_url: str, changes: dict[str, Any], message: str
) -> None:
    client = citizen()
    page = client.get(badge_url).content.decode()
    data = form_data(page, **changes)
    first_question = sorted(k for k in data if k.startswith("c"))[0]
    data[first_question] = "no"
    response = client.post(badge_url, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html or "ký tự không hợp lệ" in html
    assert re.search(rf'name="{first_question}" value="no"[^>]*checked', html)
    assert Rating.objects.count() == 0


def test_a_missing_level_is_the_description_of_its_group_for_a_screen_reader(
    badge_url: str,
) -> None:
    client = citizen()
    data = form_data(client.get(badge_url).content.decode(), level=None)
    html = client.post(badge_url, data).content.decode()
    assert re.search(r'<fieldset class="rate-level" aria-describedby="id_level_error">', html)
    assert re.search(
        r'<p class="errorlist" id="id_level_error">[^<]*Hãy chọn mức độ hài lòng', html
    )


def test_an_answer_to_a_question_that_is_not_asked_is_ignored_by_the_form(
    badge_url: str,
) -> None:
    client = citizen()
    data = form_data(client.get(badge_url).content.decode(), c99999="yes")
    assert client.post(badge_url, data).status_code == 302
    assert "99999" not in Rating.objects.get().answers


def test_a_staff_member_cannot_rate_themselves_from_their_own_account(
    badge_url: str, staff_user: User
) -> None:
    client = client_for(staff_user)
    data = form_data(client.get(badge_url).content.decode())
    response = client.post(badge_url, data)
    assert response.status_code == 403
    assert "Cán bộ không thể tự đánh giá mình" in response.content.decode()
    assert Rating.objects.count() == 0


def test_the_device_limit_answers_a_friendly_429(badge_url: str) -> None:
    client = citizen()
    for _ in range(3):
        data = form_data(client.get(badge_url).content.decode())
        assert client.post(badge_url, data).status_code == 302
    data = form_data(client.get(badge_url).content.decode())
    response = client.post(badge_url, data)
    assert response.status_code == 429
    assert "hãy thử lại sau một giờ" in response.content.decode()
    assert Rating.objects.count() == 3


def test_no_ip_address_or_user_agent_is_stored_with_a_rating(badge_url: str) -> None:
    client = citizen()
    client.post(badge_url, form_data(client.get(badge_url).content.decode()))
    row = Rating.objects.values().get()
    text = " ".join(str(value) for value in row.values())
    assert IP not in text
    assert UA not in text
    assert "Cheap Phone" not in text
    assert len(row["device_hash"]) == 32


@pytest.mark.parametrize("prefix", ["/d/", "/q/", "/kiosk/"])
def test_unknown_tokens_get_a_friendly_404(db: Any, prefix: str) -> None:
    for token in ("nope", "x" * 500, "' OR 1=1 --"):
        response = Client().get(prefix + token)
        assert response.status_code == 404
        assert "Đường dẫn đánh giá không còn hiệu lực" in response.content.decode()
        assert Client().post(prefix + token, {"level": "1"}).status_code == 404
    assert Client().get("/thanks/" + str(uuid.uuid4())).status_code == 404
    assert Client().get("/kiosk/nope/thanks").status_code == 404


def test_a_dossier_receipt_shows_the_dossier_and_is_rated_once(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    dossier = make_dossier(province["dept_justice"], staff_member, code="000.00.12.H56-260101-0001")
    url = reverse("feedback_public:dossier", args=[dossier.rating_token])
    client = citizen()
    html = client.get(url).content.decode()
    assert "000.00.12.H56-260101-0001" in html
    assert "Sở Tư pháp" in html
    assert "Nguyễn Văn Đức" in html
    assert client.post(url, form_data(html)).status_code == 302
    rating = Rating.objects.get()
    assert rating.verified and rating.dossier == dossier
    again = Client().get(url)
    assert again.status_code == 200
    assert "Hồ sơ này đã được đánh giá" in again.content.decode()
    other = Client().post(url, form_data(html, submission_id=str(uuid.uuid4())))
    assert other.status_code == 409
    assert "Hồ sơ này đã được đánh giá" in other.content.decode()
    assert Rating.objects.count() == 1


def test_a_counter_qr_lets_the_citizen_pick_the_staff_member_on_duty(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    url = reverse("feedback_public:counter", args=[counter.qr_token])
    client = citizen()
    html = client.get(url).content.decode()
    assert "Nguyễn Văn Đức" in html and "Đánh giá chung cho quầy" in html
    assert client.post(url, form_data(html, staff=str(staff_member.pk))).status_code == 302
    html = client.get(url).content.decode()
    assert client.post(url, form_data(html, staff="0")).status_code == 302
    ratings = list(Rating.objects.order_by("created_at", "pk"))
    assert [r.staff_id for r in ratings] == [staff_member.pk, None]
    assert all(r.counter_id == counter.pk and r.channel == "counter" for r in ratings)
    html = client.get(url).content.decode()
    stranger = client.post(url, form_data(html, staff="999999"))
    assert stranger.status_code == 400
    assert Rating.objects.count() == 2


def test_the_kiosk_thanks_and_returns_to_a_blank_form_and_is_exempt_from_device_limits(
    province: Province, staff_member: StaffMember
) -> None:
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    url = reverse("feedback_public:kiosk", args=[counter.kiosk_token])
    tablet = citizen()
    ids = set()
    for _ in range(6):
        html = tablet.get(url).content.decode()
        assert 'autocomplete="off"' in html
        assert '<noscript><meta http-equiv="refresh" content="60;url=' + url in html
        assert "js/kiosk.js" in html
        data = form_data(html, staff=str(staff_member.pk), comment="Bí mật của người trước")
        ids.add(data["submission_id"])
        response = tablet.post(url, data)
        assert response.status_code == 302
        thanks = tablet.get(response["Location"]).content.decode()
        assert f'http-equiv="refresh" content="5;url={url}"' in thanks
        assert "Bí mật của người trước" not in thanks
    assert len(ids) == 6  # a fresh submission id for every citizen
    assert Rating.objects.filter(channel="kiosk").count() == 6
    assert set(Rating.objects.values_list("device_hash", flat=True)) == {""}
    assert "Bí mật của người trước" not in tablet.get(url).content.decode()


def test_the_kiosk_names_its_counter_inside_a_header_landmark(
    province: Province, staff_member: StaffMember
) -> None:
    """Screen readers skip content outside landmarks (axe-core: "region")."""
    load_catalogue(province)
    counter = make_counter(province["dept_justice"], staff_member)
    html = citizen().get(reverse("feedback_public:kiosk", args=[counter.kiosk_token]))
    bar = re.search(r"<header class=\"kiosk-bar\">(.*?)</header>", html.content.decode(), re.S)
    assert bar is not None and counter.name in bar.group(1)


def test_in_english_the_vietnamese_names_and_questions_are_marked_as_vietnamese(
    badge_url: str,
) -> None:
    """A screen reader reading the English page must read the staff member's name and the
    catalogue's questions that have no English (data, kept in Vietnamese) with a
    Vietnamese voice; the questions with an English text are asked in English."""
    Clause.objects.filter(code="II.1.c").update(rating_question_en="")
    rating_services.clear_caches()
    client = citizen()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(badge_url).content.decode()
    assert '<html lang="en"' in html
    assert re.search(r'<h1[^>]*lang="vi"[^>]*>\s*Nguyễn Văn Đức', html)
    vietnamese = re.findall(r'<legend lang="vi">([^<]+)</legend>', html)
    assert len(vietnamese) == 1
    assert "đòi hỏi điều gì không đúng quy định" in vietnamese[0]
    english = re.findall(r'<legend lang="en">([^<]+)</legend>', html)
    assert len(english) == 8
    assert "Did the staff member greet you when you arrived?" in english


def test_in_english_a_question_asked_by_its_plain_text_is_asked_by_that_texts_english(
    badge_url: str,
) -> None:
    """A rateable clause without a question of its own is asked by its plain-language text;
    in English, by that text's English — and in Vietnamese when it has none."""
    Clause.objects.filter(code__in=["II.2.a.1", "II.2.a.2"]).update(rating_question_en="")
    Clause.objects.filter(code="II.2.a.2").update(plain_text_en="")
    rating_services.clear_caches()
    client = citizen()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(badge_url).content.decode()
    assert '<legend lang="en">Greet citizens when receiving them.</legend>' in html
    assert (
        '<legend lang="vi">Xin lỗi người dân khi để họ chờ đợi hoặc khi có sai sót.</legend>'
        in html
    )
    vietnamese = citizen().get(badge_url).content.decode()
    assert '<legend lang="vi">Chào hỏi người dân khi tiếp đón.</legend>' in vietnamese


def test_a_vietnamese_page_asks_every_question_in_vietnamese(badge_url: str) -> None:
    html = citizen().get(badge_url).content.decode()
    assert len(re.findall(r'<legend lang="vi">([^<]+)</legend>', html)) == 9
    assert 'lang="en">Did the staff member' not in html


def test_an_english_rating_is_stored_like_a_vietnamese_one(badge_url: str) -> None:
    client = citizen()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(badge_url).content.decode()
    response = client.post(badge_url, form_data(page))
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert rating.level == 1 and len(rating.answers) == 9


def test_the_badge_page_and_its_assets_weigh_under_60_kb(badge_url: str) -> None:
    html = citizen().get(badge_url).content.decode()
    total = len(html.encode())
    assets = re.findall(r'(?:href|src)="/static/([^"?]+)"', html)
    assert "css/rate.css" in assets
    for asset in assets:
        path = finders.find(asset)
        assert path, asset
        total += Path(str(path)).stat().st_size
    assert total < 60 * 1024, total
    assert "<script" not in html


def test_without_an_active_scale_the_badge_still_shows_the_card_but_no_form(
    badge_url: str, staff_member: StaffMember
) -> None:
    from congvu.feedback import services
    from congvu.feedback.models import RatingScale

    RatingScale.objects.update(is_active=False)
    services.clear_caches()
    response = Client().get(badge_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert staff_member.full_name in html
    assert 'name="level"' not in html
