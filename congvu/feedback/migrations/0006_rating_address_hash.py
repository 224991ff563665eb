"""`Rating.address_hash`: the daily-salted hash of the sender's address alone, and its index
(`rating_address_idx`), for the per-address flag and ceiling (`detection`).

The column is added by one `ALTER TABLE … ADD COLUMN … DEFAULT ''` on both databases:
Django's `AddField` of a NOT NULL column makes SQLite copy the whole table, which would take
minutes at millions of ratings and would rebuild it from the model state, bringing back the
dossier column's UNIQUE that 0005 replaced by a partial index. The default stays in the
database (`db_default`), so a raw INSERT that does not name the column still works.

The index is partial (`address_hash > ''`): every existing row has "", and with all of them in
the index SQLite's statistics make one key look like the whole table; it then scanned the
table at every rating (60 ms a rating in `bench/bench_rating_parts.py`, 100,000 ratings).
"""

from django.db import migrations, models

ADD = (
    'ALTER TABLE "feedback_rating" ADD COLUMN "address_hash" varchar(32) DEFAULT \'\' NOT NULL'
)
DROP = 'ALTER TABLE "feedback_rating" DROP COLUMN "address_hash"'


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0005_rating_partial_dossier_unique"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, reverse_sql=DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="rating",
                    name="address_hash",
                    field=models.CharField(blank=True, db_default="", default="", max_length=32),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="rating",
            index=models.Index(
                fields=["address_hash", "created_at"],
                condition=models.Q(address_hash__gt=""),
                name="rating_address_idx",
            ),
        ),
    ]
