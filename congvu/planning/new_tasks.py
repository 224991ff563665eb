"""Telling an organisation's heads and focal points of the tasks newly given to it.

Until now they learnt of a task when the work list or the reminder digest showed it close
to its deadline. Each action that gives organisations tasks — creating a task, changing
one so that it reaches more organisations (or activating a draft), importing a task
table — tells each of their people (`access.holders(PROGRESS_UPDATE, organisation,
duty=True)`: heads and focal points there or above with the subtree, never the roles
that oversee the whole province) in ONE notice, however many organisations and periods
the action reached for them: "Nhiệm vụ mới: <code. content> — hạn <first due>" for one
task, "N nhiệm vụ mới của kế hoạch <số>" for several (`told_together`, around an
import; the daily sync, for an organisation created or newly of a kind since the task
was made). Not the person who acted, and nobody for the next periods of a recurring task
an organisation already had (the daily sync adds them; they are known) nor for an
organisation that already had the task (a changed deadline is not a new task).

A notice names the plan, the tasks (code, content cut short, first deadline) and the
organisations: nothing else (it can be forwarded). Made in bulk (`core.bulk_notices`):
a task given to 2,000 organisations tells their ~4,000 people in a few inserts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils import timezone

from congvu.accounts import access
from congvu.accounts.access import Perm
from congvu.core.bulk_notices import notify_many
from congvu.core.worklist import shorten
from congvu.organisations.models import Organisation

from . import notices
from .models import Assignment, Task

KIND: Final = "task_assigned"
#: Organisations named in a notice (the others are counted).
ORGANISATIONS_NAMED: Final = 5
#: Tasks listed in a notice of several (the others are counted).
TASKS_LISTED: Final = 20
CONTENT_MAX: Final = 120


@dataclass
class _Given:
    actor_id: int | None
    today: dt.date
    tasks: dict[int, Task] = field(default_factory=dict)
    #: (task, organisation) → the deadlines of the periods it was given.
    dues: dict[tuple[int, int], list[dt.date]] = field(default_factory=dict)

    def add(self, task: Task, assignments: Iterable[Assignment], known: set[int]) -> None:
        for assignment in assignments:
            if assignment.organisation_id in known:
                continue
            self.tasks[task.pk] = task
            key = (task.pk, assignment.organisation_id)
            self.dues.setdefault(key, []).append(assignment.due_on)


_open: ContextVar[_Given | None] = ContextVar("planning_new_tasks", default=None)


@contextmanager
def told_together(*, actor: Any, today: dt.date | None = None) -> Iterator[None]:
    """Within it, the tasks given are told at its end, one notice per person for all of
    them (an import of 40 tasks: one notice each). Nothing is told when it raises."""
    if _open.get() is not None:
        yield
        return
    given = _Given(_actor_id(actor), today or timezone.localdate())
    token = _open.set(given)
    try:
        yield
    finally:
        _open.reset(token)
    _tell(given)


def given(
    task: Task,
    assignments: Iterable[Assignment],
    *,
    known: Iterable[int] = (),
    actor: Any,
    today: dt.date | None = None,
) -> None:
    """`assignments` of `task` were just created: tell the people of their organisations,
    except those in `known` (which had the task already). Inside `told_together`, at its
    end; otherwise now (in the caller's transaction: a rollback takes the notices too)."""
    batch = _open.get()
    if batch is not None:
        batch.add(task, assignments, set(known))
        return
    one = _Given(_actor_id(actor), today or timezone.localdate())
    one.add(task, assignments, set(known))
    _tell(one)


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if actor is not None else None


def first_due(dues: Iterable[dt.date], today: dt.date) -> dt.date:
    """The deadline to name: the first not yet past (a recurring task created late in its
    year has periods already over), else the last."""
    ordered = sorted(dues)
    return next((due for due in ordered if due >= today), ordered[-1])


def _tell(given: _Given) -> None:
    if not given.dues:
        return
    organisation_ids = {organisation for _task, organisation in given.dues}
    people = access.holders_by_organisation(Perm.PROGRESS_UPDATE, organisation_ids, duty=True)
    # person → plan → task → their organisations given it
    reach: dict[int, dict[int, dict[int, list[int]]]] = {}
    for task_id, organisation_id in given.dues:
        plan_id = given.tasks[task_id].plan_id
        for user_id in people.get(organisation_id, ()):
            if user_id == given.actor_id:
                continue
            tasks = reach.setdefault(user_id, {}).setdefault(plan_id, {})
            tasks.setdefault(task_id, []).append(organisation_id)
    if not reach:
        return
    told = {
        org
        for plans in reach.values()
        for tasks in plans.values()
        for orgs in tasks.values()
        for org in orgs
    }
    places = _places(told)
    one: list[tuple[int, dict[str, Any], str]] = []
    several: list[tuple[int, dict[str, Any], str]] = []
    for user_id, plans in reach.items():
        for plan_id, tasks in plans.items():
            params, url = _params(given, plan_id, tasks, places)
            (one if len(tasks) == 1 else several).append((user_id, params, url))
    if one:
        notify_many(one, kind=KIND, key=notices.TASK_NEW.key)
    if several:
        notify_many(several, kind=KIND, key=notices.TASKS_NEW.key)


def _places(organisation_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Organisation id → (tree path, name), in chunks (SQLite's limit on an IN list)."""
    wanted = sorted(organisation_ids)
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(wanted), 5000):
        rows = Organisation.objects.filter(pk__in=wanted[start : start + 5000])
        found.update(
            (pk, (path, name)) for pk, path, name in rows.values_list("pk", "path", "name")
        )
    return found


def _params(
    given: _Given,
    plan_id: int,
    tasks: dict[int, list[int]],
    places: dict[int, tuple[str, str]],
) -> tuple[dict[str, Any], str]:
    ordered = sorted(tasks, key=lambda pk: (given.tasks[pk].order, given.tasks[pk].code))
    rows = []
    for task_id in ordered[:TASKS_LISTED]:
        task = given.tasks[task_id]
        dues = [due for org in tasks[task_id] for due in given.dues[(task_id, org)]]
        rows.append(
            {
                "code": task.code,
                "content": shorten(task.content, CONTENT_MAX),
                "due": first_due(dues, given.today),
            }
        )
    organisations = sorted(
        {org for orgs in tasks.values() for org in orgs}, key=lambda pk: places[pk]
    )
    plan = given.tasks[ordered[0]].plan
    params: dict[str, Any] = {
        "plan": plan.number,
        "count": len(ordered),
        "tasks": rows,
        "organisations": [places[pk][1] for pk in organisations[:ORGANISATIONS_NAMED]],
        "organisation_count": len(organisations),
    }
    if len(ordered) == 1:
        return params, f"/assignments/?task={ordered[0]}"
    return params, f"/assignments/?plan={plan_id}"
