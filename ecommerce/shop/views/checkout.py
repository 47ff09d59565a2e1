"""Checkout: the form, the rate limits, and the order placed (holding its inventory).

Every failure is the form again with the reason: field errors (400), sold out (409), too
many checkouts (429). The address is counted on every attempt, the phone once the form is
valid, before anything is written.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from aiq.accounts.login_guard import client_ip
from ecommerce.models import CovaEcommerceSettings
from ecommerce.orders.placement import OrderRefused, place_order
from ecommerce.shop import ratelimit
from ecommerce.shop.access import behind_age_gate
from ecommerce.shop.forms import CheckoutForm
from ecommerce.shop.session_cart import SessionCart
from ecommerce.shop.views.cart import cart_lines, totals
from ecommerce.shop.views.order import remember_order


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' * (minutes != 1)}"


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
@behind_age_gate
def checkout(request: HttpRequest, settings: CovaEcommerceSettings) -> HttpResponse:
    cart = SessionCart(request, settings)
    if not cart.quantities():
        return redirect("shop:cart", slug=settings.shop_slug)
    form = CheckoutForm(request.POST or None, shop=settings)
    status = 200
    if request.method == "POST":
        status = 400
        wait = ratelimit.over_address_limit(client_ip(request) or "")
        if wait:
            form.is_valid()  # the fields keep what was typed
            form.add_error(
                None, f"Too many orders from this network. Try again in {_minutes(wait)}."
            )
            status = 429
        elif form.is_valid():
            wait = ratelimit.over_phone_limit(form.cleaned_data["phone"])
            if wait:
                form.add_error(
                    "phone", f"Too many orders for this phone. Try again in {_minutes(wait)}."
                )
                status = 429
            else:
                try:
                    order = place_order(settings, cart.items(), form.customer())
                except OrderRefused as refused:
                    for problem in refused.problems:
                        form.add_error(None, problem)
                    status = 409
                else:
                    cart.clear()
                    remember_order(request, order)
                    return redirect("shop:order", slug=settings.shop_slug, token=order.access_token)
    lines = cart_lines(settings, cart)
    context = {
        "shop": settings,
        "store": settings.store,
        "form": form,
        "lines": lines,
        "cart_count": cart.count(),
        **totals(lines),
    }
    return render(request, "shop/checkout.html", context, status=status)
