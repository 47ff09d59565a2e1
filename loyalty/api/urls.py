"""AIQ's public API paths, mounted at /api/ (aiq/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from loyalty.api import contact_views, piis_views, queue_views, sales_views, views
from loyalty.api.redemption import views as redemption

app_name = "loyalty_api"

urlpatterns = [
    path("v2/wallet", views.wallet_by_body, name="wallet"),
    path("v2/wallet/<str:phone>", views.wallet_by_phone, name="wallet-by-phone"),
    path("v2/loyalty/lookup/<str:pii>", views.loyalty_lookup, name="loyalty-lookup"),
    path("v1.1/stores/<str:uid>", views.stores, name="stores"),
    path(
        "v1.1/discount/redeem/<str:uid>/<int:discount_id>/<str:token>",
        redemption.redemption_url,
        name="redeem",
    ),
    path(
        "v1.1/discount/redeem/<str:uid>/<int:discount_id>/<str:token>/<str:transaction_id>",
        redemption.redemption_url,
        name="redeem-transaction",
    ),
    path("v2/loyalty", contact_views.loyalty_signup, name="loyalty-signup"),
    path(
        "v1.1/loyaltyContact/<str:uid>",
        contact_views.legacy_loyalty_contact,
        name="legacy-loyalty-contact",
    ),
    path("v2/optin/text/<str:phone>/<str:value>", contact_views.opt_in_text, name="optin-text"),
    path(
        "v1.1/optin/<str:uid>/<str:phone>/<str:value>",
        contact_views.legacy_opt_in,
        name="legacy-optin",
    ),
    path("v2/optin/email/<str:email>/<str:value>", contact_views.opt_in_email, name="optin-email"),
    path(
        "v1.1/adjust/loyaltyPoints/<str:uid>/<str:contact_id>",
        contact_views.adjust_points,
        name="adjust-points",
    ),
    path(
        "v1.1/adjustments/<str:uid>/<str:start>/<str:end>",
        contact_views.adjustments,
        name="adjustments",
    ),
    path("v1.1/createUpdateSale/<str:uid>", sales_views.create_update_sale, name="sale"),
    path("v1.1/createUpdateSales/<str:uid>", sales_views.create_update_sales, name="sales"),
    path("v1.1/piis/<str:uid>", piis_views.piis, name="piis"),
    path("v1.1/piis/<str:uid>/<str:contact_id>", piis_views.pii, name="pii"),
    path("v1.1/queue/checkin/<str:uid>", queue_views.queue_check_in, name="queue-checkin"),
    # Anything else under /api/ answers in the envelope, not with an HTML page.
    # [\s\S], not ".": a path with a line break (%0A) is unknown too, not an HTML 404.
    re_path(r"^[\s\S]*$", views.unknown_path),
]
