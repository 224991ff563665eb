"""The district kind's name writes its date in full (dd/mm/yyyy): "trước 01/07/2025".

Only where the name is still the default one; a name an administrator changed is kept.
"""

from typing import Any

from django.db import migrations

OLD = (
    "Ủy ban nhân dân huyện (trước 01/7/2025)",
    "District People's Committee (before 1 Jul 2025)",
)
NEW = (
    "Ủy ban nhân dân huyện (trước 01/07/2025)",
    "District People's Committee (before 01/07/2025)",
)


def forwards(apps: Any, schema_editor: Any) -> None:
    Kind = apps.get_model("organisations", "OrganisationKind")
    Kind.objects.filter(code="district_pc", name=OLD[0]).update(name=NEW[0])
    Kind.objects.filter(code="district_pc", name_en=OLD[1]).update(name_en=NEW[1])


def backwards(apps: Any, schema_editor: Any) -> None:
    Kind = apps.get_model("organisations", "OrganisationKind")
    Kind.objects.filter(code="district_pc", name=NEW[0]).update(name=OLD[0])
    Kind.objects.filter(code="district_pc", name_en=NEW[1]).update(name_en=OLD[1])


class Migration(migrations.Migration):
    dependencies = [("organisations", "0005_version_search_text")]
    operations = [migrations.RunPython(forwards, backwards)]
