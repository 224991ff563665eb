"""Default organisation kinds. They are data: administrators rename, add and reorder them."""

from django.db import migrations

KINDS = [
    ("province_pc", "Ủy ban nhân dân tỉnh, thành phố", "Provincial People's Committee", False, 10),
    ("department", "Sở, ban, ngành", "Department or board", False, 20),
    ("district_pc", "Ủy ban nhân dân huyện (trước 01/07/2025)", "District People's Committee (before 01/07/2025)", False, 30),
    ("commune_pc", "Ủy ban nhân dân xã, phường, đặc khu", "Commune People's Committee", False, 40),
    ("public_service_unit", "Đơn vị sự nghiệp công lập", "Public service unit", False, 50),
    ("service_centre", "Trung tâm phục vụ hành chính công", "Public administration service centre", False, 60),
    ("division", "Phòng, bộ phận", "Division", True, 90),
    ("other", "Cơ quan, tổ chức khác", "Other organisation", False, 100),
]


def load(apps, schema_editor):
    Kind = apps.get_model("organisations", "OrganisationKind")
    for code, name, name_en, is_division, order in KINDS:
        Kind.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "is_division": is_division, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
