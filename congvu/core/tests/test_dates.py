"""Every date a user types or sees in a form reads dd/mm/yyyy, whatever the browser's language.

The plan's edit page stands for every officer's form (they share `core.forms.DateField`);
a walk over every form class of the product checks that none is left with the browser's
own date input, which shows the browser's locale (mm/dd/yyyy in an English Chrome).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

import congvu
from congvu.accounts.models import Role
from congvu.conftest import client_for, make_user, on_a_vietnamese_page
from congvu.core.forms import MONTH_PATTERN, DateField, DateInput, MonthInput
from congvu.planning import services as planning
from congvu.planning.models import Plan

BILINGUAL_INVALID = "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy. / Invalid date (dd/mm/yyyy)."


class OneDate(forms.Form):
    day = DateField()


@pytest.fixture
def plan(province: dict[str, Any]) -> Plan:
    return planning.create_plan(
        actor=None,
        number="12/KH-STP",
        title="Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        issuing_organisation=province["dept_justice"],
        issued_on=dt.date(2026, 3, 2),
    )


def _edit(plan: Plan) -> str:
    return reverse("planning:plan_edit", args=[plan.pk])


def _post(province: dict[str, Any], issued_on: str, **overrides: Any) -> dict[str, Any]:
    return {
        "number": "12/KH-STP",
        "title": "Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp",
        "issuing_organisation": province["dept_justice"].pk,
        "issued_on": issued_on,
        "basis": "",
        **overrides,
    }


def _date_box(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    return match.group(0)


# --- the field ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("02/03/2026", dt.date(2026, 3, 2)),
        ("2/3/2026", dt.date(2026, 3, 2)),
        (" 02/03/2026 ", dt.date(2026, 3, 2)),
        ("2026-03-02", dt.date(2026, 3, 2)),
        ("02-03-2026", dt.date(2026, 3, 2)),
    ],
)
def test_the_date_field_reads_day_month_year_first_and_still_iso(typed: str, day: dt.date) -> None:
    form = OneDate({"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == day


def test_a_day_that_could_be_either_way_is_read_as_day_then_month() -> None:
    form = OneDate({"day": "03/04/2026"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == dt.date(2026, 4, 3)


@pytest.mark.parametrize("typed", ["31/02/2026", "04/31/2026", "2026/03/02", "mai", "32/1/2026"])
def test_a_malformed_date_is_refused_in_both_languages(typed: str) -> None:
    form = OneDate({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == [BILINGUAL_INVALID]


def test_the_years_stay_between_2000_and_2100() -> None:
    form = OneDate({"day": "31/12/1999"})
    assert not form.is_valid()
    assert "Ngày phải trong khoảng năm 2000–2100." in form.errors["day"][0]


def test_the_date_box_is_a_text_box_showing_day_month_year() -> None:
    html = str(OneDate(initial={"day": dt.date(2026, 3, 2)})["day"])
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="02/03/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert 'autocomplete="off"' in html
    # A phone's numeric keypad often has no "/": the box must not ask for it.
    assert "inputmode" not in html
    assert "data-picker" in html


def test_the_pattern_accepts_what_the_server_reads_and_refuses_what_it_never_does() -> None:
    pattern = re.compile(str(DateInput().attrs["pattern"]).replace(r"\/", "/"))
    for typed in ("02/03/2026", "2/3/2026", "2026-03-02", "02-03-2026", "31/02/2026"):
        assert pattern.fullmatch(typed), typed
    for typed in ("2026/03/02", "02.03.2026", "mai", "02/03/26"):
        assert not pattern.fullmatch(typed), typed


def _form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(congvu.__path__, "congvu."):
        if any(part in module.name for part in (".tests", ".migrations", "browser_tests")):
            continue
        if module.name.rsplit(".", 1)[-1].endswith("forms"):
            importlib.import_module(module.name)
    found: list[type[forms.BaseForm]] = []
    todo: list[type[Any]] = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("congvu.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


def test_every_date_a_form_of_the_product_asks_for_is_a_day_month_year_text_box() -> None:
    classes = _form_classes()
    assert len(classes) > 30
    dates = 0
    for cls in classes:
        for name, field in getattr(cls, "base_fields", {}).items():
            if isinstance(field, forms.DateField):
                widget = field.widget
                if isinstance(widget, forms.HiddenInput):
                    # Not asked: the page carries it (a pending rename's day to withdraw).
                    continue
                dates += 1
                assert isinstance(widget, DateInput), f"{cls.__module__}.{cls.__name__}.{name}"
                assert widget.format == "%d/%m/%Y"
                assert widget.input_type == "text"
    assert dates > 20


# --- a form through its page ----------------------------------------------------------


def test_the_edit_page_shows_the_saved_date_as_day_month_year(
    as_officer: Client, plan: Plan
) -> None:
    box = _date_box(as_officer.get(_edit(plan)).content.decode(), "issued_on")
    assert 'value="02/03/2026"' in box
    assert 'type="text"' in box


def test_a_date_typed_day_month_year_is_saved(
    as_officer: Client, plan: Plan, province: dict[str, Any]
) -> None:
    response = as_officer.post(_edit(plan), _post(province, "15/01/2026"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 1, 15)


def test_an_iso_date_is_still_saved(
    as_officer: Client, plan: Plan, province: dict[str, Any]
) -> None:
    response = as_officer.post(_edit(plan), _post(province, "2026-01-15"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 1, 15)


def test_the_31st_of_february_is_refused_in_both_languages_and_the_rest_is_kept(
    as_officer: Client, plan: Plan, province: dict[str, Any]
) -> None:
    response = as_officer.post(
        _edit(plan), _post(province, "31/02/2026", title="Tiêu đề mới chưa lưu")
    )
    assert response.status_code in {200, 400}
    html = response.content.decode()
    assert on_a_vietnamese_page(BILINGUAL_INVALID) in html
    assert "Tiêu đề mới chưa lưu" in html
    assert 'value="31/02/2026"' in _date_box(html, "issued_on")
    plan.refresh_from_db()
    assert plan.issued_on == dt.date(2026, 3, 2)
    assert plan.title == "Kế hoạch thực hiện văn hóa công vụ của Sở Tư pháp"


def test_in_english_the_malformed_date_is_explained_in_english(
    as_officer: Client, plan: Plan, province: dict[str, Any]
) -> None:
    as_officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = as_officer.post(_edit(plan), _post(province, "31/02/2026")).content.decode()
    assert "Invalid date; enter it as dd/mm/yyyy." in html
    assert 'value="31/02/2026"' in _date_box(html, "issued_on")


def test_the_outsider_and_the_viewer_still_cannot_reach_the_edit_page(
    plan: Plan, province: dict[str, Any]
) -> None:
    outsider = make_user("outsider", Role.HEAD, province["commune"])
    viewer = make_user("viewer", Role.VIEWER, province["dept_justice"])
    assert client_for(outsider).get(_edit(plan)).status_code == 404
    assert client_for(viewer).get(_edit(plan)).status_code == 403


# --- where the calendar is loaded -----------------------------------------------------


def test_the_officers_pages_load_the_calendar_script_with_its_files_and_words(
    as_officer: Client, plan: Plan
) -> None:
    html = as_officer.get(_edit(plan)).content.decode()
    script = re.search(r'<script src="/static/js/dates\.js"[^>]*>', html)
    assert script
    tag = script.group(0)
    assert 'data-js="/static/vendor/vanillajs-datepicker/datepicker.min.js"' in tag
    assert 'data-locale-vi="/static/vendor/vanillajs-datepicker/locale-vi.js"' in tag
    assert 'data-label-open="Chọn ngày trên lịch"' in tag


def test_the_citizens_report_form_keeps_a_plain_date_box_without_the_calendar(
    client: Client, province: dict[str, Any]
) -> None:
    html = client.get("/report/").content.decode()
    box = _date_box(html, "occurred_on")
    assert 'placeholder="dd/mm/yyyy"' in box and 'type="text"' in box
    assert "data-picker" not in box
    assert "dates.js" not in html and "datepicker" not in html


@pytest.mark.parametrize(
    ("value", "shown"),
    [("2026-05", "05/2026"), ("2026-5", "05/2026"), ("05/2026", "05/2026"), ("13/20x", "13/20x")],
)
def test_the_month_box_shows_mm_yyyy_and_keeps_a_mistake_as_typed(value: str, shown: str) -> None:
    html = MonthInput().render("month", value)
    assert f'value="{shown}"' in html
    assert 'type="text"' in html


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("11/2026", True),
        ("1/2026", True),
        ("2026-11", True),
        ("13/2026", False),
        ("11.2026", False),
    ],
)
def test_the_month_box_pattern_accepts_what_the_filter_reads(typed: str, accepted: bool) -> None:
    assert (re.fullmatch(MONTH_PATTERN, typed) is not None) is accepted
