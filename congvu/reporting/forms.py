"""Forms parse input only; the services decide and say what is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import once, stale
from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.organisations.fields import OrganisationChoiceField
from congvu.organisations.models import Organisation, OrganisationKind
from congvu.planning.models import Plan

from . import services
from .models import OrganisationReport, ReportPeriod

S = OrganisationReport.Status

REQUIRED = {"required": _("Vui lòng nhập thông tin này. / This field is required.")}
DATE_ERRORS = {
    **REQUIRED,
    "invalid": _("Ngày không hợp lệ (dd/mm/yyyy). / Invalid date (dd/mm/yyyy)."),
}


def _date(label: Any) -> forms.DateField:
    return DateField(label=label, error_messages=DATE_ERRORS)


def _text(label: Any, max_length: int, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, error_messages=REQUIRED
    )


def _area(label: Any, rows: int = 8) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, max_length=50000, widget=forms.Textarea(attrs={"rows": rows})
    )


def default_due_on(today: dt.date) -> dt.date:
    """The creation form's due date: 15/11 of this year, or, once that has passed, ten
    working days from today (`services.yearly_due_on`), so that a period opened late is
    not overdue from its first day. A date typed in the past is still accepted
    (back-filling an old period); the page then warns (`views.warn_if_past_due`)."""
    return services.yearly_due_on(today.year, today)


class PeriodForm(forms.Form):
    issuing_organisation = OrganisationChoiceField(
        label=_("Cơ quan yêu cầu báo cáo"),
        queryset=Organisation.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
        error_messages=REQUIRED,
    )
    name = _text(_("Tên kỳ báo cáo"), 255, required=True)
    kind = forms.ChoiceField(label=_("Loại kỳ"), choices=ReportPeriod.Kind.choices)
    covers_from = _date(_("Số liệu từ ngày"))
    covers_to = _date(_("Số liệu đến ngày"))
    due_on = _date(_("Hạn nộp"))
    plan = forms.ModelChoiceField(
        label=_("Kế hoạch có nhiệm vụ được tính"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("Mọi kế hoạch"),
    )
    reporting_kinds = ModelMultipleChoiceField(
        label=_("Loại cơ quan phải báo cáo"),
        queryset=OrganisationKind.objects.filter(is_division=False),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một loại. / Choose at least one kind.")},
    )
    compiling_organisation = OrganisationChoiceField(
        label=_("Cơ quan tổng hợp"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("(không có)"),
    )
    place = _text(_("Địa danh"), 80)
    number = _text(_("Số, ký hiệu báo cáo tổng hợp"), 60)
    signer_name = _text(_("Người ký"), 120)
    signer_title = _text(_("Chức vụ người ký"), 120)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managed = access.organisations_for(user, Perm.PLAN_MANAGE).current()
        issuers = managed.filter(parent__isnull=True)
        self.fields["issuing_organisation"].queryset = issuers  # type: ignore[attr-defined]
        self.fields["compiling_organisation"].queryset = managed.filter(  # type: ignore[attr-defined]
            depth__lte=1, kind__is_division=False
        )
        self.fields["plan"].queryset = Plan.objects.visible_to(user)  # type: ignore[attr-defined]
        once.add_field(self)  # sent twice (a double tap, Back), one period
        if not self.is_bound:
            year = timezone.localdate().year
            root = issuers.first()
            self.initial.setdefault("issuing_organisation", root)
            self.initial.setdefault("kind", ReportPeriod.Kind.YEARLY)
            self.initial.setdefault("name", f"Báo cáo kết quả thực hiện văn hóa công vụ năm {year}")
            self.initial.setdefault("due_on", default_due_on(timezone.localdate()))
            self.initial.setdefault("covers_from", dt.date(year - 1, 11, 16))
            self.initial.setdefault("covers_to", dt.date(year, 11, 15))
            self.initial.setdefault(
                "reporting_kinds",
                list(
                    OrganisationKind.objects.filter(
                        code__in=("department", "commune_pc", "public_service_unit")
                    )
                ),
            )
            home_affairs = managed.filter(name__iexact="Sở Nội vụ").first()
            self.initial.setdefault("compiling_organisation", home_affairs)


class PeriodEditForm(forms.Form):
    """ "Sửa kỳ báo cáo": what may change once a period is open (`services.update_period`).
    A new due date needs the reason."""

    name = _text(_("Tên kỳ báo cáo"), 255, required=True)
    covers_from = _date(_("Số liệu từ ngày"))
    covers_to = _date(_("Số liệu đến ngày"))
    due_on = _date(_("Hạn nộp"))
    reason = forms.CharField(
        label=_("Lý do đổi hạn nộp (bắt buộc khi đổi hạn nộp)"),
        required=False,
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reporting_kinds = ModelMultipleChoiceField(
        label=_("Loại cơ quan phải báo cáo"),
        queryset=OrganisationKind.objects.filter(is_division=False),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một loại. / Choose at least one kind.")},
    )
    place = _text(_("Địa danh"), 80)
    number = _text(_("Số, ký hiệu báo cáo tổng hợp"), 60)
    signer_name = _text(_("Người ký"), 120)
    signer_title = _text(_("Chức vụ người ký"), 120)

    @classmethod
    def of(cls, period: ReportPeriod, data: Any = None) -> PeriodEditForm:
        form = cls(data, initial=cls.initial_for(period))
        stale.add_field(form, period, cls.initial_for)  # a second tab's save is not undone
        return form

    @staticmethod
    def initial_for(period: ReportPeriod) -> dict[str, Any]:
        return {
            **{name: getattr(period, name) for name in services.EDITABLE_PERIOD_FIELDS},
            "reporting_kinds": {kind.pk for kind in period.reporting_kinds.all()},
        }

    def changes(self) -> dict[str, Any]:
        """The service's keyword arguments (the reason apart)."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in services.EDITABLE_PERIOD_FIELDS},
            "reporting_kinds": list(data["reporting_kinds"]),
        }


class ReportCreateForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Cơ quan báo cáo"),
        queryset=Organisation.objects.none(),
        error_messages={
            **REQUIRED,
            "invalid_choice": _(
                "Bạn không lập được báo cáo kỳ này cho cơ quan đã chọn; hãy chọn cơ quan trong "
                "danh sách. / You may not draft this period's report for that organisation; "
                "choose one from the list."
            ),
        },
    )

    def __init__(
        self, *args: Any, organisations: Any, shown: list[Organisation] | None = None, **kwargs: Any
    ) -> None:
        """`organisations`: where the user may draft (what a choice is checked against);
        `shown`: the options the page lists when there are too many to list them all
        (`ReportChooser`): a search's matches. A POST is checked against all."""
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, OrganisationChoiceField)
        field.queryset = organisations
        if shown is not None:
            field.widget.attrs.pop("data-filter", None)  # the search box filters instead
            field.widget.choices = [
                ("", field.empty_label),
                *((o.pk, field.label_from_instance(o)) for o in shown),
            ]


class NarrativeForm(forms.Form):
    results = _area(_("Kết quả đạt được"), 10)
    shortcomings_and_causes = _area(_("Hạn chế, nguyên nhân"))
    proposals = _area(_("Đề xuất, kiến nghị"))
    number = _text(_("Số, ký hiệu (ví dụ 15/BC-STP)"), 60)
    signer_name = _text(_("Người ký"), 120)
    signer_title = _text(_("Chức vụ người ký"), 120)


class ReviewForm(forms.Form):
    DECISIONS = (
        ("return", _("Trả lại để bổ sung")),
        ("accept", pgettext_lazy("report decision", "Tiếp nhận")),
    )

    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.HiddenInput)
    comments = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PeriodRowsForm(forms.Form):
    """Which organisations of a period's compilation the page lists (the totals count all)."""

    state = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[
            ("", _("Tất cả")),
            ("not_filed", _("Chưa nộp báo cáo")),
            *(
                (status.value, status.label)
                for status in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED)
            ),
            ("late", _("Nộp muộn")),
        ],
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice.")},
    )
