"""Generated sales: ``sale(account, i)`` is a pure function of (seed, i).

Times come from the sales timeline (the last 90 days, increasing with ``i``). Locations
follow a fixed weighted pattern over the index, so "the n-th sale of location L after
time T" is arithmetic and paging one store's million sales never scans them. Most sales
of a location are by shoppers whose home store it is (``places.home_location``), so every
store has shoppers for whom it is their favorite.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass

from integrations.sandbox import words
from integrations.sandbox.catalog import catalog
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import customers_timeline
from integrations.sandbox.timeline import SALES_SPAN_DAYS, Timeline, mix

REFUND_PERCENT = 5
ANONYMOUS_PERCENT = 15
TAX_RATE_PERCENT = 10
# Share of a location's sales made by its own regulars (the rest: shoppers from anywhere).
LOCAL_PERCENT = 85
# Location of sale i is PATTERN[i % len(PATTERN)] (for 3 locations: 50% / 33% / 17%).
PATTERNS = {1: (0,), 2: (0, 1, 0), 3: (0, 1, 0, 2, 0, 1)}


@dataclass(frozen=True, slots=True)
class Line:
    product_index: int
    quantity: int  # negative on a refund
    unit_price_cents: int
    discount_cents: int  # positive; negative on a refund
    # The name the register shows for the line's discount ("" for a generated sale: each
    # POS payload then names it its own way).
    discount_name: str = ""

    @property
    def subtotal_cents(self) -> int:
        return self.quantity * self.unit_price_cents - self.discount_cents


@dataclass(frozen=True, slots=True)
class Sale:
    """One completed sale (or refund) in provider-neutral terms. Money is in cents."""

    index: int
    created_ms: int
    location: int
    customer: int | None
    lines: tuple[Line, ...]
    is_refund: bool
    fulfillment: str  # "in_store" | "pickup" | "delivery"
    payment_method: str  # "" when the POS left it blank
    employee: int
    receipt_number: str

    @property
    def subtotal_cents(self) -> int:
        return sum(line.subtotal_cents for line in self.lines)

    @property
    def discount_cents(self) -> int:
        return sum(line.discount_cents for line in self.lines)

    @property
    def tax_cents(self) -> int:
        return round(self.subtotal_cents * TAX_RATE_PERCENT / 100)

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.tax_cents

    @property
    def points_earned(self) -> int:
        """One point per whole dollar before tax; none for refunds or anonymous sales."""
        if self.is_refund or self.customer is None:
            return 0
        return max(0, self.subtotal_cents // 100)


def sales_timeline(account: SandboxAccount) -> Timeline:
    return Timeline.ending_today(SALES_SPAN_DAYS, account.sales, account.seed ^ 0x5A1E5)


def sale(account: SandboxAccount, index: int) -> Sale:
    """Sale ``index`` of ``account`` (0 <= index < account.sales)."""
    rng = random.Random(f"{account.seed}:sale:{index}")
    created = sales_timeline(account).at(index)
    products = catalog(account)
    is_refund = rng.randrange(100) < REFUND_PERCENT
    sign = -1 if is_refund else 1
    lines = []
    for _ in range(_line_count(rng)):
        product = products[rng.randrange(len(products))]
        quantity = 1 if rng.random() < 0.7 else rng.randrange(2, 4)
        gross = quantity * product.price_cents
        discount = gross // 10 if rng.random() < 0.15 else 0
        lines.append(Line(product.index, sign * quantity, product.price_cents, sign * discount))
    customer = None
    if rng.randrange(100) >= ANONYMOUS_PERCENT:
        # Only shoppers who already existed when the sale happened can be on it.
        known = customers_timeline(account).first_after(created)
        if known:
            customer = _local_shopper(account, index, rng.randrange(known))
    roll = rng.randrange(100)
    fulfillment = "delivery" if roll < 10 else "pickup" if roll < 28 else "in_store"
    methods = [name for name, _weight in words.PAYMENT_METHODS]
    weights = [weight for _name, weight in words.PAYMENT_METHODS]
    return Sale(
        index=index,
        created_ms=created,
        location=location_of(account, index),
        customer=customer,
        lines=tuple(lines),
        is_refund=is_refund,
        fulfillment=fulfillment,
        payment_method=rng.choices(methods, weights)[0],
        employee=rng.randrange(len(words.EMPLOYEES)),
        receipt_number=f"{1000 + location_of(account, index)}-{index + 1:07d}",
    )


def _local_shopper(account: SandboxAccount, index: int, drawn: int) -> int:
    """Mostly the nearest shopper at or before ``drawn`` whose home store is this sale's
    (so still one who existed at the time of the sale); otherwise ``drawn`` itself. Decided
    by a hash of the index, not the sale's random stream, which stays as it was."""
    count = account.locations
    if count == 1 or mix(account.seed ^ (index << 1 | 1)) % 100 >= LOCAL_PERCENT:
        return drawn
    location = location_of(account, index)
    # places.home_location(account, i) is i % count.
    local = drawn - (drawn - location) % count
    return local if local >= 0 else drawn


def _line_count(rng: random.Random) -> int:
    # 1-5 lines, three on average.
    return rng.choices((1, 2, 3, 4, 5), (15, 20, 30, 20, 15))[0]


def location_of(account: SandboxAccount, index: int) -> int:
    pattern = PATTERNS[account.locations]
    return pattern[index % len(pattern)]


class LocationSales:
    """The sales of one location inside an index range, addressable by position."""

    def __init__(self, account: SandboxAccount, location: int, indices: range) -> None:
        self.pattern = PATTERNS[account.locations]
        self.offsets = [k for k, value in enumerate(self.pattern) if value == location]
        self.before_start = self._count_below(indices.start)
        self.total = max(0, self._count_below(indices.stop) - self.before_start)

    def _count_below(self, index: int) -> int:
        period = len(self.pattern)
        full, rest = divmod(index, period)
        return full * len(self.offsets) + bisect_left(self.offsets, rest)

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, position: int) -> int:
        if not 0 <= position < self.total:
            raise IndexError(position)
        target = self.before_start + position
        cycles, within = divmod(target, len(self.offsets))
        return cycles * len(self.pattern) + self.offsets[within]

    def slice(self, offset: int, limit: int) -> list[int]:
        stop = min(self.total, offset + limit)
        return [self[position] for position in range(max(0, offset), stop)]
