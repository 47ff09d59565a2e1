"""POSaBIT payloads <-> our values. Pure functions: no HTTP, no database.

Money is integer cents; times are ISO-8601 with an offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from integrations.providers import convert as c
from integrations.providers.posabit import assumptions as a
from integrations.providers.values import (
    Customer,
    CustomerDraft,
    Location,
    LoyaltyBalance,
    Payment,
    Sale,
    SaleLine,
)


def unwrap(raw: Any, key: str) -> Mapping[str, Any]:
    """``{"customer": {...}}`` -> ``{...}``; an unwrapped object passes through."""
    record = raw.get(key) if isinstance(raw, Mapping) and key in raw else raw
    return c.mapping(record, key)


def venue_from(body: Any) -> Mapping[str, Any]:
    """The venue object of an info response, wrapped or not."""
    return unwrap(body, a.VENUE_ENVELOPE_KEY)


def location_key_of(venue: Mapping[str, Any]) -> str:
    """The stable key of a venue (see assumptions)."""
    for field in a.LOCATION_KEY_FIELDS:
        value = c.text(venue.get(field))
        if value:
            return value
    raise ValueError("the venue has no id, license or name")


def location_from(venue: Mapping[str, Any]) -> Location:
    """Venue info to a Location."""
    key = location_key_of(venue)
    return Location(
        key=key,
        name=c.text(venue.get("name")) or key,
        line1=c.text(venue.get("street_address_line_1")) or c.text(venue.get("address")),
        city=c.text(venue.get("city")),
        state=c.text(venue.get("state")),
        postal_code=c.text(venue.get("zip_code")),
        country=c.text(venue.get("country")),
        time_zone=c.text(venue.get("timezone")),
    )


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def customer_from(raw: Any, location_key: str | None = None) -> Customer:
    """One customer, wrapped as ``{"customer": {...}}`` or not."""
    record = unwrap(raw, "customer")
    return Customer(
        external_id=c.identifier(record.get("id"), "customer id"),
        first_name=c.text(record.get("first_name")) or "",
        last_name=c.text(record.get("last_name")) or "",
        email=c.email(record.get("email")),
        phone=c.digits(record.get("telephone")),
        birth_date=c.birth_date(record.get("birthday") or record.get("date_of_birth")),
        line1=c.text(record.get("address")) or c.text(record.get("address_1")),
        city=c.text(record.get("city")),
        state=c.text(record.get("state")),
        postal_code=c.text(record.get("zipcode")) or c.text(record.get("zip_code")),
        loyalty_member=_flag(record.get("loyalty_member")),
        marketing_opt_in=_flag(record.get("marketing_opt_in")),
        created_at=c.optional_iso_datetime(record.get("created_at"), "created_at"),
        updated_at=c.optional_iso_datetime(record.get("updated_at"), "updated_at"),
        raw_location_key=location_key,
    )


def loyalty_from(raw: Any, customer_id: str, as_of: datetime) -> LoyaltyBalance:
    """A customer's ``loyalty_points`` (POSaBIT's own program; missing reads as none)."""
    record = unwrap(raw, "customer")
    return LoyaltyBalance(
        customer_external_id=customer_id,
        points=c.decimal_or_zero(record.get("loyalty_points"), "loyalty points"),
        as_of=as_of,
    )


def _line_from(raw: Mapping[str, Any], index: int, sale_id: str) -> SaleLine:
    quantity = c.decimal(raw.get("quantity"), "item quantity")
    sub_total = c.cents(raw.get("sub_total"), "item sub_total")
    discount = abs(c.cents_or_zero(raw.get("discount"), "item discount"))
    line_id = next((c.text(raw.get(k)) for k in a.ITEM_ID_KEYS if c.text(raw.get(k))), None)
    product_id = raw.get("product_id")
    return SaleLine(
        external_id=line_id or f"{sale_id}:{index}",
        product_external_id=None if product_id is None else str(product_id),
        sku=c.text(raw.get("sku")),
        name=c.text(raw.get("product_name")) or "",
        quantity=quantity,
        unit_price=c.money(sub_total / quantity) if quantity else sub_total,
        discount=discount,
        total=sub_total - discount,
        category=c.text(raw.get("category")),
        brand=c.text(raw.get(a.ITEM_BRAND_KEY)),
    )


def _fulfillment(raw: Mapping[str, Any]) -> str:
    explicit = a.ORDER_TYPE_FULFILLMENT.get(str(raw.get("order_type") or "").lower())
    if explicit:
        return explicit
    words = f"{raw.get('order_source') or ''} {raw.get('sale_type') or ''}".lower()
    if any(word in words for word in a.DELIVERY_WORDS):
        return "delivery"
    if any(word in words for word in a.PICKUP_WORDS):
        return "pickup"
    return "in_store"


def sale_from(raw: Mapping[str, Any], location_key: str) -> Sale:
    """One sales history."""
    sale_id = c.identifier(raw.get("id"), "sale id")
    lines = tuple(_line_from(item, i, sale_id) for i, item in enumerate(raw.get("items") or []))
    payments = tuple(
        Payment(
            method=c.text(tender.get("payment_method_name")) or "",
            amount=c.cents(tender.get("total"), "tender total"),
        )
        for tender in raw.get("sales_tenders") or []
    )
    total = c.cents(raw.get("total"), "total")
    customer_id = raw.get("customer_id")
    return Sale(
        external_id=sale_id,
        location_key=location_key,
        customer_external_id=None if customer_id in (None, "", 0) else str(customer_id),
        occurred_at=c.iso_datetime(raw.get("ordered_at") or raw.get("created_at"), "ordered_at"),
        updated_at=c.optional_iso_datetime(raw.get("updated_at"), "updated_at"),
        subtotal=c.cents_or_zero(raw.get("sub_total"), "sub_total"),
        tax=c.cents_or_zero(raw.get("tax"), "tax"),
        discount=abs(c.cents_or_zero(raw.get("discount"), "discount")),
        total=total,
        currency="USD",
        is_refund=str(raw.get("sale_type") or "").lower() in a.REFUND_SALE_TYPES
        or total < Decimal(0),
        fulfillment=_fulfillment(raw),  # type: ignore[arg-type]
        lines=lines,
        payments=payments,
        receipt_number=c.text(raw.get("local_order_id")),
    )


def customer_body(draft: CustomerDraft) -> dict[str, Any]:
    """``{"customer": {...}}`` with only the fields the draft sets."""
    fields: dict[str, Any] = {
        "first_name": draft.first_name,
        "last_name": draft.last_name,
        "telephone": c.digits(draft.phone),
        "email": draft.email,
        "loyalty_member": draft.loyalty_member,
        "marketing_opt_in": draft.marketing_opt_in,
        "address_1": draft.line1,
        "city": draft.city,
        "state": draft.state,
        "zip_code": draft.postal_code,
        "date_of_birth": draft.birth_date.isoformat() if draft.birth_date else None,
    }
    return {"customer": {key: value for key, value in fields.items() if value is not None}}
