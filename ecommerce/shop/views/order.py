"""The order's own page: reachable only by its random token, showing only that order.

The shopper may cancel it while it is pending. The page asks browsers not to send its
address to other sites as a Referer (its token is the key); "same-origin", not
"no-referrer", which makes Chromium send "Origin: null" on the page's own POSTs and the
CSRF check refuse them.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_POST

from aiq.personas.normalize import format_phone_for_display
from ecommerce.models import Order
from ecommerce.orders.actors import SHOPPER
from ecommerce.orders.choices import OrderStatus
from ecommerce.orders.transitions import TransitionRefused, cancel_order
from ecommerce.shop.access import open_shop


def remember_order(request: HttpRequest, order: Order) -> None:
    """The session's last orders at this store, for the menu's "Your order" link."""
    key = f"shop:orders:{order.store_id}"
    request.session[key] = [order.access_token, *request.session.get(key, [])][:5]


def last_order_token(request: HttpRequest, store_id: int) -> str:
    """This browser's latest order at the store (never another shopper's)."""
    tokens = request.session.get(f"shop:orders:{store_id}") or []
    return tokens[0] if tokens else ""


def _order(slug: str, token: str) -> Order:
    settings = open_shop(slug)
    order = (
        Order.objects.filter(store_id=settings.store_id, access_token=token)
        .select_related("store")
        .first()
    )
    if order is None:
        raise Http404("No such order.")
    return order


def _masked(phone: str) -> str:
    shown = format_phone_for_display(phone)
    return "•" * max(0, len(shown) - 4) + shown[-4:]


@never_cache
@require_GET
def order_page(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    order = _order(slug, token)
    context = {
        "order": order,
        "store": order.store,
        "shop_slug": slug,
        "lines": order.lines.all(),
        "phone": _masked(order.phone),
        "can_cancel": order.status == OrderStatus.PENDING,
    }
    response = render(request, "shop/order.html", context)
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_protect
@require_POST
def cancel_own_order(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    order = _order(slug, token)
    if order.status != OrderStatus.PENDING:
        messages.error(
            request, "This order is already being prepared; call the store to change it."
        )
    else:
        try:
            cancel_order(order.pk, SHOPPER, "Cancelled by the shopper.")
            messages.success(request, "Your order is cancelled.")
        except TransitionRefused as refused:
            messages.error(request, str(refused))
    return redirect("shop:order", slug=slug, token=token)
