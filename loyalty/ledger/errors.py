"""What the ledger refuses, with messages a manager (or a POS integrator) can act on."""

from __future__ import annotations

from decimal import Decimal


class LedgerError(Exception):
    """Base of every refusal; nothing was written when one is raised."""


class InsufficientPoints(LedgerError):
    """A debit larger than the points available."""

    def __init__(self, balance: Decimal, requested: Decimal) -> None:
        self.balance = balance
        self.requested = requested
        super().__init__(
            f"Not enough points: the balance is {balance}, {requested} were asked for."
        )


class IdempotencyKeyReused(LedgerError):
    """The idempotency key was already used for a request with other parameters."""


class NotReversible(LedgerError):
    """The entry cannot be reversed (or nothing of it is left to reverse)."""


class HoldAlreadySettled(LedgerError):
    """A hold is released or committed once."""


class AppendOnlyError(LedgerError):
    """Ledger history is never updated or deleted; corrections are new entries."""
