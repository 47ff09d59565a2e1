"""AIQ's public API paths, mounted at /api/ (aiq/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from loyalty.api import views

app_name = "loyalty_api"

urlpatterns = [
    path("v2/wallet", views.wallet_by_body, name="wallet"),
    path("v2/wallet/<str:phone>", views.wallet_by_phone, name="wallet-by-phone"),
    path("v2/loyalty/lookup/<str:pii>", views.loyalty_lookup, name="loyalty-lookup"),
    path("v1.1/stores/<str:uid>", views.stores, name="stores"),
    # Anything else under /api/ answers in the envelope, not with an HTML page.
    # [\s\S], not ".": a path with a line break (%0A) is unknown too, not an HTML 404.
    re_path(r"^[\s\S]*$", views.unknown_path),
]
