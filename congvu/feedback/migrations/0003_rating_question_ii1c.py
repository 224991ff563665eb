"""Existing catalogues get the rating question of II.1.c (asked the other way round).

New catalogues take it from congvu/conduct/data/seed_catalogue.json; this gives
databases loaded before the question existed the same wording. Clauses an
editor already gave a question keep theirs.
"""

from typing import Any

from django.db import migrations

QUESTION = (
    "Cán bộ có đòi hỏi điều gì không đúng quy định, gây khó khăn hoặc để anh/chị "
    "chờ đợi vô lý không?"
)


def set_question(apps: Any, schema_editor: Any) -> None:
    Clause = apps.get_model("conduct", "Clause")
    Clause.objects.filter(code="II.1.c", rateable=True, rating_question="").update(
        rating_question=QUESTION, rating_yes_is_breach=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_default_scales"),
        ("conduct", "0003_clause_rating_question_clause_rating_yes_is_breach"),
    ]

    operations = [migrations.RunPython(set_question, migrations.RunPython.noop)]
