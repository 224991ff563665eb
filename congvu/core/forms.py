"""What the forms of every app share: the date field of the Vietnamese interface.

Every date a user types or sees in a form reads dd/mm/yyyy, whatever the
browser's language: `<input type="date">` shows the *browser's* locale (an
officer with an English Chrome saw mm/dd/yyyy, and the site's language switch
could not change it). So a date is a text box (`DateInput`) showing
dd/mm/yyyy; the calendar (`static/js/dates.js`) is an enhancement that fills
it, and without JavaScript the text box alone works. dd/mm/yyyy is read
first; ISO yyyy-mm-dd is still accepted (old bookmarks of filtered lists,
other systems, tests).

`DateField` must fall in 2000–2100: a plan, a task, a case, a dossier or a
report period outside those years is a typing mistake, and year 1 or 9999
overflow where a day becomes an aware datetime (the report period's page,
the cases dashboard were 500s before this bound).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Final, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .text import MAX_ID

FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2100
#: dd/mm/yyyy first (what the page shows and asks for), then ISO, then dd-mm-yyyy.
DATE_FORMATS: Final = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
SHOWN_FORMAT: Final = "%d/%m/%Y"
#: What the box accepts, for the browser's own check: dd/mm/yyyy (one or two digits
#: for day and month), ISO, or dd-mm-yyyy; the server decides whether the day exists.
#: Written for the `v` flag browsers compile `pattern` with ("/" and "-" escaped in a class).
DATE_PATTERN: Final = r"\s*(\d{1,2}[\/\-]\d{1,2}[\/\-]\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*"


def invalid_date_message() -> Any:
    return gettext_lazy(
        "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy. / Invalid date (dd/mm/yyyy)."
    )


def out_of_range_message() -> str:
    return _(
        "Ngày phải trong khoảng năm %(first)d–%(last)d. / "
        "The date must be between %(first)d and %(last)d."
    ) % {"first": FIRST_YEAR, "last": LAST_YEAR}


def plausible_date(day: dt.date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(out_of_range_message(), code="out_of_range")


class DateInput(forms.DateInput):
    """The one date box of the product: text, dd/mm/yyyy, and (`picker`) a calendar.

    No `inputmode="numeric"`: many phone keypads then offer no "/". The marker
    `data-date-input` tells the calendar script (and the tests) that the box holds
    a date; `data-picker` asks for the calendar, which only the pages that load
    `dates.js` give (not the citizens' pages, kept light).
    """

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None, *, picker: bool = True) -> None:
        base: dict[str, Any] = {
            "placeholder": "dd/mm/yyyy",
            "autocomplete": "off",
            "pattern": DATE_PATTERN,
            # A browser that refuses the pattern shows this after its own words.
            "title": gettext_lazy("Ngày theo dạng dd/mm/yyyy, ví dụ 27/11/2026"),
            "size": 10,
            "data-date-input": "",
        }
        if picker:
            base["data-picker"] = ""
        super().__init__(attrs={**base, **(attrs or {})}, format=SHOWN_FORMAT)


#: mm/yyyy (what the box shows) or yyyy-mm (links, bookmarks, other systems).
MONTH_PATTERN: Final = r"\s*((0?[1-9]|1[0-2])/\d{4}|\d{4}-(0?[1-9]|1[0-2]))\s*"


class MonthInput(forms.TextInput):
    """The month box: text showing mm/yyyy, as dates show dd/mm/yyyy. A native
    `type=month` box shows the browser's own format (a month name in an English Chrome)
    and is a bare text box in some browsers. A yyyy-mm value (a dashboard's link) is
    shown as mm/yyyy; anything else is shown as typed, so that a mistake can be mended."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base: dict[str, Any] = {
            "placeholder": "mm/yyyy",
            "autocomplete": "off",
            "pattern": MONTH_PATTERN,
            "title": gettext_lazy("Tháng theo dạng mm/yyyy, ví dụ 11/2026"),
            "size": 7,
        }
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if match is not None and 1 <= int(match[2]) <= 12:
            return f"{int(match[2]):02d}/{match[1]}"
        return text


class DateField(forms.DateField):
    widget = DateInput
    default_validators = [plausible_date]
    default_error_messages = {"invalid": invalid_date_message()}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)


_M = TypeVar("_M", bound=models.Model)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[_M]):
    """Django's field, refusing an id too big for the database as an unknown choice.

    Django checks each value alone (where an id beyond a bigint finds nothing) and then
    fetches them all with `pk__in`, which SQLite cannot bind past 2**63 - 1: a ticked box
    whose value was edited to 99999999999999999999 was a server error."""

    def _check_values(self, value: Any) -> Any:
        model = self.queryset.model if self.queryset is not None else None
        if model is not None and isinstance(value, (list, tuple)):
            key = self.to_field_name
            field = model._meta.get_field(key) if key else model._meta.pk
            if isinstance(field, models.ForeignKey):
                field = field.target_field
            if isinstance(field, models.IntegerField):
                for item in value:
                    try:
                        number = int(str(item).strip())
                    except ValueError:
                        continue  # Django's own check refuses it
                    if not -MAX_ID - 1 <= number <= MAX_ID:
                        raise ValidationError(
                            self.error_messages["invalid_choice"],
                            code="invalid_choice",
                            params={"value": item},
                        )
        # Not in django-stubs: the method every clean() of this field goes through.
        return super()._check_values(value)  # type: ignore[misc]
