"""One rollup row per period end: one-off tasks are counted by the day each ends.

The rows of one-off tasks (period "") held every one-off task of an organisation and
plan under the latest end; they are recounted from the assignments, one row per end.
"""

from typing import Any

from django.db import migrations, models
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

COUNTED = ("total", "not_started", "in_progress", "overdue", "done_on_time", "done_late")


def split_one_off_rows(apps: Any, schema_editor: Any) -> None:
    Assignment = apps.get_model("planning", "Assignment")
    AssignmentRollup = apps.get_model("planning", "AssignmentRollup")
    AssignmentRollup.objects.filter(period="").delete()
    day = timezone.localdate()
    # The rules of `planning.states.state_q`, written out: a migration must not import
    # code that may change after it.
    open_ = Q(completed_on__isnull=True)
    started = ~Q(progress="not_started")
    rows = (
        Assignment.objects.filter(period="")
        .values("organisation_id", "task__plan_id", "period_end")
        .annotate(
            total=Count("pk"),
            not_started=Count("pk", filter=open_ & Q(due_on__gte=day) & ~started),
            in_progress=Count("pk", filter=open_ & Q(due_on__gte=day) & started),
            overdue=Count("pk", filter=open_ & Q(due_on__lt=day)),
            done_on_time=Count(
                "pk", filter=Q(completed_on__isnull=False, completed_on__lte=F("due_on"))
            ),
            done_late=Count("pk", filter=Q(completed_on__isnull=False, completed_on__gt=F("due_on"))),
        )
        .order_by()
    )
    AssignmentRollup.objects.bulk_create(
        [
            AssignmentRollup(
                organisation_id=row["organisation_id"],
                plan_id=row["task__plan_id"],
                period="",
                period_end=row["period_end"],
                computed_on=day,
                **{name: row[name] for name in COUNTED},
            )
            for row in rows
        ],
        batch_size=500,
    )


def merge_one_off_rows(apps: Any, schema_editor: Any) -> None:
    AssignmentRollup = apps.get_model("planning", "AssignmentRollup")
    one_off = AssignmentRollup.objects.filter(period="")
    merged = list(
        one_off.values("organisation_id", "plan_id")
        .annotate(
            last_end=Max("period_end"),
            last_computed=Max("computed_on"),
            **{f"sum_{name}": Sum(name) for name in COUNTED},
        )
        .order_by()
    )
    one_off.delete()
    AssignmentRollup.objects.bulk_create(
        [
            AssignmentRollup(
                organisation_id=row["organisation_id"],
                plan_id=row["plan_id"],
                period="",
                period_end=row["last_end"],
                computed_on=row["last_computed"],
                **{name: row[f"sum_{name}"] for name in COUNTED},
            )
            for row in merged
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_import_attempts"),
        ("planning", "0004_worklist_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="assignmentrollup",
            name="rollup_unique",
        ),
        migrations.AddConstraint(
            model_name="assignmentrollup",
            constraint=models.UniqueConstraint(
                fields=("organisation", "plan", "period", "period_end"), name="rollup_unique"
            ),
        ),
        migrations.RunPython(split_one_off_rows, merge_one_off_rows),
    ]
