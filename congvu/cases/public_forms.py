"""Forms of the citizen's pages: the report form, the tracking form, adding information.

They parse input only; `services.submit_report`, `services.follow` and
`services.add_reporter_information` decide and write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from congvu.core import once
from congvu.core.forms import DateInput
from congvu.organisations.forms import DayField
from congvu.organisations.models import Organisation

from . import uploads
from .models import Track

SUBJECT_MAX = 300
DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 5000
INFORMATION_MAX = 5000
NAME_MAX = 120
PHONE_MAX = 20
SEARCH_MAX = 100

ANONYMOUS = "anonymous"
NAMED = "named"

#: One plain line under each track, for people who do not know the legal words.
TRACK_HELP: dict[str, Any] = {
    Track.FEEDBACK: _(
        "Báo cho cơ quan biết một việc chưa đúng để sửa, ví dụ thái độ thiếu lịch sự, "
        "hướng dẫn không rõ."
    ),
    Track.COMPLAINT: _(
        "Đề nghị xem xét lại một quyết định hoặc việc làm của cơ quan, cán bộ gây thiệt hại "
        "cho chính bạn."
    ),
    Track.DENUNCIATION: _(
        "Báo cho cơ quan có thẩm quyền biết hành vi vi phạm pháp luật của cán bộ, ví dụ "
        "vòi vĩnh, nhận tiền, gây khó khăn để trục lợi."
    ),
}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one input. Only the cheap checks here (count, declared size); the
    content checks (type sniffed from the bytes, metadata stripped) are `uploads`'."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.EVIDENCE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        files = [
            f for f in (super(EvidenceField, self).clean(item, initial) for item in items) if f
        ]
        uploads.check_count(files)
        for file in files:
            uploads.check_declared_size(file)
        return files


def evidence_help() -> str:
    return _(
        "Ảnh (JPG, PNG, WebP), PDF hoặc ghi âm (MP3, M4A, OGG, WAV); tối đa %(count)d tệp, "
        "mỗi tệp không quá %(limit)s. Thông tin có thể nhận ra bạn (vị trí GPS trong ảnh và bản "
        "ghi âm, tên tác giả trong PDF, nhãn của bản ghi âm) được xóa trước khi lưu."
    ) % {"count": uploads.MAX_FILES, "limit": filesizeformat(uploads.max_bytes())}


class ReportDayField(DayField):
    # The citizen's form stays light: the text box, no calendar.
    widget = DateInput(picker=False)


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class ReportForm(forms.Form):
    """The citizen's report. `staff` fixed (from a badge) or an organisation picked."""

    # The two search boxes: filled, they only narrow what the page lists.
    org_q = _text(_("Tìm cơ quan"), SEARCH_MAX, widget=forms.TextInput(attrs={"type": "search"}))
    clause_q = _text(
        _("Tìm chuẩn mực"),
        SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("ví dụ: vòi vĩnh")}),
    )

    organisation = forms.ModelChoiceField(
        label=pgettext_lazy("một cơ quan", "Cơ quan, đơn vị"),
        queryset=Organisation.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Cơ quan này không còn trong danh sách; hãy chọn lại. / "
                "This organisation is no longer listed; choose again."
            )
        },
    )
    subject_description = _text(
        _("Người bị phản ánh"),
        SUBJECT_MAX,
        help_text=_("Họ tên nếu bạn biết, chức vụ, số quầy, đặc điểm để nhận ra."),
    )
    track = forms.ChoiceField(
        label=_("Loại đơn"), choices=Track.choices, initial=Track.FEEDBACK, widget=forms.RadioSelect
    )
    clauses = forms.TypedMultipleChoiceField(
        label=_("Chuẩn mực bị vi phạm"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Chuẩn mực đã chọn không áp dụng ở cơ quan này; hãy chọn lại. / "
                "A chosen standard does not apply here; choose again."
            )
        },
    )
    other_standard = _text(
        _("Hành vi khác"), SUBJECT_MAX, help_text=_("Nếu không thấy trong danh sách.")
    )
    occurred_on = ReportDayField(label=_("Ngày xảy ra"), required=False)
    occurred_place = _text(
        _("Nơi xảy ra"), SUBJECT_MAX, help_text=_("Ví dụ: Bộ phận một cửa, quầy số 3.")
    )
    description = forms.CharField(
        label=_("Nội dung phản ánh"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Hãy kể lại việc đã xảy ra. / Please describe what happened."),
            "max_length": _(
                "Nội dung dài quá %(limit_value)d ký tự. / "
                "The description is longer than %(limit_value)d characters."
            ),
        },
    )
    evidence = EvidenceField(label=_("Ảnh, tài liệu, ghi âm làm bằng chứng"))
    identity = forms.ChoiceField(
        label=_("Bạn muốn gửi"),
        choices=[(ANONYMOUS, _("Ẩn danh")), (NAMED, _("Có ghi tên"))],
        initial=ANONYMOUS,
        widget=forms.RadioSelect,
    )
    reporter_name = _text(
        _("Họ và tên"), NAME_MAX, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    reporter_phone = _text(
        _("Số điện thoại"),
        PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    reporter_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Địa chỉ thư điện tử không hợp lệ. / Invalid e-mail address.")
        },
    )

    def __init__(
        self,
        *args: Any,
        fixed_staff: bool,
        organisations: Any,
        clause_ids: Sequence[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        field.required = not fixed_staff
        self.fixed_staff = fixed_staff
        if not fixed_staff:
            # Required by `clean` when no badge names the person (the field stays optional
            # for the form, so the browser does not refuse it before the search buttons).
            self.fields["subject_description"].widget.attrs["aria-required"] = "true"
        clauses = self.fields["clauses"]
        assert isinstance(clauses, forms.ChoiceField)
        clauses.choices = [(pk, str(pk)) for pk in clause_ids]
        self.fields["description"].help_text = _(
            "Tối đa %(limit)d ký tự. Đừng ghi thông tin cá nhân không cần thiết."
        ) % {"limit": DESCRIPTION_MAX}
        self.fields["evidence"].help_text = evidence_help()
        once.add_field(self)

    def clean_organisation(self) -> Organisation | None:
        organisation: Organisation | None = self.cleaned_data.get("organisation")
        if self.fixed_staff:
            return None
        if organisation is None:
            raise ValidationError(
                _("Hãy chọn cơ quan, đơn vị. / Choose the organisation."), code="required"
            )
        return organisation

    def clean_occurred_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("occurred_on")
        if day is not None and day > timezone.localdate():
            raise ValidationError(
                _("Ngày xảy ra không thể ở tương lai. / The date cannot be in the future."),
                code="future",
            )
        return day

    def clean_description(self) -> str:
        text = str(self.cleaned_data.get("description", "")).strip()
        if len(text) < DESCRIPTION_MIN:
            raise ValidationError(
                _(
                    "Hãy kể rõ hơn (ít nhất %(min)d ký tự). / "
                    "Please describe it in more detail (at least %(min)d characters)."
                ),
                params={"min": DESCRIPTION_MIN},
                code="short",
            )
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        if not self.fixed_staff and not data.get("subject_description", "").strip():
            self.add_error(
                "subject_description",
                ValidationError(
                    _(
                        "Hãy mô tả người bị phản ánh (họ tên, chức vụ hoặc số quầy). / "
                        "Describe the person (name, position or counter)."
                    ),
                    code="required",
                ),
            )
        if not data.get("clauses") and not data.get("other_standard", "").strip():
            self.add_error(
                "clauses",
                ValidationError(
                    _(
                        "Hãy chọn ít nhất một chuẩn mực, hoặc ghi hành vi khác. / "
                        "Choose at least one standard, or describe another behaviour."
                    ),
                    code="required",
                ),
            )
        if data.get("identity") == NAMED:
            if not data.get("reporter_name", "").strip():
                self.add_error(
                    "reporter_name",
                    ValidationError(
                        _(
                            "Hãy nhập họ tên, hoặc chọn gửi ẩn danh. / "
                            "Enter your name, or send anonymously."
                        ),
                        code="required",
                    ),
                )
            if (
                not data.get("reporter_phone", "").strip()
                and not data.get("reporter_email", "").strip()
                and "reporter_email" not in self.errors
            ):
                self.add_error(
                    "reporter_phone",
                    ValidationError(
                        _(
                            "Hãy để lại số điện thoại hoặc thư điện tử để cơ quan liên hệ. / "
                            "Leave a phone number or an e-mail address."
                        ),
                        code="required",
                    ),
                )
        return data

    @property
    def is_anonymous(self) -> bool:
        return self.cleaned_data.get("identity") != NAMED


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Mã theo dõi"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Hãy nhập mã theo dõi. / Enter the tracking code.")},
    )
    passphrase = forms.CharField(
        label=_("Mật khẩu theo dõi"),
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Hãy nhập mật khẩu theo dõi. / Enter the passphrase.")},
    )

    def clean_code(self) -> str:
        # Spaces, case and the "PA-" prefix are forgiven by `reporter.normalise_code`.
        return str(self.cleaned_data.get("code", "")).strip()


class InformationForm(forms.Form):
    text = forms.CharField(
        label=_("Thông tin bổ sung"),
        max_length=INFORMATION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Hãy nhập nội dung bổ sung. / Enter the information to add."),
            "max_length": _(
                "Nội dung dài quá %(limit_value)d ký tự. / "
                "The text is longer than %(limit_value)d characters."
            ),
        },
    )
    evidence = EvidenceField(label=_("Thêm ảnh, tài liệu, ghi âm"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once.add_field(self)  # sent twice (a double tap, Back), added once
