"""Database triggers that refuse edits of ledger history, whatever code path tries.

PostgreSQL refuses UPDATE and DELETE of entries and allocations (TRUNCATE, which the test
suite's flush uses, fires no row trigger). SQLite refuses UPDATE only: Django flushes an
SQLite test database with DELETE, which a DELETE trigger would block; the models refuse
deletes there.

Mind SQLite: a later migration that alters one of these tables rebuilds it (copy, drop,
rename), which drops its triggers; such a migration must run ``create_triggers`` again.
The append-only tests fail if it does not.
"""

from django.db import migrations

TABLES = ("loyalty_ledgerentry", "loyalty_allocation")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION loyalty_refuse_history_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'loyalty ledger history is append-only: % on % refused',
        TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION loyalty_refuse_history_change();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'loyalty ledger history is append-only'); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS loyalty_refuse_history_change();")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_ledger")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
