"""Indexes the audience queries lean on, PostgreSQL only (SQLite has no GIN, INCLUDE or
the planner to gain from them; the tests' small data needs none).

- GIN on personas' custom brand traits: ``brand_traits @> {"CovaPricingGroup": "VIP"}``
  and ``brand_traits ? 'CovaPricingGroup'``.
- Sales by (company, persona) carrying time, total and the refund flag: total spend and
  number of purchases read from the index alone, already grouped by shopper.
- Purchases (not refunds) by (company, fulfillment, time): "fulfillment contains
  delivery", ever or in the last 90 days, reads only those entries.
- Purchases by (company, time): "last purchase within N days" reads only the window.
Each costs the sync some write speed; they are what keeps a size under a second.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS persona_brand_traits_gin"
    " ON personas_persona USING gin (brand_traits)",
    "CREATE INDEX IF NOT EXISTS sale_company_persona_facts"
    " ON personas_sale (company_id, persona_id) INCLUDE (occurred_at, total, is_refund)",
    "CREATE INDEX IF NOT EXISTS sale_company_fulfillment"
    " ON personas_sale (company_id, fulfillment, occurred_at) INCLUDE (persona_id)"
    " WHERE NOT is_refund",
    "CREATE INDEX IF NOT EXISTS sale_company_recent"
    " ON personas_sale (company_id, occurred_at) INCLUDE (persona_id, fulfillment)"
    " WHERE NOT is_refund",
]
BACKWARD = [
    "DROP INDEX IF EXISTS persona_brand_traits_gin",
    "DROP INDEX IF EXISTS sale_company_persona_facts",
    "DROP INDEX IF EXISTS sale_company_fulfillment",
    "DROP INDEX IF EXISTS sale_company_recent",
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
