"""The default satisfaction scales: five levels (in use) and three levels (available)."""

from typing import Any

from django.db import migrations

FIVE = [
    (1, "Rất hài lòng", "Very satisfied", True),
    (2, "Hài lòng", "Satisfied", True),
    (3, "Bình thường", "Neutral", False),
    (4, "Không hài lòng", "Dissatisfied", False),
    (5, "Rất không hài lòng", "Very dissatisfied", False),
]
THREE = [
    (1, "Hài lòng", "Satisfied", True),
    (2, "Bình thường", "Neutral", False),
    (3, "Không hài lòng", "Dissatisfied", False),
]


def create_scales(apps: Any, schema_editor: Any) -> None:
    RatingScale = apps.get_model("feedback", "RatingScale")
    ScaleLevel = apps.get_model("feedback", "ScaleLevel")
    has_active = RatingScale.objects.filter(is_active=True).exists()
    for code, name, levels, active in (
        ("5-muc", "5 mức", FIVE, not has_active),
        ("3-muc", "3 mức", THREE, False),
    ):
        scale, created = RatingScale.objects.get_or_create(
            code=code, defaults={"name": name, "is_active": active}
        )
        if not created:
            continue
        for value, label, label_en, satisfied in levels:
            ScaleLevel.objects.create(
                scale=scale, value=value, label=label, label_en=label_en, satisfied=satisfied
            )


def remove_scales(apps: Any, schema_editor: Any) -> None:
    RatingScale = apps.get_model("feedback", "RatingScale")
    Rating = apps.get_model("feedback", "Rating")
    used = set(Rating.objects.values_list("scale_id", flat=True).distinct())
    RatingScale.objects.filter(code__in=["5-muc", "3-muc"]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create_scales, remove_scales)]
