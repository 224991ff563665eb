"""Forms of the plan and task pages: they parse input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.organisations.fields import OrganisationChoiceField, OrganisationMultipleChoiceField
from congvu.organisations.models import Organisation, OrganisationKind

from .models import Assignment, Plan, Schedule, Task, period_text
from .services import DOCUMENT_SUFFIXES, scope_paths


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} — {obj.title[:90]}"


class PlanFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo số, trích yếu"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: 86/KH-UBND")}),
    )
    year = forms.IntegerField(
        label=_("Năm ban hành"), required=False, min_value=1990, max_value=2100
    )


class PlanForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60)
    title = forms.CharField(
        label=_("Trích yếu"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    issuing_organisation = OrganisationChoiceField(
        label=_("Cơ quan ban hành"),
        queryset=Organisation.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
    )
    issued_on = DateField(label=_("Ngày ban hành"))
    basis = forms.CharField(
        label=_("Căn cứ"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    parent = PlanChoiceField(
        label=_("Kế hoạch cấp trên"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("(không có)"),
        help_text=_("Kế hoạch của cơ quan triển khai từ kế hoạch cấp trên."),
    )
    document = forms.FileField(
        label=_("Tệp văn bản (PDF, DOC, DOCX)"),
        required=False,
        help_text=_(
            "Tối đa 20 MB. Tên tác giả, người sửa và thông tin ẩn trong PDF, DOCX, ODT được "
            "xóa trước khi lưu; tệp DOC được giữ nguyên; tệp có macro không được nhận."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_SUFFIXES)}),
    )

    def __init__(self, *args: Any, user: Any, plan: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuers = access.organisations_for(
            user, Perm.PLAN_MANAGE, Organisation.objects.filter(kind__is_division=False)
        )
        if plan is not None:
            issuers = issuers | Organisation.objects.filter(pk=plan.issuing_organisation_id)
        self.fields["issuing_organisation"].queryset = issuers.distinct().order_by("path")  # type: ignore[attr-defined]
        parents = Plan.objects.visible_to(user)
        if plan is not None:
            parents = parents.exclude(pk=plan.pk)
        self.fields["parent"].queryset = parents.order_by("-issued_on", "number")  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    code = forms.CharField(label=_("Số thứ tự"), max_length=30)
    content = forms.CharField(
        label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deliverable = forms.CharField(label=_("Sản phẩm"), max_length=500, required=False)
    lead_organisation = OrganisationChoiceField(
        label=_("Cơ quan chủ trì"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(không có)"),
    )
    coordinating_organisations = OrganisationMultipleChoiceField(
        label=_("Cơ quan phối hợp"), queryset=Organisation.objects.none(), required=False
    )
    assign_to = forms.ChoiceField(
        label=_("Giao cho"), choices=Task.AssignTo.choices, widget=forms.RadioSelect
    )
    assignees = OrganisationMultipleChoiceField(
        label=_("Cơ quan thực hiện"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Khi giao cho các cơ quan được nêu tên. Để trống: giao cho cơ quan chủ trì."),
    )
    assignee_kinds = ModelMultipleChoiceField(
        label=_("Loại cơ quan thực hiện"),
        queryset=OrganisationKind.objects.filter(is_division=False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Khi giao cho mọi cơ quan thuộc các loại đã chọn, kể cả cơ quan thành lập sau."
        ),
    )
    schedule = forms.ChoiceField(label=_("Thời hạn"), choices=Schedule.choices)
    due_on = DateField(label=_("Hạn hoàn thành (nhiệm vụ một lần)"), required=False)
    due_day = forms.IntegerField(label=_("Ngày đến hạn"), required=False, min_value=1, max_value=31)
    due_month = forms.IntegerField(
        label=_("Tháng đến hạn (hằng năm)"), required=False, min_value=1, max_value=12
    )
    due_working_days = forms.IntegerField(
        label=_("Số ngày làm việc"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Nếu có: hạn = số ngày làm việc kể từ đầu kỳ (không tính ngày nghỉ)."),
    )
    starts_on = DateField(label=_("Bắt đầu từ"))
    ends_on = DateField(label=_("Kết thúc"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[
            (Task.Status.DRAFT, Task.Status.DRAFT.label),
            (Task.Status.ACTIVE, Task.Status.ACTIVE.label),
        ],
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        under = Q(pk__in=[])
        for path in scope_paths(plan):
            under |= Q(path__startswith=path)
        organisations = (
            Organisation.objects.current().filter(under, kind__is_division=False).order_by("path")
        )
        for name in ("lead_organisation", "coordinating_organisations", "assignees"):
            self.fields[name].queryset = organisations  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(task, name)
            for name in (
                "code",
                "content",
                "deliverable",
                "lead_organisation",
                "assign_to",
                "schedule",
                "due_on",
                "due_day",
                "due_month",
                "due_working_days",
                "starts_on",
                "ends_on",
                "status",
            )
        }
        initial["coordinating_organisations"] = list(task.coordinating_organisations.all())
        initial["assignees"] = list(task.assignees.all())
        initial["assignee_kinds"] = list(task.assignee_kinds.all())
        return initial


class AssignmentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Tất cả")), *Assignment.State.choices],
    )
    period = forms.ChoiceField(label=_("Kỳ"), required=False, choices=[("", _("Tất cả"))])
    kind = forms.ModelChoiceField(
        label=_("Loại cơ quan"),
        required=False,
        queryset=OrganisationKind.objects.filter(is_division=False),
        empty_label=_("Tất cả"),
    )

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [  # type: ignore[attr-defined]
            ("", _("Tất cả")),
            *((p, period_text(p)) for p in periods),
        ]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
