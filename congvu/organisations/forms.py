"""Forms parse input for the organisation and staff pages; the services decide.

Organisations are picked by their code (a text box with a datalist) rather than a
`<select>`: a province has thousands of them. Each field's queryset is already
limited to what the user may act on, so a code outside it reads "not found".
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvu.core import once
from congvu.core.forms import DATE_FORMATS, DateInput, invalid_date_message
from congvu.core.text import as_id

from .models import (
    Organisation,
    OrganisationKind,
    OrganisationQuerySet,
    StaffMember,
    StaffQuerySet,
)

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2200, 12, 31)
SPLIT_PARTS = 4


class DayField(forms.DateField):
    """A dd/mm/yyyy date (ISO accepted) in a sane range, so date arithmetic never overflows.

    Wider than `core.forms.DateField` (2000–2100): an organisation or a staff
    member's post may well date from before 2000.
    """

    widget: type[forms.Widget] | forms.Widget = DateInput
    default_error_messages = {
        "invalid": invalid_date_message(),
        "required": _("Hãy nhập ngày. / Enter a date."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=DATE_FORMATS, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day


class OrganisationField(forms.CharField):
    """An organisation picked by its code among `queryset` (set by the form)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.queryset: OrganisationQuerySet = Organisation.objects.none()
        self.widget.attrs.update({"list": "organisation-codes", "autocomplete": "off"})

    def clean(self, value: Any) -> Organisation | None:
        code = super().clean(value)
        if not code:
            return None
        found = self.queryset.filter(code__iexact=code.strip()).first()
        if found is None:
            raise ValidationError(
                _(
                    "Không tìm thấy cơ quan có mã %(code)s trong phạm vi bạn được quản lý. / "
                    "No organisation with this code within your scope."
                ),
                params={"code": code},
                code="not_found",
            )
        return found


def required_text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        error_messages={"required": _("Trường này là bắt buộc. / This field is required.")},
        **kwargs,
    )


def kind_field(label: Any, **kwargs: Any) -> forms.ModelChoiceField:
    """An organisation kind picked from the list of kinds."""
    return forms.ModelChoiceField(
        label=label,
        queryset=OrganisationKind.objects.all(),
        error_messages={
            "required": _("Hãy chọn loại. / Choose a kind."),
            "invalid_choice": _("Loại không hợp lệ. / Invalid kind."),
        },
        **kwargs,
    )


def today() -> dt.date:
    return timezone.localdate()


class TreeFilterForm(forms.Form):
    day = DayField(label=_("Cây tổ chức tại ngày"), required=False, initial=today)
    q = forms.CharField(label=_("Tìm cơ quan"), required=False, max_length=100)
    kind = kind_field(_("Loại"), required=False, empty_label=_("Mọi loại"))


class NameClashFilterForm(forms.Form):
    """The day of the list of siblings sharing a name: the tree page's `day`, so that its
    banner's link lists the clashes of the tree it stands over."""

    day = DayField(label=_("Tên trùng tại ngày"), required=False, initial=today)


class OrganisationCreateForm(forms.Form):
    code = required_text(_("Mã định danh"), max_length=40)
    name = required_text(_("Tên"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=80, required=False)
    kind = kind_field(_("Loại"))
    valid_from = DayField(label=_("Hiệu lực từ"), initial=today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once.add_field(self)  # sent twice: one unit, not "this code is already used"


class RootForm(OrganisationCreateForm):
    """The top of a province's tree (its People's Committee), made by an administrator on
    an empty installation; the seed catalogue of conduct may be loaded for it at once."""

    seed_catalogue = forms.BooleanField(
        label=_("Nạp bộ chuẩn mực ứng xử mẫu (Quyết định 1847/QĐ-TTg) cho cơ quan này"),
        required=False,
        initial=True,
    )


class RenameForm(forms.Form):
    name = required_text(_("Tên mới"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt mới"), max_length=80, required=False)
    effective = DayField(label=_("Ngày hiệu lực"), initial=today)


class WithdrawRenameForm(forms.Form):
    """Which pending rename to withdraw: the day it was to take effect (one per day)."""

    effective = DayField(label=_("Ngày hiệu lực của tên mới"), widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        once.add_field(self)  # sent twice (a double tap, Back): withdrawn once, then said so


class ScopedForm(forms.Form):
    """A form whose organisation fields are limited to `organisations`."""

    def __init__(self, *args: Any, organisations: OrganisationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, OrganisationField):
                field.queryset = organisations


class MoveForm(ScopedForm):
    parent = OrganisationField(
        label=_("Mã cơ quan cấp trên mới"),
        error_messages={"required": _("Hãy nhập mã cơ quan cấp trên. / Enter the parent's code.")},
    )
    effective = DayField(label=_("Ngày hiệu lực"), initial=today)


class MergeForm(ScopedForm):
    partners = required_text(
        _("Mã các cơ quan hợp nhất cùng"),
        max_length=400,
        help_text=_("Cách nhau bởi dấu phẩy hoặc khoảng trắng."),
    )
    into = OrganisationField(
        label=_("Sáp nhập vào cơ quan có mã"),
        required=False,
        help_text=_("Để trống nếu hợp nhất thành cơ quan mới."),
    )
    new_code = forms.CharField(label=_("Mã cơ quan mới"), max_length=40, required=False)
    new_name = forms.CharField(label=_("Tên cơ quan mới"), max_length=255, required=False)
    new_kind = kind_field(_("Loại cơ quan mới"), required=False)
    effective = DayField(label=_("Ngày hiệu lực"), initial=today)

    def __init__(self, *args: Any, organisations: OrganisationQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, organisations=organisations, **kwargs)
        self.organisations = organisations

    def clean_partners(self) -> list[Organisation]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["partners"]) if c]
        found = {o.code.lower(): o for o in self.organisations.filter(code__in=codes)}
        found.update(
            {
                o.code.lower(): o
                for code in codes
                if code.lower() not in found
                for o in self.organisations.filter(code__iexact=code)[:1]
            }
        )
        missing = [c for c in codes if c.lower() not in found]
        if missing:
            raise ValidationError(
                _(
                    "Không tìm thấy cơ quan có mã %(codes)s trong phạm vi bạn được quản lý. / "
                    "Organisations not found within your scope."
                ),
                params={"codes": ", ".join(missing)},
            )
        return list({o.pk: o for o in found.values()}.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("into") and not (
            data.get("new_code") and data.get("new_name") and data.get("new_kind")
        ):
            raise ValidationError(
                _(
                    "Hãy nhập mã cơ quan tiếp nhận, hoặc mã, tên và loại của cơ quan mới. / "
                    "Enter the receiving organisation's code, or the new organisation's "
                    "code, name and kind."
                )
            )
        if data.get("into") and data.get("new_code"):
            raise ValidationError(
                _(
                    "Chỉ chọn một: cơ quan tiếp nhận có sẵn hoặc cơ quan mới. / "
                    "Choose either an existing organisation or a new one, not both."
                )
            )
        return data


class SplitForm(forms.Form):
    kind = kind_field(_("Loại các cơ quan mới"))
    successor = forms.TypedChoiceField(
        label=_("Cơ quan kế thừa"),
        choices=[(str(i), str(i)) for i in range(1, SPLIT_PARTS + 1)],
        coerce=int,
        initial="1",
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice.")},
    )
    staff_map = forms.CharField(
        label=_("Phân bổ cán bộ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Mỗi dòng: mã cán bộ và số thứ tự cơ quan mới, ví dụ “STP-001 2”. "
            "Cán bộ không được liệt kê chuyển sang cơ quan thứ nhất."
        ),
    )
    effective = DayField(label=_("Ngày hiệu lực"), initial=today)

    def __init__(self, *args: Any, staff: StaffQuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff if staff is not None else StaffMember.objects.none()
        for i in range(1, SPLIT_PARTS + 1):
            self.fields[f"code_{i}"] = forms.CharField(
                label=_("Mã cơ quan mới %(n)d") % {"n": i}, max_length=40, required=False
            )
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Tên cơ quan mới %(n)d") % {"n": i}, max_length=255, required=False
            )
        parts = [f"{f}_{i}" for i in range(1, SPLIT_PARTS + 1) for f in ("code", "name")]
        self.order_fields(["kind", *parts, "successor", "staff_map", "effective"])

    def clean_staff_map(self) -> dict[int, int]:
        mapping: dict[int, int] = {}
        for number, line in enumerate(self.cleaned_data["staff_map"].splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            if len(words) != 2 or as_id(words[1]) is None:
                raise ValidationError(
                    _("Dòng %(n)d không đúng dạng “mã cán bộ số”. / Line %(n)d is malformed."),
                    params={"n": number},
                )
            member = self.staff.filter(staff_code=words[0]).first()
            if member is None:
                raise ValidationError(
                    _(
                        "Dòng %(n)d: không có cán bộ %(code)s trong cơ quan này. / "
                        "Line %(n)d: no such staff member here."
                    ),
                    params={"n": number, "code": words[0]},
                )
            mapping[member.pk] = int(words[1]) - 1
        return mapping

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = []
        for i in range(1, SPLIT_PARTS + 1):
            code, name = data.get(f"code_{i}", ""), data.get(f"name_{i}", "")
            if bool(code) != bool(name):
                self.add_error(
                    f"name_{i}" if code else f"code_{i}",
                    _("Hãy nhập cả mã và tên. / Enter both the code and the name."),
                )
            if code and name:
                parts.append((code, name))
        if len(parts) < 2:
            raise ValidationError(
                _(
                    "Hãy nhập ít nhất hai cơ quan mới (mã và tên). / "
                    "Enter at least two new organisations (code and name)."
                )
            )
        data["parts"] = parts
        if data.get("successor") and data["successor"] > len(parts):
            self.add_error(
                "successor",
                _("Cơ quan kế thừa phải là một cơ quan đã nhập. / Pick one of the entered parts."),
            )
        if any(index >= len(parts) for index in data.get("staff_map", {}).values()):
            self.add_error(
                "staff_map",
                _("Số thứ tự cơ quan mới không hợp lệ. / A part number is out of range."),
            )
        return data


class DissolveForm(ScopedForm):
    effective = DayField(label=_("Ngày hiệu lực"), initial=today)
    successor = OrganisationField(label=_("Mã cơ quan kế thừa"), required=False)
    move_staff_to = OrganisationField(label=_("Chuyển cán bộ sang cơ quan có mã"), required=False)
    move_children_to = OrganisationField(
        label=_("Chuyển đơn vị trực thuộc sang cơ quan có mã"), required=False
    )


class StaffFilterForm(ScopedForm):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=100)
    organisation = OrganisationField(label=_("Mã cơ quan"), required=False)
    category = forms.ChoiceField(
        label=_("Loại cán bộ"),
        choices=[("", _("Tất cả")), *StaffMember.Category.choices],
        required=False,
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice.")},
    )
    active = forms.ChoiceField(
        label=_("Tình trạng"),
        choices=[("", _("Tất cả")), ("1", _("Đang công tác")), ("0", _("Đã thôi công tác"))],
        required=False,
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice.")},
    )


class StaffForm(ScopedForm):
    full_name = required_text(_("Họ và tên"), max_length=120)
    staff_code = required_text(_("Mã cán bộ"), max_length=40)
    category = forms.ChoiceField(
        label=_("Loại cán bộ"),
        choices=StaffMember.Category.choices,
        error_messages={
            "required": _("Hãy chọn loại cán bộ. / Choose a category."),
            "invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice."),
        },
    )
    position_title = forms.CharField(label=_("Chức vụ"), max_length=160, required=False)
    is_leader = forms.BooleanField(label=_("Là lãnh đạo, quản lý"), required=False)
    organisation = OrganisationField(
        label=_("Mã cơ quan"),
        error_messages={"required": _("Hãy nhập mã cơ quan. / Enter the organisation's code.")},
    )
    division = OrganisationField(label=_("Mã phòng, bộ phận"), required=False)
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư không hợp lệ. / Invalid e-mail address.")},
    )
    phone = forms.RegexField(
        label=_("Điện thoại"),
        regex=r"^[0-9+().\s-]{0,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": _("Số điện thoại không hợp lệ. / Invalid phone number.")},
    )
    effective = DayField(label=_("Ngày bắt đầu (hoặc ngày thay đổi nơi công tác)"), initial=today)

    def clean_effective(self) -> dt.date:
        effective: dt.date = self.cleaned_data["effective"]
        if effective > today() + dt.timedelta(days=366):
            raise ValidationError(
                _(
                    "Ngày bắt đầu không được quá một năm sau hôm nay. / "
                    "The start date cannot be more than a year ahead."
                )
            )
        return effective


class StaffLeaveForm(forms.Form):
    left_on = DayField(label=_("Ngày thôi công tác"), initial=today)
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ConductRecordFilterForm(forms.Form):
    """The conduct record's filters; invalid ones are reported and fall back to defaults."""

    year = forms.CharField(label=_("Năm"), required=False)
    subtree = forms.BooleanField(label=_("Gồm đơn vị trực thuộc"), required=False)
    attention = forms.BooleanField(label=_("Chỉ người cần lưu ý"), required=False)
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        choices=[
            ("name", _("Theo tên")),
            ("index", _("Theo chỉ số hài lòng (thấp trước)")),
        ],
        required=False,
        error_messages={"invalid_choice": _("Lựa chọn không hợp lệ. / Invalid choice.")},
    )

    def clean_year(self) -> Any:
        from .conduct_record import parse_year

        return parse_year(self.cleaned_data.get("year"))

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "").strip()
