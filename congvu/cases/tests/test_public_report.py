"""The citizen's report form: from a badge or the portal, named or anonymous, and the receipt."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from congvu.conduct.models import Clause, CodeVersion
from congvu.conduct.services import load_seed_catalogue
from congvu.feedback.models import Rating, RatingScale
from congvu.organisations import services as org_services
from congvu.organisations.models import Organisation, OrganisationKind, StaffMember

from ..models import Case, CaseFile, Track

RECEIPT = reverse("cases_public:receipt")
TRACK = reverse("cases_public:track")


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalogue(province: dict[str, Organisation]) -> CodeVersion:
    return load_seed_catalogue(scope=province["root"], actor=None, activate=True)


def clause(catalogue: CodeVersion, code: str) -> Clause:
    return Clause.objects.get(section__version=catalogue, code=code)


def badge_url(member: StaffMember, query: str = "") -> str:
    return reverse("cases_public:report_staff", args=[member.badge_token]) + query


def photo(name: str = "anh.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def report_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "submit",
        "track": Track.DENUNCIATION,
        "description": "Cán bộ đòi 500.000 đồng mới nhận hồ sơ của tôi.",
        "occurred_on": timezone.localdate().strftime("%d/%m/%Y"),
        "occurred_place": "Bộ phận một cửa, quầy số 3",
        "identity": "anonymous",
    }
    data.update(overrides)
    return data


def shown_secrets(html: str) -> tuple[str, str]:
    code = re.search(r'data-testid="tracking-code">([^<]+)<', html)
    passphrase = re.search(r'data-testid="passphrase">([^<]+)<', html)
    assert code and passphrase, "the receipt shows no code or passphrase"
    return code.group(1), passphrase.group(1)


def visible_clause_ids(html: str) -> set[int]:
    rows = re.findall(
        r'<div class="choice[^"]*" data-search="[^"]*"( hidden)?>\s*'
        r'<input type="checkbox" name="clauses" value="(\d+)"',
        html,
    )
    return {int(pk) for hidden, pk in rows if not hidden}


def test_an_anonymous_report_from_a_badge_is_filed_and_the_code_is_shown_once(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    page = client.get(badge_url(staff_member))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nguyễn Văn Đức" in html and "Chuyên viên" in html and "Sở Tư pháp" in html
    assert "no-store" in page["Cache-Control"]

    bribe = clause(catalogue, "II.1.c")
    response = client.post(
        badge_url(staff_member), report_data(clauses=[bribe.pk], evidence=[photo()])
    )
    assert response.status_code == 302 and response["Location"] == RECEIPT

    case = Case.objects.get()
    assert case.subject_staff == staff_member
    assert case.channel == Case.Channel.BADGE
    assert case.is_anonymous and case.reporter_name == "" and case.reporter_phone == ""
    assert list(case.clauses.all()) == [bribe]
    assert case.occurred_on == timezone.localdate()
    assert CaseFile.objects.filter(case=case).count() == 1

    receipt = client.get(RECEIPT)
    assert "no-store" in receipt["Cache-Control"]
    # Switching language would reload the page and lose the secrets: no switch here.
    assert 'data-testid="lang-en"' not in receipt.content.decode()
    code, passphrase = shown_secrets(receipt.content.decode())
    assert code == case.code
    assert passphrase not in case.passphrase_hash

    again = client.get(RECEIPT).content.decode()
    assert code not in again and passphrase not in again
    assert "đã được hiển thị" in again

    followed = client.post(TRACK, {"code": code, "passphrase": passphrase})
    assert followed.status_code == 302
    assert passphrase not in followed["Location"]
    view = client.get(followed["Location"]).content.decode()
    assert case.code in view and "Đã tiếp nhận" in view


def test_a_named_report_stores_the_identity_encrypted_and_gives_a_personal_link(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    response = client.post(
        badge_url(staff_member),
        report_data(
            identity="named",
            reporter_name="Trần Thị Hoa",
            reporter_phone="0987 654 321",
            clauses=[clause(catalogue, "II.1.c").pk],
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert not case.is_anonymous
    assert case.reporter_name == "Trần Thị Hoa"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_name, reporter_phone FROM cases_case WHERE id = %s", [case.pk]
        )
        raw_name, raw_phone = cursor.fetchone()
    # Ciphertext is base64: a short plain fragment ("654") can turn up in it by chance.
    assert "Trần Thị Hoa" not in raw_name and "Tran Thi Hoa" not in raw_name
    assert "0987654321" not in raw_phone and "987 654" not in raw_phone

    html = client.get(RECEIPT).content.decode()
    link = re.search(r'data-testid="personal-link">([^<]+)<', html)
    assert link is not None and "/track/link/" in link.group(1)
    assert "không cần mật khẩu" in html


def test_bad_input_keeps_what_was_typed_saves_nothing_and_asks_to_reattach_files(
    client: Client, province: dict[str, Organisation], catalogue: CodeVersion
) -> None:
    response = client.post(
        reverse("cases_public:report"),
        report_data(
            organisation=province["dept_justice"].pk,
            subject_description="Anh mặc áo xanh ở quầy số 3",
            other_standard="Nói chuyện điện thoại riêng khi tiếp dân",
            description="ngắn",
            identity="named",
            reporter_name="Lê Văn Nam",
            reporter_email="khong-phai-email",
            evidence=[photo("bang-chung.jpg")],
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists() and not CaseFile.objects.exists()
    assert "Anh mặc áo xanh ở quầy số 3" in html
    assert "Nói chuyện điện thoại riêng khi tiếp dân" in html
    assert "Lê Văn Nam" in html and "khong-phai-email" in html
    assert 'value="named" id="identity-named" checked' in html
    assert f'value="{province["dept_justice"].pk}" selected' in html
    assert "ít nhất 10 ký tự" in html  # the short description, next to its field
    assert "Invalid e-mail address" in html
    assert "Hãy chọn lại tệp đính kèm" in html and "bang-chung.jpg" in html


def test_a_disguised_file_is_refused_with_a_message(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    fake = SimpleUploadedFile(
        "anh.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    response = client.post(
        badge_url(staff_member),
        report_data(clauses=[clause(catalogue, "II.1.c").pk], evidence=[fake]),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Case.objects.exists()
    assert "anh.jpg" in html and "không đúng với đuôi" in html
    assert "Cán bộ đòi 500.000 đồng" in html


def test_an_unknown_or_rotated_badge_shows_a_friendly_404_page(
    client: Client, staff_member: StaffMember
) -> None:
    old_token = staff_member.badge_token
    org_services.rotate_badge(staff_member, actor=None)
    for token in (old_token, "khong-ton-tai", "x" * 300):
        response = client.get(reverse("cases_public:report_staff", args=[token]))
        assert response.status_code == 404
        assert "không còn hiệu lực" in response.content.decode()


def test_a_report_from_the_portal_names_the_organisation_and_describes_the_person(
    client: Client, province: dict[str, Organisation], catalogue: CodeVersion
) -> None:
    response = client.post(
        reverse("cases_public:report"),
        report_data(
            organisation=province["dept_justice"].pk,
            subject_description="Cán bộ nữ ở quầy số 2",
            track=Track.FEEDBACK,
            other_standard="Không hướng dẫn",
            occurred_on="",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.organisation == province["dept_justice"]
    assert case.subject_staff is None and case.subject_description == "Cán bộ nữ ở quầy số 2"
    assert case.channel == Case.Channel.WEB and case.track == Track.FEEDBACK


def test_the_organisation_search_is_accent_insensitive_and_works_without_javascript(
    client: Client, province: dict[str, Organisation]
) -> None:
    html = client.get(reverse("cases_public:report"), {"org_q": "tu phap"}).content.decode()
    assert "Sở Tư pháp" in html
    assert "Sở Nội vụ" not in html


def test_the_organisation_named_as_typed_comes_first(
    client: Client, province: dict[str, Organisation]
) -> None:
    """The search "vu thu" finds a school called "Thư Vũ" under a department too; the commune
    "Vũ Thư", the words in the order typed, is offered first."""
    school = org_services.create_organisation(
        actor=None,
        code="H56.30.01",
        name="Trường THPT Thư Vũ",
        kind=OrganisationKind.objects.get(code="public_service_unit"),
        parent=province["dept_justice"],
    )
    commune = org_services.create_organisation(
        actor=None,
        code="H56.99",
        name="Ủy ban nhân dân xã Vũ Thư",
        kind=OrganisationKind.objects.get(code="commune_pc"),
        parent=province["root"],
    )
    assert school.path < commune.path  # the tree's order alone put the school first
    html = client.get(reverse("cases_public:report"), {"org_q": "vu thu"}).content.decode()
    assert html.index("Ủy ban nhân dân xã Vũ Thư") < html.index("Trường THPT Thư Vũ")


def test_the_clause_search_finds_voi_vinh_without_accents(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    bribe = clause(catalogue, "II.1.c")
    gambling = clause(catalogue, "II.3.b")
    html = client.get(badge_url(staff_member, "?clause_q=voi+vinh")).content.decode()
    shown = visible_clause_ids(html)
    assert bribe.pk in shown and gambling.pk not in shown
    assert "vòi vĩnh" in html


def test_searching_standards_redraws_the_form_keeping_what_was_typed(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    gambling = clause(catalogue, "II.3.b")
    response = client.post(
        badge_url(staff_member),
        report_data(
            action="search_clauses",
            clause_q="voi vinh",
            clauses=[gambling.pk],
            description="Đang viết dở",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "Đang viết dở" in html
    # The ticked standard stays ticked and visible although the search does not match it.
    assert f'value="{gambling.pk}" id="clause-{gambling.pk}" checked' in html
    assert {gambling.pk, clause(catalogue, "II.1.c").pk} <= visible_clause_ids(html)
    assert "errorlist" not in html  # a search is not a submission


def test_a_report_from_a_rating_links_the_rating(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    scale = RatingScale.objects.first() or RatingScale.objects.create(code="t", name="t")
    now = timezone.now()
    rating = Rating.objects.create(
        created_at=now,
        rated_on=timezone.localdate(),
        channel=Rating.Channel.BADGE,
        organisation=staff_member.organisation,
        staff=staff_member,
        scale=scale,
        level=5,
        satisfied=False,
        submission_id=uuid.uuid4(),
    )
    query = f"?rating={rating.submission_id}"
    assert client.get(badge_url(staff_member, query)).status_code == 200
    client.post(badge_url(staff_member, query), report_data(other_standard="Quát nạt"))
    case = Case.objects.get()
    assert case.source_rating == rating and case.channel == Case.Channel.RATING

    # An unknown or malformed rating id is ignored, never an error.
    for bad in (f"?rating={uuid.uuid4()}", "?rating=not-a-uuid"):
        client.post(badge_url(staff_member, bad), report_data(other_standard="Quát nạt"))
    assert Case.objects.filter(source_rating__isnull=True, channel=Case.Channel.BADGE).count() == 2


def test_a_date_in_the_future_or_garbage_is_refused_beside_the_field(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    for value, message in ((tomorrow, "tương lai"), ("31/02/2026", "dd/mm/yyyy")):
        response = client.post(
            badge_url(staff_member), report_data(other_standard="Quát nạt", occurred_on=value)
        )
        assert response.status_code == 200 and message in response.content.decode()
    assert not Case.objects.exists()


def test_nul_bytes_and_huge_input_are_refused_not_crashed(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    response = client.post(
        badge_url(staff_member),
        report_data(
            description="Có ký tự \x00 lạ",
            other_standard="x" * 100_000,
            clauses=["abc", "999999"],
        ),
    )
    assert response.status_code == 200
    assert not Case.objects.exists()


def test_the_report_pages_are_light_enough_for_a_cheap_phone(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    for url in (reverse("cases_public:report"), badge_url(staff_member)):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert len(response.content) < 60_000
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
        assert "<script>" not in html and "style=" not in html  # strict CSP: nothing inline


def test_the_form_posts_only_with_a_csrf_token(
    staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(badge_url(staff_member), report_data(other_standard="Quát nạt"))
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_public_home_page_links_to_the_report_form(client: Client, db: Any) -> None:
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("cases_public:report") in html


def test_a_search_with_a_nul_character_redraws_the_form_instead_of_failing(
    client: Client, province: dict[str, Organisation], catalogue: CodeVersion
) -> None:
    response = client.post(
        reverse("cases_public:report"),
        {"action": "search_org", "org_q": "tu\x00phap", "clause_q": "voi\x00", "description": "a"},
    )
    assert response.status_code == 200 and not Case.objects.exists()


def test_the_form_switches_to_english(
    client: Client, staff_member: StaffMember, settings: Any
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(badge_url(staff_member))
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in html
    assert 'data-testid="lang-vi"' in html


def test_in_english_the_one_organisation_reported_is_named_in_the_singular(
    client: Client, province: dict[str, Organisation], settings: Any
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("cases_public:report")).content.decode()
    assert '<label for="id_organisation">Organisation *</label>' in html


def test_a_double_tap_files_one_report_and_the_page_shown_has_its_code(
    client: Client, staff_member: StaffMember, catalogue: CodeVersion
) -> None:
    page = client.get(badge_url(staff_member)).content.decode()
    key = re.search(r'name="once" value="([0-9a-f-]{36})"', page)
    assert key, "the form carries no key"
    data = report_data(once=key.group(1), clauses=[clause(catalogue, "II.1.c").pk])
    # The browser drops the first sending's answer (and any cookie it sets) when the
    # second tap sends the form again: only the second answer is shown.
    cookies_before = {name: morsel.value for name, morsel in client.cookies.items()}
    first = client.post(badge_url(staff_member), data)
    client.cookies.clear()
    for name, value in cookies_before.items():
        client.cookies[name] = value
    second = client.post(badge_url(staff_member), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == RECEIPT
    case = Case.objects.get()
    receipt = client.get(RECEIPT).content.decode()
    assert "đã được gửi và ghi nhận trước đó" in receipt
    code, _passphrase = shown_secrets(receipt)
    assert code == case.code


def test_a_report_without_an_organisation_marks_the_list_and_describes_it_with_the_error(
    client: Client, catalogue: CodeVersion
) -> None:
    response = client.post(reverse("cases_public:report"), report_data(subject_description="x"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true" aria-describedby="id_organisation_error"' in html
    assert '<ul class="errorlist" id="id_organisation_error"><li>Trường này là bắt buộc' in html
    assert 'aria-required="true"' in html  # the person's description, required without a badge
