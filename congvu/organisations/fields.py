"""The drop-down of organisations the other apps' forms share.

One field, so that every form names an organisation the same way ("Sở Tư pháp
(H56.02)"), opens on "— Chọn cơ quan —" rather than Django's "---------", and carries
`data-filter`: `static/js/selectfilter.js` puts a box above it that narrows a list of
hundreds of organisations as one types, accents or not. Without JavaScript it is a
plain `<select>` (a browser's type-ahead still works).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.core.forms import ModelMultipleChoiceField

from .models import Organisation


def _filtered(kwargs: dict[str, Any], widget: type[forms.Widget]) -> None:
    kwargs.setdefault("widget", widget(attrs={"data-filter": ""}))


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("— Chọn cơ quan —"))
        _filtered(kwargs, forms.Select)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.code})"


class OrganisationMultipleChoiceField(ModelMultipleChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.code})"
