"""`GET /api/v1.1/piis/:uid` and `GET /api/v1.1/piis/:uid/:contactID` (pos-apis.md 4.2)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from loyalty.api import assumptions
from loyalty.api.endpoint import Call, Reply, api_endpoint
from loyalty.api.piis import parse_piis_query
from loyalty.api.piis_results import contact_detail, piis_page


@api_endpoint("GET")
def piis(request: HttpRequest, call: Call, uid: str) -> Any:
    return piis_page(call.key.company, parse_piis_query(request.GET))


@api_endpoint("GET")
def pii(request: HttpRequest, call: Call, uid: str, contact_id: str) -> Any:
    contact = contact_detail(call.key.company, contact_id)
    if contact is None:
        return Reply(assumptions.not_found_body(), assumptions.NOT_FOUND_STATUS)
    return contact
