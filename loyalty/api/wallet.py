"""The wallet a POS shows at checkout: points and the discounts redeemable now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.models import ApiKey
from loyalty.api.redemption_tokens import redemption_path, redemption_token
from loyalty.discounts.models import Discount
from loyalty.discounts.services import redeemable_discounts
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.models import LoyaltyAccount
from loyalty.program.models import LoyaltyProgram


def api_wallet(
    persona: Persona, key: ApiKey, *, at: datetime | None = None, base_url: str = ""
) -> dict[str, Any]:
    """``base_url``: this server's origin, so each redemptionURL is absolute (a POS calls
    it as given)."""
    at = at or timezone.now()
    account = LoyaltyAccount.objects.filter(persona=persona).first()
    balance = account.balance if account else ZERO
    on_hold = account.on_hold if account else ZERO
    program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
    hide = bool(program and program.hide_points_in_wallet)
    # A key scoped to a store sees that store's discounts only.
    discounts = redeemable_discounts(persona, balance=balance, store=key.store, at=at)
    return {
        # Where compliance forbids points AIQ sends 0, always.
        "loyaltyPoints": 0 if hide else as_number(balance),
        # Beyond AIQ: points a POS holds for a cart (POST on a redemption URL); not in
        # loyaltyPoints, which is what the shopper can spend now.
        "pointsOnHold": 0 if hide else as_number(on_hold),
        "hidePointsInWallet": hide,
        "audiences": assumptions.wallet_audiences(),
        "discountTemplates": [_template(persona, key, d, base_url) for d in discounts],
    }


def _template(persona: Persona, key: ApiKey, discount: Discount, base_url: str) -> dict[str, Any]:
    token = redemption_token(persona.pk, discount.pk)
    return {
        "id": discount.pk,
        "posDiscountID": discount.pos_discount_id,
        "avatar": assumptions.DISCOUNT_AVATAR,
        "name": discount.name,
        "pageTitle": discount.value_display,
        "inStoreRedemption": True,
        "pointsDeduction": as_number(discount.points_cost),
        "redemptionURL": base_url + redemption_path(key.company.uid, discount.pk, token),
    }


def as_number(value: Any) -> int | float:
    """Whole points as an int (AIQ's loyaltyPoints is an int), fractions as a float."""
    return int(value) if value == int(value) else float(value)
