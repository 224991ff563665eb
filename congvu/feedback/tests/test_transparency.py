"""The public transparency page and its open data."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvu.feedback import selectors
from congvu.feedback.tests.ratings_helpers import commune_staff_member, load_catalogue
from congvu.feedback.tests.test_selectors import badge, rate_many
from congvu.organisations.models import Organisation, StaffMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_data(province: dict[str, Organisation], staff_member: StaffMember) -> dict[str, Any]:
    """Sở Tư pháp: 30 counted ratings (24 satisfied); UBND xã An Bình: 29 (all satisfied)."""
    load_catalogue(province)
    rate_many(badge(staff_member), satisfied=24, unsatisfied=6)
    commune_staff = commune_staff_member(province)
    rate_many(badge(commune_staff), satisfied=29)
    return {"commune_staff": commune_staff}


def test_the_public_page_shows_only_organisations_with_thirty_ratings(
    public_data: dict[str, Any],
) -> None:
    response = Client().get(reverse("transparency:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sở Tư pháp" in html and "80,0 %" in html
    assert "Ủy ban nhân dân xã An Bình" in html and "chưa đủ 30 lượt đánh giá" in html
    assert "100,0 %" not in html  # the commune's 29/29 stays hidden
    # Nothing about any person.
    assert "Nguyễn Văn Đức" not in html and "Phạm Thị Hoa" not in html
    assert "csrfmiddlewaretoken" not in html


def test_the_public_page_is_cacheable(public_data: dict[str, Any]) -> None:
    for name in (
        "transparency:index",
        "transparency:csv",
        "transparency:json",
        "transparency:fields",
    ):
        response = Client().get(reverse(name))
        assert response.status_code == 200
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
        assert "Set-Cookie" not in response.headers


def test_the_csv_holds_the_published_rows(public_data: dict[str, Any]) -> None:
    response = Client().get(reverse("transparency:csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["organisation_code"] for row in rows] == ["H56.02"]
    row = rows[0]
    start, end = selectors.default_period(timezone.localdate())
    assert row["organisation_name"] == "Sở Tư pháp"
    assert row["period_start"] == start.isoformat()
    assert row["period_end"] == selectors.month_end(end).isoformat()
    assert (row["counted"], row["satisfied"], row["share"]) == ("30", "24", "0.8")
    assert float(row["wilson_low"]) == pytest.approx(0.6269, abs=1e-4)
    assert float(row["wilson_high"]) == pytest.approx(0.9049, abs=1e-4)
    assert row["kind"]


def test_the_json_holds_the_same_rows_as_the_csv(public_data: dict[str, Any]) -> None:
    data = json.loads(Client().get(reverse("transparency:json")).content)
    assert data["min_counted"] == 30
    assert [r["organisation_code"] for r in data["rows"]] == ["H56.02"]
    row = data["rows"][0]
    assert (row["counted"], row["satisfied"], row["share"]) == (30, 24, 0.8)
    assert set(row) == {
        "organisation_code",
        "organisation_name",
        "kind",
        "period_start",
        "period_end",
        "counted",
        "satisfied",
        "share",
        "wilson_low",
        "wilson_high",
    }


def test_a_period_without_ratings_gives_empty_open_data(public_data: dict[str, Any]) -> None:
    year = timezone.localdate().year - 2
    data = json.loads(
        Client()
        .get(reverse("transparency:json"), {"from": f"01/{year}", "to": f"12/{year}"})
        .content
    )
    assert data["rows"] == [] and data["period_start"] == f"{year}-01-01"


def test_the_fields_page_documents_every_field_in_both_languages() -> None:
    html = Client().get(reverse("transparency:fields")).content.decode()
    for name in (
        "organisation_code",
        "period_start",
        "counted",
        "share",
        "wilson_low",
        "wilson_high",
    ):
        assert f"<code>{name}</code>" in html
    assert "Wilson" in html and "Lower bound" in html


def test_bad_public_filters_show_a_message(public_data: dict[str, Any]) -> None:
    response = Client().get(reverse("transparency:index"), {"from": "99/9999", "kind": "<x>"})
    assert response.status_code == 200
    assert 'data-testid="period-errors"' in response.content.decode()


def test_the_public_page_shows_a_new_thirtieth_rating_at_once(
    public_data: dict[str, Any],
) -> None:
    url = reverse("transparency:index")
    assert "100,0 %" not in Client().get(url).content.decode()
    rate_many(badge(public_data["commune_staff"]), satisfied=1)
    html = Client().get(url).content.decode()
    assert "100,0 %" in html  # the commune's 30/30 is published now


def test_the_public_table_is_paged(
    public_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from congvu.feedback import transparency_views

    monkeypatch.setattr(transparency_views, "PER_PAGE", 1)
    url = reverse("transparency:index")
    first = Client().get(url).content.decode()
    table = first.split('data-testid="public-table"', 1)[1].split("</table>", 1)[0]
    assert "Sở Tư pháp" in table and "Ủy ban nhân dân xã An Bình" not in table
    assert "page=2#orgs" in first
    second = Client().get(url, {"page": "2"}).content.decode()
    table = second.split('data-testid="public-table"', 1)[1].split("</table>", 1)[0]
    assert "Sở Tư pháp" not in table and "<tr" in table
    assert Client().get(url, {"page": "x"}).status_code == 200


@pytest.mark.parametrize("name", ["transparency:index", "transparency:fields"])
def test_a_citizen_switches_the_public_pages_to_english_with_a_link(name: str) -> None:
    client = Client()
    page = reverse(name) + ("?period=year" if name == "transparency:index" else "")
    html = client.get(page).content.decode()
    assert "csrfmiddlewaretoken" not in html  # still cacheable: the switch is a link
    quoted = page.replace("?", "%3F").replace("=", "%3D")
    link = f"{reverse('core:language_link', args=['en'])}?next={quoted}"
    assert link in html
    switched = client.get(link)
    assert switched.status_code == 302 and switched["Location"] == page
    english = client.get(page)
    assert english["Content-Language"] == "en"
    assert 'lang="en"' in english.content.decode().split("<head>")[0]
    back = reverse("core:language_link", args=["vi"])
    assert back in english.content.decode()
    assert client.get(back + "?next=" + reverse(name))["Location"] == reverse(name)
    assert client.get(reverse(name))["Content-Language"] == "vi"


def test_the_language_link_goes_home_for_another_site_and_refuses_unknown_languages() -> None:
    client = Client()
    outside = client.get(reverse("core:language_link", args=["en"]) + "?next=https://evil.example/")
    assert outside.status_code == 302 and outside["Location"] == reverse("core:home")
    assert client.get(reverse("core:language_link", args=["fr"])).status_code == 404
    assert "congvu_lang" not in client.cookies or client.cookies["congvu_lang"].value == "en"


def test_the_language_link_never_changes_a_signed_in_users_account(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    before = type(officer).objects.get(pk=officer.pk).language
    client.get(reverse("core:language_link", args=["en"]) + "?next=/transparency/")
    assert type(officer).objects.get(pk=officer.pk).language == before


def test_the_csv_keeps_a_formula_typed_as_a_name_as_text(public_data: dict[str, Any]) -> None:
    from congvu.core.tests.test_cells import FORMULA

    Organisation.objects.filter(code="H56.02").update(name=FORMULA)
    response = Client().get(reverse("transparency:csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["organisation_name"] == "'" + FORMULA
    assert rows[0]["share"] == "0.8"  # numbers stay numbers


def test_the_fields_page_in_english_says_its_heading_and_summary_once() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("transparency:fields")).content.decode()
    assert html.count("Open data: satisfaction by organisation") == 1
    assert html.count("One row per organisation with at least") == 1
    vietnamese = Client().get(reverse("transparency:fields")).content.decode()
    assert "Dữ liệu mở: mức độ hài lòng theo cơ quan" in vietnamese
    assert '<span class="muted" lang="en">/ Open data' in vietnamese
