"""Leave room on each page of the accounts table (PostgreSQL) for its rows' new versions.

Every earning batch moves the balance of up to a few thousand accounts in one UPDATE.
With full pages each new row version lands on another page and needs an entry in each of
the table's four indexes; with room left on the page it is a HOT update (no index
entries): the batch's UPDATE took 30 to 45 % less time in ``bench_loyalty``, and the
indexes stop growing with every batch. Pages
written from now on keep the room; existing ones get it when the table is rewritten.
"""

from django.db import migrations

FILLFACTOR = 50


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE loyalty_loyaltyaccount SET (fillfactor = {FILLFACTOR})"
        )


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE loyalty_loyaltyaccount RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0007_api_keys")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
