"""A form sent from a page that is no longer current does not undo someone's changes.

Two people open the same edit page (or one person, in two tabs); B saves a change;
A, still on the old page, saves another change, and A's form, which still shows the
old values of every field, used to write them back over B's change without a word
(a lost update). An edit form now carries the version of what it shows (`StaleField`,
the hidden field `stale`), drawn with the form from the object's current values. Its
view saves inside `guard(form)`, which locks the row (`select_for_update`), works out
the version again from the locked row and, when the two differ, refuses the save with
a ValidationError that names each field someone else changed and shows its value now.
The refused form is drawn again with A's input kept and the current version in its
hidden field: A reviews the other person's change, and a second save goes through.

- The version is a short digest of each edited field's value as the form shows it,
  not the row's `updated_at`: a task's progress, a report's indicators or a staff
  member's ratings touch the row without touching what its edit form edits, and must
  not refuse the save; and the digests say which fields changed.
- Two saves at the same moment: the second's lock waits for the first's transaction
  (PostgreSQL's row lock; SQLite's BEGIN IMMEDIATE, see settings), then finds the new
  values and is refused.
- A form drawn before this module, or a client that sends no version (the API), is
  not guarded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Final, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

FIELD: Final = "stale"
SHOWN_CHARS: Final = 400

M = TypeVar("M", bound=models.Model)
Values = Callable[[Any], Mapping[str, Any]]


class StaleField(forms.CharField):
    """The hidden version of what the form showed when it was drawn."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "")
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it, the same for the drawn form and the locked row."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        items = [_plain(item) for item in value]
        return items if isinstance(value, list | tuple) else sorted(items, key=repr)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, dt.date | dt.time | Decimal):
        return value.isoformat() if not isinstance(value, Decimal) else str(value)
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    return value


def _digest(value: Any) -> str:
    text = json.dumps(_plain(value), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def version(values: Mapping[str, Any]) -> str:
    """`name:digest,…` for each edited field (names are Python identifiers)."""
    return ",".join(f"{name}:{_digest(value)}" for name, value in sorted(values.items()))


def _parse(token: str) -> dict[str, str] | None:
    pairs = [part.partition(":") for part in token.split(",")] if token else []
    if not pairs or any(not name or not sep or not digest for name, sep, digest in pairs):
        return None
    return {name: digest for name, _sep, digest in pairs}


def _edited(form: forms.BaseForm) -> list[str]:
    from . import once

    return [name for name in form.fields if name not in (FIELD, once.FIELD)]


class Changed(ValidationError):
    """The object changed since the form was drawn; a view may answer 409 for it."""


def add_field(
    form: forms.BaseForm,
    obj: models.Model,
    values: Values | None = None,
    *,
    message: Callable[[Any], str] | None = None,
) -> None:
    """Give `form`, which edits `obj`, its version field.

    `values(obj)` gives the edited fields' values as the form shows them (its initial);
    by default the model fields named like the form's fields (`model_to_dict`). Call
    after the form's fields are final, on the drawn and on the sent form alike.
    `message(current)` says what changed, when the general message would not do.
    """
    if values is None:
        names = _edited(form)

        def values(current: Any) -> Mapping[str, Any]:
            shown = model_to_dict(current, fields=names)
            for field in current._meta.many_to_many:
                if field.name in shown:  # in no particular order: compared as a set
                    shown[field.name] = set(shown[field.name])
            return shown

    form.fields[FIELD] = StaleField(initial=version(values(obj)))
    form._stale = (type(obj), obj.pk, values, message)  # type: ignore[attr-defined]


def changed_message() -> str:
    return _(
        "Nội dung đã được người khác sửa từ khi bạn mở trang; hãy xem lại thay đổi của "
        "họ rồi lưu lại. / This was changed by someone else since you opened it; review "
        "their changes, then save again."
    )


def _shown(field: forms.Field | None, value: Any) -> str:
    """The current value as the user would recognise it on the form."""
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return ", ".join(_shown(field, item) for item in value) or "—"
    if isinstance(field, forms.ModelChoiceField) and not isinstance(value, models.Model):
        found = field.queryset if value not in ("", None) else None
        value = found.filter(pk=value).first() if found is not None else None
    elif isinstance(field, forms.ChoiceField) and not isinstance(value, models.Model):
        choices: Any = field.choices
        labels = {str(key): label for key, label in choices if not isinstance(label, list)}
        value = labels.get(str(value), value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    text = str(value).strip()
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def check(form: forms.BaseForm, current: models.Model) -> None:
    """Raise a ValidationError when `current` (locked) is not what `form` was drawn with.

    The error names each changed field with its value now; the form's version becomes
    the current one, so that the same form, drawn again and sent again, goes through.
    """
    stale = getattr(form, "_stale", None)
    if stale is None or not form.is_bound:
        return
    sent = _parse(str(form.data.get(form.add_prefix(FIELD)) or ""))
    if sent is None:
        return  # a form drawn without a version (an older page, the API): not guarded
    values = stale[2](current)
    now = version(values)
    differs = _parse(now) or {}
    changed = sorted(
        name for name in set(sent) | set(differs) if sent.get(name) != differs.get(name)
    )
    if not changed:
        return
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
    data[form.add_prefix(FIELD)] = now
    form.data = data
    said = stale[3](current) if stale[3] is not None else changed_message()
    errors: dict[str, list[str]] = {NON_FIELD_ERRORS: [said]}
    for name in changed:
        if name in form.fields and name in values:
            errors[name] = [
                _(
                    "Người khác đã sửa mục này; hiện là: «%(value)s» / "
                    "Someone else changed this; it is now: «%(value)s»"
                )
                % {"value": _shown(form.fields[name], values[name])}
            ]
    raise Changed(errors)


@contextmanager
def guard(form: forms.BaseForm) -> Iterator[models.Model | None]:
    """Save inside this block: one transaction, the edited row locked and checked first.

    Yields the locked row (None when the form carries no version field).
    """
    stale = getattr(form, "_stale", None)
    with transaction.atomic():
        current = None
        if stale is not None:
            model, pk = stale[0], stale[1]
            current = model._base_manager.select_for_update().get(pk=pk)
            check(form, current)
        yield current
