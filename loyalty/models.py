"""The loyalty app's models live in packages; importing them here registers them."""

from __future__ import annotations

from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount

__all__ = ["Allocation", "LedgerEntry", "Lot", "LoyaltyAccount"]
