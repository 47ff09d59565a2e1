"""Recording each call against its key, and keeping the log bounded."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from loyalty.api.masking import mask_path
from loyalty.api.models import ApiKey, ApiRequestLog

RETENTION = timedelta(days=30)
# Prune on write every N rows: no scheduled job to forget, and cheap with the `at` index.
PRUNE_EVERY = 500
# "Last used" is shown to the minute: a busy key's row is written once a minute, not on
# every call (one UPDATE fewer per request, and no queue of terminals on that row lock).
LAST_USED_PRECISION = timedelta(minutes=1)


def record_request(key: ApiKey, method: str, path: str, status: int, latency_ms: int) -> None:
    now = timezone.now()
    row = ApiRequestLog.objects.create(
        company_id=key.company_id,
        key=key,
        at=now,
        method=method[:8],
        path=mask_path(path),
        status=status,
        latency_ms=max(0, latency_ms),
    )
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    if row.pk % PRUNE_EVERY == 0:
        prune_request_log(now)


def prune_request_log(now=None) -> int:  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    deleted, _ = ApiRequestLog.objects.filter(at__lt=now - RETENTION).delete()
    return int(deleted)
