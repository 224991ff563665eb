"""Forms of the bulk assignment on the case list and of the organisations' default handlers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from congvu.accounts.models import User

from .forms import UserChoiceField, body_field


class BulkAssignForm(forms.Form):
    """What to do with the cases ticked on the list. The person is checked per case by the
    service (all or nothing), so any active user is accepted here: a refusal then names
    each case and its reason instead of a bare "invalid choice"."""

    action = forms.ChoiceField(
        label=_("Thao tác"),
        choices=[("assign", _("Giao xử lý")), ("unassign", _("Thôi giao xử lý"))],
        widget=forms.HiddenInput,
    )
    assignee = UserChoiceField(
        label=_("Cán bộ được giao xử lý"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Chọn cán bộ —"),
    )
    reason = body_field(_("Lý do (bắt buộc khi giao lại cho người khác)"), required=False, rows=2)

    def __init__(self, *args: Any, offered: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = offered
        field.error_messages["invalid_choice"] = _("Không tìm thấy người dùng. / No such user.")


class DefaultHandlerForm(forms.Form):
    """The default of one row: the organisation-wide one (`track` empty) or a track's."""

    handler = UserChoiceField(
        label=_("Người nhận vụ việc mặc định"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— Không đặt (giao tay từng vụ việc) —"),
    )
    track = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, eligible: QuerySet[User], track: str = "", **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"id_{track or 'all'}_%s")
        super().__init__(*args, **kwargs)
        self.for_track = track
        field = self.fields["handler"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = eligible
        if track:
            field.empty_label = _("— Không đặt (theo người nhận chung của cơ quan) —")
        field.error_messages["invalid_choice"] = _(
            "Người này không được xử lý vụ việc của cơ quan. / This person may not handle "
            "the organisation's cases."
        )


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm cơ quan"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
