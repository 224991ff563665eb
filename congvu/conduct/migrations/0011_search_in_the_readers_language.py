"""Two folded search copies: `search_text` with the Vietnamese fields only (as before
0010) and a new `search_text_en` with the code and the English fields, so that a
Vietnamese reader's short folded word ("the" — thẻ) no longer matches English words,
as `Clause.refresh_search_text` now does for new and edited clauses.

Historical models have no methods, so the lists of fields are written out here, frozen
as they were when the migration was made. Backwards, `search_text` is rebuilt with the
English in it, as 0010 left it, before the column is dropped. `fold` is the plain
function of congvu/core/text.py (no model involved), as 0010 uses it.
"""

from typing import Any

from django.db import migrations, models

VIETNAMESE = ("code", "short_title", "text", "plain_text", "keywords")
ENGLISH = ("code", "short_title_en", "plain_text_en", "rating_question_en")
#: 0010's single copy: the Vietnamese fields, then the English ones.
TOGETHER = (*VIETNAMESE, *ENGLISH[1:])
BATCH = 1000


def _folded(clause: Any, fields: tuple[str, ...]) -> str:
    from congvu.core.text import fold

    return fold(" ".join(getattr(clause, name) for name in fields))


def _rebuild(apps: Any, fill: Any, columns: list[str]) -> None:
    Clause = apps.get_model("conduct", "Clause")
    fields = sorted({*VIETNAMESE, *ENGLISH})
    batch = []
    for clause in Clause.objects.only("pk", *fields).order_by("pk").iterator(chunk_size=BATCH):
        fill(clause)
        batch.append(clause)
        if len(batch) >= BATCH:
            Clause.objects.bulk_update(batch, columns)
            batch = []
    Clause.objects.bulk_update(batch, columns)


def split(apps: Any, schema_editor: Any) -> None:
    def fill(clause: Any) -> None:
        clause.search_text = _folded(clause, VIETNAMESE)
        clause.search_text_en = _folded(clause, ENGLISH)

    _rebuild(apps, fill, ["search_text", "search_text_en"])


def join(apps: Any, schema_editor: Any) -> None:
    def fill(clause: Any) -> None:
        clause.search_text = _folded(clause, TOGETHER)

    _rebuild(apps, fill, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("conduct", "0010_search_reads_english")]

    operations = [
        migrations.AddField(
            model_name="clause",
            name="search_text_en",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(split, join),
    ]
