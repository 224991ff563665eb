"""Forms of the scoring pages: they parse input; the services decide and write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.organisations.fields import OrganisationChoiceField
from congvu.organisations.models import Organisation, OrganisationKind

from . import services
from .metrics import DEFAULT_WEIGHTS, metric_choices
from .models import Scorecard, default_grades


def _number(value: Any) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number).replace(".", ",")


def grades_text(grades: list[dict[str, Any]]) -> str:
    """One grade a line: “threshold: label”, then “| en: English label” and one
    “| metric >= threshold” per condition."""
    lines = []
    for g in grades:
        parts = [f"{_number(g['min'])}: {g['label']}"]
        if g.get("label_en"):
            parts.append(f"en: {g['label_en']}")
        parts.extend(f"{c['metric']} >= {_number(c['min'])}" for c in g.get("conditions") or [])
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _grade_line(line: str) -> services.GradeIn:
    head, *rest = line.split("|")
    threshold, sep, label = head.partition(":")
    if not sep:
        raise forms.ValidationError(
            gettext(
                "Mỗi dòng có dạng “ngưỡng: tên”, ví dụ “90: Hoàn thành xuất sắc”. / "
                "Write each line as “threshold: name”, e.g. “90: Excellent”."
            )
        )
    label_en = ""
    conditions: list[services.ConditionIn] = []
    for part in (p.strip() for p in rest):
        if not part:
            continue
        key, colon, value = part.partition(":")
        if colon and key.strip().lower() == "en":
            label_en = value.strip()
            continue
        metric, ge, minimum = part.replace("≥", ">=").partition(">=")
        if not ge or not metric.strip() or not minimum.strip():
            raise forms.ValidationError(
                gettext(
                    "Điều kiện có dạng “chỉ số >= ngưỡng”, ví dụ “tasks_on_time >= 80”; tên "
                    "tiếng Anh có dạng “en: tên”. / Write a condition as “metric >= threshold”, "
                    "e.g. “tasks_on_time >= 80”, and an English label as “en: label”."
                )
            )
        conditions.append(services.ConditionIn(metric.strip(), minimum.strip().replace(",", ".")))
    return services.GradeIn(
        threshold.strip().replace(",", "."), label.strip(), label_en, conditions
    )


class ScorecardForm(forms.Form):
    name = forms.CharField(label=_("Tên bảng điểm"), max_length=services.NAME_MAX)
    organisation = OrganisationChoiceField(
        label=_("Cơ quan chấm điểm"),
        queryset=Organisation.objects.none(),
        help_text=_("Chấm các cơ quan thuộc cơ quan này."),
    )
    period_start = DateField(label=_("Từ ngày"))
    period_end = DateField(label=_("Đến ngày"))
    kinds = ModelMultipleChoiceField(
        label=_("Loại cơ quan được chấm (so sánh cùng loại)"),
        queryset=OrganisationKind.objects.filter(is_division=False),
        widget=forms.CheckboxSelectMultiple,
    )
    min_criteria = forms.IntegerField(
        label=_("Số tiêu chí tối thiểu có dữ liệu để được xếp hạng"),
        required=False,
        min_value=1,
        max_value=services.MAX_CRITERIA,
        help_text=_("Để trống: một nửa số tiêu chí (làm tròn lên)."),
    )
    grades = forms.CharField(
        label=_("Xếp loại (mỗi dòng “ngưỡng: tên”, ngưỡng thấp nhất là 0)"),
        help_text=_(
            "Thêm sau dấu “|”: tên tiếng Anh (“en: Completed well”) và điều kiện của mức "
            "(“tasks_on_time >= 80”: cơ quan không đạt được xếp mức thấp hơn liền kề)."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2_000,
    )
    description = forms.CharField(
        label=_("Giải thích công khai"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, issuers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = issuers
        if editing:
            # The organisation is fixed once created: its scope decides who manages it.
            del self.fields["organisation"]

    def clean_grades(self) -> list[services.GradeIn]:
        return [
            _grade_line(line) for line in self.cleaned_data["grades"].splitlines() if line.strip()
        ]


class CriterionForm(forms.Form):
    metric = forms.ChoiceField(label=_("Chỉ số"), required=False)
    weight = forms.DecimalField(label=_("Trọng số"), required=False, max_digits=8, decimal_places=2)
    label = forms.CharField(label=_("Tên hiển thị (tùy chọn)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["metric"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *metric_choices()]

    def criterion(self) -> services.CriterionIn | None:
        data = getattr(self, "cleaned_data", {})
        metric = data.get("metric") or ""
        if not metric:
            return None
        weight = data.get("weight")
        return services.CriterionIn(
            metric, weight if weight is not None else Decimal(0), data.get("label") or ""
        )


CriterionFormSet = forms.formset_factory(
    CriterionForm, extra=2, max_num=services.MAX_CRITERIA, validate_max=True
)


def initial_for_new() -> dict[str, Any]:
    return {"grades": grades_text(default_grades())}


def criteria_initial(scorecard: Scorecard | None = None) -> list[dict[str, Any]]:
    if scorecard is None:
        return [{"metric": code, "weight": weight} for code, weight in DEFAULT_WEIGHTS]
    return [
        {"metric": c.metric, "weight": c.weight, "label": c.label} for c in scorecard.criteria.all()
    ]


class RankingFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm cơ quan"), required=False, max_length=200)
    kind = forms.TypedChoiceField(
        label=_("Loại cơ quan"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            ("rank", _("Theo thứ hạng trong loại")),
            ("-total", _("Tổng điểm giảm dần")),
            ("total", _("Tổng điểm tăng dần")),
            ("name", _("Tên cơ quan")),
        ],
    )

    def __init__(self, *args: Any, kinds: list[OrganisationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả")), *((k.pk, str(k)) for k in kinds)]
