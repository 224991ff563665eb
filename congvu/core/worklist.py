"""The signed-in user's work list: what waits for them, on the home page and in the API.

An officer who signs in should see at once what needs them today: the
assignments overdue or due this week in the organisations they answer for, the
extension requests and reports waiting for their decision, the flagged ratings
to review, the cases given to them or running late, the inspections they lead,
the corrective actions their organisation owes, the statement a handler asked
them for, the code of conduct they have not confirmed yet. Each app knows its
own work; this module only gathers it.

Apps register a provider at import time in one of `WORKLIST_MODULES`:

    worklist.register("planning", items)

A provider is called with the user and the day and returns `Item`s: one kind of
work, how many, the list page that shows them all, and the first few of them
(`ENTRIES`), each with its own link. Providers scope through `accounts/access.py`
like every list does, so a count is never more than the list it links to shows.
An item with nothing in it is left out; the rest are shown overdue first, then
due soon, then waiting, in registration order within each.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Q

# Modules whose import registers a provider (as for `core.daily`: part of the code).
WORKLIST_MODULES: Final = (
    "congvu.planning.worklist",
    "congvu.reporting.worklist",
    "congvu.feedback.worklist",
    "congvu.cases.worklist",
    "congvu.inspections.worklist",
)

#: How many of an item's things are listed on the home page (the rest: its list page).
ENTRIES: Final = 5

OVERDUE: Final = "overdue"
DUE_SOON: Final = "due_soon"
WAITING: Final = "waiting"
URGENCIES: Final = (OVERDUE, DUE_SOON, WAITING)


@dataclass(frozen=True)
class Entry:
    """One thing to do: what it is (in the reader's language), where, and by when."""

    text: str
    url: str
    due_on: dt.date | None = None


@dataclass(frozen=True)
class Item:
    """One kind of work waiting for the user."""

    key: str  # stable, for the API and tests: "<app>.<what>"
    title: str  # in the reader's language
    count: int
    url: str  # the list page showing all of them
    urgency: str = WAITING
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    #: How many the entries are picked from, when they are not what `count` counts (the
    #: flagged ratings are counted, and listed by organisation).
    listed_from: int | None = None

    @property
    def more(self) -> int:
        """How many are not listed on the home page (as many as the entries could be)."""
        total = self.count if self.listed_from is None else self.listed_from
        return max(0, total - len(self.entries))


Provider = Callable[[Any, dt.date], Iterable[Item]]

_registry: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Add (or replace, on a module reload) the provider `name`."""
    _registry[name] = provider


def providers() -> dict[str, Provider]:
    for module in WORKLIST_MODULES:
        importlib.import_module(module)
    return dict(_registry)


def collect(user: Any, today: dt.date) -> list[Item]:
    """Everything waiting for `user` on `today`, most urgent first; nothing for a visitor."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    items = [
        item for provider in providers().values() for item in provider(user, today) if item.count
    ]
    order = {urgency: rank for rank, urgency in enumerate(URGENCIES)}
    return sorted(items, key=lambda item: order.get(item.urgency, len(order)))


def first(
    queryset: Any, entry: Callable[[Any], Entry], *, count: int | None = None
) -> tuple[int, tuple[Entry, ...]]:
    """(count, the first `ENTRIES` as entries) of an ordered queryset: two small queries
    (one when the caller gives the `count`, taken in a way its database plans better)."""
    if count is None:
        count = queryset.count()
    if not count:
        return 0, ()
    return count, tuple(entry(row) for row in queryset[:ENTRIES])


def day_text(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def shorten(text: str, limit: int = 120) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def duty_q(user: Any, perm: Any, prefix: str = "") -> Q | None:
    """Where `user` holds `perm` as a duty (None: nowhere), as a filter on organisations
    (or, with `prefix`, on what points to one).

    The system administrator and the Department of Home Affairs hold every permission
    on the whole province so that they can oversee and step in; the confirmations,
    answers and assignments of an organisation are still its own people's work, so a
    grant of a role that holds every permission does not put them on its work list."""
    from congvu.accounts.access import ROLE_PERMS, Perm, grants_of

    everything = frozenset(Perm)
    q: Q | None = None
    for grant in grants_of(user):
        perms = ROLE_PERMS[grant.role]
        if perm in perms and perms != everything:
            q = grant.q(prefix) if q is None else q | grant.q(prefix)
    return q
