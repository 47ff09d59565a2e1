"""The POS-facing endpoints (AIQ's paths and shapes); logic lives in the service modules."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from aiq.personas.choices import Consent
from loyalty.api import assumptions
from loyalty.api.endpoint import Call, Reply, api_endpoint
from loyalty.api.errors import bad_request
from loyalty.api.shoppers import WalletShopper, find_by_pii, find_wallet_shopper
from loyalty.api.wallet import api_wallet
from stores.models import RetailStore


def _not_found() -> Reply:
    return Reply(assumptions.not_found_body(), assumptions.NOT_FOUND_STATUS)


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(name, "must be a string")
    return value


def _base(request: HttpRequest) -> str:
    """This server's origin as the POS reached it: a POS calls the redemption URL as is."""
    return request.build_absolute_uri("/").rstrip("/")


@api_endpoint("POST", json_body=True)
def wallet_by_body(request: HttpRequest, call: Call) -> Any:
    body = call.body or {}
    phone = _text_field(body, "phone")
    email = _text_field(body, "email")
    if not phone.strip() and not email.strip():
        raise bad_request("phone", "required (or email)")
    return _wallet(request, call, find_wallet_shopper(call.key.company, phone=phone, email=email))


@api_endpoint("GET")
def wallet_by_phone(request: HttpRequest, call: Call, phone: str) -> Any:
    return _wallet(request, call, find_wallet_shopper(call.key.company, phone=phone))


def _wallet(request: HttpRequest, call: Call, found: WalletShopper | None) -> Any:
    if found is None:
        return _not_found()
    return api_wallet(found.persona, call.key, base_url=_base(request), discounts=found.discounts)


@api_endpoint("GET")
def loyalty_lookup(request: HttpRequest, call: Call, pii: str) -> Any:
    persona = find_by_pii(call.key.company, pii)
    if persona is None:
        return _not_found()
    return {
        "contactID": persona.pk,
        "loyalty": persona.is_loyalty_member,
        "smsOptIn": persona.sms_consent == Consent.OPTED_IN,
        "emailOptIn": persona.email_consent == Consent.OPTED_IN,
    }


@api_endpoint("GET")
def stores(request: HttpRequest, call: Call, uid: str) -> Any:
    rows = RetailStore.objects.filter(company=call.key.company).order_by("name")
    return [
        {
            "id": store.pk,
            "name": store.name,
            "address": store.address_line1,
            "city": store.city,
            "state": store.state,
            "zip": store.postal_code,
            "country": store.country,
            "phone": store.phone,
            "timeZone": store.time_zone,
        }
        for store in rows
    ]


@csrf_exempt
def unknown_path(request: HttpRequest) -> HttpResponse:
    body = {"success": False, "message": "No such endpoint.", "code": "not_found"}
    return JsonResponse(body, status=404)
