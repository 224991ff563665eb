"""Cases opened from a rating before its comment was masked (commentmask, 29/11/2026) quote
the comment as the citizen typed it, phone number, e-mail address or ID number included;
every case opened since quotes it masked. This gives the older ones the masked quote too.

Only a description that is still exactly the rating's comment (as `open_from_rating` quoted
it: NULs dropped, spaces trimmed) is rewritten: an officer's own words, given when the case
was opened, are not the citizen's and stay. The rating keeps its comment as written, so
nothing anyone sent is lost. `search_text` is folded again from the masked text (the
fields and the folding of migration 0012, frozen there).
"""

from importlib import import_module
from typing import Any

from django.db import migrations

BATCH = 500


def mask(apps: Any, schema_editor: Any) -> None:
    from congvu.core.contacts import mask_contacts

    folded = import_module("congvu.cases.migrations.0012_case_search_text")
    Case = apps.get_model("cases", "Case")
    cases = (
        Case.objects.filter(source_rating__isnull=False)
        .select_related("source_rating")
        .only("pk", "source_rating__comment", *folded.FIELDS, *folded.IDENTITY)
        .order_by("pk")
    )
    batch = []
    for case in cases.iterator(BATCH):
        quoted = str(case.source_rating.comment or "").replace("\x00", "").strip()
        if not quoted or case.description != quoted:
            continue
        masked = mask_contacts(quoted)
        if masked == quoted:
            continue
        case.description = masked
        case.search_text = folded._folded(case)
        batch.append(case)
        if len(batch) >= BATCH:
            Case.objects.bulk_update(batch, ["description", "search_text"])
            batch = []
    Case.objects.bulk_update(batch, ["description", "search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_unattended_told_at"),
        ("feedback", "0007_dossier_index_with_key"),
    ]

    operations = [migrations.RunPython(mask, migrations.RunPython.noop, elidable=True)]
