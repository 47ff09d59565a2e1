"""Secret hints by the new rule (integrations.secret_hints): a short secret keeps no
readable part, a long one at most a quarter of it; the history keeps only that a secret
changed. Irreversible by design: the old hints are what must not be kept."""

from django.db import migrations


def redact(apps, schema_editor):
    from integrations.secret_hints import redact_stored_hints

    redact_stored_hints(
        apps.get_model("integrations", "Credential"),
        apps.get_model("integrations", "IntegrationEvent"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0004_resumable_sync_positions_and_requests"),
    ]

    operations = [
        migrations.RunPython(redact, migrations.RunPython.noop),
    ]
