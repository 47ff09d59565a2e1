"""Each company's login handle (staff it adds log in as name@handle), filled from the
company's name for existing companies, then unique."""

from django.db import migrations, models

HELP = (
    "Staff added here log in as name@handle, so usernames never collide with (or reveal) "
    "another company's staff. Set from the name when the company is created."
)


def fill_handles(apps, schema_editor):
    from aiq.accounts.models import unique_login_handle

    Company = apps.get_model("accounts", "Company")
    for company in Company.objects.order_by("pk"):
        others = Company.objects.exclude(pk=company.pk).exclude(login_handle="")
        company.login_handle = unique_login_handle(company.name, others)
        company.save(update_fields=["login_handle"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sync_engine"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="login_handle",
            # No index yet: the unique one comes once every company has its own handle.
            field=models.SlugField(
                blank=True, default="", max_length=40, db_index=False, help_text=HELP
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="company",
            name="login_handle",
            field=models.SlugField(blank=True, max_length=40, unique=True, help_text=HELP),
        ),
    ]
