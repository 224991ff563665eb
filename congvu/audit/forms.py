"""The audit log's filters: they parse input; the selectors scope and filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.core.forms import DateField

from . import labels
from .selectors import Filters

TEXT_MAX = 200


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Nội dung"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("Từ trong tóm tắt hoặc mã đối tượng, gõ có dấu hay không dấu"),
        error_messages={
            "max_length": _(
                "Nội dung tìm kiếm dài tối đa %(limit_value)d ký tự. / The search text is "
                "at most %(limit_value)d characters."
            )
        },
    )
    date_from = DateField(label=_("Từ ngày"), required=False)
    date_to = DateField(label=_("Đến ngày"), required=False)
    organisation = forms.CharField(
        label=_("Cơ quan"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("Tên hoặc mã, gõ có dấu hay không dấu"),
    )
    actor = forms.CharField(
        label=_("Người thực hiện"),
        required=False,
        max_length=TEXT_MAX,
        help_text=_("Tên đăng nhập hoặc họ tên"),
    )
    action = forms.ChoiceField(label=_("Hành động"), required=False)
    object_type = forms.ChoiceField(label=_("Loại đối tượng"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("Tất cả"))
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [everything, *labels.action_choices()]
        type_field = self.fields["object_type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [everything, *labels.object_type_choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                _("“Đến ngày” phải từ “Từ ngày” trở đi."),
            )
        return data

    def filters(self) -> Filters:
        """The valid filters; an invalid one is shown on the form and left out."""
        data = getattr(self, "cleaned_data", {})
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            organisation=data.get("organisation") or "",
            actor=data.get("actor") or "",
            action=data.get("action") or "",
            object_type=data.get("object_type") or "",
            q=data.get("q") or "",
        )
