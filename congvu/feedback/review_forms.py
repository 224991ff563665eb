"""Forms of the ratings dashboards: the period filter and the review of a flagged rating."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors

_MONTH = re.compile(r"^(?:(\d{1,2})/)?(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
FIRST_YEAR = 2000
MAX_INPUT = 20


def parse_month(value: str) -> dt.date | None:
    """The first day of the month written as mm/yyyy, dd/mm/yyyy, yyyy-mm or yyyy-mm-dd."""
    value = value.strip()
    if not value or len(value) > MAX_INPUT:
        return None
    match = _MONTH.match(value)
    if match:
        day, month, year = match.group(1), int(match.group(2)), int(match.group(3))
    else:
        match = _ISO.match(value)
        if not match:
            return None
        year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        parsed = dt.date(year, month, int(day) if day else 1)
    except ValueError:
        return None
    return parsed.replace(day=1)


@dataclass
class Period:
    """The months a page covers; `errors` explain why bad input fell back to the default."""

    start: dt.date
    end: dt.date
    errors: list[str] = field(default_factory=list)
    start_text: str = ""
    end_text: str = ""

    @property
    def last_day(self) -> dt.date:
        return selectors.month_end(self.end)

    @property
    def months(self) -> int:
        return len(selectors.months_between(self.start, self.end))

    @cached_property
    def query(self) -> str:
        """The filter as a query string, for links that keep it (read once per row of a table)."""
        params = QueryDict(mutable=True)
        params["from"] = f"{self.start:%m/%Y}"
        params["to"] = f"{self.end:%m/%Y}"
        return params.urlencode()


def period_from(params: QueryDict | dict[str, Any], today: dt.date) -> Period:
    """The month range in `params` ("from", "to"), else the last 12 months.

    Bad input is reported and replaced by the default (the page still renders);
    a range longer than MAX_MONTHS months is cut to its last MAX_MONTHS months.
    """
    default_start, default_end = selectors.default_period(today)
    raw_start = str(params.get("from") or "").replace("\x00", "")[:MAX_INPUT]
    raw_end = str(params.get("to") or "").replace("\x00", "")[:MAX_INPUT]
    errors: list[str] = []
    start = parse_month(raw_start) if raw_start else default_start
    end = parse_month(raw_end) if raw_end else default_end
    last_allowed = selectors.add_months(selectors.month_start(today), 12)
    if start is None or not (start.year >= FIRST_YEAR and start <= last_allowed):
        errors.append(
            _("“Từ tháng” không hợp lệ, hãy nhập tháng/năm, ví dụ 01/2026. / Invalid start month.")
        )
        start = None
    if end is None or not (end.year >= FIRST_YEAR and end <= last_allowed):
        errors.append(
            _("“Đến tháng” không hợp lệ, hãy nhập tháng/năm, ví dụ 12/2026. / Invalid end month.")
        )
        end = None
    if start is None or end is None:
        start, end = default_start, default_end
    elif start > end:
        errors.append(
            _("Tháng bắt đầu sau tháng kết thúc; đang hiện 12 tháng gần nhất. / Start after end.")
        )
        start, end = default_start, default_end
    elif len(selectors.months_between(start, end)) > selectors.MAX_MONTHS:
        errors.append(
            _("Khoảng thời gian dài quá %(n)d tháng; đang hiện %(n)d tháng cuối. / Too long.")
            % {"n": selectors.MAX_MONTHS}
        )
        start = selectors.add_months(end, -(selectors.MAX_MONTHS - 1))
    return Period(
        start=start,
        end=end,
        errors=errors,
        start_text=raw_start if errors else f"{start:%m/%Y}",
        end_text=raw_end if errors else f"{end:%m/%Y}",
    )


class ReviewForm(forms.Form):
    """Include or exclude one flagged rating, with the reason (audited)."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định"),
        choices=[
            ("include", gettext_lazy("Tính vào chỉ số")),
            ("exclude", gettext_lazy("Loại khỏi chỉ số")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Hãy chọn tính hay loại. / Choose include or exclude."),
            "invalid_choice": gettext_lazy("Quyết định không hợp lệ. / Choose include or exclude."),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        error_messages={
            "required": gettext_lazy("Hãy ghi lý do. / A reason is required."),
            "max_length": gettext_lazy("Lý do dài tối đa 500 ký tự. / At most 500 characters."),
        },
    )

    @property
    def include(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "include")
