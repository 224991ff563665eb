"""The wording of a case's history, and its display in the reader's language.

An event's body is the record: services write it in Vietnamese
(`timeline.in_vietnamese`) and `timeline.event_digest` hashes it into the audit
chain, so it is never rewritten or translated in the database. What a service
writes is one of the messages below — a Vietnamese message id with values
(dates, numbers, codes, labels of choices) — sometimes followed by what a person
typed (a note, a reason, the conclusion).

`shown(event)` gives the body to display. In Vietnamese it is the stored body.
In English the stored body is read back against the messages its kind can have
written: the message and the labels are translated, dates, numbers and codes are
kept, and what a person typed is shown as typed, marked `lang="vi"` (the
officials of a Vietnamese province write in Vietnamese, and a screen reader must
read it with a Vietnamese voice). A body that no message matches — text a person
typed as a whole (notes, replies, statements, the reporter's additions), or the
wording of an older version — is shown as stored, marked `lang="vi"`. So nothing
is ever shown in English that the record does not say.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.db.models import TextChoices
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop

from .models import Case, CaseEvent, DisciplineForm

PLACEHOLDER: Final = re.compile(r"%\((\w+)\)([sd])")


def _typed(text: str) -> SafeString:
    """Text a person typed, as typed (line breaks kept), marked as Vietnamese."""
    return format_html('<span lang="vi">{}</span>', linebreaksbr(text, autoescape=True))


@dataclass(frozen=True)
class Slot:
    """A value in a message: how it is found in the stored body and how it is shown."""

    pattern: Callable[[], str]
    show: Callable[[str], SafeString]


def _kept(pattern: str) -> Slot:
    return Slot(lambda: pattern, lambda text: conditional_escape(text))


def _choice(choices: type[TextChoices]) -> Slot:
    """A choice's label: written in Vietnamese, shown in the reader's language."""

    @functools.cache
    def labels() -> dict[str, str]:
        with translation.override(settings.LANGUAGE_CODE):
            return {str(choice.label): choice.value for choice in choices}

    def pattern() -> str:
        # Longest first: "Đúng một phần" must not be read as "Đúng".
        return "|".join(re.escape(label) for label in sorted(labels(), key=len, reverse=True))

    def show(text: str) -> SafeString:
        value = labels().get(text)
        return conditional_escape(choices(value).label) if value is not None else _typed(text)

    return Slot(pattern, show)


def _discipline_form(text: str) -> SafeString:
    # Forms are data (Decree 112/2020) with an English name where one was entered.
    form = DisciplineForm.objects.filter(name=text).first()
    if form is not None and form.name_en:
        return conditional_escape(str(form))
    return _typed(text)


DATE: Final = _kept(r"\d{2}/\d{2}/\d{4}")
COUNT: Final = _kept(r"\d+")
CASE_CODE: Final = _kept(r"[\w-]+")
#: Text a person typed, up to the end of the body.
TYPED: Final = Slot(lambda: r".*", _typed)
#: A discipline decision's number, as the official typed it ("15/QĐ-UBND").
DECISION_NUMBER: Final = Slot(lambda: r"[^\n]+?", _typed)
DISCIPLINE_FORM: Final = Slot(lambda: r"[^\n]+?", _discipline_form)
#: A person's name, or tags' names (data typed in Vietnamese), shown as written.
NAMES: Final = Slot(lambda: r"[^\n]+?", _typed)


@dataclass(frozen=True, eq=False)
class Message:
    """One wording of an event's body: a Vietnamese message id and its values."""

    text: str
    slots: Mapping[str, Slot] = field(default_factory=dict)
    #: The body may go on, after a line break, with what a person typed.
    typed_after: bool = False

    def write(self, **values: Any) -> str:
        """The body to store (the caller runs in Vietnamese: `timeline.in_vietnamese`)."""
        return gettext(self.text) % values

    def read(self, body: str) -> SafeString | None:
        """`body` in the active language, or None if this message did not write it."""
        match = _pattern(self).fullmatch(body)
        if match is None:
            return None
        values = {name: slot.show(match.group(name)) for name, slot in self.slots.items()}
        # Every value is shown as text (a count too): "%(n)d" of the translation becomes "%(n)s".
        translated = PLACEHOLDER.sub(r"%(\1)s", str(conditional_escape(gettext(self.text))))
        html = mark_safe(translated % values)  # noqa: S308 - escaped above, values escaped
        typed = match.group("typed_after") if self.typed_after else None
        return format_html("{}<br>{}", html, _typed(typed)) if typed else html


@functools.cache
def _pattern(message: Message) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for placeholder in PLACEHOLDER.finditer(message.text):
        parts.append(re.escape(message.text[position : placeholder.start()]))
        name = placeholder.group(1)
        parts.append(f"(?P<{name}>{message.slots[name].pattern()})")
        position = placeholder.end()
    parts.append(re.escape(message.text[position:]))
    if message.typed_after:
        parts.append(r"(?:\n(?P<typed_after>.+))?")
    return re.compile("".join(parts), re.DOTALL)


# --- What the services write ------------------------------------------------------------------

RECEIVED: Final = Message(
    gettext_noop("Đã tiếp nhận phản ánh. Hạn xem xét, thụ lý: %(due)s."), {"due": DATE}
)
ACCEPTED: Final = Message(
    gettext_noop("Đã thụ lý. Hạn giải quyết: %(due)s."), {"due": DATE}, typed_after=True
)
REJECTED: Final = Message(
    gettext_noop("Không thụ lý. Lý do: %(reason)s."),
    {"reason": _choice(Case.RejectReason)},
    typed_after=True,
)
#: Followed by the conclusion (and the handler's note, if any).
CONCLUDED: Final = Message(
    gettext_noop("Kết luận: %(outcome)s."), {"outcome": _choice(Case.Outcome)}, typed_after=True
)
MOVED: Final = Message(
    gettext_noop("Chuyển sang trạng thái: %(status)s."),
    {"status": _choice(Case.Status)},
    typed_after=True,
)
EXTENDED: Final = Message(
    gettext_noop("Gia hạn giải quyết lần %(n)d đến ngày %(due)s. Lý do: %(reason)s"),
    {"n": COUNT, "due": DATE, "reason": TYPED},
)
DISCIPLINE_PROPOSED: Final = Message(
    gettext_noop("Đề xuất hình thức kỷ luật: %(form)s."),
    {"form": DISCIPLINE_FORM},
    typed_after=True,
)
DISCIPLINE_DECIDED: Final = Message(
    gettext_noop("Quyết định kỷ luật số %(number)s ngày %(date)s: %(form)s."),
    {"number": DECISION_NUMBER, "date": DATE, "form": DISCIPLINE_FORM},
)
DISCIPLINE_WITHDRAWN: Final = Message(
    gettext_noop("Rút đề xuất kỷ luật (%(form)s). Lý do: %(reason)s"),
    {"form": DISCIPLINE_FORM, "reason": TYPED},
)
LINKED_TO_MAIN: Final = Message(
    gettext_noop(
        "Phản ánh của bạn trùng nội dung với một phản ánh đã có và được xử lý cùng vụ việc "
        "%(main)s."
    ),
    {"main": CASE_CODE},
)
LINKED_FROM_DUPLICATE: Final = Message(
    gettext_noop("Một phản ánh khác cùng nội dung đã được gộp vào vụ việc này.")
)
ERASED_BY_HANDLER: Final = Message(
    gettext_noop("Đã xóa họ tên và thông tin liên hệ của người phản ánh.")
)
ERASED_BY_RETENTION: Final = Message(
    gettext_noop("Hết thời hạn lưu trữ: đã xóa họ tên và thông tin liên hệ của người phản ánh.")
)

ASSIGNED: Final = Message(
    gettext_noop("Giao cho %(handler)s xử lý."), {"handler": NAMES}, typed_after=True
)
REASSIGNED: Final = Message(
    gettext_noop("Giao lại cho %(handler)s xử lý (thay %(previous)s). Lý do: %(reason)s"),
    {"handler": NAMES, "previous": NAMES, "reason": TYPED},
)
AUTO_ASSIGNED: Final = Message(
    gettext_noop("Tự động giao cho %(handler)s xử lý (người nhận vụ việc mặc định của cơ quan)."),
    {"handler": NAMES},
)
UNASSIGNED: Final = Message(
    gettext_noop("Thôi giao %(handler)s xử lý."), {"handler": NAMES}, typed_after=True
)
#: The handling organisation closed (merged, split or dissolved): its open cases went on.
ROUTED_ON_CLOSURE: Final = Message(
    gettext_noop(
        "Chuyển cơ quan xử lý từ %(previous)s sang %(handler)s (cơ quan kế thừa, từ ngày %(day)s)."
    ),
    {"previous": NAMES, "handler": NAMES, "day": DATE},
)
TAGS_ADDED: Final = Message(gettext_noop("Gắn nhãn: %(tags)s."), {"tags": NAMES})
TAGS_REMOVED: Final = Message(gettext_noop("Bỏ nhãn: %(tags)s."), {"tags": NAMES})
#: An overseer revealed the reporter's identity (`cases.identity`): the handlers are told.
IDENTITY_REVEALED: Final = Message(
    gettext_noop("Danh tính người phản ánh đã được xem bởi %(reader)s: %(reason)s"),
    {"reader": NAMES, "reason": TYPED},
)

K = CaseEvent.Kind
#: The messages that write each kind's body. Kinds not here (notes, replies, requests,
#: statements, the reporter's additions, files) are typed by a person as a whole.
WRITTEN: Final[Mapping[str, tuple[Message, ...]]] = {
    K.CREATED: (RECEIVED,),
    K.TRANSITION: (ACCEPTED, REJECTED, CONCLUDED, MOVED),
    K.EXTENDED: (EXTENDED,),
    K.DISCIPLINE: (DISCIPLINE_PROPOSED, DISCIPLINE_DECIDED, DISCIPLINE_WITHDRAWN),
    K.LINKED: (LINKED_TO_MAIN, LINKED_FROM_DUPLICATE),
    K.ERASED: (ERASED_BY_HANDLER, ERASED_BY_RETENTION),
    K.ASSIGNED: (ASSIGNED, REASSIGNED, AUTO_ASSIGNED, UNASSIGNED),
    K.TAGGED: (TAGS_ADDED, TAGS_REMOVED),
    K.ROUTED: (ROUTED_ON_CLOSURE,),
    K.IDENTITY_REVEALED: (IDENTITY_REVEALED,),
}


@dataclass(frozen=True)
class Shown:
    """An event's body for the page: `html`, and the language of all of it if one."""

    html: SafeString
    #: "vi" when the whole body is the stored Vietnamese text; "" when `html` is in the
    #: reader's language and marks its Vietnamese parts itself.
    lang: str


def shown(event: CaseEvent) -> Shown:
    """`event`'s body in the active language (see the module's docstring)."""
    body = event.body
    if body and not (translation.get_language() or "").startswith(settings.LANGUAGE_CODE):
        for message in WRITTEN.get(event.kind, ()):
            html = message.read(body)
            if html is not None:
                return Shown(html, "")
    return Shown(linebreaksbr(body, autoescape=True), "vi")
