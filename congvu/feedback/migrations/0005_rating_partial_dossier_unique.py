"""One rating per dossier through a partial unique index (`rating_one_per_dossier`,
… WHERE dossier_id IS NOT NULL) instead of the column's UNIQUE, which indexed the
NULL of every rating without a dossier (badge, counter and kiosk ratings: most).

Both accept exactly the same rows (NULLs never collide), so the model keeps its
`OneToOneField` (Django's reverse one-to-one and `select_related("rating")`
need the field unique) and only the database changes. The index is created
before the column's UNIQUE goes, so the rule holds throughout. PostgreSQL drops
the column's constraint; SQLite cannot drop an inline UNIQUE and copies the
table once (as an `AlterField` would; minutes at millions of ratings).
"""

from django.db import migrations, models

INDEX = "rating_one_per_dossier"


def _dossier_field(apps):
    model = apps.get_model("feedback", "Rating")
    return model, model._meta.get_field("dossier")


def partial_index(apps, schema_editor):
    model, field = _dossier_field(apps)
    qn = schema_editor.quote_name
    table, column = model._meta.db_table, field.column
    schema_editor.execute(
        f"CREATE UNIQUE INDEX {qn(INDEX)} ON {qn(table)} ({qn(column)}) "
        f"WHERE {qn(column)} IS NOT NULL"
    )
    if schema_editor.connection.vendor == "sqlite":
        # The table without the column's UNIQUE: the dossier field as a plain,
        # unindexed foreign key for the copy (the state is not changed).
        plain = models.ForeignKey(
            field.related_model,
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            db_index=False,
            related_name="+",
        )
        plain.set_attributes_from_name(field.name)
        plain.model = model
        schema_editor._remake_table(model, alter_fields=[(field, plain)])
        schema_editor.execute(
            f"CREATE UNIQUE INDEX {qn(INDEX)} ON {qn(table)} ({qn(column)}) "
            f"WHERE {qn(column)} IS NOT NULL"
        )
        return
    for name in schema_editor._constraint_names(model, [column], unique=True):
        if name != INDEX:
            schema_editor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")


def column_unique(apps, schema_editor):
    model, field = _dossier_field(apps)
    qn = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX {qn(INDEX)}")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor._remake_table(model)  # from the state: the column's UNIQUE
        return
    schema_editor.execute(schema_editor._create_unique_sql(model, [field]))


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_rating_fewer_indexes"),
    ]

    operations = [migrations.RunPython(partial_index, column_unique)]
