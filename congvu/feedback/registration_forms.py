"""Forms of the dossier and counter pages: they parse input; `registration` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.core import once
from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.organisations.models import Organisation, StaffMember

from .models import Counter
from .registration import CODE_MAX, COUNTER_NAME_MAX, PROCEDURE_MAX, staff_choices

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.staff_code})"


class StaffMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.staff_code})"


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class DossierSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Mã hồ sơ"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("ví dụ: H56-260105-0001")}
        ),
    )


class DossierForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=CODE_MAX)
    staff = StaffChoiceField(
        label=_("Cán bộ tiếp nhận, xử lý"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=_("(không ghi)"),
    )
    counter = forms.ModelChoiceField(
        label=_("Quầy"),
        queryset=Counter.objects.none(),
        required=False,
        empty_label=_("(không ghi)"),
    )
    procedure = forms.CharField(label=_("Thủ tục"), max_length=PROCEDURE_MAX, required=False)
    received_on = DateField(label=_("Ngày tiếp nhận"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        staff_field.queryset = staff_choices(organisation)
        counter_field = self.fields["counter"]
        assert isinstance(counter_field, forms.ModelChoiceField)
        counter_field.queryset = Counter.objects.filter(organisation=organisation, is_active=True)
        once.add_field(self)  # sent twice: one dossier, not "this code is already registered"


class CounterForm(forms.Form):
    name = forms.CharField(label=_("Tên quầy"), max_length=COUNTER_NAME_MAX)
    opens_at = forms.TimeField(label=_("Giờ mở cửa"), widget=TIME_WIDGET)
    closes_at = forms.TimeField(label=_("Giờ đóng cửa"), widget=TIME_WIDGET)
    staff = StaffMultipleChoiceField(
        label=_("Cán bộ trực quầy"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Người dân chọn một trong các cán bộ này khi đánh giá tại quầy."),
    )
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        assert isinstance(staff_field, ModelMultipleChoiceField)
        staff_field.queryset = staff_choices(organisation)


class RotateForm(forms.Form):
    which = forms.ChoiceField(choices=[("qr", "qr"), ("kiosk", "kiosk")])
