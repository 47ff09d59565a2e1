"""The wallet a POS shows at checkout: points and the discounts redeemable now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from aiq.audiences.membership import membership
from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.keys import company_has_audiences, key_program
from loyalty.api.models import ApiKey
from loyalty.api.redemption_tokens import redemption_path, redemption_token
from loyalty.discounts.models import Discount
from loyalty.discounts.services import redeemable_discounts
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.models import LoyaltyAccount


def api_wallet(
    persona: Persona,
    key: ApiKey,
    *,
    at: datetime | None = None,
    base_url: str = "",
    discounts: list[Discount] | None = None,
) -> dict[str, Any]:
    """``base_url``: this server's origin, so each redemptionURL is absolute (a POS calls
    it as given). ``discounts``: the company's active discounts with the shopper's uses,
    when read with the shopper (``find_wallet_shopper``); None reads them here."""
    at = at or timezone.now()
    account = account_of(persona)
    balance = account.balance if account else ZERO
    on_hold = account.on_hold if account else ZERO
    program = key_program(key)
    hide = bool(program and program.hide_points_in_wallet)
    # Read once (two queries whatever the number of audiences, none when the company has
    # no audience): listed below, and what decides discounts limited to an audience.
    audiences = membership(persona, None if company_has_audiences(key) else ())
    # A key scoped to a store sees that store's discounts only.
    redeemable = redeemable_discounts(
        persona,
        balance=balance,
        store=key.store,
        at=at,
        program=program,
        audiences=audiences,
        discounts=discounts,
    )
    return {
        # Where compliance forbids points AIQ sends 0, always.
        "loyaltyPoints": 0 if hide else as_number(balance),
        # Beyond AIQ: points a POS holds for a cart (POST on a redemption URL); not in
        # loyaltyPoints, which is what the shopper can spend now.
        "pointsOnHold": 0 if hide else as_number(on_hold),
        "hidePointsInWallet": hide,
        "audiences": [assumptions.wallet_audience(a) for a in audiences.inside()],
        "discountTemplates": [_template(persona, key, d, base_url) for d in redeemable],
    }


def account_of(persona: Persona) -> LoyaltyAccount | None:
    """The persona's account (None before its first entry); no query when the persona was
    read with ``select_related("loyalty_account")``, as ``find_shopper`` reads it."""
    try:
        return persona.loyalty_account
    except LoyaltyAccount.DoesNotExist:
        return None


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
