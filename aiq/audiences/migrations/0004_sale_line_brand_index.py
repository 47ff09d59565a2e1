"""Sale lines by brand, for "Bought brand", PostgreSQL only like 0002: an expression index
on UPPER(brand) (the condition matches case-insensitively, as "bought a product category"
does) carrying the sale id, partial on lines that have a brand. Lines without one (every
Cova and Clover line, and lines synced before brands were kept) are not in it, so those
syncs pay nothing for it; a POSaBIT or sales API line pays one index entry.

The category condition has no index of its own (it reads the lines by sale); a brand is
what a marketer targets across every shopper, so its lines are found without reading the
others."""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS sale_line_brand ON personas_saleline"
    " (UPPER(brand), sale_id) WHERE brand <> ''",
]
BACKWARD = ["DROP INDEX IF EXISTS sale_line_brand"]


def _run(statements):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audiences", "0003_sale_summary_index"),
        ("personas", "0009_sale_line_brand"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
