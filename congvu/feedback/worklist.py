"""The ratings app's part of the home page's work list (`core.worklist`): the flagged
ratings waiting for the user's review, per organisation (what the daily notice of
`flag_digest` counts; no rating's content, only counts and organisation names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core import worklist
from congvu.core.worklist import Entry, Item

from . import flag_digest


def items(user: Any, today: dt.date) -> list[Item]:
    if not access.can_anywhere(user, Perm.RATING_REVIEW):
        return []
    digest = flag_digest.build(user, today)
    entries = tuple(
        Entry(
            ngettext("%(name)s: %(count)d đánh giá", "%(name)s: %(count)d đánh giá", row.total)
            % {"name": row.name, "count": row.total},
            row.url,
        )
        for row in digest.rows[: worklist.ENTRIES]
    )
    return [
        Item(
            "feedback.flagged_ratings",
            _("Đánh giá bị gắn cờ chờ xem xét"),
            digest.total,
            reverse("feedback:flagged"),
            worklist.WAITING,
            entries,
            listed_from=len(digest.rows),
        )
    ]


worklist.register("feedback", items)
