from __future__ import annotations

from django.urls import path

from ecommerce.shop.views.cart import cart_page, change_cart
from ecommerce.shop.views.checkout import checkout
from ecommerce.shop.views.gate import age_gate
from ecommerce.shop.views.menu import menu
from ecommerce.shop.views.order import cancel_own_order, order_page

app_name = "shop"

urlpatterns = [
    path("<slug:slug>/", menu, name="menu"),
    path("<slug:slug>/age/", age_gate, name="age_gate"),
    path("<slug:slug>/cart/", cart_page, name="cart"),
    path("<slug:slug>/cart/add/", change_cart, {"action": "add"}, name="cart_add"),
    path("<slug:slug>/cart/set/", change_cart, {"action": "set"}, name="cart_set"),
    path("<slug:slug>/checkout/", checkout, name="checkout"),
    path("<slug:slug>/orders/<str:token>/", order_page, name="order"),
    path("<slug:slug>/orders/<str:token>/cancel/", cancel_own_order, name="order_cancel"),
]
