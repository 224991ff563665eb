"""Forms of the dissemination pages: they parse input; dissemination.py decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.core import once
from congvu.core.forms import ModelMultipleChoiceField
from congvu.organisations.forms import DayField, OrganisationField, today
from congvu.organisations.models import OrganisationQuerySet, StaffMember, StaffQuerySet

from .models import Dissemination

CHOICE_ERRORS = {
    "required": _("Hãy chọn hình thức. / Choose a format."),
    "invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice."),
}
STAFF_ERRORS = {
    "invalid_choice": _(
        "Có cán bộ không thuộc danh sách được chọn. / Someone is not in the list to choose from."
    ),
    "invalid_pk_value": _("Lựa chọn không hợp lệ. / Invalid choice."),
    "required": _("Hãy chọn ít nhất một cán bộ. / Choose at least one person."),
}


class SessionForm(forms.Form):
    """A session; `organisations` (where the user may record) adds the organisation field."""

    organisation = OrganisationField(
        label=_("Mã cơ quan tổ chức"),
        error_messages={"required": _("Hãy nhập mã cơ quan. / Enter the organisation's code.")},
    )
    held_on = DayField(label=_("Ngày tổ chức"), initial=today)
    format = forms.ChoiceField(
        label=_("Hình thức"), choices=Dissemination.Format.choices, error_messages=CHOICE_ERRORS
    )
    content = forms.CharField(
        label=_("Nội dung"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={"required": _("Hãy nhập nội dung. / Enter the content.")},
    )
    participants = forms.IntegerField(
        label=_("Số người tham dự"),
        min_value=0,
        max_value=1_000_000,
        initial=0,
        help_text=_("Gồm cả người không có tên trong danh sách cán bộ."),
        error_messages={
            "required": _("Hãy nhập số người tham dự. / Enter the number of participants."),
            "invalid": _("Hãy nhập một số nguyên. / Enter a whole number."),
            "min_value": _("Không được là số âm. / Cannot be negative."),
            "max_value": _("Số quá lớn. / Number too large."),
        },
    )

    def __init__(
        self, *args: Any, organisations: OrganisationQuerySet | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        if organisations is None:  # editing: the session stays with its organisation
            del self.fields["organisation"]
        else:
            assert isinstance(field, OrganisationField)
            field.queryset = organisations
            once.add_field(self)  # recording a session: sent twice, recorded once


class StaffSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã cán bộ"), required=False, max_length=100)


class AttendanceForm(forms.Form):
    """The staff shown on one page (`shown`, hidden) and those ticked as present."""

    shown: ModelMultipleChoiceField[StaffMember] = ModelMultipleChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages=STAFF_ERRORS,
    )
    present: ModelMultipleChoiceField[StaffMember] = ModelMultipleChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=STAFF_ERRORS,
    )

    def __init__(self, *args: Any, staff: StaffQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("shown", "present"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = staff


class AcknowledgeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Tôi đã đọc và cam kết thực hiện"),
        error_messages={
            "required": _("Hãy đánh dấu ô xác nhận trước khi gửi. / Tick the box to confirm.")
        },
    )


class RecordAcknowledgementsForm(forms.Form):
    staff: ModelMultipleChoiceField[StaffMember] = ModelMultipleChoiceField(
        queryset=StaffMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages=STAFF_ERRORS,
    )
    confirm = forms.BooleanField(
        label=_(
            "Tôi xác nhận những cán bộ đã chọn đã được phổ biến, đã đọc và cam kết thực hiện "
            "quy tắc ứng xử"
        ),
        error_messages={
            "required": _("Hãy đánh dấu ô xác nhận trước khi gửi. / Tick the box to confirm.")
        },
    )

    def __init__(self, *args: Any, staff: StaffQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = staff
        # Sent twice, the ticked staff would no longer be offered: "not in the list".
        once.add_field(self)
