"""When mirroring POS balances is allowed (seed 000, the card's note)."""

from __future__ import annotations

from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram

FIFO_REFUSAL = (
    "Points mirroring is not supported by First In, First Out (FIFO) Point Expiration. "
    "Please use legacy Points Expiration setting if you would like to Mirror Points from "
    "your POS system."
)


def mirror_refusal(company_id: int) -> str | None:
    """Why "Mirror integration loyalty point values?" cannot be turned on, or None.

    A mirror sets the balance to whatever the POS says; FIFO expiry needs each award's
    own date, which a mirrored difference does not have.
    """
    fifo = LoyaltyProgram.objects.filter(
        company_id=company_id, expiration_mode=ExpirationMode.FIFO
    ).exists()
    return FIFO_REFUSAL if fifo else None
