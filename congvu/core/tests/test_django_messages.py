"""Django's own error messages read in Vietnamese and English on a Vietnamese page.

locale/vi/LC_MESSAGES/django.po overrides Django's Vietnamese catalogue (old, and
missing the messages Django added since). These tests walk Django's own list of
messages of the modules a user's input meets — validators, form fields, formsets,
model forms and model validation, sign-in and password forms, the password
validators — so a message a new Django adds there fails here until it is worded.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import django
import polib
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from congvu.accounts.models import User
from congvu.conftest import on_a_vietnamese_page

VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)
DJANGO = Path(django.__file__).parent
CATALOGUES = (
    DJANGO / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    DJANGO / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
)
MODULES = (
    "core/validators.py",
    "forms/",
    "db/models/base.py",
    "db/models/constraints.py",
    "db/models/fields/",
    "contrib/auth/forms.py",
    "contrib/auth/password_validation.py",
    "contrib/auth/validators.py",
)
# Sentences of those modules that are not errors: help texts (the password page lists
# the validators' rules under the new password, in Django's Vietnamese) and the admin's.
NOT_ERRORS = {
    "Enter the same password as before, for verification.",
    "Raw passwords are not stored, so there is no way to see the user’s password.",
    "Enable password-based authentication for this user by setting a password.",
    "Whether the user will be able to authenticate using a password or not. If disabled, "
    "they may still be able to authenticate using other backends, such as Single Sign-On "
    "or LDAP.",
    "Your password must contain at least %(min_length)d character.",
    "Your password can’t be too similar to your other personal information.",
    "Your password can’t be a commonly used password.",
    "Your password can’t be entirely numeric.",
}
# Worded by the project instead (see the module named).
REPLACED = {
    # congvu.accounts.passwords.MinimumLengthValidator
    "This password is too short. It must contain at least %d character.",
}


def django_error_messages() -> list[polib.POEntry]:
    """Every sentence of Django's catalogue used by MODULES (labels and field
    descriptions, which are not sentences, left out)."""
    entries = []
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            used_in = {file for file, _line in entry.occurrences}
            if not any(file.startswith(MODULES) for file in used_in):
                continue
            if not entry.msgid.endswith(".") or entry.msgid in NOT_ERRORS | REPLACED:
                continue
            entries.append(entry)
    return entries


def renderings(entry: polib.POEntry, language: str) -> list[str]:
    with translation.override(language):
        if entry.msgid_plural:
            return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 5)]
        return [translation.gettext(entry.msgid)]


def is_bilingual(text: str) -> bool:
    vietnamese, _sep, english = text.partition(" / ")
    return bool(VIETNAMESE.search(vietnamese)) and bool(english) and not VIETNAMESE.search(english)


def test_the_walk_finds_djangos_messages() -> None:
    msgids = {e.msgid for e in django_error_messages()}
    assert len(msgids) > 60
    for wanted in (
        "This field is required.",
        "Ensure that there are no more than %(max)s digit in total.",
        "Please submit at most %(num)d form.",
        "The two password fields didn’t match.",
        "This password is too common.",
    ):
        assert wanted in msgids


def test_every_django_error_message_is_in_vietnamese_then_english_on_a_vietnamese_page() -> None:
    one_language = [
        (entry.msgid, text)
        for entry in django_error_messages()
        for text in renderings(entry, "vi")
        if not is_bilingual(text)
    ]
    assert one_language == []


def test_the_english_half_keeps_the_placeholders_of_the_vietnamese_half() -> None:
    placeholder = re.compile(r"%\(\w+\)[sdr]|\{\w+\}")
    lost = []
    for entry in django_error_messages():
        for text in renderings(entry, "vi"):
            vietnamese, _sep, english = text.partition(" / ")
            if set(placeholder.findall(vietnamese)) != set(placeholder.findall(english)):
                lost.append(text)
    assert lost == []


def test_in_english_django_error_messages_stay_english_only() -> None:
    mixed = [
        text
        for entry in django_error_messages()
        for text in renderings(entry, "en")
        if VIETNAMESE.search(text) or " / " in text
    ]
    assert mixed == []


class _Criterion(forms.Form):
    weight = forms.DecimalField(max_digits=8, decimal_places=2)
    share = forms.DecimalField(max_digits=4, decimal_places=1)
    ratio = forms.DecimalField(max_digits=5, decimal_places=3)
    code = forms.SlugField()


def test_decimal_and_slug_errors_read_in_both_languages() -> None:
    data = {"weight": "1000000000", "share": "1.25", "ratio": "123.4", "code": "mã số"}
    with translation.override("vi"):
        errors = _Criterion(data).errors
        assert errors["weight"] == [
            "Tối đa 8 chữ số (kể cả phần thập phân). / "
            "Ensure that there are no more than 8 digits in total."
        ]
        assert errors["share"] == [
            "Tối đa 1 chữ số sau dấu thập phân. / "
            "Ensure that there are no more than 1 decimal places."
        ]
        assert errors["ratio"] == [
            "Tối đa 2 chữ số trước dấu thập phân. / "
            "Ensure that there are no more than 2 digits before the decimal point."
        ]
        assert errors["code"][0].startswith("Chỉ được dùng chữ cái không dấu")
    with translation.override("en"):
        errors = _Criterion(data).errors
        assert errors["weight"] == ["Ensure that there are no more than 8 digits in total."]


class _Line(forms.Form):
    name = forms.CharField()


def test_a_formset_with_too_many_or_too_few_rows_says_so_in_both_languages() -> None:
    lines = forms.formset_factory(
        _Line, min_num=2, max_num=3, validate_min=True, validate_max=True, extra=0
    )

    def posted(rows: int) -> dict[str, Any]:
        data: dict[str, Any] = {"form-TOTAL_FORMS": rows, "form-INITIAL_FORMS": 0}
        data.update({f"form-{i}-name": f"dòng {i}" for i in range(rows)})
        return data

    with translation.override("vi"):
        assert lines(posted(5)).non_form_errors() == [
            "Chỉ được gửi tối đa 3 mục. / Please submit at most 3 forms."
        ]
        assert lines(posted(1)).non_form_errors() == [
            "Cần gửi ít nhất 2 mục. / Please submit at least 2 forms."
        ]
    with translation.override("en"):
        assert lines(posted(5)).non_form_errors() == ["Please submit at most 3 forms."]


def test_a_too_long_file_name_says_so_in_both_languages() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    field = forms.FileField(max_length=10)
    with translation.override("vi"), pytest.raises(ValidationError) as raised:
        field.clean(SimpleUploadedFile("bien-ban-kiem-tra.pdf", b"%PDF"))
    assert raised.value.messages == [
        "Tên tệp dài tối đa 10 ký tự (đang có 21). / "
        "Ensure this filename has at most 10 characters (it has 21)."
    ]


# --- the password page ------------------------------------------------------------------


def _change(client: Client, old: str, new: str, again: str | None = None) -> str:
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def signed_in(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.mark.parametrize(
    ("old", "new", "again", "said"),
    [
        ("sai-mat-khau-cu", "mat-khau-moi-2026-rat-dai", None,
         "Mật khẩu cũ không chính xác; hãy nhập lại. / Your old password was entered "
         "incorrectly. Please enter it again."),
        ("pw-for-tests-123", "mat-khau-moi-2026-rat-dai", "mat-khau-khac-2026-rat-dai",
         "Hai ô mật khẩu không giống nhau. / The two password fields didn’t match."),
        ("pw-for-tests-123", "ngan-1", None,
         "Mật khẩu này quá ngắn: cần ít nhất 10 ký tự. / This password is too short. "
         "It must contain at least 10 characters."),
        ("pw-for-tests-123", "password123", None,
         "Mật khẩu này quá phổ biến. / This password is too common."),
        ("pw-for-tests-123", "20262026202620", None,
         "Mật khẩu này chỉ gồm chữ số. / This password is entirely numeric."),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_the_password_page_explains_a_refusal_in_both_languages(
    signed_in: Client, old: str, new: str, again: str | None, said: str
) -> None:
    html = _change(signed_in, old, new, again)
    assert on_a_vietnamese_page(said) in html


@pytest.mark.django_db
def test_in_english_the_password_page_explains_a_refusal_in_english_only(
    signed_in: Client, officer: User
) -> None:
    signed_in.post(reverse("set_language"), {"language": "en"})
    html = _change(signed_in, "pw-for-tests-123", "ngan-1")
    assert "This password is too short. It must contain at least 10 characters." in html
    assert "quá ngắn" not in html
    html = _change(signed_in, "sai-mat-khau-cu", "mat-khau-moi-2026-rat-dai")
    assert "Your old password was entered incorrectly. Please enter it again." in html
    assert "Mật khẩu cũ" not in html
    officer.refresh_from_db()
    assert officer.check_password("pw-for-tests-123")
