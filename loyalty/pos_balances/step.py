"""The POS balances step of a customers sync: import once, mirror every time.

Runs after a customers run has read every shopper (outside any transaction: each
balance is one POS request, each write its own short transaction), with its requests
counted in the run like every other. Which POS has a balance to read: Cova (iQ Loyalty's
customer summary, one request per shopper) and POSaBIT (the customer's
``loyalty_points``, one request per shopper); Clover has no loyalty balance API, so its
card shows neither setting and this step does nothing for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.utils import timezone

from aiq.personas.models import Persona, PersonaIdentity
from integrations.models import Integration
from integrations.providers.errors import MalformedResponse, NotFound, NotSupported
from loyalty.pos_balances.importing import already_imported, import_balance
from loyalty.pos_balances.mirroring import mirror_balance
from loyalty.pos_balances.rules import mirror_refusal

# The POS whose balances we can read (integrations/providers: get_loyalty_balance).
IMPORT_PROVIDERS = frozenset({"cova", "posabit"})
MIRROR_PROVIDERS = frozenset({"cova"})
# A shopper whose balance cannot be read this time: skipped, tried again next sync.
UNREADABLE = (NotFound, NotSupported, MalformedResponse)


def wants_import(integration: Integration, now: datetime) -> bool:
    day = integration.loyalty_points_imported_on
    return (
        integration.provider in IMPORT_PROVIDERS
        and day is not None
        and timezone.localdate(now) >= day
    )


def wants_mirror(integration: Integration) -> bool:
    return (
        integration.provider in MIRROR_PROVIDERS
        and integration.mirror_loyalty_points
        # Switched on before the program moved to FIFO: still not mirrored.
        and mirror_refusal(integration.company_id) is None
    )


def sync_pos_balances(
    integration: Integration,
    provider: Any,
    now: datetime,
    keep_going: Callable[[], bool] = lambda: True,
) -> Counter[str]:
    """Import and/or mirror the balances of the card's shoppers; returns what it did."""
    done: Counter[str] = Counter()
    importing, mirroring = wants_import(integration, now), wants_mirror(integration)
    if not (importing or mirroring):
        return done
    imported = (
        already_imported(integration, integration.loyalty_points_imported_on)  # type: ignore[arg-type]
        if importing
        else set()
    )
    identities = (
        PersonaIdentity.objects.filter(
            company_id=integration.company_id, source=integration.provider
        )
        .order_by("persona_id", "external_id")
        .values_list("persona_id", "external_id")
    )
    for persona_id, rows in groupby(identities.iterator(), key=lambda row: row[0]):
        external_ids = [
            external_id
            for _persona, external_id in rows
            if mirroring or external_id not in imported
        ]
        if not external_ids:
            continue
        if not keep_going():
            done["pos_balances_stopped_at_deadline"] = 1
            break
        persona = Persona.objects.get(pk=persona_id)
        balances: dict[str, Decimal] = {}
        for external_id in external_ids:
            try:
                balances[external_id] = provider.get_loyalty_balance(external_id).points
            except UNREADABLE:
                done["pos_balances_unreadable"] += 1
        for external_id, points in balances.items():
            if importing and external_id not in imported:
                done["pos_balances_imported"] += import_balance(
                    integration, persona, external_id, points, now
                )
        if mirroring and len(balances) == len(external_ids):
            # A persona merged from several POS records holds all their points.
            moved = mirror_balance(integration, persona, sum(balances.values(), Decimal(0)), now)
            done["pos_balances_mirrored" if moved else "pos_balances_already_equal"] += 1
    return done
