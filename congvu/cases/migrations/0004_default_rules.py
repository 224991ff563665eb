"""The default clocks, routing rules and discipline forms (data the province can change).

Clocks:
* feedback (phản ánh, kiến nghị): acknowledged within 5 working days (the issue's
  default), settled within 15 working days, no extension. No single law fixes
  this for feedback on conduct; 15 working days is a local choice.
* complaint (khiếu nại): Law on Complaints 2011, art. 27 gives 10 days to accept;
  5 working days (never more than 7 calendar days) keeps within it. Art. 28:
  settled within 30 days of acceptance, a complex case up to 45: one extension
  of 15 days. The law counts calendar days.
* denunciation (tố cáo): acknowledged within 5 working days (the issue's default);
  Law on Denunciation 2018, art. 30: settled within 30 days of acceptance,
  extendable once by up to 30 days for a complex case and twice for a very
  complex one, in writing, the parties notified. Calendar days.

Routing: a leader's case goes to the supervising organisation (conflict of
interest), everyone else's to the employer.

Discipline forms: Decree 112/2020/NĐ-CP (officials art. 7, civil servants art. 8,
public employees art. 15); limitation 5 years for a reprimand, 10 for heavier forms.
"""

from typing import Any

from django.db import migrations

CLOCKS = [
    # track, acknowledge, settle, working days?, extension, max extensions, due soon
    ("feedback", 5, 15, True, 0, 0, 3),
    ("complaint", 5, 30, False, 15, 1, 3),
    ("denunciation", 5, 30, False, 30, 2, 3),
]

RULES = [
    (10, "Người bị phản ánh là lãnh đạo: cơ quan cấp trên xử lý", True, "supervisor"),
    (100, "Các trường hợp khác: cơ quan quản lý trực tiếp xử lý", None, "employer"),
]

# code, name, English, rank, limitation years,
# official, civil servant (no post), leader, public employee (no post), public-employee manager
FORMS = [
    ("khien-trach", "Khiển trách", "Reprimand", 1, 5, True, True, True, True, True),
    ("canh-cao", "Cảnh cáo", "Warning", 2, 10, True, True, True, True, True),
    ("ha-bac-luong", "Hạ bậc lương", "Salary downgrade", 3, 10, False, True, False, False, False),
    ("giang-chuc", "Giáng chức", "Demotion", 4, 10, False, False, True, False, False),
    ("cach-chuc", "Cách chức", "Dismissal from post", 5, 10, True, False, True, False, True),
    (
        "bai-nhiem",
        "Bãi nhiệm",
        "Removal from elected office",
        6,
        10,
        True,
        False,
        False,
        False,
        False,
    ),
    (
        "buoc-thoi-viec",
        "Buộc thôi việc",
        "Forced resignation",
        7,
        10,
        False,
        True,
        True,
        True,
        True,
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    TrackClock = apps.get_model("cases", "TrackClock")
    RoutingRule = apps.get_model("cases", "RoutingRule")
    DisciplineForm = apps.get_model("cases", "DisciplineForm")
    for track, ack, settle, working, ext, max_ext, soon in CLOCKS:
        TrackClock.objects.update_or_create(
            track=track,
            defaults={
                "acknowledge_days": ack,
                "settle_days": settle,
                "settle_in_working_days": working,
                "extension_days": ext,
                "max_extensions": max_ext,
                "due_soon_days": soon,
            },
        )
    if not RoutingRule.objects.exists():
        for order, name, leader, route in RULES:
            RoutingRule.objects.create(
                order=order, name=name, subject_is_leader=leader, route_to=route
            )
    for code, name, name_en, rank, years, off, cs, lead, pe, pem in FORMS:
        DisciplineForm.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rank": rank,
                "limitation_years": years,
                "for_official": off,
                "for_civil_servant": cs,
                "for_leader": lead,
                "for_public_employee": pe,
                "for_public_employee_manager": pem,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_rejected_at")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
