"""The English interface: a complete, compiled catalogue and a switch that works.

Vietnamese is the msgid everywhere; locale/en/LC_MESSAGES/django.po carries
the English. These tests keep that catalogue complete and compiled, and check
what a user notices after pressing the "English" button.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import formats, translation

from congvu.cases.models import Case
from congvu.conduct.services import load_seed_catalogue
from congvu.core.compile_messages import main as compile_messages
from congvu.inspections.models import Inspection
from congvu.organisations.import_models import ImportJob

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)

# What the user reads in each language: the English labels chosen in the catalogue
# for "Đăng nhập" and for the navigation entry "Chuẩn mực ứng xử".
LOG_IN = ("Log in", "Đăng nhập")
STANDARDS = ("Conduct standards", "Chuẩn mực ứng xử")


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def switch_to(client: Client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def seeded(province: dict[str, Any]) -> dict[str, Any]:
    load_seed_catalogue(scope=province["root"], actor=None)
    return province


# --- the catalogue ----------------------------------------------------------


def test_the_committed_mo_file_is_up_to_date_with_the_po_file() -> None:
    assert compile_messages(["--check"]) == 0


def test_every_entry_of_the_english_catalogue_is_translated_and_none_is_fuzzy() -> None:
    po = catalogue()
    assert len(po) > 0
    assert [e.msgid for e in po if not e.translated()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


def test_the_english_catalogue_declares_english_plural_forms() -> None:
    po = catalogue()
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    plurals = [e for e in po if e.msgid_plural]
    assert plurals, "the templates use {% plural %}; the catalogue should have plural entries"
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1]
        assert all(entry.msgstr_plural.values()), entry.msgid


def test_every_placeholder_of_a_message_is_kept_in_its_translation() -> None:
    lost = []
    for entry in catalogue():
        if "python-format" not in entry.flags and not PLACEHOLDER.search(entry.msgid):
            continue
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid)))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                lost.append((entry.msgid, text))
    assert lost == []


def test_bilingual_error_messages_are_translated_to_english_only() -> None:
    # msgids like "Mã định danh %(code)s đã tồn tại. / Code already exists." must not
    # carry their Vietnamese half into the English interface.
    bilingual = [
        e
        for e in catalogue()
        if " / " in e.msgid
        and VIETNAMESE.search(e.msgid.split(" / ")[0])
        and not VIETNAMESE.search(e.msgid.split(" / ", 1)[1])
    ]
    assert len(bilingual) > 50
    mixed = [
        (e.msgid, e.msgstr)
        for e in bilingual
        if e.msgid.split(" / ")[0] in e.msgstr or " / " in e.msgstr
    ]
    assert mixed == []


class _Numbers(forms.Form):
    count = forms.IntegerField()
    name = forms.CharField()


def test_django_errors_it_leaves_untranslated_show_in_vietnamese_first() -> None:
    # Django's own Vietnamese catalogue has no "Null characters are not allowed." and
    # calls a whole number "số tổng thể"; locale/vi overrides both.
    with translation.override("vi"):
        form = _Numbers({"count": "ba", "name": "a\x00b"})
        assert not form.is_valid()
        assert form.errors["count"] == ["Hãy nhập một số nguyên. / Enter a whole number."]
        assert form.errors["name"][0].startswith("Không được chứa ký tự rỗng")
    with translation.override("en"):
        form = _Numbers({"count": "ba", "name": "a\x00b"})
        assert not form.is_valid()
        assert form.errors["count"] == ["Enter a whole number."]
        assert form.errors["name"] == ["Null characters are not allowed."]


class _Generic(forms.Form):
    number = forms.CharField(max_length=5)
    code = forms.CharField(min_length=3)
    kind = forms.ChoiceField(choices=[("scheduled", "Định kỳ")])
    copies = forms.IntegerField(max_value=9)
    email = forms.EmailField()
    note = forms.CharField()


def test_djangos_generic_form_errors_read_in_both_languages_on_a_vietnamese_page() -> None:
    # A field that does not word its own errors (the signed copy's number, say) still
    # answers in the house's Vietnamese first, then English; the switch shows English only.
    data = {"number": "15/BB-ĐKT", "code": "a", "kind": "x", "copies": "12", "email": "a@"}
    with translation.override("vi"):
        form = _Generic(data)
        assert not form.is_valid()
        assert form.errors["number"] == [
            "Tối đa 5 ký tự (đang có 9). / At most 5 characters (it has 9)."
        ]
        assert form.errors["code"] == [
            "Cần ít nhất 3 ký tự (đang có 1). / At least 3 characters (it has 1)."
        ]
        assert form.errors["kind"][0].startswith("Lựa chọn “x” không có trong danh sách")
        assert form.errors["copies"] == [
            "Giá trị phải nhỏ hơn hoặc bằng 9. / The value must be at most 9."
        ]
        assert form.errors["email"] == [
            "Địa chỉ email không hợp lệ. / Enter a valid email address."
        ]
        assert form.errors["note"] == ["Trường này là bắt buộc. / This field is required."]
    with translation.override("en"):
        form = _Generic(data)
        assert not form.is_valid()
        assert form.errors["number"] == ["Ensure this value has at most 5 characters (it has 9)."]
        assert form.errors["note"] == ["This field is required."]


@pytest.mark.parametrize(
    ("count", "english"),
    [(1, "1 of 1 organisation has submitted (late: 0)."),
     (3, "1 of 3 organisations have submitted (late: 0).")],
)  # fmt: skip
def test_a_count_of_one_reads_as_singular_in_english(count: int, english: str) -> None:
    template = Template(
        "{% load i18n %}{% blocktranslate with filed=1 late=0 count expected=n %}"
        "Đã nộp {{ filed }}/{{ expected }} cơ quan, đơn vị (nộp muộn: {{ late }})."
        "{% plural %}Đã nộp {{ filed }}/{{ expected }} cơ quan, đơn vị (nộp muộn: {{ late }})."
        "{% endblocktranslate %}"
    )
    with translation.override("en"):
        assert template.render(Context({"n": count})) == english
    with translation.override("vi"):
        assert template.render(Context({"n": count})).startswith(f"Đã nộp 1/{count} cơ quan")


def test_the_catalogue_really_translates_at_run_time() -> None:
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.gettext("Chuẩn mực ứng xử") == "Conduct standards"
        assert (
            translation.gettext("Mã định danh %(code)s đã tồn tại. / Code already exists.")
            % {"code": "H56.01"}
            == "Identifier code H56.01 already exists."
        )
        staff = "%(counter)s cán bộ"
        assert translation.ngettext(staff, staff, 1) % {"counter": 1} == "1 staff member"
        assert translation.ngettext(staff, staff, 3) % {"counter": 3} == "3 staff members"
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"


# --- the switch -------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_home_page_turns_english_after_switching_to_english() -> None:
    client = Client()
    switch_to(client, "en")
    response = client.get("/")
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html
    for english in (LOG_IN[0], STANDARDS[0], "Public service culture", "Skip to main content"):
        assert english in html
    for vietnamese in (LOG_IN[1], STANDARDS[1], "Văn hóa công vụ", "Bỏ qua, đến nội dung chính"):
        assert vietnamese not in html
    # The switch now offers the way back, in Vietnamese.
    assert 'value="vi"' in html
    assert "Tiếng Việt" in html


@pytest.mark.django_db
def test_the_login_page_turns_english_after_switching_to_english() -> None:
    client = Client()
    switch_to(client, "en")
    html = page(client, "/accounts/login/")
    for english in (LOG_IN[0], "Username", "Password", STANDARDS[0]):
        assert english in html
    for vietnamese in (LOG_IN[1], "Tên đăng nhập", "Mật khẩu", STANDARDS[1]):
        assert vietnamese not in html


@pytest.mark.django_db
def test_the_public_standards_page_turns_english_but_keeps_the_vietnamese_standards(
    seeded: dict[str, Any],
) -> None:
    client = Client()
    switch_to(client, "en")
    html = page(client, "/standards/")
    for english in (
        STANDARDS[0],
        "Conduct standards for officials, civil servants and public employees",
        "Search the standards",
        LOG_IN[0],
        "in force from",
    ):
        assert english in html
    for vietnamese in (STANDARDS[1], "Tìm chuẩn mực", LOG_IN[1], "áp dụng từ"):
        assert vietnamese not in html
    # The standards themselves are data, written in Vietnamese: they stay.
    assert "4 xin, 4 luôn" in html


@pytest.mark.django_db
def test_a_search_of_the_standards_counts_its_hits_in_english(seeded: dict[str, Any]) -> None:
    client = Client()
    switch_to(client, "en")
    html = page(client, "/standards/?q=xin")
    assert re.search(r"\d+ standards? found for “xin”", html)
    assert "Tìm thấy" not in html


@pytest.mark.django_db
def test_switching_back_to_vietnamese_restores_the_vietnamese_interface(
    seeded: dict[str, Any],
) -> None:
    client = Client()
    switch_to(client, "en")
    assert LOG_IN[0] in page(client, "/")
    switch_to(client, "vi")
    for url in ("/", "/accounts/login/", "/standards/"):
        response = client.get(url)
        assert response["Content-Language"] == "vi"
        html = response.content.decode()
        assert '<html lang="vi">' in html
        assert LOG_IN[1] in html
        assert STANDARDS[1] in html
        assert LOG_IN[0] not in html
        assert STANDARDS[0] not in html


@pytest.mark.django_db
def test_the_english_navigation_of_a_signed_in_officer_is_english(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    switch_to(client, "en")
    html = page(client, "/")
    for english in ("Home", "Organisations", "Staff", "Log out", STANDARDS[0]):
        assert english in html
    for vietnamese in ("Trang chủ", "Cơ quan, đơn vị", "Đăng xuất", STANDARDS[1]):
        assert vietnamese not in html


# --- dates --------------------------------------------------------------------


def test_dates_stay_day_month_year_in_english() -> None:
    day = dt.date(2025, 7, 1)
    moment = dt.datetime(2025, 7, 1, 8, 30)
    for language in ("en", "vi"):
        with translation.override(language):
            assert formats.date_format(day) == "01/07/2025"
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "01/07/2025"
            assert formats.date_format(moment, "DATETIME_FORMAT") == "01/07/2025 08:30"
            assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "01/07/2025 08:30"
            assert Template("{{ d|date }}").render(Context({"d": day})) == "01/07/2025"
            assert forms.DateField().clean("01/07/2025") == day
            assert forms.DateField().widget.format_value(day) == "01/07/2025"


def test_english_keeps_its_own_number_separators() -> None:
    with translation.override("en"):
        assert formats.number_format(1234.5, decimal_pos=1, use_l10n=True) == "1234.5"
        assert formats.get_format("DECIMAL_SEPARATOR") == "."
    with translation.override("vi"):
        assert formats.get_format("DECIMAL_SEPARATOR") == ","


@pytest.mark.django_db
def test_the_organisation_tree_shows_its_date_as_dd_mm_yyyy_in_english(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    switch_to(client, "en")
    html = page(client, "/org/?day=01/07/2025")
    assert "Organisation tree as of" in html
    assert "01/07/2025" in html
    assert "07/01/2025" not in html
    assert "July 1, 2025" not in html


def test_one_vietnamese_phrase_with_two_meanings_has_an_english_for_each() -> None:
    with translation.override("en"):
        assert str(ImportJob.Status.VALIDATING.label) == "Validating"
        assert str(Inspection.Status.IN_PROGRESS.label) == "In progress"
        assert str(Case.Channel.INSPECTION.label) == "Inspection finding"
        rendered = Template(
            '{% load i18n %}{% translate "Kết quả kiểm tra" %}|'
            '{% translate "Kết quả kiểm tra" context "inspection" %}'
        ).render(Context())
        assert rendered == "Check result|Inspection results"  # an import row's check
    with translation.override("vi"):
        assert str(ImportJob.Status.VALIDATING.label) == "Đang kiểm tra"
        assert str(Inspection.Status.IN_PROGRESS.label) == "Đang kiểm tra"
        assert str(Case.Channel.INSPECTION.label) == "Kết quả kiểm tra"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "en",
            ["Feedback reports and misconduct cases", "Organisations and staff", "Audit log"],
            ["Người dùng", "Hệ thống"],
        ),
        (
            "vi",
            ["Phản ánh, kiến nghị và xử lý vi phạm", "Cơ quan, đơn vị và cán bộ", "Hệ thống"],
            ["Accounts", "Organisations"],
        ),
    ],
)
def test_the_admin_names_each_part_of_the_site_in_the_readers_language(
    language: str, shown: list[str], not_shown: list[str]
) -> None:
    from congvu.accounts.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw-for-tests-123"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert [text for text in shown if text not in html] == []
    assert [text for text in not_shown if f">{text}<" in html] == []
