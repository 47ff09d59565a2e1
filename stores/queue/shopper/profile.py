"""What the counter sees of one shopper: preferences, wallet, orders, consent, loyalty.

A fixed number of queries whatever the shopper's history: preferences are two grouped
queries over their sale lines, the orders one page of sales with their lines prefetched.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from aiq.personas.models import Persona, Sale, SaleLine
from aiq.personas.normalize import format_phone_for_display
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.wallet import account_of
from loyalty.discounts.models import Discount
from loyalty.discounts.services import redeemable_discounts
from loyalty.ledger.amounts import ZERO
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore
from stores.queue.models import CounterRedemption

TOP_PREFERENCES = 5
RECENT_ORDERS = 10


@dataclass(frozen=True)
class Preference:
    label: str
    purchases: int
    spent: Decimal


@dataclass(frozen=True)
class Order:
    sale: Sale
    local_time: datetime  # in the store's own time zone, as the receipt says
    store_name: str


@dataclass(frozen=True)
class Wallet:
    points: Decimal
    points_on_hold: Decimal
    discounts: list[Discount]
    holds: list[CounterRedemption]  # open counter holds, newest first


@dataclass(frozen=True)
class ShopperProfile:
    persona: Persona
    store: RetailStore | None
    program: LoyaltyProgram | None
    top_categories: list[Preference]
    top_products: list[Preference]
    wallet: Wallet
    orders: list[Order]

    @property
    def enrolled(self) -> bool:
        return self.persona.is_loyalty_member

    @property
    def phone(self) -> str:
        persona = self.persona
        return format_phone_for_display(persona.phone) if persona.phone else persona.phone_raw


def shopper_profile(
    persona: Persona, store: RetailStore | None, *, at: datetime | None = None
) -> ShopperProfile:
    """``persona`` read with its ``loyalty_account`` (see ``access.persona_for``)."""
    at = at or timezone.now()
    program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
    return ShopperProfile(
        persona=persona,
        store=store,
        program=program,
        top_categories=_top(persona, "category"),
        top_products=_top(persona, "name"),
        wallet=_wallet(persona, store, at, program),
        orders=_orders(persona),
    )


def _top(persona: Persona, field: str) -> list[Preference]:
    """The shopper's most bought values of a line field (refunds not counted): one query."""
    rows = (
        SaleLine.objects.filter(sale__persona=persona, sale__is_refund=False)
        .exclude(**{field: ""})
        .values(field)
        .annotate(purchases=Count("sale", distinct=True), spent=Sum("total"))
        .order_by("-purchases", "-spent", field)[:TOP_PREFERENCES]
    )
    return [Preference(row[field], row["purchases"], row["spent"] or ZERO) for row in rows]


def _wallet(
    persona: Persona, store: RetailStore | None, at: datetime, program: LoyaltyProgram | None
) -> Wallet:
    account = account_of(persona)
    balance = account.balance if account else ZERO
    # Staff redeem here: the staff-only discounts are offered too.
    discounts = redeemable_discounts(
        persona, balance=balance, store=store, at=at, staff=True, program=program
    )
    holds = list(
        CounterRedemption.objects.filter(persona=persona, redemption__status=RedemptionStatus.HELD)
        .select_related("redemption", "redemption__discount", "held_by", "store")
        .order_by("-created_at")
    )
    return Wallet(balance, account.on_hold if account else ZERO, discounts, holds)


def _orders(persona: Persona) -> list[Order]:
    sales = (
        Sale.objects.filter(persona=persona)
        .select_related("store")
        .prefetch_related("lines")
        .order_by("-occurred_at", "-id")[:RECENT_ORDERS]
    )
    return [_order(sale) for sale in sales]


def _order(sale: Sale) -> Order:
    zone = (
        zoneinfo.ZoneInfo(sale.store.time_zone) if sale.store else timezone.get_current_timezone()
    )
    name = sale.store.name if sale.store else f"Unmapped POS location {sale.pos_key}"
    return Order(sale, timezone.localtime(sale.occurred_at, zone), name)
