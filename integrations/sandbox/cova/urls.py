"""Cova routes: the accounts host's token path and the API host's real paths, side by side
(they do not collide). Matching is case-insensitive, as ASP.NET's is."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt

from integrations.sandbox.cova import auth, crm, orders, products, reports
from integrations.sandbox.web import json_response

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """ASP.NET Web API's answer for a path it has no route for."""
    return json_response(
        {"Message": f"No HTTP resource was found that matches the request URI '{request.path}'."},
        status=404,
    )


def _literal(text: str) -> str:
    # Case-insensitive without the (?i) flag, which Django cannot reverse.
    return "".join(f"[{ch.upper()}{ch.lower()}]" if ch.isalpha() else re.escape(ch) for ch in text)


def _route(template: str, view: object) -> object:
    """``crm/v1/Companies({company})/Customers`` -> a case-insensitive regex route whose
    ``{name}`` parts are captured (up to the next ``)`` or ``/``)."""
    parts = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(_literal(template[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>[^/\\)]+)")
        position = match.end()
    parts.append(_literal(template[position:]))
    return re_path(rf"^{''.join(parts)}/?$", view)


C = "Companies({company})"
LOCATION = "Entities({entity})"
PRODUCTS = "dataplatform/v1/companies/{company}/DetailedProductData"

urlpatterns = [
    _route("v1/oauth2/token", auth.token),
    _route("v1/me", auth.me),
    _route(f"entitymanager/v1/{C}/Locations", reports.locations),
    _route(f"crm/v1/{C}/Customers", crm.customers),
    _route(f"crm/v1/{C}/Customers({{customer_id}})", crm.customer),
    _route(f"crm/v1/{C}/CustomerFull", crm.create_customer_full),
    _route(f"crm/v1/{C}/CustomerFull({{customer_id}})", crm.customer_full),
    _route(f"crm/v1/{C}/Search", crm.search),
    _route(f"pointofsale/{C}/Sales({{sale_id}})", reports.sale_detail),
    _route(f"pointofsale/{C}/Locations({{location}})/CompletedOrders", reports.completed_orders),
    _route(f"pointofsale/{C}/CovaOrder({{order_id}})", orders.cancel),
    _route(f"posreports/v1/{C}/{LOCATION}/ByInvoiceWithProducts", reports.by_invoice),
    _route(f"posreports/v1/{C}/ByProductByCustomerByInvoice", reports.by_product),
    _route(
        f"iqloyalty/v1/{C}/{LOCATION}/customers({{customer_id}})/summary", reports.loyalty_summary
    ),
    _route(f"iqloyalty/v1/{C}/{LOCATION}/Rewards", reports.rewards),
    _route(f"iqloyalty/v1/{C}/{LOCATION}/Invoices({{invoice_id}})", reports.loyalty_invoice),
    _route(PRODUCTS, products.detailed),
    _route(f"{PRODUCTS}/UpdatedAsOf/{{moment}}", products.updated_as_of),
    _route(f"{PRODUCTS}/ByProductIdList", products.by_id_list),
    _route(f"taxes/v1/{C}/TaxPricingConfiguration", orders.tax_pricing_configuration),
    _route("covaorderintake/v1/TIPCovaOrder({order_id})", orders.tip_order),
    _route("covaorderintake/v1/TEPCovaOrder({order_id})", orders.tep_order),
    _route(f"covaorderintake/v2/{C}/CovaOrder({{order_id}})/Status", orders.order_status),
    re_path(r"^.*$", not_found),
]
