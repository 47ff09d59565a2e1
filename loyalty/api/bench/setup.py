"""The bench company ``bench_api`` drives: a program, a wallet's worth of discounts,
enrolled shoppers with points awarded through the ledger, and API keys enough that no
key reaches the per-key rate limit (the limit stays as production has it)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from aiq.accounts.models import Company
from aiq.ops.bench_personas import bench_phone
from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.keys import create_api_key
from loyalty.api.redemption_tokens import redemption_path, redemption_token
from loyalty.discounts.models import Discount
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.program.models import LoyaltyProgram

COMPANY_PREFIX = "API benchmark"
# What a wallet usually lists: a few discounts the shopper can afford, one it cannot yet.
# (name, dollars off, points)
WALLET_DISCOUNTS = [
    ("$5 off", 5, 10),
    ("$10 off", 10, 50),
    ("$20 off", 20, 100),
    ("$50 off", 50, 5_000_000),
]
REDEEMED = "$5 off"  # the one every redemption takes: cheap, so balances last the run
STARTING_POINTS = 1_000_000
# Each key stays this far under the limit, whatever the timing of the windows.
RATE_LIMIT_SHARE = 0.8


@dataclass(frozen=True)
class Shopper:
    persona_id: int
    phone: str


@dataclass(frozen=True)
class BenchCompany:
    company: Company
    shoppers: list[Shopper]
    keys: list[str]  # plaintext, for X-APIKEY
    redeemed: Discount

    def redemption_path(self, shopper: Shopper, transaction_id: str) -> str:
        token = redemption_token(shopper.persona_id, self.redeemed.pk)
        path = redemption_path(self.company.uid, self.redeemed.pk, token)
        return f"{path}/{transaction_id}"


def keys_needed(api_requests: int) -> int:
    """Keys enough that none makes more than RATE_LIMIT_SHARE of the per-minute limit
    over the whole run (so a run of any length is never throttled)."""
    per_key = max(1, int(assumptions.RATE_LIMIT_PER_MINUTE * RATE_LIMIT_SHARE))
    return max(1, math.ceil(api_requests / per_key))


def set_up(shoppers: int, keys: int) -> BenchCompany:
    """A new company each run (ledger rows cannot be deleted, and a fresh company's
    numbers are this run's alone): program on, discounts, enrolled shoppers with points."""
    now = timezone.now()
    company = Company.objects.create(name=f"{COMPANY_PREFIX} {now:%Y-%m-%d %H:%M:%S.%f}")
    LoyaltyProgram.objects.create(company=company, enabled=True, points_per_dollar=Decimal(1))
    discounts = {
        name: Discount.objects.create(
            company=company,
            name=name,
            value=Decimal(dollars),
            points_cost=Decimal(cost),
            pos_discount_id=f"bench-{dollars}",
        )
        for name, dollars, cost in WALLET_DISCOUNTS
    }
    enrolled_at = now - timedelta(days=30)
    personas = Persona.objects.bulk_create(
        Persona(
            company=company,
            first_name=f"Bench{index}",
            last_name="Shopper",
            phone=bench_phone(index),
            phone_raw=bench_phone(index),
            loyalty_enrolled_at=enrolled_at,
        )
        for index in range(shoppers)
    )
    for persona in personas:
        award(persona, STARTING_POINTS, EntryKind.ADJUST, reason="Benchmark starting balance")
    plaintexts = [create_api_key(company, f"Bench terminal {n}").plaintext for n in range(keys)]
    return BenchCompany(
        company=company,
        shoppers=[Shopper(p.pk, p.phone) for p in personas],
        keys=plaintexts,
        redeemed=discounts[REDEEMED],
    )
