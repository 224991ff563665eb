"""Drop the rating table's single-column indexes that another index already serves
(organisation, staff, device hash), or that nothing reads (scale, reviewer);
the counter's becomes partial (most ratings have none).

Each index is written by every one of thousands of inserts a second. On SQLite,
`AlterField` would copy the whole table six times: the indexes are dropped by
name instead (the schema editor's names, also the PostgreSQL `_like` one).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = ("organisation_id", "staff_id", "device_hash", "scale_id", "reviewed_by_id", "counter_id")


def _single_column_indexes(schema_editor, table):
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and info["columns"] in ([column] for column in DROPPED)
        ):
            yield name


def drop_indexes(apps, schema_editor):
    table = apps.get_model("feedback", "Rating")._meta.db_table
    for name in list(_single_column_indexes(schema_editor, table)):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    model = apps.get_model("feedback", "Rating")
    for column in DROPPED:
        field = next(f for f in model._meta.concrete_fields if f.column == column)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_rating_question_ii1c"),
        ("organisations", "0003_importjob"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="rating",
                    name="counter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="ratings",
                        to="feedback.counter",
                        verbose_name="quầy",
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="device_hash",
                    field=models.CharField(blank=True, max_length=32),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="organisation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ratings",
                        to="organisations.organisation",
                        verbose_name="cơ quan",
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="reviewed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người xem xét",
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="scale",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.ratingscale",
                    ),
                ),
                migrations.AlterField(
                    model_name="rating",
                    name="staff",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ratings",
                        to="organisations.staffmember",
                        verbose_name="cán bộ",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                condition=models.Q(("counter__isnull", False)),
                fields=["counter", "-created_at"],
                name="rating_counter_idx",
            ),
        ),
    ]
