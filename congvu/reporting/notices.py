"""The reporting app's notices (`core.notices`): a report returned or accepted, a
period's due date moved.

The body is the reviewer's note, or the reason for the new due date, shown as typed."""

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
DUE_CHANGED = message(
    "reporting.due_changed",
    title=gettext_noop("Kỳ báo cáo «%(period)s»: hạn nộp mới %(due)s"),
    body=gettext_noop("Hạn nộp trước đây: %(old_due)s. Lý do: %(reason)s"),
)
