"""POSaBIT's JSON shapes. Money is integer cents, ids are integers, times ISO UTC strings,
telephones digits only (as POSaBIT stores and searches them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from integrations.sandbox import ids, words
from integrations.sandbox.balances import points_of
from integrations.sandbox.catalog import Product
from integrations.sandbox.faults import malformed_variant
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import person
from integrations.sandbox.places import location_place
from integrations.sandbox.sales import Sale
from integrations.sandbox.timeline import iso_z, to_datetime

Payload = dict[str, Any]


def customer_id(account: SandboxAccount, index: int) -> int:
    return ids.int_id(account.key, "customer", index)


def customer(account: SandboxAccount, index: int) -> Payload:
    """Generated shopper ``index`` as a V3 customer (unwrapped)."""
    shopper = person(account, index)
    stamp = iso_z(shopper.created_ms)
    payload: Payload = {
        "id": customer_id(account, index),
        "first_name": shopper.first_name,
        "last_name": shopper.last_name,
        "telephone": "".join(ch for ch in shopper.phone or "" if ch.isdigit()) or None,
        "email": shopper.email,
        "loyalty_member": shopper.loyalty_member,
        "marketing_opt_in": shopper.marketing_opt_in,
        "loyalty_points": points_of(account, index),
        "created_at": stamp,
        "updated_at": stamp,
        "birthday": shopper.birth_date.isoformat(),
        "birth_year": shopper.birth_date.year,
        "drivers_license": shopper.drivers_license,
        "gender": shopper.gender,
        "address": shopper.line1,
        "city": shopper.city,
        "state": shopper.state,
        "zipcode": shopper.postal_code,
    }
    variant = malformed_variant(account, index)
    if variant == "missing":
        del payload["id"]
    elif variant == "wrong-type":
        payload["created_at"] = shopper.created_ms
    return payload


def venue_info(account: SandboxAccount) -> Payload:
    place = location_place(account, 0)
    state, state_name, city, postal = place.state, place.state_name, place.city, place.postal_prefix
    areas = place.area_codes
    return {
        "code": 1,
        "name": f"{words.STORE_NAMES[account.seed % len(words.STORE_NAMES)]} {city}",
        "license": f"C11-{account.seed % 10**7:07d}-LIC",
        "region": f"{state_name} State" if state == "WA" else state_name,
        "locale": "en-US",
        "vertical": "dispensaries",
        "logo_thumb": None,
        "logo_medium": None,
        "telephone": f"{areas[0]}5550100",
        "address": f"1128 8th St, {city}, {state}",
        "street_address_line_1": "1128 8th St",
        "city": city,
        "state": state,
        "zip_code": f"{postal}00",
        "country": "USA",
        "timezone": "Pacific Time (US & Canada)",
        "latitude": "47.6062",
        "longitude": "-122.3321",
        "domains": [],
        "tax_rates": [
            {
                "id": 4285,
                "name": "Cannabis Tax",
                "rate": 1000,
                "tax_rate": "10.0",
                "price_included": False,
            }
        ],
        "payment_methods": ["Cash", "POSaBIT Pay", "Debit Card", "Other"],
        "venue_settings": {"online_order_curbside": "1", "online_order_delivery": "1"},
    }


def sale(
    account: SandboxAccount, current: Sale, products: tuple[Product, ...], with_customers: bool
) -> Payload:
    """Sale ``current`` as a sales_histories record."""
    sale_id = ids.int_id(account.key, "sale", current.index)
    stamp = iso_z(current.created_ms)
    local = to_datetime(current.created_ms) - timedelta(hours=7)
    items = []
    for number, line in enumerate(current.lines):
        product = products[line.product_index]
        tax = round(line.subtotal_cents / 10)
        items.append(
            {
                "item_id": sale_id * 10 + number,
                "sales_history_id": sale_id,
                "product_id": ids.int_id(account.key, "product", product.index),
                "inventory_id": ids.int_id(account.key, "inventory", product.index),
                "lot_id": None,
                "lot_number": f"LOT-{product.index:04d}",
                "is_marijuana": product.is_cannabis,
                "quantity": line.quantity,
                "weight": float(product.grams) * line.quantity,
                "unit_weight": float(product.grams),
                "unit_of_weight": "g",
                "weight_in_grams": float(product.grams) * line.quantity,
                "cost": product.cost_cents * line.quantity,
                "sub_total": line.quantity * line.unit_price_cents,
                "tax": tax,
                "discount": line.discount_cents,
                "sku": product.sku,
                "category": product.category,
                "brand": product.brand,
                "product_name": product.name,
                "family_name": product.strain or product.name,
                "tier_name": None,
                "total": line.subtotal_cents + tax,
                "discount_list": [
                    {"coupon_id": 47370, "coupon_name": line.discount_name or "10% Off"}
                ]
                if line.discount_cents
                else [],
            }
        )
    payload: Payload = {
        "id": sale_id,
        "is_medical": False,
        "ordered_at": stamp,
        "ordered_at_local": local.strftime("%Y-%m-%dT%H:%M:%S-07:00"),
        "sale_type": "refund" if current.is_refund else "sale",
        "order_source": "pos" if current.fulfillment == "in_store" else "online_store",
        "order_type": current.fulfillment,
        "terminal_till_id": 1 + current.employee,
        "terminal_id": 1,
        "local_order_id": current.receipt_number,
        "customer_id": customer_id(account, current.customer)
        if with_customers and current.customer is not None
        else None,
        "user_id": 100 + current.employee,
        "sub_total": current.subtotal_cents + current.discount_cents,
        "discount": current.discount_cents,
        "tax": current.tax_cents,
        "total": current.total_cents,
        "cost": sum(products[ln.product_index].cost_cents * ln.quantity for ln in current.lines),
        "status": "refunded" if current.is_refund else "completed",
        "items": items,
        "sales_tenders": [
            {
                "sales_tender_id": sale_id,
                "subtotal": current.subtotal_cents,
                "tax": current.tax_cents,
                "total": current.total_cents,
                "payment_method_name": current.payment_method or None,
            }
        ],
        "created_at": stamp,
        "updated_at": stamp,
    }
    variant = malformed_variant(account, current.index)
    if variant == "missing":
        del payload["id"]
    elif variant == "wrong-type":
        payload["total"] = "#VALUE!"
    return payload


def inventory(account: SandboxAccount, product: Product) -> Payload:
    stamp = iso_z(product.updated_ms())
    return {
        "id": ids.int_id(account.key, "inventory", product.index),
        "product_id": ids.int_id(account.key, "product", product.index),
        "name": product.name,
        "unit": product.unit,
        "price": product.price_cents,
        "med_price": product.price_cents,
        "last_price": product.price_cents,
        "quantity_on_hand": f"{product.stock[0]:.1f}",
        "sellable_quantity": f"{product.stock[0]:.1f}",
        "ecomm_quantity": f"{product.stock[0]:.1f}",
        "vendor": product.brand,
        "vendor_license": None,
        "brand": product.brand,
        "category": product.category,
        "compliance_type": "usable_marijuana" if product.is_cannabis else None,
        "flower_type": product.strain_type.lower() or None,
        "concentrate_type": None,
        "product_type": product.category,
        "product_family": product.strain or None,
        "tags": [],
        "description": product.name,
        "description_html": f"<p>{product.name}</p>",
        "image": [],
        "active": True,
        "bulk_item": False,
        "strain": product.strain or None,
        "thc_measure": f"{product.thc_percent}%",
        "cbd_measure": f"{product.cbd_percent}%",
        "sku": product.sku,
        "discountable": True,
        "tier_name": None,
        "doh_compliant": False,
        "created_at": stamp,
        "updated_at": stamp,
        "rooms": [["Sales Floor", f"{product.stock[0]:.1f}"]],
    }


def menu_item(account: SandboxAccount, product: Product) -> Payload:
    image = f"https://images.example-cdn.com/posabit/{product.sku}"
    return {
        "id": ids.int_id(account.key, "product", product.index),
        "name": product.name,
        "brand": product.brand,
        "strain": product.strain or None,
        "flower_type": product.strain_type.lower() or None,
        "product_type": product.category,
        "product_image": {
            size: f"{image}-{size}.jpg" for size in ("og", "lg", "md", "sm", "thumb")
        },
        "brand_logo": None,
        "thc": {"low": product.thc_percent, "high": product.thc_percent, "unit_type": "percentage"},
        "cbd": {"low": product.cbd_percent, "high": product.cbd_percent, "unit_type": "percentage"},
        "prices": [
            {
                "id": ids.int_id(account.key, "price", product.index),
                "name": product.unit,
                "price_cents": product.price_cents,
                "unit": product.unit,
                "unit_type": "each" if product.grams == "0" else "gram",
                "quantity_on_hand": product.stock[0],
            }
        ],
    }
