"""`Case.search_text`: the texts handlers read, folded, for the case list's search, with
the reporter's name, phone and e-mail masked (`Case.refresh_search_text`); filled here
for the cases already there.

Historical models have no methods, so the list of fields is written out here, frozen as
it was when the migration was made. `fold` and `identity_pattern` are plain functions
that read the instance's attributes (no model method involved); the reporter's fields
are decrypted by their field class, as on the model.
"""

from typing import Any

from django.db import migrations, models

FIELDS = ("subject_description", "occurred_place", "other_standard", "description", "conclusion")
IDENTITY = ("is_anonymous", "reporter_name", "reporter_phone", "reporter_email")
BATCH = 1000


def _folded(case: Any) -> str:
    from congvu.cases.visibility import identity_pattern
    from congvu.core.text import fold

    joined = "\n".join(text for text in (getattr(case, name) for name in FIELDS) if text)
    pattern = identity_pattern(case)
    return fold(pattern.sub(" ", joined) if pattern is not None else joined)


def fill(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case.objects.only("pk", *FIELDS, *IDENTITY).order_by("pk").iterator(BATCH):
        case.search_text = _folded(case)
        batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, ["search_text"])
            batch = []
    Case.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_export_format")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
