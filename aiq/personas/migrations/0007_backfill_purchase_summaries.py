"""Purchase summaries for the sales already stored (one UPDATE from the sales grouped by
persona; later writes keep them exact, ``aiq.personas.summaries``). On PostgreSQL this
rewrites every persona with sales once: run VACUUM on personas_persona afterwards."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from aiq.personas.summaries import BACKFILL

    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("personas", "0006_persona_purchase_summary")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
