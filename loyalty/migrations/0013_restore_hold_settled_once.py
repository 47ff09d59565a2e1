"""Put back the unique index "a hold is released or committed once" on PostgreSQL.

Migration 0009 turned off ``db_index`` on ``LedgerEntry.reverses``; Django's schema editor
then dropped every single-column btree index on ``reverses_id``, and the partial unique
index of the ``loyalty_hold_settled_once`` constraint (0001) was one of them. The models
still declare the constraint, so nothing noticed; a test that settles one hold twice does
(tests/loyalty/test_post_refusals.py). SQLite rebuilt the table from the models in 0009
and kept it: ``IF NOT EXISTS`` makes this a no-op there and on any database that has it.
"""

from django.db import migrations

RESTORE = (
    "CREATE UNIQUE INDEX IF NOT EXISTS loyalty_hold_settled_once "
    "ON loyalty_ledgerentry (reverses_id) WHERE kind IN ('release', 'redeem')"
)


class Migration(migrations.Migration):

    dependencies = [
        ("loyalty", "0012_lot_award_checked_by_verify"),
    ]

    # The index belongs to 0001's constraint: unapplying this leaves it in place.
    operations = [migrations.RunSQL(RESTORE, reverse_sql=migrations.RunSQL.noop)]
