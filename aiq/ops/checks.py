"""System checks for settings that are easy to get wrong in production."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_disabled_in_production(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    if settings.POS_SANDBOX_ENABLED:
        return [
            Warning(
                "The POS sandboxes are enabled: /sandbox/ serves fake Cova, POSaBIT and "
                "Clover APIs.",
                hint="Set POS_SANDBOX_ENABLED=false in production.",
                id="aiq.W001",
            )
        ]
    return []


@register(deploy=True)
def task_time_limit_below_visibility_timeout(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if timeout is not None and timeout <= settings.CELERY_TASK_TIME_LIMIT:
        return [
            Warning(
                "CELERY_TASK_TIME_LIMIT is not below the broker's visibility timeout, so a "
                "long task could be handed to a second worker while it still runs.",
                hint="Lower CELERY_TASK_TIME_LIMIT or raise CELERY_VISIBILITY_TIMEOUT.",
                id="aiq.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def field_encryption_keys_set(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    if not settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: POS credentials would be encrypted with a "
                "key derived from SECRET_KEY.",
                hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys, newest first.",
                id="aiq.E001",
            )
        ]
    return []
