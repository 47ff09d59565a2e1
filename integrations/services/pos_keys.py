"""Recording the POS keys (Cova locations, POSaBIT venues, Clover merchants) a card has
seen, so Store Mappings can offer them."""

from __future__ import annotations

from collections.abc import Iterable

from integrations.choices import PosKeySource
from integrations.models import Credential, Integration, PosKey
from integrations.providers.values import Location


def record_pos_keys(
    integration: Integration,
    locations: Iterable[Location],
    *,
    credential: Credential | None = None,
    source: str = PosKeySource.POS,
) -> int:
    """Upsert one PosKey per location (unique per card and key); returns how many.

    A key seen again keeps its source and first-seen time; its name, state and credential
    follow the POS.
    """
    rows = {
        location.key: PosKey(
            company_id=integration.company_id,
            integration=integration,
            credential=credential,
            key=str(location.key)[:128],
            name=(location.name or "")[:200],
            state=(location.state or "")[:50],
            source=source,
        )
        for location in locations
        if location.key
    }
    if rows:
        PosKey.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["integration", "key"],
            update_fields=["name", "state", "credential", "last_seen_at"],
        )
    return len(rows)
