"""Forms of the inspection pages: they parse input; the services decide and write."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from congvu.accounts import access
from congvu.accounts.access import ROLE_PERMS, Perm
from congvu.accounts.models import User
from congvu.core import once, stale
from congvu.core.forms import DateField, ModelMultipleChoiceField
from congvu.core.text import fold
from congvu.organisations.fields import OrganisationChoiceField
from congvu.organisations.models import Organisation, StaffMember
from congvu.planning.progress_forms import MultipleFileField

from . import services, uploads
from .models import Inspection, InspectionFile, Observation

TEXT_MAX = 10_000


def text_field(label: Any, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class UserChoiceField(forms.ModelChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("— Chọn người —"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


class UsersChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name or obj.username} ({obj.username})"


def evidence_field(label: Any) -> MultipleFileField:
    """Several photos or documents in one input; `uploads` checks them, in the service. The
    form sets `help_text` (`uploads.help_text()`) per request: it follows the settings and
    the user's language."""
    return MultipleFileField(label=label)


#: The id of the one list of staff members every clause's picker points at.
STAFF_LIST_ID = "staff-options"
_CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


def staff_label(staff: StaffMember) -> str:
    """What the picker shows and sends back: the name, then the staff code that settles
    homonyms."""
    return f"{staff.full_name} ({staff.staff_code})"


class StaffField(forms.CharField):
    """A staff member of the inspected organisation, typed rather than picked from a select.

    The organisation's staff is listed once on the page (a `<datalist>`), not once per
    clause: with a select on every clause, 300 staff members made a checklist of 16
    clauses weigh 330 kB. Browsers suggest from the list as the inspector types; without
    that help (or JavaScript, which it does not need) the name typed is looked up here,
    with or without its accents ("nguyen van duc" finds "Nguyễn Văn Đức"), or by the
    staff code; homonyms are told apart by their code.
    """

    def __init__(self, *, staff: Sequence[StaffMember], **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.staff = staff
        self.widget.attrs.update({"list": STAFF_LIST_ID, "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            found = next((s for s in self.staff if s.pk == value), None)
            return staff_label(found) if found is not None else ""
        return value

    def clean(self, value: Any) -> StaffMember | None:
        text = super().clean(value)
        if not text:
            return None
        for member in self.staff:
            if staff_label(member) == text:
                return member
        code = _CODE_AT_END.search(text)
        wanted = fold(code.group(1) if code else text)
        matches = [m for m in self.staff if fold(m.staff_code) == wanted]
        if not matches and not code:
            matches = [m for m in self.staff if fold(m.full_name) == wanted]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise forms.ValidationError(
                _(
                    "Có %(n)d cán bộ tên “%(name)s”; hãy chọn trong danh sách gợi ý (kèm mã "
                    "cán bộ). / %(n)d staff members have this name; pick one from the list "
                    "(with the staff code)."
                ),
                params={"n": len(matches), "name": text},
                code="ambiguous",
            )
        raise forms.ValidationError(
            _(
                "Không có cán bộ “%(name)s” đang công tác tại cơ quan được kiểm tra; hãy gõ tên "
                "hoặc mã cán bộ và chọn trong danh sách gợi ý. / No staff member of the "
                "inspected organisation is called that; type a name or staff code and pick "
                "from the list."
            ),
            params={"name": text},
            code="not_found",
        )


def inspectors() -> QuerySet[User]:
    """Users who may run inspections somewhere (the service checks the organisation)."""
    roles = [role for role, perms in ROLE_PERMS.items() if Perm.INSPECTION_RUN in perms]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(grants__role__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("full_name", "username")
    )


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm theo cơ quan hoặc mã"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *list(Inspection.Status.choices)],
    )
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        choices=[("", _("Tất cả")), *list(Inspection.Kind.choices)],
    )


class TeamForm(forms.Form):
    """The day, the team and the purpose: what planning and re-planning share."""

    planned_on = DateField(label=_("Ngày dự kiến"))
    lead = UserChoiceField(label=_("Trưởng đoàn"), queryset=User.objects.none())
    members = UsersChoiceField(
        label=_("Thành viên đoàn"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = text_field(_("Nội dung kiểm tra"), required=False, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = inspectors()
        self.fields["lead"].queryset = team  # type: ignore[attr-defined]
        self.fields["members"].queryset = team  # type: ignore[attr-defined]


class PlanForm(TeamForm):
    organisation = OrganisationChoiceField(
        label=_("Cơ quan được kiểm tra"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=Inspection.Kind.choices, widget=forms.RadioSelect
    )
    field_order = ["organisation", "kind"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.organisations_for(user, Perm.INSPECTION_RUN).current()
        field = self.fields["organisation"]
        field.queryset = organisations.filter(kind__is_division=False)  # type: ignore[attr-defined]
        once.add_field(self)  # sent twice (a double tap, Back), planned once


class ReplanForm(TeamForm):
    """Changing a planned inspection before it starts; a new day needs the reason."""

    reason = text_field(_("Lý do thay đổi (bắt buộc khi đổi ngày)"), required=False, rows=2)

    @classmethod
    def of(cls, inspection: Inspection, data: Any = None) -> ReplanForm:
        form = cls(data, initial=cls.initial_for(inspection))
        stale.add_field(form, inspection, cls.initial_for)  # a second tab's save stays
        return form

    @staticmethod
    def initial_for(inspection: Inspection) -> dict[str, Any]:
        return {
            "planned_on": inspection.planned_on,
            "lead": inspection.lead_id,
            "members": sorted(inspection.members.values_list("pk", flat=True)),
            "purpose": inspection.purpose,
        }


class ConcludeForm(forms.Form):
    conclusion = text_field(_("Kết luận kiểm tra"), rows=5)


class CancelForm(forms.Form):
    reason = text_field(_("Lý do hủy"), rows=2)


class CorrectiveActionForm(forms.Form):
    description = text_field(_("Nội dung phải khắc phục"), rows=2)
    days = forms.IntegerField(
        label=_("Thời hạn (ngày làm việc)"),
        min_value=services.DAYS_MIN,
        max_value=services.DAYS_MAX,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"days": services.default_corrective_days()})
        super().__init__(*args, **kwargs)
        once.add_field(self)


class RespondForm(forms.Form):
    response = text_field(_("Kết quả khắc phục"), rows=3)
    done = forms.BooleanField(label=_("Đã khắc phục xong"), required=False)
    proof = evidence_field(_("Ảnh, tài liệu chứng minh đã khắc phục"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proof"].help_text = uploads.help_text()
        once.add_field(self)


@dataclass(frozen=True)
class ChecklistRow:
    """One clause of the checklist form: its fields and the evidence it already has."""

    observation: Observation
    result: BoundField
    note: BoundField
    staff: BoundField
    files: BoundField
    #: Each file, with its "remove" checkbox when the user may remove it (their own).
    existing: list[tuple[InspectionFile, BoundField | None]]

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in (self.result, self.note, self.staff, self.files)) or any(
            box is not None and box.errors for _f, box in self.existing
        )


class ChecklistForm(forms.Form):
    """One group of fields per observation: `result-<id>`, `note-<id>`, `staff-<id>`,
    `files-<id>` (new evidence), and `remove-<file id>` for the user's own files."""

    def __init__(
        self,
        *args: Any,
        observations: Sequence[Observation],
        staff: Iterable[StaffMember],
        files: Mapping[int, Sequence[InspectionFile]] | None = None,
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        for o in observations:
            initial[f"result-{o.pk}"] = o.result
            initial[f"note-{o.pk}"] = o.note
            initial[f"staff-{o.pk}"] = o.staff_id
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.observations = list(observations)
        self.staff = list(staff)
        # Whoever an answer already names is found again, even after leaving the
        # organisation (the record keeps them); only the serving staff are suggested.
        serving = {member.pk for member in self.staff}
        named = {o.staff_id: o.staff for o in self.observations if o.staff_id not in serving}
        known = self.staff + [member for member in named.values() if member is not None]
        self.existing = {o.pk: list((files or {}).get(o.pk, ())) for o in self.observations}
        user_id = getattr(user, "pk", None)
        # Said once above the checklist, not under each of its clauses.
        self.files_help = uploads.help_text()
        self.staff_list_id = STAFF_LIST_ID
        for o in self.observations:
            self.fields[f"result-{o.pk}"] = forms.ChoiceField(
                label=_("Kết quả"),
                required=False,
                choices=Observation.Result.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"note-{o.pk}"] = forms.CharField(
                label=_("Ghi chú"),
                required=False,
                max_length=services.NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            staff_field = StaffField(label=_("Cán bộ được quan sát"), staff=known)
            staff_field.widget.attrs["aria-describedby"] = "staff-help"
            self.fields[f"staff-{o.pk}"] = staff_field
            files_field = evidence_field(_("Ảnh, tài liệu minh chứng"))
            files_field.widget.attrs["aria-describedby"] = "files-help"
            self.fields[f"files-{o.pk}"] = files_field
            for item in self.existing[o.pk]:
                if user_id is not None and item.uploaded_by_id == user_id:
                    self.fields[f"remove-{item.pk}"] = forms.BooleanField(
                        label=_("Xóa tệp này"), required=False
                    )

    def staff_options(self) -> list[tuple[str, str]]:
        """The datalist's options: what is sent back, and what helps find it (the name
        without accents, the position)."""
        options = []
        for member in self.staff:
            hint = fold(member.full_name)
            if member.position_title:
                hint = f"{hint} · {member.position_title}"
            options.append((staff_label(member), hint))
        return options

    def rows(self) -> list[ChecklistRow]:
        rows = []
        for o in self.observations:
            existing = [
                (item, self[f"remove-{item.pk}"] if f"remove-{item.pk}" in self.fields else None)
                for item in self.existing[o.pk]
            ]
            rows.append(
                ChecklistRow(
                    o,
                    self[f"result-{o.pk}"],
                    self[f"note-{o.pk}"],
                    self[f"staff-{o.pk}"],
                    self[f"files-{o.pk}"],
                    existing,
                )
            )
        return rows

    def answers(self) -> list[services.Answer]:
        data = self.cleaned_data
        answers = []
        for o in self.observations:
            staff = data.get(f"staff-{o.pk}")
            answers.append(
                services.Answer(
                    o.pk,
                    data.get(f"result-{o.pk}") or "",
                    data.get(f"note-{o.pk}") or "",
                    staff.pk if staff is not None else None,
                )
            )
        return answers

    def uploads(self) -> dict[int, list[Any]]:
        """New files per observation id."""
        data = self.cleaned_data
        return {o.pk: data[f"files-{o.pk}"] for o in self.observations if data.get(f"files-{o.pk}")}

    def removals(self) -> list[int]:
        """The files the user ticked for removal."""
        return [
            item.pk
            for items in self.existing.values()
            for item in items
            if self.cleaned_data.get(f"remove-{item.pk}")
        ]
