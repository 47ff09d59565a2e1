import django.db.models.functions.text
from django.db import migrations, models


def rename_case_duplicates(apps, schema_editor):
    """Stores whose names differ only in case or outer spaces would stop the new index
    from being built: the later ones get " (2)", " (3)"... so staff can rename them."""
    RetailStore = apps.get_model("stores", "RetailStore")
    seen: dict[tuple[int, str], int] = {}
    for store in RetailStore.objects.order_by("company_id", "pk"):
        key = (store.company_id, store.name.strip().lower())
        count = seen.get(key, 0) + 1
        seen[key] = count
        if count > 1:
            store.name = f"{store.name.strip()} ({count})"
            store.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sync_engine"),
        ("stores", "0002_retailstore_opt_in_queue_enabled_storemapping"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="retailstore",
            name="store_unique_name",
        ),
        migrations.AddConstraint(
            model_name="retailstore",
            constraint=models.UniqueConstraint(
                models.F("company"),
                django.db.models.functions.text.Lower(
                    django.db.models.functions.text.Trim("name")
                ),
                name="store_unique_name_ci",
            ),
        ),
    ]
