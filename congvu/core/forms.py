"""What the forms of every app share: the date field of the Vietnamese interface.

A date comes from the browser's date picker (ISO, `type="date"`) or is typed by
hand as dd/mm/yyyy. It must fall in 2000–2100: a plan, a task, a case, a
dossier or a report period outside those years is a typing mistake, and year 1
or 9999 overflow where a day becomes an aware datetime (the report period's
page, the cases dashboard were 500s before this bound).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
DATE_FORMATS: Final = ["%Y-%m-%d", "%d/%m/%Y"]


def out_of_range_message() -> str:
    return _(
        "Ngày phải trong khoảng năm %(first)d–%(last)d. / "
        "The date must be between %(first)d and %(last)d."
    ) % {"first": FIRST_YEAR, "last": LAST_YEAR}


def plausible_date(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(out_of_range_message(), code="out_of_range")


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_validators = [plausible_date]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)
