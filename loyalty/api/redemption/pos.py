"""Which POS redeems when the discount is applied to the cart rather than at checkout.

Cova deducts the points on apply and sends nothing when the discount is then removed
(seed 000's warning), so its redemptions are reconciled against the sale that syncs. A
company with a Cova card is taken to redeem through Cova: the choice is recorded on each
``Redemption`` (``deducts_on_apply``) when it is made, so a card added later changes
nothing already redeemed.
"""

from __future__ import annotations

from integrations.models import Integration

DEDUCTING_ON_APPLY = frozenset({"cova"})


def deducts_on_apply(company_id: int) -> bool:
    return Integration.objects.filter(
        company_id=company_id, provider__in=DEDUCTING_ON_APPLY
    ).exists()
