"""Every clause's folded search copy reads the English too (short title, plain text,
rating question), as `Clause.refresh_search_text` now does for new and edited clauses.

Historical models have no methods, so the list of fields is written out here, frozen
as it was when the migration was made; backwards, the copy is rebuilt without the
English, as the code before it did. `fold` is the plain function of congvu/core/text.py
(no model involved), as organisations/0005 uses it.
"""

from typing import Any

from django.db import migrations

BEFORE = ("code", "short_title", "text", "plain_text", "keywords")
AFTER = (*BEFORE, "short_title_en", "plain_text_en", "rating_question_en")
BATCH = 1000


def _refresh(apps: Any, fields: tuple[str, ...]) -> None:
    from congvu.core.text import fold

    Clause = apps.get_model("conduct", "Clause")
    batch = []
    for clause in Clause.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=BATCH):
        clause.search_text = fold(" ".join(getattr(clause, name) for name in fields))
        batch.append(clause)
        if len(batch) >= BATCH:
            Clause.objects.bulk_update(batch, ["search_text"])
            batch = []
    Clause.objects.bulk_update(batch, ["search_text"])


def with_english(apps: Any, schema_editor: Any) -> None:
    _refresh(apps, AFTER)


def without_english(apps: Any, schema_editor: Any) -> None:
    _refresh(apps, BEFORE)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0009_plain_texts_in_english")]

    operations = [migrations.RunPython(with_english, without_english)]
