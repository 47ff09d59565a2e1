"""Setting malformed records aside while the rest of their page lands."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from integrations.models import Credential, QuarantinedRecord
from integrations.providers.errors import MalformedRecord
from integrations.providers.values import to_jsonable
from integrations.sync.hashing import payload_hash


def _fingerprint(record: MalformedRecord, digest: str) -> str:
    return f"id:{record.external_id}" if record.external_id else f"payload:{digest}"


def quarantine(
    credential: Credential, stream: str, records: Iterable[MalformedRecord], now: datetime
) -> int:
    """Keep each record with its reason and payload; return how many were seen.

    A record already quarantined with the same payload and reason is not written again;
    one that changed, or came back after being resolved, is updated and reopened.
    """
    by_fingerprint: dict[str, tuple[MalformedRecord, str]] = {}
    seen = 0
    for record in records:
        seen += 1
        digest = payload_hash([record.reason, record.raw])
        by_fingerprint[_fingerprint(record, digest)] = (record, digest)
    if not by_fingerprint:
        return 0
    existing = {
        fingerprint: (digest, resolved)
        for fingerprint, digest, resolved in QuarantinedRecord.objects.filter(
            credential=credential, stream=stream, fingerprint__in=list(by_fingerprint)
        ).values_list("fingerprint", "payload_hash", "resolved")
    }
    rows = [
        QuarantinedRecord(
            company_id=credential.company_id,
            integration_id=credential.integration_id,
            credential=credential,
            stream=stream,
            external_id=(record.external_id or "")[:128],
            fingerprint=fingerprint,
            reason=record.reason,
            payload=to_jsonable(record.raw),
            payload_hash=digest,
            resolved=False,
            resolved_at=None,
            last_seen_at=now,
        )
        for fingerprint, (record, digest) in by_fingerprint.items()
        if existing.get(fingerprint) != (digest, False)
    ]
    if rows:
        QuarantinedRecord.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["credential", "stream", "fingerprint"],
            update_fields=[
                "reason",
                "payload",
                "payload_hash",
                "resolved",
                "resolved_at",
                "last_seen_at",
            ],
        )
    return seen


def open_external_ids(credential: Credential, stream: str) -> set[str]:
    """External ids of this stream's unresolved quarantined records."""
    return set(
        QuarantinedRecord.objects.filter(credential=credential, stream=stream, resolved=False)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )


def resolve(credential: Credential, stream: str, external_ids: Iterable[str], now: datetime) -> int:
    """A good record arrived for these ids: their quarantined versions are resolved."""
    ids = list(external_ids)
    if not ids:
        return 0
    return QuarantinedRecord.objects.filter(
        credential=credential, stream=stream, resolved=False, external_id__in=ids
    ).update(resolved=True, resolved_at=now)
