"""AIQ's public API paths, mounted at /api/ (aiq/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from loyalty.api import piis_views, views

app_name = "loyalty_api"

urlpatterns = [
    path("v2/wallet", views.wallet_by_body, name="wallet"),
    path("v2/wallet/<str:phone>", views.wallet_by_phone, name="wallet-by-phone"),
    path("v2/loyalty/lookup/<str:pii>", views.loyalty_lookup, name="loyalty-lookup"),
    path("v1.1/stores/<str:uid>", views.stores, name="stores"),
    path("v1.1/piis/<str:uid>", piis_views.piis, name="piis"),
    path("v1.1/piis/<str:uid>/<str:contact_id>", piis_views.pii, name="pii"),
    # Anything else under /api/ answers in the envelope, not with an HTML page.
    re_path(r"^.*$", views.unknown_path),
]
