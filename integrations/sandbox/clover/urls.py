"""Clover routes (the real REST v3 paths under https://api.clover.com/)."""

from __future__ import annotations

from django.urls import path

from integrations.sandbox.clover import commerce, customers

M = "v3/merchants/<str:merchant>"

urlpatterns = [
    path(M, commerce.merchant_info),
    path(f"{M}/customers", customers.customers),
    path(f"{M}/customers/<str:customer_id>", customers.customer),
    path(f"{M}/orders", commerce.orders),
    path(f"{M}/orders/<str:order_id>", commerce.order),
    path(f"{M}/orders/<str:order_id>/line_items", commerce.line_items),
    path(f"{M}/payments", commerce.payments),
    path(f"{M}/payments/<str:payment_id>", commerce.payment),
    path(f"{M}/items", commerce.items),
    path(f"{M}/items/<str:item_id>", commerce.item),
    path(f"{M}/item_stocks", commerce.item_stocks),
    path(f"{M}/item_stocks/<str:item_id>", commerce.item_stock),
]
