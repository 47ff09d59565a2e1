"""POSaBIT routes (the real paths under https://app.posabit.com/)."""

from __future__ import annotations

from django.urls import path

from integrations.sandbox.posabit import views

urlpatterns = [
    path("api/v3/info", views.info),
    path("api/v3/venue/customers", views.customers),
    path("api/v3/venue/customers/<str:customer_id>", views.customer),
    path("api/v3/venue/sales_histories", views.sales_v3),
    path("api/v3/venue/inventories", views.inventories_v3),
    path("api/v3/menu_feeds/<str:feed_key>", views.menu_feed_v3),
    path("api/v1/menu_feeds/<str:feed_key>", views.menu_feed_legacy),
    path("api/v2/venue/info", views.info_legacy),
    path("api/v1/venue/sales_histories", views.sales_legacy),
    path("api/v2/venue/sales_histories", views.sales_legacy),
    path("api/v1/venue/inventories", views.inventories_legacy),
    path("api/v2/venue/inventories", views.inventories_legacy),
]
