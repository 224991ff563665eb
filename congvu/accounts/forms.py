from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Tên mã truy cập"),
        max_length=80,
        help_text=_("Ví dụ: Hệ thống một cửa"),
        error_messages={"required": _("Vui lòng nhập tên. / Please enter a name.")},
    )
