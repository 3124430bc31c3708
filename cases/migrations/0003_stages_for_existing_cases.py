"""Gives every case opened before stages existed its eight stage rows (not started), with history.

Notes are left empty (NULL) rather than sealed, so this runs without opening any key.
"""

from django.db import migrations
from django.utils import timezone

KINDS = [
    "shelter",
    "food",
    "clothing",
    "psychological_support",
    "travel_documents",
    "evacuation",
    "asylum_application",
    "resettled",
]


def create_missing_stages(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Stage = apps.get_model("cases", "Stage")
    HistoricalStage = apps.get_model("cases", "HistoricalStage")
    now = timezone.now()
    for case in Case.objects.filter(stages__isnull=True).only("pk", "data_key_id").iterator():
        for position, kind in enumerate(KINDS, start=1):
            stage = Stage(
                case_id=case.pk,
                data_key_id=case.data_key_id,
                kind=kind,
                position=position,
                notes=None,
                out_of_order_reason=None,
            )
            stage.save()
            HistoricalStage(
                id=stage.pk,
                seal_id=stage.seal_id,
                case_id=case.pk,
                data_key_id=case.data_key_id,
                kind=kind,
                position=position,
                status=stage.status,
                blocked_reason="",
                notes=None,
                out_of_order_reason=None,
                version=stage.version,
                history_date=now,
                history_type="+",
                history_change_reason="opened (stages added)",
            ).save()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_stages_and_money")]

    operations = [migrations.RunPython(create_missing_stages, migrations.RunPython.noop)]
