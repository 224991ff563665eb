"""Forms parse input for the account pages; the services decide.

Organisations are picked by code (a text box with a datalist), as on the
organisation pages: a province has thousands. Every choice is already limited to
what the acting user may grant, so anything else reads "not found" or "invalid".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext

from congvu.core import mail_groups as groups
from congvu.organisations.forms import OrganisationField
from congvu.organisations.models import OrganisationQuerySet, StaffMember, StaffQuerySet

from .models import Role, User

REQUIRED = _("Trường này là bắt buộc. / This field is required.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên mã truy cập"),
        max_length=80,
        help_text=_("Ví dụ: Hệ thống một cửa"),
        error_messages={"required": _("Vui lòng nhập tên. / Please enter a name.")},
    )
    days = forms.TypedChoiceField(
        label=_("Thời hạn dùng"),
        coerce=lambda value: None if value == "never" else int(value),
        required=False,
        empty_value="default",  # left out: the first lifetime offered
        error_messages={
            "invalid_choice": _("Thời hạn không được phép. / This lifetime is not allowed.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .services import token_lifetimes

        super().__init__(*args, **kwargs)
        lifetimes = token_lifetimes()
        field = self.fields["days"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("never", _("Không hết hạn"))
            if days is None
            else (
                str(days),
                npgettext("thời hạn", "%(days)s ngày", "%(days)s ngày", days) % {"days": days},
            )
            for days in lifetimes
        ]
        field.initial = str(lifetimes[0])


class _DescribedBoxes(forms.CheckboxSelectMultiple):
    """Tick boxes each described, for screen readers, by the text the page shows under it
    (`<id>_holds`)."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_holds"
        return option


class MailPreferencesForm(forms.ModelForm):
    """How one's notices reach one's mailbox (one's own account only): the master switch,
    the groups of notices to e-mail (`core.mail_groups`), the language."""

    mail_groups = forms.MultipleChoiceField(
        label=_("Gửi e-mail về các nhóm thông báo"),
        choices=[(g.value, g.label) for g in groups.CHOOSABLE],
        required=False,
        widget=_DescribedBoxes,
        error_messages={
            "invalid_choice": _(
                "Không có nhóm thông báo “%(value)s”. / There is no group of notices “%(value)s”."
            )
        },
    )

    class Meta:
        model = User
        fields = ["mail_notices", "mail_language"]
        labels = {
            "mail_notices": _("Gửi e-mail cho tôi mỗi khi có thông báo mới"),
            "mail_language": _("Ngôn ngữ của e-mail"),
        }
        help_texts = {
            "mail_notices": _(
                "Thư tổng hợp hằng ngày vẫn được gửi, theo các nhóm chọn dưới đây. Cần có địa "
                "chỉ e-mail trong tài khoản."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        off = groups.muted(self.instance)
        self.fields["mail_groups"].initial = [
            g.value for g in groups.CHOOSABLE if g.value not in off
        ]

    def group_boxes(self) -> list[tuple[Any, str]]:
        """Each group's tick box with what the group holds, in the page's order."""
        described = {code: text for code, _label, text in groups.labels(groups.CHOOSABLE)}
        return [(box, described[box.data["value"]]) for box in self["mail_groups"]]

    def always_mailed(self) -> list[tuple[str, str, str]]:
        return groups.labels(sorted(groups.ALWAYS))

    def save(self, commit: bool = True) -> User:
        on = set(self.cleaned_data["mail_groups"])
        self.instance.mail_muted_groups = groups.stored(
            g.value for g in groups.CHOOSABLE if g.value not in on
        )
        return super().save(commit=commit)


class UserSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo tên hoặc tên đăng nhập"),
        required=False,
        max_length=100,
        error_messages={"max_length": _("Tối đa 100 ký tự. / At most 100 characters.")},
    )


def _role_field(roles: Iterable[Role], *, initial: Role | None = None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Vai trò"),
        choices=[("", "—")] + [(r.value, r.label) for r in Role if r in set(roles)],
        coerce=Role,
        initial=initial.value if initial else "",
        error_messages={
            "required": _("Hãy chọn vai trò. / Choose a role."),
            "invalid_choice": _("Bạn không được cấp vai trò này. / You may not grant this role."),
        },
    )


class GrantForm(forms.Form):
    """A role on an organisation (by code), with or without its subtree."""

    organisation = OrganisationField(
        label=_("Mã cơ quan"),
        error_messages={"required": _("Hãy nhập mã cơ quan. / Enter the organisation's code.")},
    )
    include_subtree = forms.BooleanField(
        label=_("Gồm cả đơn vị trực thuộc"),
        required=False,
        initial=True,
        # A new province's first grant: Home Affairs given the top organisation without
        # its subtree saw one organisation and none of the departments or communes.
        help_text=_(
            "Không đánh dấu: chỉ cơ quan này. Sở Nội vụ theo dõi cả tỉnh: nhập mã cơ quan "
            "gốc (Ủy ban nhân dân tỉnh) và đánh dấu ô này."
        ),
    )

    def __init__(
        self,
        *args: Any,
        organisations: OrganisationQuerySet,
        roles: Iterable[Role],
        initial_role: Role | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"] = _role_field(roles, initial=initial_role)
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, OrganisationField)
        organisation_field.queryset = organisations
        self.order_fields(["role", "organisation", "include_subtree"])


class UserCreateForm(GrantForm):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        error_messages={
            "required": REQUIRED,
            "max_length": _("Tối đa 150 ký tự. / At most 150 characters."),
        },
    )
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=120,
        error_messages={
            "required": REQUIRED,
            "max_length": _("Tối đa 120 ký tự. / At most 120 characters."),
        },
    )
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False)
    staff_code = forms.CharField(
        label=_("Mã cán bộ (nếu liên kết với hồ sơ cán bộ)"), max_length=40, required=False
    )

    def __init__(self, *args: Any, staff: StaffQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, initial_role=Role.STAFF, **kwargs)
        self.fields["include_subtree"].initial = False
        self.staff = staff
        self.order_fields(
            [
                "username",
                "full_name",
                "email",
                "staff_code",
                "role",
                "organisation",
                "include_subtree",
            ]
        )

    def clean_staff_code(self) -> StaffMember | None:
        code = self.cleaned_data["staff_code"].strip()
        if not code:
            return None
        member = self.staff.filter(staff_code__iexact=code).first()
        if member is None:
            raise ValidationError(
                _(
                    "Không tìm thấy cán bộ có mã %(code)s trong phạm vi bạn được quản lý. / "
                    "No staff member with this code within your scope."
                ),
                params={"code": code},
            )
        return member


def apply_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field if the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = "staff_code" if field == "staff_member" else field
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _code_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=24,
        strip=True,
        error_messages={
            "required": _("Hãy nhập mã. / Enter the code."),
            "max_length": _("Mã quá dài. / The code is too long."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters"}
        ),
    )


class LoginCodeForm(forms.Form):
    """The second sign-in step: the app's six digits, or a recovery code."""

    code = _code_field(_("Mã xác thực"))
    remember = forms.BooleanField(label=_("Ghi nhớ trình duyệt này"), required=False)

    def __init__(self, *args: Any, passkey: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sent by the page's script once a passkey passed (passkey_views): no code then.
        self.fields["code"].required = not passkey


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label=_("Tên khóa"),
        max_length=64,
        required=False,
        error_messages={"max_length": _("Tên dài tối đa %(limit_value)d ký tự.")},
    )


class PasswordAgainForm(forms.Form):
    """One's own password again, before removing a way to pass the second step."""

    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": REQUIRED},
    )


class PasskeyRemoveForm(PasswordAgainForm):
    """Asked only when the passkey is the last second-step method."""


class TwoFactorConfirmForm(forms.Form):
    code = _code_field(_("Mã 6 chữ số trong ứng dụng"))


class TwoFactorOffForm(PasswordAgainForm):
    code = _code_field(_("Mã xác thực hoặc mã dự phòng"))
