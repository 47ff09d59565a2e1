"""Sale lines keep the product's brand (the "Bought brand" audience condition).

No backfill: lines already stored keep an empty brand (the column's default, so adding it
rewrites no row on PostgreSQL). A POS whose lines carry a brand (POSaBIT, the sales API)
fills it as sales are synced or posted; a stored sale read again whose lines now have a
brand hashes differently, so it is rewritten with it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('personas', '0008_backfill_purchase_summaries'),
    ]

    operations = [
        migrations.AddField(
            model_name='saleline',
            name='brand',
            field=models.CharField(blank=True, db_default='', default='', max_length=128),
        ),
    ]
