"""Forms of the yearly programme pages: they parse input; programme_services decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once
from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.organisations.models import Organisation, OrganisationKind

from . import programme_selectors, programme_services
from .forms import OrganisationChoiceField, UserChoiceField, inspectors
from .models import Inspection, InspectionProgramme, ProgrammeItem

#: Organisations listed with a box to tick on the bulk page (search to narrow).
LISTED = 300


def period_choices() -> list[tuple[str, Any]]:
    quarters = [(f"q{q}", _("Quý %(q)d") % {"q": q}) for q in (1, 2, 3, 4)]
    months = [(f"m{m}", _("Tháng %(m)d") % {"m": m}) for m in range(1, 13)]
    return [("", "—"), *quarters, *months]


def parse_period(value: str) -> tuple[int | None, int | None]:
    """ "q2" → (2, None); "m5" → (None, 5)."""
    if value.startswith("q"):
        return int(value[1:]), None
    if value.startswith("m"):
        return None, int(value[1:])
    return None, None


class ProgrammeForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Cơ quan ban hành"), queryset=InspectionProgramme.objects.none()
    )
    year = forms.IntegerField(
        label=_("Năm"), min_value=programme_services.YEAR_MIN, max_value=programme_services.YEAR_MAX
    )
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=programme_services.TITLE_MAX)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.organisations_for(user, Perm.INSPECTION_RUN).current()
        self.fields["organisation"].queryset = organisations.filter(  # type: ignore[attr-defined]
            kind__is_division=False
        ).order_by("path")
        once.add_field(self)  # sent twice: one programme, not "already has one that year"


class ItemForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Cơ quan được kiểm tra"), queryset=InspectionProgramme.objects.none()
    )
    period = forms.ChoiceField(label=_("Thời gian (quý hoặc tháng)"), choices=period_choices)
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    lead = UserChoiceField(
        label=_("Trưởng đoàn"), queryset=InspectionProgramme.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=programme_services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Any, programme: InspectionProgramme, q: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = programme_selectors.item_organisations(  # type: ignore[attr-defined]
            user, programme.year, q
        )
        self.fields["lead"].queryset = inspectors()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        quarter, month = parse_period(d["period"])
        return {
            "organisation": d["organisation"],
            "quarter": quarter,
            "month": month,
            "kind": d["kind"],
            "lead": d["lead"],
            "note": d["note"],
        }


class ApproveForm(forms.Form):
    decision_number = forms.CharField(
        label=_("Số quyết định phê duyệt"),
        required=False,
        max_length=programme_services.DECISION_MAX,
        help_text=_("Ví dụ: 123/QĐ-SNV"),
    )
    decision_on = DateField(label=_("Ngày quyết định"), required=False)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm cơ quan (không cần dấu)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    years = forms.IntegerField(
        label=_("Số năm"),
        required=False,
        min_value=1,
        max_value=programme_selectors.YEARS_MAX,
    )


class ReasonForm(forms.Form):
    """Opening an amendment, cancelling an item: a reason (required by the service)."""

    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=programme_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RescheduleForm(forms.Form):
    period = forms.ChoiceField(label=_("Thời gian mới (quý hoặc tháng)"), choices=period_choices)
    reason = forms.CharField(
        label=_("Lý do"),
        required=False,
        max_length=programme_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkForm(forms.Form):
    """Several organisations at once: ticked from the (searchable) list, every one of a
    kind, or every one not inspected in the last N years; one period, one kind."""

    organisations = ModelMultipleChoiceField(
        label=_("Chọn cơ quan"),
        queryset=InspectionProgramme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation_kind = forms.ModelChoiceField(
        label=_("Mọi cơ quan thuộc loại"),
        queryset=OrganisationKind.objects.filter(is_division=False).order_by("name"),
        required=False,
        empty_label=_("(không chọn)"),
    )
    never_years = forms.IntegerField(
        label=_("Mọi cơ quan chưa được kiểm tra trong số năm qua"),
        required=False,
        min_value=1,
        max_value=programme_selectors.YEARS_MAX,
    )
    period = forms.ChoiceField(label=_("Thời gian (quý hoặc tháng)"), choices=period_choices)
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    lead = UserChoiceField(
        label=_("Trưởng đoàn"), queryset=InspectionProgramme.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=programme_services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Any, programme: InspectionProgramme, q: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        scope = programme_selectors.item_organisations(user, programme.year)
        self.fields["organisations"].queryset = scope  # type: ignore[attr-defined]
        # The page shows the list narrowed by the search (without accents); the ticked boxes
        # are kept when the form comes back with an error.
        self.listed = list(programme_selectors.item_organisations(user, programme.year, q)[:LISTED])
        picked = self.data.getlist("organisations") if hasattr(self.data, "getlist") else []
        self.ticked = {str(pk) for pk in picked}
        self.fields["lead"].queryset = inspectors()  # type: ignore[attr-defined]
        once.add_field(self)

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        quarter, month = parse_period(d["period"])
        return {
            "quarter": quarter,
            "month": month,
            "kind": d["kind"],
            "lead": d["lead"],
            "note": d["note"],
        }


class BulkChangeForm(forms.Form):
    """Ticked items of an approved programme cancelled or rescheduled through the amendment
    in preparation, with one reason (and one new period)."""

    ACTIONS = (("cancel", _("Hủy các mục đã chọn")), ("reschedule", _("Đổi thời gian các mục")))

    items = ModelMultipleChoiceField(
        label=_("Chọn mục kế hoạch"),
        queryset=ProgrammeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    action = forms.ChoiceField(label=_("Thay đổi"), choices=ACTIONS, widget=forms.RadioSelect)
    period = forms.ChoiceField(
        label=_("Thời gian mới (khi đổi thời gian)"), choices=period_choices, required=False
    )
    reason = forms.CharField(
        label=_("Lý do (chung cho các mục)"),
        required=False,
        max_length=programme_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, programme: InspectionProgramme, q: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        live = programme.items.filter(cancelled_at__isnull=True).select_related(
            "organisation", "programme"
        )
        self.fields["items"].queryset = live  # type: ignore[attr-defined]
        # The list shown is narrowed by the search (without accents); what was ticked stays
        # ticked when the form comes back with an error.
        shown = live.order_by("quarter", "month", "organisation__path")
        if q:
            shown = shown.filter(organisation__in=Organisation.objects.search(q))
        self.listed = list(shown[:LISTED])
        picked = self.data.getlist("items") if hasattr(self.data, "getlist") else []
        self.ticked = {str(pk) for pk in picked}
