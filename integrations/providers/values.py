"""Values crossing the POS boundary, in our terms (not any provider's).

Money is ``Decimal`` in currency units (Clover's cents are converted), times are aware UTC
``datetime``s, quantities are ``Decimal``. ``to_json()`` gives a JSON-ready dict (ISO dates,
Decimals as strings) for JSON-lines output and for storing a normalised copy.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

Fulfillment = Literal["in_store", "pickup", "delivery"]
FULFILLMENTS: tuple[Fulfillment, ...] = ("in_store", "pickup", "delivery")


def to_jsonable(value: Any) -> Any:
    """Recursively turn dataclasses, Decimals and dates into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    return value


class _JsonMixin:
    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        result = to_jsonable(self)
        assert isinstance(result, dict)
        return result


@dataclass(frozen=True, slots=True)
class Location(_JsonMixin):
    """A store as the POS knows it; ``key`` is what store mapping points at."""

    key: str
    name: str
    line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True, slots=True)
class Customer(_JsonMixin):
    """A shopper record in the POS. ``phone`` is digits only; ``email`` is lower-cased.

    ``None`` means the POS did not say (e.g. Clover has no loyalty flag), which differs
    from ``False``.
    """

    external_id: str
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    loyalty_member: bool | None = None
    marketing_opt_in: bool | None = None
    pricing_group: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    raw_location_key: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerDraft(_JsonMixin):
    """What we send to create or update a shopper. ``None`` means "leave as it is" (update)
    or "do not send" (create)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: date | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    loyalty_member: bool | None = None
    marketing_opt_in: bool | None = None
    pricing_group: str | None = None


@dataclass(frozen=True, slots=True)
class SaleLine(_JsonMixin):
    """One line of a sale. ``total`` is what the shopper paid for the line, before tax.
    ``brand`` is the product's brand as the POS names it (None when its lines carry none)."""

    external_id: str
    product_external_id: str | None
    sku: str | None
    name: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    total: Decimal
    category: str | None = None
    brand: str | None = None


@dataclass(frozen=True, slots=True)
class Payment(_JsonMixin):
    """One tender of a sale; ``method`` is the POS's label ("" when the POS left it blank)."""

    method: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Sale(_JsonMixin):
    """A completed sale (or refund) at one location."""

    external_id: str
    location_key: str
    customer_external_id: str | None
    occurred_at: datetime
    updated_at: datetime | None
    subtotal: Decimal
    tax: Decimal
    discount: Decimal
    total: Decimal
    currency: str = "USD"
    is_refund: bool = False
    fulfillment: Fulfillment = "in_store"
    lines: tuple[SaleLine, ...] = ()
    payments: tuple[Payment, ...] = ()
    receipt_number: str | None = None


@dataclass(frozen=True, slots=True)
class LoyaltyBalance(_JsonMixin):
    """A shopper's points in the POS's own loyalty program, read at ``as_of``."""

    customer_external_id: str
    points: Decimal
    as_of: datetime
    lifetime_points: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Product(_JsonMixin):
    """A sellable product at one location, with its stock there."""

    external_id: str
    name: str
    sku: str | None
    category: str | None
    price: Decimal
    sale_price: Decimal | None
    quantity_on_hand: Decimal
    location_key: str
    specifications: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListedCustomer(_JsonMixin):
    """One entry of a customer list that lacks contact details (Cova's): the id, and a
    fingerprint of the entry that changes when the entry does. ``customer`` is the full
    record when the entry already holds one (no extra request needed)."""

    external_id: str
    fingerprint: str
    customer: Customer | None = None


@dataclass(frozen=True, slots=True)
class Checkpoint(_JsonMixin):
    """Yielded by a resumable ``iter_*`` between records: every record yielded before it
    is covered by ``position``, which the same call accepts back to start after them."""

    position: dict[str, Any]
