"""Indexes the audience queries lean on, PostgreSQL only (SQLite has no GIN and its
planner gains nothing from a covering index; the tests' small data needs neither).

- GIN on personas' custom brand traits: ``brand_traits @> {"CovaPricingGroup": "VIP"}``
  and ``brand_traits ? 'CovaPricingGroup'``.
- Sales by (company, persona) carrying total, time, refund flag and fulfillment: total
  spend, number of purchases and fulfillment types are read from the index alone.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS persona_brand_traits_gin"
    " ON personas_persona USING gin (brand_traits)",
    "CREATE INDEX IF NOT EXISTS sale_company_persona_facts"
    " ON personas_sale (company_id, persona_id)"
    " INCLUDE (occurred_at, total, is_refund, fulfillment)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS persona_brand_traits_gin",
    "DROP INDEX IF EXISTS sale_company_persona_facts",
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
        ("audiences", "0001_audiences"),
        ("personas", "0005_queue_source"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
