"""Clover's JSON shapes. Money is integer cents, times epoch milliseconds, ids 13 characters.

Records are built in full (every expandable collection as ``{"elements": [...]}``) and
trimmed to what ``expand`` asked for by ``present()``. One Clover line item is one unit, as
Clover rings them. A refund is the original order with ``paymentState: REFUNDED`` and a
refund on its payment.
"""

from __future__ import annotations

from typing import Any

from integrations.sandbox import ids, words
from integrations.sandbox.catalog import Product
from integrations.sandbox.faults import malformed_variant
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import person
from integrations.sandbox.places import location_place
from integrations.sandbox.sales import Sale

Payload = dict[str, Any]
CUSTOMER_EXPANDS = ("addresses", "emailAddresses", "phoneNumbers", "cards", "metadata")
ORDER_EXPANDS = (
    "lineItems",
    "customers",
    "payments",
    "refunds",
    "discounts",
    "credits",
    "orderFulfillmentEvent",
    "serviceCharge",
)
PAYMENT_EXPANDS = ("refunds", "lineItemPayments", "cardTransaction", "order")
ITEM_EXPANDS = ("itemStock", "categories", "tags", "taxRates")
# Order times relative to the sale's moment (createdTime), in ms.
CLIENT_CREATED_SHIFT = -2_000
MODIFIED_SHIFT = 1_000
PAYMENT_SHIFT = 500
ORDER_TYPES = {"in_store": "In Store", "pickup": "Pickup", "delivery": "Delivery"}
TENDERS = {
    "Cash": ("com.clover.tender.cash", "Cash"),
    "Debit Card": ("com.clover.tender.debit_card", "Debit Card"),
    "Credit Card": ("com.clover.tender.credit_card", "Credit Card"),
    "POSaBIT Pay": ("com.clover.tender.external_payment", "External Payment"),
    "": ("com.clover.tender.external_payment", "External Payment"),
}


def elements(items: list[Payload]) -> Payload:
    return {"elements": items}


def present(payload: Payload, expand: set[str], expandable: tuple[str, ...]) -> Payload:
    """The payload without the collections ``expand`` did not ask for."""
    return {key: value for key, value in payload.items() if key not in expandable or key in expand}


def customer_id(account: SandboxAccount, index: int) -> str:
    return ids.clover_id(account.key, "customer", index)


def customer(account: SandboxAccount, base: str, merchant: str, index: int) -> Payload:
    """Generated shopper ``index`` with every expandable collection."""
    shopper = person(account, index)
    cid = customer_id(account, index)
    ref = {"id": cid}
    phones = []
    if shopper.phone:
        phones.append(
            {
                "id": ids.clover_id(account.key, "phone", index),
                "phoneNumber": shopper.phone,
                "customer": ref,
            }
        )
    emails = []
    if shopper.email:
        emails.append(
            {
                "id": ids.clover_id(account.key, "email", index),
                "emailAddress": shopper.email,
                "primaryEmail": True,
                "verifiedTime": None,
                "customer": ref,
            }
        )
    address = {
        "id": ids.clover_id(account.key, "address", index),
        "address1": shopper.line1,
        "address2": "",
        "address3": "",
        "city": shopper.city,
        "state": shopper.state,
        "zip": shopper.postal_code,
        "country": shopper.country,
        "customer": ref,
    }
    birth = shopper.birth_date
    payload: Payload = {
        "href": f"{base}/customers/{cid}",
        "id": cid,
        "merchant": {"id": merchant},
        "firstName": shopper.first_name,
        "lastName": shopper.last_name,
        "marketingAllowed": shopper.marketing_opt_in,
        "customerSince": shopper.created_ms,
        "addresses": elements([address]),
        "emailAddresses": elements(emails),
        "phoneNumbers": elements(phones),
        "cards": elements([]),
        "metadata": {
            "businessName": None,
            "note": None,
            "dobYear": birth.year,
            "dobMonth": birth.month,
            "dobDay": birth.day,
            "modifiedTime": shopper.created_ms,
        },
    }
    variant = malformed_variant(account, index)
    if variant == "missing":
        del payload["id"]
    elif variant == "wrong-type":
        payload["customerSince"] = "yesterday"
    return payload


def _tender(account: SandboxAccount, base: str, method: str, expanded: bool) -> Payload:
    key, label = TENDERS.get(method, TENDERS[""])
    tender: Payload = {
        "id": ids.clover_id(account.key, "tender", list(TENDERS).index(method)),
        "href": f"{base}/tenders",
    }
    if expanded:
        tender.update(
            {
                "labelKey": key,
                "label": label,
                "enabled": True,
                "opensCashDrawer": key.endswith("cash"),
            }
        )
    return tender


def payment(account: SandboxAccount, base: str, current: Sale, expand: set[str]) -> Payload:
    pid = ids.clover_id(account.key, "payment", current.index)
    total = abs(current.total_cents)
    moment = current.created_ms + PAYMENT_SHIFT
    payload: Payload = {
        "href": f"{base}/payments/{pid}",
        "id": pid,
        "order": {"id": ids.clover_id(account.key, "order", current.index)},
        "device": {"id": ids.clover_id(account.key, "device", current.location)},
        "tender": _tender(account, base, current.payment_method, "tender" in expand),
        "amount": total,
        "tipAmount": 0,
        "taxAmount": abs(current.tax_cents),
        "cashbackAmount": 0,
        "cashTendered": total if current.payment_method == "Cash" else None,
        "employee": {"id": ids.clover_id(account.key, "employee", current.employee)},
        "createdTime": moment,
        "clientCreatedTime": moment + CLIENT_CREATED_SHIFT,
        "modifiedTime": moment + MODIFIED_SHIFT,
        "offline": False,
        "result": "SUCCESS",
        "externalPaymentId": None,
    }
    if "refunds" in expand:
        payload["refunds"] = elements([_refund(account, current)] if current.is_refund else [])
    return payload


def _refund(account: SandboxAccount, current: Sale) -> Payload:
    return {
        "id": ids.clover_id(account.key, "refund", current.index),
        "amount": abs(current.total_cents),
        "taxAmount": abs(current.tax_cents),
        "createdTime": current.created_ms + 3_600_000,
        "payment": {"id": ids.clover_id(account.key, "payment", current.index)},
        "fullRefund": True,
    }


def _line_items(
    account: SandboxAccount, current: Sale, products: tuple[Product, ...]
) -> list[Payload]:
    oid = ids.clover_id(account.key, "order", current.index)
    items = []
    for number, line in enumerate(current.lines):
        product = products[line.product_index]
        units = abs(line.quantity)
        for unit in range(units):
            item: Payload = {
                "id": ids.clover_id(
                    account.key, "line-item", current.index * 64 + number * 8 + unit
                ),
                "orderRef": {"id": oid},
                "item": {"id": ids.clover_id(account.key, "item", product.index)},
                "name": product.name,
                "alternateName": "",
                "price": line.unit_price_cents,
                "itemCode": product.upc,
                "printed": False,
                "createdTime": current.created_ms,
                "orderClientCreatedTime": current.created_ms + CLIENT_CREATED_SHIFT,
                "exchanged": False,
                "refunded": current.is_refund,
                "isRevenue": True,
            }
            if line.discount_cents:
                item["discounts"] = elements(
                    [
                        {
                            "id": ids.clover_id(
                                account.key, "discount", current.index * 64 + number * 8 + unit
                            ),
                            "name": line.discount_name or "10% off",
                            "amount": -(abs(line.discount_cents) // units),
                        }
                    ]
                )
            items.append(item)
    return items


def order(
    account: SandboxAccount,
    base: str,
    merchant: str,
    current: Sale,
    products: tuple[Product, ...],
    expand: set[str],
) -> Payload:
    """Sale ``current`` as a Clover order, with the collections ``expand`` asks for."""
    oid = ids.clover_id(account.key, "order", current.index)
    payload: Payload = {
        "href": f"{base}/orders/{oid}",
        "id": oid,
        "currency": "USD",
        "employee": {"id": ids.clover_id(account.key, "employee", current.employee)},
        "total": abs(current.total_cents),
        "paymentState": "REFUNDED" if current.is_refund else "PAID",
        "title": current.receipt_number,
        "note": None,
        "orderType": {
            "id": ids.clover_id(
                account.key, "order-type", list(ORDER_TYPES).index(current.fulfillment)
            ),
            "label": ORDER_TYPES[current.fulfillment],
        },
        "taxRemoved": False,
        "isVat": False,
        "state": "locked",
        "manualTransaction": False,
        "groupLineItems": False,
        "testMode": False,
        "payType": "FULL",
        "createdTime": current.created_ms,
        "clientCreatedTime": current.created_ms + CLIENT_CREATED_SHIFT,
        "modifiedTime": current.created_ms + MODIFIED_SHIFT,
        "device": {"id": ids.clover_id(account.key, "device", current.location)},
    }
    if "lineItems" in expand:
        payload["lineItems"] = elements(_line_items(account, current, products))
    if "customers" in expand:
        found = []
        if current.customer is not None:
            shopper = customer(account, base, merchant, current.customer)
            found.append(present(shopper, set(), CUSTOMER_EXPANDS))
        payload["customers"] = elements(found)
    if "payments" in expand:
        payload["payments"] = elements([payment(account, base, current, {"tender"})])
    if "refunds" in expand:
        payload["refunds"] = elements([_refund(account, current)] if current.is_refund else [])
    for empty in ("discounts", "credits"):
        if empty in expand:
            payload[empty] = elements([])
    if "orderFulfillmentEvent" in expand and current.fulfillment != "in_store":
        payload["orderFulfillmentEvent"] = {
            "id": ids.clover_id(account.key, "fulfillment", current.index),
            "fulfillmentType": current.fulfillment.upper(),
            "state": "COMPLETED",
        }
    variant = malformed_variant(account, current.index)
    if variant == "missing":
        del payload["id"]
    elif variant == "wrong-type":
        payload["total"] = "#VALUE!"
    return payload


def item(
    account: SandboxAccount, base: str, product: Product, quantity: float, expand: set[str]
) -> Payload:
    iid = ids.clover_id(account.key, "item", product.index)
    payload: Payload = {
        "href": f"{base}/items/{iid}",
        "id": iid,
        "hidden": False,
        "available": quantity > 0,
        "autoManage": True,
        "name": product.name,
        "alternateName": product.strain,
        "code": product.upc,
        "sku": product.sku,
        "price": product.price_cents,
        "priceType": "FIXED",
        "defaultTaxRates": True,
        "unitName": product.unit,
        "cost": product.cost_cents,
        "isRevenue": True,
        "stockCount": round(quantity),
        "modifiedTime": product.updated_ms(),
    }
    if account.has("no-track-stock"):
        # Track Stock off: Clover neither counts nor auto-manages the item's stock [I].
        payload["autoManage"] = False
        payload["available"] = True
        del payload["stockCount"]
    elif "itemStock" in expand:
        payload["itemStock"] = stock(account, product, quantity)
    if "categories" in expand:
        category = {
            "id": ids.clover_id(account.key, f"category-{product.category}", 0),
            "name": product.category,
        }
        payload["categories"] = elements([category])
    if "tags" in expand:
        payload["tags"] = elements(
            [{"id": ids.clover_id(account.key, "tag", 0), "name": product.brand}]
        )
    if "taxRates" in expand:
        rate = {
            "id": ids.clover_id(account.key, "tax-rate", 0),
            "name": "Cannabis Tax",
            "rate": 1_000_000,
        }
        payload["taxRates"] = elements([rate] if product.is_cannabis else [])
    return payload


def stock(account: SandboxAccount, product: Product, quantity: float) -> Payload:
    return {
        "item": {"id": ids.clover_id(account.key, "item", product.index)},
        "stockCount": round(quantity),
        "quantity": quantity,
    }


def merchant_payload(
    account: SandboxAccount, base: str, merchant: str, expand: set[str]
) -> Payload:
    payload: Payload = {
        "href": base,
        "id": merchant,
        "name": f"{words.STORE_NAMES[account.seed % len(words.STORE_NAMES)]} Dispensary",
        "defaultCurrency": "USD",
        "phoneNumber": "(555) 010-0100",
        "website": None,
        "isBillable": True,
        "createdTime": 1_600_000_000_000 + account.seed % 10**10,
    }
    if "address" in expand:
        place = location_place(account, 0)
        country, city, postal = place.country, place.city, place.postal_prefix
        payload["address"] = {
            "address1": "100 Main St",
            "address2": "",
            "address3": "",
            "city": city,
            "state": place.state,
            "zip": f"{postal}00" if country == "US" else f"{postal} 1A1",
            "country": country,
        }
    return payload
