"""Which store a shop address names, and the age gate every shop page sits behind."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from ecommerce.models import CovaEcommerceSettings


def open_shop(slug: str) -> CovaEcommerceSettings:
    """The enabled store behind ``slug``; a disabled or unknown one is the same 404."""
    settings = (
        CovaEcommerceSettings.objects.select_related("store", "company")
        .filter(shop_slug=slug, enabled=True)
        .first()
    )
    if settings is None:
        raise Http404("No such online menu.")
    return settings


def _age_key(settings: CovaEcommerceSettings) -> str:
    return f"shop:{settings.pk}:age"


def age_confirmed(request: HttpRequest, settings: CovaEcommerceSettings) -> bool:
    # The age confirmed is kept, not just "yes": a store raising its minimum asks again.
    return int(request.session.get(_age_key(settings), 0)) >= settings.minimum_age


def remember_age(request: HttpRequest, settings: CovaEcommerceSettings) -> None:
    request.session[_age_key(settings)] = settings.minimum_age


def behind_age_gate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the shop from the URL's slug and send a shopper who has not passed the age
    gate there first; the view receives the settings instead of the slug."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        settings = open_shop(slug)
        if not age_confirmed(request, settings):
            return redirect("shop:age_gate", slug=slug)
        return view(request, settings, *args, **kwargs)

    return wrapper
