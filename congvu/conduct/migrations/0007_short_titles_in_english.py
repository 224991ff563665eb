"""Existing catalogues get the English of the default clauses' short titles.

New catalogues take it from congvu/conduct/data/seed_catalogue.json; this gives
databases loaded before the field existed the same English. Only a clause whose
Vietnamese short title is still the default's gets it: an editor who renamed the
clause would otherwise have a translation of words no longer there. An English
title already written is kept.
"""

from typing import Any

from django.db import migrations

#: code → (the default Vietnamese short title, its English).
DEFAULTS = {
    "II.1.a": (
        "Nhận và hoàn thành nhiệm vụ được giao",
        "Taking on and completing assigned tasks",
    ),
    "II.1.b": (
        "Kỷ luật, giờ giấc, nội quy",
        "Discipline, working hours and house rules",
    ),
    "II.1.c": (
        "Không gây khó khăn, phiền hà, vòi vĩnh",
        "No obstruction, harassment or soliciting favours",
    ),
    "II.1.d": (
        "Lãnh đạo công tâm, không bổ nhiệm người thân quen",
        "Impartial leadership; no appointing relatives or acquaintances",
    ),
    "II.2.a": (
        "Giao tiếp với người dân; “4 xin, 4 luôn”",
        "Dealing with citizens; the “4 xin, 4 luôn” (four pleases, four always)",
    ),
    "II.2.a.1": (
        "Xin chào",
        "Greet",
    ),
    "II.2.a.2": (
        "Xin lỗi",
        "Apologise",
    ),
    "II.2.a.3": (
        "Xin cảm ơn",
        "Thank",
    ),
    "II.2.a.4": (
        "Xin phép",
        "Ask permission",
    ),
    "II.2.a.5": (
        "Luôn mỉm cười",
        "Always smile",
    ),
    "II.2.a.6": (
        "Luôn nhẹ nhàng",
        "Always be gentle",
    ),
    "II.2.a.7": (
        "Luôn lắng nghe",
        "Always listen",
    ),
    "II.2.a.8": (
        "Luôn giúp đỡ",
        "Always help",
    ),
    "II.2.b": (
        "Ứng xử với đồng nghiệp",
        "Conduct towards colleagues",
    ),
    "II.2.c": (
        "Ứng xử với cấp trên",
        "Conduct towards superiors",
    ),
    "II.2.d": (
        "Lãnh đạo lắng nghe cấp dưới, gương mẫu",
        "Leaders listen to their staff and set an example",
    ),
    "II.3.a": (
        "Tu dưỡng đạo đức, lối sống",
        "Ethics and way of life",
    ),
    "II.3.b": (
        "Không cờ bạc, tệ nạn; không uống rượu bia trong giờ làm việc",
        "No gambling or social vices; no alcohol during working hours",
    ),
}


def set_english(apps: Any, schema_editor: Any) -> None:
    Clause = apps.get_model("conduct", "Clause")
    clauses = Clause.objects.filter(code__in=DEFAULTS, short_title_en="")
    for clause in clauses.only("pk", "code", "short_title"):
        vietnamese, english = DEFAULTS[clause.code]
        if " ".join(clause.short_title.split()) == vietnamese:
            Clause.objects.filter(pk=clause.pk).update(short_title_en=english)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0006_clause_short_title_en")]

    operations = [migrations.RunPython(set_english, migrations.RunPython.noop)]
