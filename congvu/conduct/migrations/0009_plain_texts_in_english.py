"""Existing catalogues get the English of the default clauses' plain-language texts.

New catalogues take it from congvu/conduct/data/seed_catalogue.json; this gives
databases loaded before the field existed the same English. Only a clause whose
Vietnamese plain text is still the default's gets it: an editor who reworded the
explanation would otherwise have a translation of words no longer there. An English
text already written is kept. The full legal text (`text`) has no English: it is the
province's document.
"""

from typing import Any

from django.db import migrations

#: code → (the default Vietnamese plain text, its English).
DEFAULTS = {
    "II.1.a": (
        "Cán bộ nhận việc được giao và làm đến nơi đến chốn, không chọn việc dễ, bỏ việc khó.",
        "Staff take on the work they are given and see it through, without picking the easy "
        "tasks and leaving the hard ones.",
    ),
    "II.1.b": (
        "Cán bộ làm việc đúng giờ, nghiêm túc, chấp hành nội quy của cơ quan.",
        "Staff keep to working hours, work conscientiously and follow their agency's rules.",
    ),
    "II.1.c": (
        "Cán bộ không được gây khó khăn, đòi hỏi thêm, vòi vĩnh hay kéo dài thời gian giải "
        "quyết hồ sơ của người dân.",
        "Staff must not make things difficult for citizens, ask for more than the rules "
        "require, solicit favours or drag out the handling of their dossiers.",
    ),
    "II.1.d": (
        "Lãnh đạo đánh giá, sử dụng cán bộ công bằng, không đưa người thân quen vào chức vụ.",
        "Leaders assess and assign staff fairly and do not put relatives or acquaintances "
        "into posts.",
    ),
    "II.2.a": (
        "Cán bộ tôn trọng, lắng nghe, hướng dẫn tận tình và giải thích rõ cho người dân; "
        "thực hiện “4 xin, 4 luôn”.",
        "Staff treat citizens with respect, listen to them, guide them patiently and explain "
        "things clearly; they practise the “4 xin, 4 luôn” (four pleases, four always).",
    ),
    "II.2.a.1": (
        "Chào hỏi người dân khi tiếp đón.",
        "Greet citizens when receiving them.",
    ),
    "II.2.a.2": (
        "Xin lỗi người dân khi để họ chờ đợi hoặc khi có sai sót.",
        "Apologise to citizens for keeping them waiting or when a mistake is made.",
    ),
    "II.2.a.3": (
        "Cảm ơn người dân đã hợp tác, góp ý.",
        "Thank citizens for their cooperation and comments.",
    ),
    "II.2.a.4": (
        "Xin phép người dân trước khi làm việc gì liên quan đến họ.",
        "Ask citizens' permission before doing anything that concerns them.",
    ),
    "II.2.a.5": (
        "Luôn tươi cười, niềm nở khi tiếp người dân.",
        "Always smile and be welcoming when receiving citizens.",
    ),
    "II.2.a.6": (
        "Luôn nói năng nhẹ nhàng, không quát nạt, cáu gắt.",
        "Always speak gently, without shouting or snapping.",
    ),
    "II.2.a.7": (
        "Luôn lắng nghe người dân trình bày đến hết.",
        "Always listen to citizens until they have finished.",
    ),
    "II.2.a.8": (
        "Luôn sẵn sàng giúp đỡ, hướng dẫn người dân.",
        "Always be ready to help and guide citizens.",
    ),
    "II.2.b": (
        "Cán bộ hợp tác, giúp đỡ đồng nghiệp, không chia bè phái.",
        "Staff cooperate with and help their colleagues, and do not form cliques.",
    ),
    "II.2.c": (
        "Cán bộ chấp hành sự phân công của cấp trên, không đùn đẩy, né tránh việc.",
        "Staff carry out the work their superiors assign, without pushing it onto others or "
        "avoiding it.",
    ),
    "II.2.d": (
        "Lãnh đạo lắng nghe ý kiến cấp dưới, không áp đặt, làm gương trong giao tiếp.",
        "Leaders listen to their staff's views, do not impose their own, and set an example "
        "in how they deal with people.",
    ),
    "II.3.a": (
        "Cán bộ sống trung thực, giản dị, liêm chính, không cơ hội, ích kỷ.",
        "Staff live honestly, simply and with integrity, and are neither opportunistic nor "
        "selfish.",
    ),
    "II.3.b": (
        "Cán bộ không cờ bạc, không sa vào tệ nạn, không uống rượu bia trong giờ làm việc và "
        "giờ nghỉ trưa.",
        "Staff do not gamble or fall into social vices, and do not drink alcohol during "
        "working hours or the lunch break.",
    ),
}


def set_english(apps: Any, schema_editor: Any) -> None:
    Clause = apps.get_model("conduct", "Clause")
    clauses = Clause.objects.filter(code__in=DEFAULTS, plain_text_en="")
    for clause in clauses.only("pk", "code", "plain_text"):
        vietnamese, english = DEFAULTS[clause.code]
        if " ".join(clause.plain_text.split()) == vietnamese:
            Clause.objects.filter(pk=clause.pk).update(plain_text_en=english)


class Migration(migrations.Migration):
    dependencies = [("conduct", "0008_clause_plain_text_en")]

    operations = [migrations.RunPython(set_english, migrations.RunPython.noop)]
