"""The age gate: the first thing a shopper sees, remembered in the session."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from ecommerce.shop.access import age_confirmed, open_shop, remember_age


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def age_gate(request: HttpRequest, slug: str) -> HttpResponse:
    settings = open_shop(slug)
    if request.method == "POST":
        if request.POST.get("answer") == "yes":
            remember_age(request, settings)
            return redirect("shop:menu", slug=slug)
        context = {"shop": settings, "store": settings.store, "refused": True}
        return render(request, "shop/age_gate.html", context, status=403)
    if age_confirmed(request, settings):
        return redirect("shop:menu", slug=slug)
    return render(request, "shop/age_gate.html", {"shop": settings, "store": settings.store})
