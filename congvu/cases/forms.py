"""Forms of the back-office case pages: they parse input; the services decide and write."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Final

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congvu.accounts.models import User
from congvu.conduct.models import Clause, CodeVersion
from congvu.core import once, stale
from congvu.core.forms import DateField, ModelMultipleChoiceField, MonthInput
from congvu.organisations.fields import OrganisationChoiceField
from congvu.organisations.models import Organisation, StaffMember

from . import selectors, unattended
from .models import (
    Case,
    CaseTag,
    DisciplineDecision,
    DisciplineForm,
    RoutingRule,
    Track,
    TrackClock,
)

TEXT_MAX = 10_000
MAX_FILES = 10
#: Internal intake records what reached an officer outside the web.
INTAKE_CHANNELS = (
    Case.Channel.PHONE,
    Case.Channel.LETTER,
    Case.Channel.IN_PERSON,
    Case.Channel.INSPECTION,
    Case.Channel.FLAGGED_RATING,
)


class ClauseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.reader_label


class ClauseMultipleChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.reader_label


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check type, size and content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(items) > MAX_FILES:
            raise forms.ValidationError(
                _("Tối đa %(n)s tệp một lần. / At most %(n)s files at a time."),
                params={"n": MAX_FILES},
            )
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def body_field(label: Any, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def active_clauses() -> QuerySet[Clause]:
    """Clauses of the catalogue versions in force (the standards a case may cite)."""
    return (
        Clause.objects.filter(section__version__status=CodeVersion.Status.ACTIVE)
        .select_related("section")
        .order_by("section__version_id", "section__order", "order", "code")
    )


# --- the list ---------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm vụ việc"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("mã, tên người bị phản ánh, nội dung…"),
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Case.Status.choices]
    )
    track = forms.ChoiceField(
        label=_("Loại đơn"), required=False, choices=[("", _("Tất cả")), *Track.choices]
    )
    organisation = OrganisationChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Tất cả"),
    )
    due = forms.ChoiceField(
        label=_("Thời hạn"),
        required=False,
        choices=[("", _("Tất cả")), ("due_soon", _("Sắp đến hạn")), ("overdue", _("Quá hạn"))],
    )
    clause = ClauseChoiceField(
        label=_("Chuẩn mực"),
        required=False,
        queryset=Clause.objects.none(),
        empty_label=_("Tất cả"),
    )
    month = forms.CharField(
        label=_("Tháng tiếp nhận"),
        required=False,
        max_length=7,
        widget=MonthInput,
    )
    outcome = forms.ChoiceField(
        label=_("Kết luận"), required=False, choices=[("", _("Tất cả")), *Case.Outcome.choices]
    )
    assigned = forms.ChoiceField(
        label=_("Người xử lý"),
        required=False,
        choices=[("", _("Tất cả")), ("me", _("Giao cho tôi")), ("none", _("Chưa giao"))],
    )
    tag = forms.CharField(
        label=_("Nhãn"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    discipline = forms.ChoiceField(
        label=_("Kỷ luật"),
        required=False,
        choices=[("", _("Tất cả")), ("proposed", _("Đề xuất chờ quyết định"))],
    )
    unattended = forms.ChoiceField(
        label=_("Cơ quan xử lý"),
        required=False,
        choices=[("", _("Tất cả")), ("yes", _("Chưa có người xử lý"))],
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        oversees: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not oversees:
            # Only those overseeing the cases are shown them (`unattended`); a handler's
            # own organisation has them by definition.
            del self.fields["unattended"]
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("path")
        clause = self.fields["clause"]
        assert isinstance(clause, forms.ModelChoiceField)
        clause.queryset = active_clauses()

    def clean_month(self) -> dt.date | None:
        value: str = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value) or re.fullmatch(
            r"(\d{1,2})/(\d{4})", value
        )
        if match is None:
            raise forms.ValidationError(
                _("Tháng không hợp lệ (ví dụ 05/2026). / Invalid month (e.g. 05/2026).")
            )
        a, b = match.groups()
        year, month = (int(a), int(b)) if len(a) == 4 else (int(b), int(a))
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise forms.ValidationError(
                _("Tháng không hợp lệ (ví dụ 05/2026). / Invalid month (e.g. 05/2026).")
            )
        return dt.date(year, month, 1)


def list_filters(user: User, data: Any) -> tuple[CaseFilterForm, selectors.CaseFilters]:
    """The case list's filter form on `data` (a query string's QueryDict) and what it
    selects; the page, the export and the background export's worker read the same."""
    form = CaseFilterForm(
        data or None,
        organisations=Organisation.objects.visible_to(user).filter(kind__is_division=False),
        oversees=unattended.oversees(user),
    )
    form.is_valid()  # invalid filters are reported on the form and ignored
    data = getattr(form, "cleaned_data", {})
    clause = data.get("clause")
    filters = selectors.CaseFilters(
        status=data.get("status") or "",
        track=data.get("track") or "",
        organisation=data.get("organisation"),
        due=data.get("due") or "",
        clause_id=clause.pk if clause is not None else None,
        month=data.get("month"),
        outcome=data.get("outcome") or "",
        q=data.get("q") or "",
        assignee_id=user.pk if data.get("assigned") == "me" else None,
        unassigned=data.get("assigned") == "none",
        tag=data.get("tag") or "",
        discipline_proposed=data.get("discipline") == "proposed",
        unattended=data.get("unattended") == "yes",
    )
    return form, filters


class DashboardFilterForm(forms.Form):
    date_from = DateField(label=_("Từ ngày"), required=False)
    date_to = DateField(label=_("Đến ngày"), required=False)
    organisation = OrganisationChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Tất cả"),
    )
    track = forms.ChoiceField(
        label=_("Loại đơn"), required=False, choices=[("", _("Tất cả")), *Track.choices]
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error(
                "date_to",
                _("Ngày kết thúc trước ngày bắt đầu. / The end date is before the start date."),
            )
        if first and last and (last - first).days > 366 * 10:
            self.add_error("date_from", _("Tối đa 10 năm. / At most 10 years."))
        return data


# --- actions on a case ------------------------------------------------------------------------


def _status_of(case: Case) -> dict[str, str]:
    return {"status": str(case.status)}


def _moved_meanwhile(case: Case) -> str:
    return _(
        "Vụ việc đã chuyển sang trạng thái “%(status)s” trong lúc bạn xem; chưa thay đổi "
        "gì. Hãy xem lại rồi chọn thao tác phù hợp; ghi chú của bạn vẫn được giữ bên dưới. "
        "/ The case moved to “%(status)s” while you were viewing it; nothing was changed. "
        "Review it and choose again; your note is kept below."
    ) % {"status": Case.Status(case.status).label}


#: The fields a move requires (`TransitionForm.clean`).
MOVE_NEEDS: Final = {
    Case.Status.REJECTED.value: ("reject_reason",),
    Case.Status.CONCLUDED.value: ("outcome", "conclusion"),
}


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Chuyển sang"), choices=Case.Status.choices)
    # Shown with the new status to both parties (the reporter on the tracking page, the
    # staff member concerned on theirs): the label says so, as the internal note's does.
    note = body_field(
        _("Ghi chú gửi các bên (người phản ánh và người bị phản ánh đều xem được)"),
        required=False,
        rows=2,
    )
    reject_reason = forms.ChoiceField(
        label=_("Lý do không thụ lý"),
        required=False,
        choices=[("", "—"), *Case.RejectReason.choices],
    )
    outcome = forms.ChoiceField(
        label=_("Kết luận"), required=False, choices=[("", "—"), *Case.Outcome.choices]
    )
    conclusion = body_field(_("Nội dung kết luận"), required=False, rows=5)

    def __init__(self, *args: Any, case: Case, allowed: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        if not self.is_bound:
            field.choices = [(v, label) for v, label in Case.Status.choices if v in allowed]
        # Sent: any status; the workflow says whether the case may move there now, after
        # the form's version (the status it was drawn for) says whether it moved meanwhile.
        stale.add_field(self, case, _status_of, message=_moved_meanwhile)
        # What `clean` requires for the move this form is for, said to assistive technology
        # (the fields stay optional for the other moves the same form class serves).
        to = self.data.get(self.add_prefix("to")) if self.is_bound else self.initial.get("to")
        for name in MOVE_NEEDS.get(str(to or ""), ()):
            self.fields[name].widget.attrs["aria-required"] = "true"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        to = data.get("to")
        if to == Case.Status.REJECTED and not data.get("reject_reason"):
            self.add_error(
                "reject_reason",
                _("Chọn lý do không thụ lý. / Choose the reason for rejecting."),
            )
        if to == Case.Status.CONCLUDED:
            if not data.get("outcome"):
                self.add_error("outcome", _("Chọn kết luận. / Choose the outcome."))
            if not (data.get("conclusion") or "").strip():
                self.add_error("conclusion", _("Ghi nội dung kết luận. / Write the conclusion."))
        return data


class SentOnceForm(forms.Form):
    """A form that adds something to a case: sent twice (a double tap, Back and send
    again), it adds it once (`core.once`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once.add_field(self)


class NoteForm(SentOnceForm):
    body = body_field(_("Ghi chú nội bộ (người phản ánh và người bị phản ánh không xem được)"))
    attachments = MultipleFileField(label=_("Tệp đính kèm"))


class ReporterMessageForm(SentOnceForm):
    body = body_field(_("Nội dung gửi người phản ánh"))
    attachments = MultipleFileField(label=_("Tệp đính kèm"))


class StatementRequestForm(SentOnceForm):
    body = body_field(_("Nội dung yêu cầu giải trình gửi người bị phản ánh"))
    attachments = MultipleFileField(label=_("Tệp đính kèm"))


class RevealIdentityForm(SentOnceForm):
    """An overseer's reason for seeing who reported a case (`cases.identity`). Checked by
    the service (10–500 characters), which says what is wrong in both languages."""

    reason = forms.CharField(
        label=_("Lý do cần xem danh tính (được ghi lại, người xử lý vụ việc được biết)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
    )


class ExtendForm(forms.Form):
    reason = body_field(_("Lý do gia hạn (bằng văn bản, thông báo cho các bên)"), rows=3)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.username})"


class AssignForm(forms.Form):
    assignee = UserChoiceField(
        label=_("Cán bộ được giao xử lý"), queryset=User.objects.none(), empty_label=None
    )
    reason = body_field(_("Lý do (bắt buộc khi giao lại cho người khác)"), required=False, rows=2)

    def __init__(self, *args: Any, eligible: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = eligible
        field.error_messages["invalid_choice"] = _(
            "Người này không được xử lý vụ việc của cơ quan xử lý. / This person may not handle "
            "the cases of the handling organisation."
        )


class UnassignForm(forms.Form):
    reason = body_field(_("Lý do"), required=False, rows=2)


class CaseTagsForm(forms.Form):
    tags = ModelMultipleChoiceField(
        label=_("Nhãn"),
        required=False,
        queryset=CaseTag.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, offered: QuerySet[CaseTag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = offered
        field.error_messages["invalid_choice"] = _(
            "Không tìm thấy nhãn: %(value)s. / Unknown tag: %(value)s."
        )


class LinkDuplicateForm(forms.Form):
    main_code = forms.CharField(label=_("Mã vụ việc chính"), max_length=20)

    def clean_main_code(self) -> str:
        return self.cleaned_data["main_code"].strip().upper()


class ProposeForm(forms.Form):
    form = forms.ModelChoiceField(
        label=_("Hình thức kỷ luật"), queryset=DisciplineForm.objects.none()
    )
    conduct_date = DateField(label=_("Ngày có hành vi vi phạm"))
    note = body_field(_("Nội dung đề xuất"), required=False, rows=3)

    def __init__(self, *args: Any, forms_allowed: QuerySet[DisciplineForm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["form"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = forms_allowed


class DecideForm(forms.Form):
    decision = forms.ModelChoiceField(
        queryset=DisciplineDecision.objects.none(), widget=forms.HiddenInput
    )
    number = forms.CharField(label=_("Số quyết định"), max_length=60)
    decided_on = DateField(label=_("Ngày quyết định"))
    file = forms.FileField(label=_("Tệp quyết định"), required=False)

    def __init__(self, *args: Any, decisions: QuerySet[DisciplineDecision], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = decisions


class StatementForm(SentOnceForm):
    body = body_field(_("Nội dung giải trình"), rows=6)
    attachments = MultipleFileField(label=_("Tệp đính kèm (ảnh, PDF, âm thanh)"))


# --- internal intake --------------------------------------------------------------------------


class IntakeForm(SentOnceForm):
    channel = forms.ChoiceField(
        label=_("Kênh tiếp nhận"),
        choices=[(c.value, c.label) for c in INTAKE_CHANNELS],
    )
    track = forms.ChoiceField(label=_("Loại đơn"), choices=Track.choices, initial=Track.FEEDBACK)
    staff_code = forms.CharField(
        label=_("Mã cán bộ bị phản ánh (nếu biết)"),
        required=False,
        max_length=40,
        help_text=_("Để trống nếu không biết; khi đó chọn cơ quan và mô tả người bị phản ánh."),
    )
    organisation = OrganisationChoiceField(
        label=_("Cơ quan bị phản ánh"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
    )
    subject_description = forms.CharField(
        label=_("Mô tả người bị phản ánh"), required=False, max_length=300
    )
    clauses = ClauseMultipleChoiceField(
        label=_("Chuẩn mực bị vi phạm"),
        required=False,
        queryset=Clause.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    other_standard = forms.CharField(label=_("Hành vi khác"), required=False, max_length=300)
    occurred_on = DateField(label=_("Ngày xảy ra"), required=False)
    occurred_place = forms.CharField(label=_("Nơi xảy ra"), required=False, max_length=300)
    description = body_field(_("Nội dung phản ánh"), rows=6)
    is_anonymous = forms.BooleanField(
        label=_("Người phản ánh không cho biết danh tính (ẩn danh)"), required=False
    )
    reporter_name = forms.CharField(
        label=_("Họ tên người phản ánh"), required=False, max_length=120
    )
    reporter_phone = forms.CharField(label=_("Điện thoại"), required=False, max_length=20)
    reporter_email = forms.EmailField(label=_("Thư điện tử"), required=False, max_length=200)
    attachments = MultipleFileField(label=_("Tệp, ảnh chứng cứ"))

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        staff: QuerySet[StaffMember],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("path")
        clauses = self.fields["clauses"]
        assert isinstance(clauses, ModelMultipleChoiceField)
        clauses.queryset = active_clauses()

    def clean_staff_code(self) -> StaffMember | None:
        code = self.cleaned_data["staff_code"].strip()
        if not code:
            return None
        member = self.staff.filter(staff_code__iexact=code).first()
        if member is None:
            raise forms.ValidationError(
                _("Không tìm thấy cán bộ có mã này. / No staff member with this code.")
            )
        return member

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "staff_code" in data and data["staff_code"] is None:
            if data.get("organisation") is None and "organisation" not in self.errors:
                self.add_error(
                    "organisation",
                    _(
                        "Chọn cơ quan hoặc nhập mã cán bộ. / "
                        "Choose the organisation or enter the staff code."
                    ),
                )
            if not (data.get("subject_description") or "").strip():
                self.add_error(
                    "subject_description",
                    _("Mô tả người bị phản ánh. / Describe the person concerned."),
                )
        if not data.get("is_anonymous") and not any(
            (data.get(f) or "").strip()
            for f in ("reporter_name", "reporter_phone", "reporter_email")
        ):
            self.add_error(
                "reporter_name",
                _(
                    "Ghi họ tên hoặc cách liên lạc, hoặc chọn ẩn danh. / "
                    "Give a name or a contact, or choose anonymous."
                ),
            )
        return data


# --- rules (Home Affairs) ---------------------------------------------------------------------


def days_field(label: Any, *, low: int = 1, high: int = 365) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=low, max_value=high)


class TrackClockForm(forms.ModelForm[TrackClock]):
    acknowledge_days = days_field(_("Thời hạn tiếp nhận, thụ lý (ngày làm việc)"))
    settle_days = days_field(_("Thời hạn giải quyết (ngày)"))
    # 0 with no extension allowed: the default rules give feedback (phản ánh) none, and
    # that clock must save as it is shown.
    extension_days = days_field(_("Mỗi lần gia hạn thêm (ngày)"), low=0)
    max_extensions = days_field(_("Số lần gia hạn tối đa"), low=0, high=5)
    due_soon_days = days_field(_("Nhắc trước hạn (ngày làm việc)"), high=60)

    class Meta:
        model = TrackClock
        fields = [
            "acknowledge_days",
            "settle_days",
            "settle_in_working_days",
            "extension_days",
            "max_extensions",
            "due_soon_days",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("max_extensions") and data.get("extension_days") == 0:
            self.add_error(
                "extension_days",
                _(
                    "Khi cho phép gia hạn, mỗi lần gia hạn phải từ 1 ngày. / "
                    "When extensions are allowed, each must add at least 1 day."
                ),
            )
        return data


class RoutingRuleForm(forms.ModelForm[RoutingRule]):
    order = days_field(_("Thứ tự"), low=0, high=32000)

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "order",
            "subject_is_leader",
            "organisation_kind",
            "track",
            "route_to",
            "fixed_organisation",
            "is_active",
        ]

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fixed_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations.order_by("path")
        field.empty_label = _("(không có — chỉ dùng khi chuyển đến một cơ quan cố định)")
        kind = self.fields["organisation_kind"]
        assert isinstance(kind, forms.ModelChoiceField)
        kind.empty_label = _("Mọi loại cơ quan")
        # A blank reads "every …" here, as the model's help texts say, not Django's
        # "---------" or "Unknown".
        leader = forms.NullBooleanSelect()
        leader.choices = [
            ("unknown", _("Mọi người")),
            ("true", _("Là lãnh đạo")),
            ("false", _("Không là lãnh đạo")),
        ]
        self.fields["subject_is_leader"].widget = leader
        track = self.fields["track"]
        assert isinstance(track, forms.ChoiceField)
        track.choices = [("", _("Mọi loại đơn")), *Track.choices]
        route_to = self.fields["route_to"]
        assert isinstance(route_to, forms.ChoiceField)
        route_to.choices = [("", _("— Chọn —")), *RoutingRule.Route.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("route_to") == RoutingRule.Route.FIXED and not data.get("fixed_organisation"):
            self.add_error(
                "fixed_organisation",
                _("Chọn cơ quan xử lý cố định. / Choose the fixed handling organisation."),
            )
        return data


class DisciplineFormForm(forms.ModelForm[DisciplineForm]):
    rank = days_field(_("Mức nặng (1 là nhẹ nhất)"), high=100)
    limitation_years = days_field(_("Thời hiệu (năm)"), high=50)

    class Meta:
        model = DisciplineForm
        fields = [
            "name",
            "name_en",
            "rank",
            "limitation_years",
            "for_official",
            "for_civil_servant",
            "for_leader",
            "for_public_employee",
            "for_public_employee_manager",
            "is_active",
        ]


class CaseTagForm(forms.ModelForm[CaseTag]):
    class Meta:
        model = CaseTag
        fields = ["name", "colour", "is_active"]
