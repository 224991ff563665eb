import pytest
from django.conf import settings
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/r/abc%00def",
        "/standards/?q=voi%00",
        "/org/staff/?q=%00",
    ],
)
def test_a_nul_character_anywhere_in_the_url_gets_a_clear_400(url, officer):
    client = Client()
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_character_in_a_form_field_is_a_field_error_and_nothing_is_saved(officer):
    from congvu.accounts.models import ApiToken

    client = Client()
    client.force_login(officer)
    response = client.post("/accounts/settings/", {"name": "x\x00y"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_the_interface_is_vietnamese_even_for_an_english_browser():
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/")
    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_the_api_answers_a_nul_character_with_its_documented_422(officer):
    response = Client().get("/api/v1/catalogue/clauses?q=%00")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_the_nul_character_page_is_english_alone_for_an_english_reader(officer):
    client = Client()
    client.force_login(officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/org/staff/?q=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "The request contains an invalid character." in page
    assert "ký tự" not in page and "lang='en'" in page
