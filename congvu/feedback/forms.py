"""The citizen's rating form: the target's criteria, the active scale, a comment.

The form only parses; `services.submit_rating` decides. Questions and levels
come from data (the catalogue's rateable items, the active scale), so the
fields are built per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import ScaleLevel
from .services import ANSWERS, COMMENT_MAX, Criterion

ANSWER_LABELS = {
    "yes": _("Có"),
    "no": _("Không"),
    "unknown": _("Không nhớ"),
}
#: The value of the staff choice "the counter itself, no particular person".
WHOLE_COUNTER = "0"


def level_label(level: ScaleLevel) -> str:
    if (get_language() or "vi").startswith("en") and level.label_en:
        return level.label_en
    return level.label


def question_text(criterion: Criterion) -> tuple[str, str]:
    """The criterion's question in the page's language, and that language: the English
    question when the citizen switched to English and the catalogue has one, else the
    Vietnamese."""
    if (get_language() or "vi").startswith("en") and criterion.question_en:
        return criterion.question_en, "en"
    return criterion.question, "vi"


@dataclass(frozen=True)
class Question:
    """One criterion as the template shows it: its field, its text and the text's language."""

    field: forms.BoundField
    text: str
    lang: str = "vi"


class RatingForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Góp ý thêm (không bắt buộc)"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX, "autocomplete": "off"}),
        error_messages={
            "max_length": _(
                "Góp ý dài quá %(limit_value)d ký tự (hiện có %(show_value)d). "
                "/ The comment is longer than %(limit_value)d characters."
            )
        },
    )

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[Criterion],
        levels: Sequence[ScaleLevel],
        staff_choices: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        if staff_choices:
            self.fields["staff"] = forms.ChoiceField(
                label=_("Cán bộ đã tiếp anh/chị"),
                choices=[*staff_choices, (WHOLE_COUNTER, _("Đánh giá chung cho quầy"))],
                widget=forms.RadioSelect,
                initial=WHOLE_COUNTER,
                error_messages={
                    "invalid_choice": _(
                        "Cán bộ này không trực ở quầy. / This person is not on this counter."
                    )
                },
            )
        for criterion in self.criteria:
            self.fields[f"c{criterion.clause_id}"] = forms.ChoiceField(
                label=question_text(criterion)[0],
                choices=[(a, ANSWER_LABELS[a]) for a in ANSWERS],
                widget=forms.RadioSelect,
                required=False,
                error_messages={
                    "invalid_choice": _("Câu trả lời không hợp lệ. / An answer is not valid.")
                },
            )
        self.fields["level"] = forms.TypedChoiceField(
            label=_("Nhìn chung, anh/chị hài lòng với cách phục vụ ở mức nào?"),
            choices=[(str(level.value), level_label(level)) for level in levels],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Hãy chọn mức độ hài lòng. / Choose how satisfied you are."),
                "invalid_choice": _(
                    "Mức độ hài lòng không hợp lệ. / The satisfaction level is not valid."
                ),
            },
        )
        self.fields["submission_id"].error_messages["invalid"] = _(
            "Phiếu đã hết hạn, hãy gửi lại. / The form has expired; please send it again."
        )
        self.order_fields(["staff", *(f"c{c.clause_id}" for c in self.criteria), "level"])

    def questions(self) -> list[Question]:
        return [Question(self[f"c{c.clause_id}"], *question_text(c)) for c in self.criteria]

    def answers(self) -> dict[int, str]:
        """{clause id: "yes" | "no" | "unknown"} for the questions answered."""
        return {
            c.clause_id: self.cleaned_data[f"c{c.clause_id}"]
            for c in self.criteria
            if self.cleaned_data.get(f"c{c.clause_id}")
        }

    def staff_id(self) -> int | None:
        value = self.cleaned_data.get("staff") or WHOLE_COUNTER
        return None if value == WHOLE_COUNTER else int(value)
