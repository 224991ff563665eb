"""Forms for the assignment pages: they parse input; `progress.py` decides."""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congvu.core import once
from congvu.core.text import MAX_ID, as_id
from congvu.organisations.forms import DayField, OrganisationField, required_text
from congvu.organisations.models import Organisation, OrganisationKind

from . import uploads
from .models import Assignment, Plan

REQUIRED = _("Trường này là bắt buộc. / This field is required.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by `uploads`, not here."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, (list, tuple)) else [data]
        single = super().clean
        return [single(item, initial) for item in items if item]


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(
        label=_("Tiến độ"),
        choices=Assignment.Progress.choices,
        error_messages={
            "required": REQUIRED,
            "invalid_choice": _("Tiến độ không hợp lệ. / Invalid progress."),
        },
    )
    percent = forms.IntegerField(
        label=_("Tỷ lệ hoàn thành (%)"),
        min_value=0,
        max_value=100,
        error_messages={
            "required": REQUIRED,
            "invalid": _("Hãy nhập một số từ 0 đến 100. / Enter a number from 0 to 100."),
            "min_value": _("Tỷ lệ không nhỏ hơn 0. / At least 0."),
            "max_value": _("Tỷ lệ không lớn hơn 100. / At most 100."),
        },
    )
    note = forms.CharField(
        label=_("Ghi chú, kết quả đạt được"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    completed_on = DayField(
        label=_("Ngày hoàn thành"),
        required=False,
        help_text=_("Chỉ khi đã hoàn thành; bỏ trống là hôm nay."),
    )
    evidence = MultipleFileField(label=_("Tệp minh chứng"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request so that the message follows the user's language.
        limits = gettext(
            "PDF, Word (.docx), Excel (.xlsx), ảnh PNG, JPEG, WEBP; tối đa %(count)d tệp, "
            "mỗi tệp không quá %(size)s."
        ) % {"count": uploads.MAX_FILES, "size": filesizeformat(uploads.max_bytes())}
        removed = gettext(
            "Vị trí GPS trong ảnh, tên tác giả trong PDF, Word, Excel (cả người nhận xét, "
            "người sửa) được xóa trước khi lưu; tệp có macro không được nhận."
        )
        self.fields["evidence"].help_text = f"{limits} {removed}"
        once.add_field(self)


class ExtensionRequestForm(forms.Form):
    requested_due_on = DayField(label=_("Đề nghị gia hạn đến ngày"))
    reason = required_text(_("Lý do"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once.add_field(self)  # sent twice: one request, not "already pending"


class ExtensionDecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Chấp thuận")), (REFUSE, _("Không chấp thuận"))],
        error_messages={
            "required": REQUIRED,
            "invalid_choice": _("Quyết định không hợp lệ. / Invalid decision."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do (bắt buộc khi không chấp thuận)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data.get("decision") == self.APPROVE)


class OrganisationCodeOrIdField(OrganisationField):
    """An organisation by code (typed by people) or by id (in links from the dashboards)."""

    def clean(self, value: Any) -> Organisation | None:
        text = (value or "").strip()
        pk = as_id(text)
        if pk is not None:
            found = self.queryset.filter(pk=pk).first()
            if found is not None:
                return found
        return super().clean(value)


AWAITING_CONFIRMATION: Final = "waiting"


class AssignmentFilterForm(forms.Form):
    DUE_SOON, DUE_OVERDUE = "soon", "overdue"

    state = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Mọi tình trạng")), *Assignment.State.choices],
    )
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch"),
        required=False,
        queryset=Plan.objects.none(),
        empty_label=_("Mọi kế hoạch"),
        error_messages={"invalid_choice": _("Kế hoạch không hợp lệ. / Invalid plan.")},
    )
    period = forms.CharField(label=_("Kỳ"), required=False, max_length=10)
    organisation = OrganisationCodeOrIdField(
        label=_("Cơ quan (mã, gồm cả đơn vị trực thuộc)"), required=False
    )
    kind = forms.ModelChoiceField(
        label=_("Loại cơ quan"),
        required=False,
        queryset=OrganisationKind.objects.all(),
        empty_label=_("Mọi loại"),
        error_messages={"invalid_choice": _("Loại cơ quan không hợp lệ. / Invalid kind.")},
    )
    task = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=MAX_ID
    )
    due = forms.ChoiceField(
        label=_("Nhắc việc"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            (DUE_SOON, _("Sắp đến hạn (5 ngày làm việc)")),
            (DUE_OVERDUE, _("Quá hạn")),
        ],
    )
    confirm = forms.ChoiceField(
        label=_("Xác nhận của người đứng đầu"),
        required=False,
        choices=[("", _("Tất cả")), (AWAITING_CONFIRMATION, _("Chờ người đứng đầu xác nhận"))],
    )
    due_within = forms.IntegerField(
        label=_("Đến hạn trong (ngày)"),
        required=False,
        min_value=0,
        max_value=366,
        error_messages={
            "invalid": _("Hãy nhập số ngày. / Enter a number of days."),
            "min_value": _("Số ngày không âm. / Not negative."),
            "max_value": _("Tối đa 366 ngày. / At most 366 days."),
        },
    )

    def __init__(self, *args: Any, plans: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = plans
        org_field = self.fields["organisation"]
        assert isinstance(org_field, OrganisationField)
        org_field.queryset = organisations
