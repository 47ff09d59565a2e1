"""Cova payloads <-> our values. Pure functions: no HTTP, no database.

Cova money is decimal currency units and its times are ISO-8601 UTC (``...Utc`` fields).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from integrations.providers import convert as c
from integrations.providers.cova import assumptions as a
from integrations.providers.values import (
    Customer,
    CustomerDraft,
    Location,
    LoyaltyBalance,
    Payment,
    Product,
    Sale,
    SaleLine,
)

_EMPTY_GUID = "00000000-0000-0000-0000-000000000000"


def _first(raw: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = c.text(raw.get(key))
        if value:
            return value
    return None


def location_from(raw: Mapping[str, Any]) -> Location:
    """An entitymanager Location."""
    key = c.identifier(raw["Id"], "location Id")
    address = raw.get("Address") or {}
    time_zone = raw.get("TimeZone")
    if isinstance(time_zone, Mapping):
        time_zone = time_zone.get("Id") or time_zone.get("Name")
    return Location(
        key=key,
        name=_first(raw, "DisplayName", "Name") or key,
        line1=_first(address, "AddressLine1", "StreetAddress1"),
        city=_first(address, "City", "Locality"),
        state=_first(address, "StateCode", "State", "StateName"),
        postal_code=_first(address, "Zip", "PostalCode"),
        country=_first(address, "CountryCode", "Country", "CountryName"),
        time_zone=c.text(time_zone),
    )


def _contact(raw: Mapping[str, Any], category_id: int, category_name: str) -> str | None:
    methods = [
        m
        for m in raw.get("ContactMethods") or []
        if m.get("ContactMethodCategoryId") == category_id
        or str(m.get("ContactMethodCategory") or "").lower() == category_name
    ]
    methods.sort(key=lambda m: not m.get("Default"))  # the default one first
    return c.text(methods[0].get("Value")) if methods else None


def customer_from(raw: Mapping[str, Any]) -> Customer:
    """A CustomerFull (also a Search result, which has the same shape)."""
    external_id = c.identifier(raw["Id"], "customer Id")
    addresses = sorted(raw.get("Addresses") or [], key=lambda item: not item.get("Default"))
    address: Mapping[str, Any] = addresses[0] if addresses else {}
    do_not_contact = raw.get("DoNotContact")
    pricing_group = raw.get("PricingGroupId")
    return Customer(
        external_id=external_id,
        first_name=c.text(raw.get("PrimaryName")) or "",
        last_name=c.text(raw.get("FamilyName")) or "",
        email=c.email(_contact(raw, a.CONTACT_CATEGORY_EMAIL, "email")),
        phone=c.digits(_contact(raw, a.CONTACT_CATEGORY_PHONE, "phone")),
        birth_date=c.birth_date(raw.get("DateOfBirth")),
        line1=_first(address, "AddressLine1", "StreetAddress1"),
        line2=_first(address, "AddressLine2", "StreetAddress2"),
        city=_first(address, "City", "Locality"),
        state=_first(address, "StateCode", "State", "StateName"),
        postal_code=_first(address, "Zip", "PostalCode"),
        country=_first(address, "CountryCode", "Country", "CountryName"),
        loyalty_member=None,
        marketing_opt_in=(not do_not_contact) if isinstance(do_not_contact, bool) else None,
        pricing_group=None if pricing_group in (None, "") else str(pricing_group),
        created_at=c.optional_iso_datetime(raw.get("CreatedDateUtc"), "created time"),
        updated_at=c.optional_iso_datetime(raw.get("LastModifiedDateUtc"), "modified time"),
    )


def _line_from(raw: Mapping[str, Any], index: int, invoice_id: str) -> SaleLine:
    quantity = c.decimal(_first_present(raw, a.LINE_QUANTITY_KEYS), "line quantity")
    unit_price = c.money(c.decimal(raw.get(a.LINE_UNIT_PRICE_KEY), "line price"))
    discount = c.money(c.decimal_or_zero(raw.get(a.LINE_DISCOUNT_KEY), "line discount"))
    total = (
        c.money(c.decimal(raw[a.LINE_TOTAL_KEY], "line total"))
        if raw.get(a.LINE_TOTAL_KEY) is not None
        else c.money(quantity * unit_price - discount)
    )
    return SaleLine(
        external_id=c.text(raw.get(a.LINE_ID_KEY)) or f"{invoice_id}:{index}",
        product_external_id=c.text(raw.get(a.LINE_PRODUCT_ID_KEY)),
        sku=c.text(raw.get("Sku")),
        name=c.text(raw.get("ProductName")) or "",
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        total=total,
        category=c.text(_first_present(raw, a.LINE_CATEGORY_KEYS)),
        brand=c.text(_first_present(raw, a.LINE_BRAND_KEYS)),
    )


def _fulfillment(raw: Mapping[str, Any]) -> str:
    method = str(raw.get(a.FULFILLMENT_KEY) or "").replace("_", "").replace(" ", "").lower()
    if method in a.FULFILLMENT_VALUES:
        return a.FULFILLMENT_VALUES[method]
    return "delivery" if raw.get("Delivery") is True else "in_store"


def sale_from(raw: Mapping[str, Any], location_key: str) -> Sale:
    """One ByInvoiceWithProducts invoice."""
    invoice_id = c.identifier(raw["Id"], "invoice Id")
    lines = tuple(
        _line_from(line, index, invoice_id)
        for index, line in enumerate(raw.get(a.INVOICE_LINES_KEY) or [])
    )
    tax = c.money(
        sum(
            (c.decimal(t.get(a.INVOICE_TAX_AMOUNT_KEY), "tax") for t in raw.get("Taxes") or []),
            Decimal(0),
        )
    )
    post_tax_discount = c.money(
        sum(
            (
                c.decimal(d.get(a.INVOICE_DISCOUNT_AMOUNT_KEY), "discount")
                for d in raw.get("PostTaxDiscounts") or []
            ),
            Decimal(0),
        )
    )
    subtotal = (
        c.money(c.decimal(raw[a.INVOICE_SUBTOTAL_KEY], "subtotal"))
        if raw.get(a.INVOICE_SUBTOTAL_KEY) is not None
        else sum((line.total for line in lines), Decimal("0.00"))
    )
    total = (
        c.money(c.decimal(raw[a.INVOICE_TOTAL_KEY], "total"))
        if raw.get(a.INVOICE_TOTAL_KEY) is not None
        else subtotal + tax - abs(post_tax_discount)
    )
    payments = tuple(
        Payment(
            method=c.text(p.get(a.PAYMENT_METHOD_KEY)) or "",
            amount=c.money(c.decimal(p.get(a.PAYMENT_AMOUNT_KEY), "payment amount")),
        )
        for p in raw.get("Payments") or []
    )
    customer_id = c.text(raw.get("CustomerId"))
    sale_type = str(raw.get("Type") or "").lower()
    return Sale(
        external_id=invoice_id,
        location_key=c.text(raw.get("SoldAtEntityId")) or location_key,
        customer_external_id=None if customer_id in (None, _EMPTY_GUID) else customer_id,
        occurred_at=c.iso_datetime(raw.get("CreatedDateUtc"), "invoice time"),
        updated_at=None,
        subtotal=subtotal,
        tax=tax,
        discount=abs(post_tax_discount) + sum((line.discount for line in lines), Decimal("0.00")),
        total=total,
        currency="USD",
        is_refund=sale_type in a.REFUND_TYPES or total < 0,
        fulfillment=_fulfillment(raw),  # type: ignore[arg-type]
        lines=lines,
        payments=payments,
        receipt_number=c.text(raw.get("ReceiptNumber")),
    )


def loyalty_from(raw: Mapping[str, Any], customer_id: str, as_of: datetime) -> LoyaltyBalance:
    """An iQ Loyalty customer summary."""
    lifetime = raw.get("LifetimePointsBalance")
    return LoyaltyBalance(
        customer_external_id=customer_id,
        points=c.decimal(raw.get("PointsBalance"), "points balance"),
        as_of=as_of,
        lifetime_points=None if lifetime is None else c.decimal(lifetime, "lifetime points"),
    )


def product_from(raw: Mapping[str, Any], location_key: str) -> Product:
    """A Data Platform DetailedProductData product, seen from one location."""
    product_id = c.identifier(raw["ProductId"], "ProductId")
    skus = raw.get("Skus") or []
    here = [
        entry
        for entry in raw.get("Availability") or []
        if str(entry.get("LocationId")) == location_key
    ]
    prices = [
        entry
        for entry in raw.get("Pricing") or []
        if entry.get("LocationId") in (None, "") or str(entry.get("LocationId")) == location_key
    ]
    if not prices:
        raise ValueError("no price for this location")
    sale_price = prices[0].get(a.SALE_PRICE_KEY)
    specifications = {
        str(spec.get("Name")): str(spec.get("Value"))
        for spec in raw.get(a.PRODUCT_SPECIFICATIONS_KEY) or []
        if spec.get("Name") and spec.get("Value") is not None
    }
    return Product(
        external_id=product_id,
        name=c.text(raw.get("Name")) or product_id,
        sku=c.text(skus[0].get("Value")) if skus else None,
        category=_first(raw, "CategoryName", "ClassificationName"),
        price=c.decimal(prices[0].get(a.PRICE_KEY), "price"),
        sale_price=None if sale_price is None else c.decimal(sale_price, "sale price"),
        quantity_on_hand=sum(
            (c.decimal_or_zero(e.get("InStockQuantity"), "stock") for e in here), Decimal(0)
        ),
        location_key=location_key,
        specifications=specifications,
    )


# --- Writes -----------------------------------------------------------------------------


def _contact_method(category: int, type_id: int, value: str) -> dict[str, Any]:
    return {
        "ContactMethodCategoryId": category,
        "ContactMethodTypeId": type_id,
        "Value": value,
        "Default": True,
    }


def _set_contact(body: dict[str, Any], category: int, type_id: int, value: str) -> None:
    methods = body.setdefault("ContactMethods", [])
    for method in methods:
        if method.get("ContactMethodCategoryId") == category and method.get("Default", True):
            method["Value"] = value
            return
    methods.append(_contact_method(category, type_id, value))


def _apply_address(body: dict[str, Any], draft: CustomerDraft) -> None:
    changes = {
        "AddressLine1": draft.line1,
        "AddressLine2": draft.line2,
        "City": draft.city,
        "StateCode": draft.state,
        "Zip": draft.postal_code,
        "CountryCode": draft.country,
    }
    changes = {key: value for key, value in changes.items() if value is not None}
    if not changes:
        return
    addresses = body.setdefault("Addresses", [])
    target = next((item for item in addresses if item.get("Default")), None)
    if target is None:
        target = {"AddressTypeId": a.ADDRESS_TYPE_HOME, "Default": True}
        addresses.append(target)
    target.update(changes)


def apply_draft(body: dict[str, Any], draft: CustomerDraft, pricing_group_id: int | None) -> None:
    """Write the non-None fields of ``draft`` into a CustomerFull body, in place."""
    if draft.first_name is not None:
        body["PrimaryName"] = draft.first_name
    if draft.last_name is not None:
        body["FamilyName"] = draft.last_name
    if draft.birth_date is not None:
        body["DateOfBirth"] = draft.birth_date.isoformat()
    if draft.phone:
        _set_contact(body, a.CONTACT_CATEGORY_PHONE, a.CONTACT_TYPE_MOBILE, draft.phone)
    if draft.email:
        _set_contact(body, a.CONTACT_CATEGORY_EMAIL, a.CONTACT_TYPE_EMAIL_HOME, draft.email)
    if draft.marketing_opt_in is not None:
        body["DoNotContact"] = not draft.marketing_opt_in
    if pricing_group_id is not None:
        body["PricingGroupId"] = pricing_group_id
    _apply_address(body, draft)


def new_customer_body(draft: CustomerDraft, pricing_group_id: int | None) -> dict[str, Any]:
    """A CustomerFullPost body."""
    body: dict[str, Any] = {
        "CustomerTypeId": a.CUSTOMER_TYPE_PERSON,
        "Disabled": False,
        "ContactMethods": [],
        "Addresses": [],
    }
    apply_draft(body, draft, pricing_group_id)
    return body


def updated_customer_body(
    current: Mapping[str, Any], draft: CustomerDraft, pricing_group_id: int | None
) -> dict[str, Any]:
    """The current CustomerFull (with its ``Version``) with ``draft`` applied."""
    body = copy.deepcopy(dict(current))
    apply_draft(body, draft, pricing_group_id)
    return body


def _first_present(raw: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the first of ``keys`` the record carries (None when it has none)."""
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return None
