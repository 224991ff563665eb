"""Existing catalogues get the English of the default rating questions.

New catalogues take it from congvu/conduct/data/seed_catalogue.json; this gives
databases loaded before the field existed the same English. Only a rateable clause
whose Vietnamese question is still the default's gets it: an editor who reworded the
question would otherwise have a translation of words no longer asked. An English
question already written is kept.
"""

from typing import Any

from django.db import migrations

#: code → (the Vietnamese the form asks: rating_question, else plain_text; its English).
DEFAULTS = {
    "II.1.c": (
        "Cán bộ có đòi hỏi điều gì không đúng quy định, gây khó khăn hoặc để anh/chị "
        "chờ đợi vô lý không?",
        "Did the staff member ask for anything the rules do not require, make things "
        "difficult for you or keep you waiting for no good reason?",
    ),
    "II.2.a.1": (
        "Chào hỏi người dân khi tiếp đón.",
        "Did the staff member greet you when you arrived?",
    ),
    "II.2.a.2": (
        "Xin lỗi người dân khi để họ chờ đợi hoặc khi có sai sót.",
        "Did the staff member apologise when you had to wait or something went wrong?",
    ),
    "II.2.a.3": (
        "Cảm ơn người dân đã hợp tác, góp ý.",
        "Did the staff member thank you for your cooperation and comments?",
    ),
    "II.2.a.4": (
        "Xin phép người dân trước khi làm việc gì liên quan đến họ.",
        "Did the staff member ask your permission before doing anything that concerned you?",
    ),
    "II.2.a.5": (
        "Luôn tươi cười, niềm nở khi tiếp người dân.",
        "Did the staff member smile and welcome you warmly?",
    ),
    "II.2.a.6": (
        "Luôn nói năng nhẹ nhàng, không quát nạt, cáu gắt.",
        "Did the staff member speak gently, without shouting or snapping at you?",
    ),
    "II.2.a.7": (
        "Luôn lắng nghe người dân trình bày đến hết.",
        "Did the staff member listen to you until you had finished?",
    ),
    "II.2.a.8": (
        "Luôn sẵn sàng giúp đỡ, hướng dẫn người dân.",
        "Was the staff member ready to help and guide you?",
    ),
}


def set_english(apps: Any, schema_editor: Any) -> None:
    Clause = apps.get_model("conduct", "Clause")
    clauses = Clause.objects.filter(code__in=DEFAULTS, rateable=True, rating_question_en="")
    for clause in clauses.only("pk", "code", "rating_question", "plain_text", "short_title"):
        vietnamese, english = DEFAULTS[clause.code]
        asked = clause.rating_question or clause.plain_text or clause.short_title
        if asked.strip() == vietnamese:
            Clause.objects.filter(pk=clause.pk).update(rating_question_en=english)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0004_clause_rating_question_en")]

    operations = [migrations.RunPython(set_english, migrations.RunPython.noop)]
