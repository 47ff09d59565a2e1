from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The file's own name (WhiteNoise serves it beside the hashed copy): no manifest look-up
# while the URLconf loads.
FAVICON_URL = f"/{settings.STATIC_URL.strip('/')}/aiq/favicon.svg"

# bench_api's yardstick, on only in the gunicorn it starts; before the API's catch-all.
BENCH = (
    [path("api/bench/", include("loyalty.api.bench.baseline"))]
    if settings.API_BENCH_BASELINE_VIEW
    else []
)

# admin.site is aiq.admin_site.HubAdminSite (aiq/apps.py): the admin as the product.
urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # Browsers ask for /favicon.ico on every first visit; a 404 there is only log noise.
    path("favicon.ico", RedirectView.as_view(url=FAVICON_URL, permanent=True)),
    path("admin/", admin.site.urls),
    # The API's OpenAPI document and docs page, before the API's catch-all for unknown paths.
    path("api/", include("loyalty.api.openapi.urls")),
    *BENCH,
    path("api/", include("loyalty.api.urls")),
    # The door tablet's check-in page (public: its address is the store's secret token).
    path("queue/", include("stores.queue.urls")),
    # Each store's online menu (public, behind its age gate): ecommerce/shop.
    path("shop/", include("ecommerce.shop.urls")),
    # The SMS provider's webhooks (public: each request carries the provider's signature).
    path("sms/", include("aiq.messaging.urls")),
]

if settings.POS_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("integrations.sandbox.urls")))
