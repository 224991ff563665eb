"""`Case.unattended_told_at`: when the overseers were last told that nobody handles the
case (`cases.unattended`). Filled here from the notices already recorded as the audit event
`case.unattended_notice` (the latest per case), so that nobody is told again of a case they
were told of; the daily job empties it for the cases someone has taken on since."""

from typing import Any

from django.db import migrations, models
from django.db.models import Max

BATCH = 1000


def fill(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Case = apps.get_model("cases", "Case")
    told = (
        AuditEvent.objects.filter(action="case.unattended_notice", object_type="cases.case")
        .values("object_id")
        .annotate(last=Max("at"))
        .order_by()
    )
    latest = {int(row["object_id"]): row["last"] for row in told if row["object_id"].isdigit()}
    batch = []
    for case in Case.objects.filter(pk__in=list(latest)).only("pk").iterator(BATCH):
        case.unattended_told_at = latest[case.pk]
        batch.append(case)
    Case.objects.bulk_update(batch, ["unattended_told_at"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_audit_log_named_nhat_ky_hoat_dong"),
        ("cases", "0013_case_event_identity_revealed"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="unattended_told_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
