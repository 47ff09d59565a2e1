"""The cart page, and adding to or changing it (POST, CSRF-protected)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from ecommerce.models import CovaEcommerceSettings
from ecommerce.shop.access import behind_age_gate
from ecommerce.shop.forms import CartLineForm
from ecommerce.shop.session_cart import SessionCart
from ecommerce.shop.views.menu import MenuItem, listed_products, menu_items


def cart_lines(settings: CovaEcommerceSettings, cart: SessionCart) -> list[dict]:  # type: ignore[type-arg]
    """The cart's products as the menu lists them now, with quantities and line totals;
    products gone from the menu drop out."""
    quantities = cart.quantities()
    items = menu_items(listed_products(settings).filter(pk__in=list(quantities)))
    lines = []
    for item in items:
        quantity = quantities[item.product.pk]
        price = item.sale_price if item.sale_price is not None else item.product.price
        lines.append(
            {
                "item": item,
                "quantity": quantity,
                "line_total": price * quantity,
                "short": quantity > item.available,
            }
        )
    return lines


def totals(lines: list[dict]) -> dict[str, Decimal]:  # type: ignore[type-arg]
    subtotal = sum((line["item"].product.price * line["quantity"] for line in lines), Decimal(0))
    total = sum((line["line_total"] for line in lines), Decimal(0))
    return {"subtotal": subtotal, "savings": subtotal - total, "total": total}


@never_cache
@require_GET
@behind_age_gate
def cart_page(request: HttpRequest, settings: CovaEcommerceSettings) -> HttpResponse:
    cart = SessionCart(request, settings)
    lines = cart_lines(settings, cart)
    context = {
        "shop": settings,
        "store": settings.store,
        "lines": lines,
        "cart_count": cart.count(),
        **totals(lines),
    }
    return render(request, "shop/cart.html", context)


@csrf_protect
@require_POST
@behind_age_gate
def change_cart(request: HttpRequest, settings: CovaEcommerceSettings, action: str) -> HttpResponse:
    """``add`` adds the quantity (from the menu); ``set`` replaces it (0 removes)."""
    form = CartLineForm(request.POST)
    back = "shop:menu" if action == "add" else "shop:cart"
    if not form.is_valid():
        messages.error(request, "Choose a quantity between 0 and 20.")
        return redirect(back, slug=settings.shop_slug)
    product_id = form.cleaned_data["product"]
    quantity = form.cleaned_data["quantity"]
    items = menu_items(listed_products(settings).filter(pk=product_id))
    if not items:
        messages.error(request, "That product is not on this menu.")
        return redirect(back, slug=settings.shop_slug)
    cart = SessionCart(request, settings)
    wanted = quantity + (cart.quantities().get(product_id, 0) if action == "add" else 0)
    item: MenuItem = items[0]
    if wanted > item.available:
        messages.error(
            request,
            f"{item.product.name} is sold out."
            if item.available == 0
            else f"Only {item.available} {item.product.name} available.",
        )
        return redirect(back, slug=settings.shop_slug)
    cart.set(product_id, wanted)
    if action == "add" and quantity:
        messages.success(request, f"Added {quantity} of {item.product.name} to your cart.")
    return redirect(back, slug=settings.shop_slug)
