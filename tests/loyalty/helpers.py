"""Small readers for ledger tests: a persona's numbers as plain values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def D(value: str) -> Decimal:
    return Decimal(value)


def account(persona) -> LoyaltyAccount:
    return LoyaltyAccount.objects.get(persona=persona)


def balance(persona) -> Decimal:
    return account(persona).balance


def lots(persona) -> list[tuple[Decimal, Decimal]]:
    """(points, remaining) of every lot of the persona's account, oldest first."""
    return list(
        Lot.objects.filter(account__persona=persona)
        .order_by("id")
        .values_list("points", "remaining")
    )


def allocations(entry: LedgerEntry) -> list[tuple[int, Decimal]]:
    return list(entry.allocations.order_by("id").values_list("lot_id", "points"))


def entry_count() -> int:
    return LedgerEntry.objects.count()
