"""The sales by (company, persona) index of 0002 also carries the fulfillment type, so
the purchase summary of a batch's shoppers (``aiq.personas.summaries.refresh``, run in
every sales write) is read from the index alone; PostgreSQL only, like 0002. Audiences
themselves no longer group sales by shopper: they test the summary columns."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS sale_company_persona_summary ON personas_sale"
    " (company_id, persona_id) INCLUDE (occurred_at, total, is_refund, fulfillment)",
    "DROP INDEX IF EXISTS sale_company_persona_facts",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS sale_company_persona_facts"
    " ON personas_sale (company_id, persona_id) INCLUDE (occurred_at, total, is_refund)",
    "DROP INDEX IF EXISTS sale_company_persona_summary",
]


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0002_audience_indexes"),
        ("personas", "0008_backfill_purchase_summaries"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
