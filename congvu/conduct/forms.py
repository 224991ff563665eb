"""Forms parse input only; the services decide and say what is wrong."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from congvu.organisations.models import Organisation

from .models import Clause, CodeVersion, Section

REQUIRED = {"required": _("Vui lòng nhập thông tin này. / This field is required.")}
TOO_LONG = _("Nội dung quá dài (tối đa %(limit_value)d ký tự). / Too long (max %(limit_value)d).")


def _text(label: Any, max_length: int, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={**REQUIRED, "max_length": TOO_LONG},
        **kwargs,
    )


def _area(label: Any, *, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=REQUIRED,
        **kwargs,
    )


ORDER = forms.IntegerField(
    label=_("Thứ tự"),
    required=False,
    min_value=0,
    max_value=100000,
    error_messages={
        "invalid": _("Vui lòng nhập một số. / Please enter a number."),
        "min_value": _("Không được âm. / Must not be negative."),
        "max_value": _("Số quá lớn. / Number too large."),
    },
)


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class VersionChoiceField(forms.ModelChoiceField[CodeVersion]):
    def label_from_instance(self, obj: CodeVersion) -> str:
        return f"{obj.scope.code} · {obj.title} ({obj.version}, {obj.get_status_display()})"


class DraftCreateForm(forms.Form):
    scope = OrganisationChoiceField(
        label=_("Phạm vi áp dụng"),
        queryset=Organisation.objects.none(),
        empty_label=_("— Chọn cơ quan —"),
        help_text=_(
            "Chọn UBND tỉnh cho bộ quy tắc của tỉnh; chọn cơ quan để tạo bộ quy tắc bổ sung "
            "riêng của cơ quan."
        ),
        error_messages={
            **REQUIRED,
            "invalid_choice": _("Phạm vi không hợp lệ. / Invalid scope."),
        },
    )
    title = _text(_("Tên bộ quy tắc"), 300)
    version = _text(_("Phiên bản"), 40, help_text=_("Ví dụ: 2026.1"))
    based_on = VersionChoiceField(
        label=_("Sao chép nội dung từ"),
        queryset=CodeVersion.objects.none(),
        required=False,
        empty_label=_("(không sao chép — bắt đầu trống)"),
        error_messages={"invalid_choice": _("Phiên bản không hợp lệ. / Invalid version.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from congvu.accounts import access
        from congvu.accounts.access import Perm

        super().__init__(*args, **kwargs)
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ModelChoiceField)
        scope_field.queryset = (
            access.organisations_for(user, Perm.CATALOGUE_MANAGE)
            .current()
            .filter(kind__is_division=False)
            .order_by("path")
        )
        based_field = self.fields["based_on"]
        assert isinstance(based_field, forms.ModelChoiceField)
        based_field.queryset = (
            CodeVersion.objects.visible_to(user)
            .select_related("scope")
            .order_by("scope__path", "-created_at")
        )


class VersionForm(forms.Form):
    title = _text(_("Tên bộ quy tắc"), 300)
    version = _text(_("Phiên bản"), 40)
    source_document = _text(_("Văn bản nguồn"), 300, required=False)
    note = _area(_("Ghi chú"), required=False)

    @classmethod
    def initial_for(cls, version: CodeVersion) -> dict[str, Any]:
        return {f: getattr(version, f) for f in cls.base_fields}


class SectionForm(forms.Form):
    code = _text(_("Mã mục"), 20, help_text=_("Ví dụ: II.4"))
    title = _text(_("Tên mục"), 300)
    intro = _area(_("Nội dung chung"), required=False)
    order = ORDER
    is_incomplete = forms.BooleanField(
        label=_("Nội dung chưa đầy đủ (hiển thị “Nội dung đang được bổ sung”)"), required=False
    )
    note = _area(_("Ghi chú biên tập"), required=False)

    @classmethod
    def initial_for(cls, section: Section) -> dict[str, Any]:
        return {f: getattr(section, f) for f in cls.base_fields}


class ClauseForm(forms.Form):
    code = _text(_("Mã chuẩn mực"), 30, help_text=_("Ví dụ: II.1.c hoặc II.2.a.1"))
    short_title = _text(_("Tên ngắn"), 200)
    short_title_en = _text(
        _("Tên ngắn (tiếng Anh)"),
        200,
        required=False,
        help_text=_("Cho người đọc chọn tiếng Anh; để trống thì dùng tên tiếng Việt."),
    )
    parent = forms.ModelChoiceField(
        label=_("Thuộc điều khoản"),
        queryset=Clause.objects.none(),
        required=False,
        empty_label=_("(không — điều khoản độc lập)"),
        error_messages={"invalid_choice": _("Điều khoản cha không hợp lệ. / Invalid parent.")},
    )
    text = _area(_("Nội dung"))
    plain_text = _text(
        _("Diễn giải cho người dân"), 300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plain_text_en = _text(
        _("Diễn giải cho người dân (tiếng Anh)"),
        300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Cho người đọc chọn tiếng Anh; để trống thì dùng diễn giải tiếng Việt."),
    )
    applies_to = forms.ChoiceField(
        label=_("Áp dụng cho"), choices=Clause.AppliesTo.choices, error_messages=REQUIRED
    )
    rateable = forms.BooleanField(label=_("Người dân đánh giá được"), required=False)
    rating_question = _text(
        _("Câu hỏi trên phiếu đánh giá"),
        300,
        required=False,
        help_text=_("Để trống thì phiếu dùng phần diễn giải cho người dân."),
    )
    rating_question_en = _text(
        _("Câu hỏi trên phiếu đánh giá (tiếng Anh)"),
        300,
        required=False,
        help_text=_(
            "Cho người dân chọn tiếng Anh. Để trống: phiếu hỏi câu tiếng Việt ở trên; "
            "nếu câu đó cũng trống, phiếu hỏi phần diễn giải bằng tiếng Anh (nếu có)."
        ),
    )
    rating_yes_is_breach = forms.BooleanField(label=_("Trả lời “có” là vi phạm"), required=False)
    observable = forms.BooleanField(label=_("Kiểm tra được khi thanh tra"), required=False)
    default_severity = forms.ChoiceField(
        label=_("Mức độ mặc định"), choices=Clause.Severity.choices, error_messages=REQUIRED
    )
    keywords = _text(_("Từ khóa"), 300, required=False, help_text=_("Cách nhau bằng dấu phẩy."))
    order = ORDER
    is_incomplete = forms.BooleanField(label=_("Nội dung chưa đầy đủ"), required=False)
    note = _area(_("Ghi chú biên tập"), required=False)

    def __init__(self, *args: Any, section: Section, exclude_pk: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        qs = Clause.objects.filter(section=section, parent__isnull=True)
        if exclude_pk is not None:
            qs = qs.exclude(pk=exclude_pk)
        parent_field.queryset = qs.order_by("order", "code")

    @classmethod
    def initial_for(cls, clause: Clause) -> dict[str, Any]:
        return {f: getattr(clause, f) for f in cls.base_fields}


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
