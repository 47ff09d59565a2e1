"""Plain values in and out of the Cova order layer: no model, no request in here, so the
shop's Order model (built elsewhere) is turned into these by whoever wires the two."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class Fulfillment(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class TaxPricing(StrEnum):
    """A Cova location's pricing: tax-inclusive (TIP) or tax-exclusive (TEP)."""

    TAX_INCLUSIVE = "TIP"
    TAX_EXCLUSIVE = "TEP"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str
    line2: str = ""
    country: str = "US"


@dataclass(frozen=True, slots=True)
class Shopper:
    """Who ordered: Cova's customer is found by ``phone`` (seed 002 FAQ)."""

    first_name: str
    last_name: str
    phone: str
    birth_date: date | None = None
    email: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line: Cova's product (and catalog item when known), how many, at what price.

    ``unit_price`` is the shelf price of one unit before tax and ``unit_tax`` the tax on
    it; which of the two Cova gets depends on the location's tax pricing (assumptions).
    """

    product_id: str
    quantity: Decimal
    unit_price: Decimal
    unit_tax: Decimal = Decimal("0")
    catalog_item_id: str | None = None


@dataclass(frozen=True, slots=True)
class OrderToPush:
    """An order as Cova gets it. ``order_id`` is ours: the same GUID on every retry."""

    order_id: uuid.UUID
    location_id: str
    shopper: Shopper
    fulfillment: Fulfillment
    lines: tuple[OrderLine, ...]
    delivery_address: Address | None = None
    external_order_id: str = ""
    notes: str = ""
    time_slot: str = ""

    def __post_init__(self) -> None:
        if not self.lines:
            raise ValueError("an order needs at least one line")
        if self.fulfillment == Fulfillment.DELIVERY and self.delivery_address is None:
            raise ValueError("a delivery order needs a delivery address")
        for line in self.lines:
            if line.quantity <= 0:
                raise ValueError(f"line for {line.product_id}: the quantity must be positive")
            if line.unit_price < 0 or line.unit_tax < 0:
                raise ValueError(f"line for {line.product_id}: a price cannot be negative")


@dataclass(frozen=True, slots=True)
class CustomerLink:
    """The Cova customer an order is attached to, and what finding it took."""

    customer_id: str
    created: bool = False
    address_written: bool = False


@dataclass(frozen=True, slots=True)
class PushResult:
    order_id: uuid.UUID
    tax_pricing: TaxPricing
    customer: CustomerLink | None
    # False when Cova already had this GUID (a retry): nothing new was created.
    created: bool = True
    sent_lines: tuple[dict[str, str | int], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class StatusReading:
    """One read of an order's status at Cova, mapped onto ours.

    ``status`` is ours, or None when no status of ours fits (see the table in
    assumptions); ``cova_status`` the number Cova sent.
    """

    order_id: str
    cova_status: int
    status: str | None
    message: str
    fulfillment_method: str | None
    fulfillment_status: str | None
    sale_total: Decimal | None

    @property
    def is_final(self) -> bool:
        from ecommerce.cova_orders.assumptions import TERMINAL_STATUSES

        return self.cova_status in TERMINAL_STATUSES
