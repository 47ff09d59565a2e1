"""Purchase summaries for the sales already stored (one UPDATE from the sales grouped by
persona; later writes keep them exact, ``aiq.personas.summaries``).

PostgreSQL: personas get fillfactor 90 first, so the summary UPDATE each sales batch makes
can stay on the row's page (a HOT update, no index entries), which measured 2 to 3 times
cheaper than rewriting the persona's fourteen index entries. The backfill rewrites every
persona with sales once: VACUUM personas_persona afterwards (VACUUM FULL, or pg_repack,
in a quiet hour to give the space back and apply the fillfactor to existing pages).
"""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    from aiq.personas.summaries import BACKFILL

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE personas_persona SET (fillfactor = 90)")
    schema_editor.execute(BACKFILL)


def undo(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE personas_persona RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("personas", "0007_persona_purchase_summary")]

    operations = [migrations.RunPython(backfill, undo)]
