"""Forms of the inspection pages: they parse input; the services decide and write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import ROLE_PERMS, Perm
from congvu.accounts.models import User
from congvu.core.forms import DateField
from congvu.organisations.models import Organisation, StaffMember

from . import services
from .models import Inspection, Observation

TEXT_MAX = 10_000


def text_field(label: Any, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class UsersChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        title = f", {obj.position_title}" if obj.position_title else ""
        return f"{obj.full_name}{title}"


def inspectors() -> QuerySet[User]:
    """Users who may run inspections somewhere (the service checks the organisation)."""
    roles = [role for role, perms in ROLE_PERMS.items() if Perm.INSPECTION_RUN in perms]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(grants__role__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("full_name", "username")
    )


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo cơ quan hoặc mã"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *list(Inspection.Status.choices)],
    )
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        choices=[("", _("Tất cả")), *list(Inspection.Kind.choices)],
    )


class PlanForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Cơ quan được kiểm tra"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    planned_on = DateField(label=_("Ngày dự kiến"))
    lead = UserChoiceField(label=_("Trưởng đoàn"), queryset=User.objects.none())
    members = UsersChoiceField(
        label=_("Thành viên đoàn"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = text_field(_("Nội dung kiểm tra"), required=False, rows=3)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.organisations_for(user, Perm.INSPECTION_RUN).current()
        field = self.fields["organisation"]
        field.queryset = organisations.filter(kind__is_division=False)  # type: ignore[attr-defined]
        team = inspectors()
        self.fields["lead"].queryset = team  # type: ignore[attr-defined]
        self.fields["members"].queryset = team  # type: ignore[attr-defined]


class ConcludeForm(forms.Form):
    conclusion = text_field(_("Kết luận kiểm tra"), rows=5)


class CancelForm(forms.Form):
    reason = text_field(_("Lý do hủy"), rows=2)


class CorrectiveActionForm(forms.Form):
    description = text_field(_("Nội dung phải khắc phục"), rows=2)
    days = forms.IntegerField(
        label=_("Thời hạn (ngày làm việc)"),
        min_value=services.DAYS_MIN,
        max_value=services.DAYS_MAX,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"days": services.default_corrective_days()})
        super().__init__(*args, **kwargs)


class RespondForm(forms.Form):
    response = text_field(_("Kết quả khắc phục"), rows=3)
    done = forms.BooleanField(label=_("Đã khắc phục xong"), required=False)


class ChecklistForm(forms.Form):
    """One group of fields per observation: `result-<id>`, `note-<id>`, `staff-<id>`."""

    def __init__(
        self,
        *args: Any,
        observations: Sequence[Observation],
        staff: QuerySet[StaffMember],
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        for o in observations:
            initial[f"result-{o.pk}"] = o.result
            initial[f"note-{o.pk}"] = o.note
            initial[f"staff-{o.pk}"] = o.staff_id
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.observations = list(observations)
        for o in self.observations:
            self.fields[f"result-{o.pk}"] = forms.ChoiceField(
                label=_("Kết quả"),
                required=False,
                choices=Observation.Result.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"note-{o.pk}"] = forms.CharField(
                label=_("Ghi chú"),
                required=False,
                max_length=services.NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"staff-{o.pk}"] = StaffChoiceField(
                label=_("Cán bộ được quan sát"),
                queryset=staff,
                required=False,
                empty_label=_("— không ghi tên —"),
            )

    def rows(self) -> list[tuple[Observation, Any, Any, Any]]:
        return [
            (o, self[f"result-{o.pk}"], self[f"note-{o.pk}"], self[f"staff-{o.pk}"])
            for o in self.observations
        ]

    def answers(self) -> list[services.Answer]:
        data = self.cleaned_data
        answers = []
        for o in self.observations:
            staff = data.get(f"staff-{o.pk}")
            answers.append(
                services.Answer(
                    o.pk,
                    data.get(f"result-{o.pk}") or "",
                    data.get(f"note-{o.pk}") or "",
                    staff.pk if staff is not None else None,
                )
            )
        return answers
