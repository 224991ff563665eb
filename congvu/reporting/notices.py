"""The reporting app's notices (`core.notices`): a report returned or accepted.

The body is the reviewer's note, shown as they typed it."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from congvu.core.notices import Params, message


def _note(params: Params) -> str:
    return str(params.get("note", ""))


RETURNED = message(
    "reporting.returned",
    title=gettext_noop("Báo cáo “%(period)s” được trả lại để bổ sung"),
    body=_note,
)
ACCEPTED = message(
    "reporting.accepted",
    title=gettext_noop("Báo cáo “%(period)s” đã được tiếp nhận"),
    body=_note,
)
