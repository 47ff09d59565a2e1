"""The POS-facing endpoints that change a shopper: signups, opt-ins, point adjustments.
Thin: the services (signups, optins, adjustments) do the work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest

from aiq.messaging.opt_in_request import ask_to_confirm
from aiq.personas.choices import Consent, ConsentChannel
from aiq.personas.consent import CHANGED
from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.adjustments import adjust, adjustment_data, list_adjustments, read_adjustment
from loyalty.api.endpoint import Call, Reply, api_endpoint
from loyalty.api.errors import ApiError, bad_request
from loyalty.api.optins import read_opt_in, set_opt_in
from loyalty.api.shoppers import find_shopper
from loyalty.api.signups import read_signup, sign_up, signup_data


def _not_found() -> Reply:
    return Reply(assumptions.not_found_body(), assumptions.NOT_FOUND_STATUS)


@api_endpoint("POST", json_body=True)
def loyalty_signup(request: HttpRequest, call: Call) -> Any:
    """POST /api/v2/loyalty: create or update a loyalty contact."""
    return signup_data(sign_up(call.key, read_signup(call.body or {}, legacy=False)))


@api_endpoint("POST", json_body=True)
def legacy_loyalty_contact(request: HttpRequest, call: Call, uid: str) -> Any:
    """POST /api/v1.1/loyaltyContact/:uid, the older signup."""
    return signup_data(sign_up(call.key, read_signup(call.body or {}, legacy=True)))


def _opt_in(
    request: HttpRequest, call: Call, channel: str, persona: Persona | None, value: str
) -> Any:
    wanted = read_opt_in(value, request.GET.dict())
    if persona is None:
        return _not_found()  # an opt-in never creates a contact
    change = set_opt_in(persona, channel, wanted, call.key)
    if channel == ConsentChannel.SMS and change.event and change.status == Consent.PENDING:
        ask_to_confirm(persona)  # the double opt-in text
    if change.refused:
        raise ApiError(
            assumptions.OPTED_OUT_STATUS,
            assumptions.OPTED_OUT_CODE,
            assumptions.OPTED_OUT_MESSAGE[channel],
        )
    return {
        "contactID": persona.pk,
        "channel": channel,
        "status": change.status,
        "optIn": change.status == Consent.OPTED_IN,
        "changed": change.outcome == CHANGED,
    }


@api_endpoint("PUT")
def opt_in_text(request: HttpRequest, call: Call, phone: str, value: str) -> Any:
    persona = find_shopper(call.key.company, phone=phone) if phone.strip() else None
    return _opt_in(request, call, ConsentChannel.SMS, persona, value)


@api_endpoint("PUT")
def legacy_opt_in(request: HttpRequest, call: Call, uid: str, phone: str, value: str) -> Any:
    persona = find_shopper(call.key.company, phone=phone) if phone.strip() else None
    return _opt_in(request, call, ConsentChannel.SMS, persona, value)


@api_endpoint("PUT")
def opt_in_email(request: HttpRequest, call: Call, email: str, value: str) -> Any:
    if "@" not in email:
        raise bad_request("email", "not an email address")
    persona = find_shopper(call.key.company, email=email)
    return _opt_in(request, call, ConsentChannel.EMAIL, persona, value)


@api_endpoint("PUT", json_body=True)
def adjust_points(request: HttpRequest, call: Call, uid: str, contact_id: str) -> Any:
    if not (contact_id.isascii() and contact_id.isdigit()) or len(contact_id) > 18:
        raise bad_request("contactId", "must be a number")
    wanted = read_adjustment(call.body or {}, request.headers.get("Idempotency-Key", ""))
    persona = Persona.objects.filter(company=call.key.company, pk=int(contact_id)).first()
    if persona is None:
        return _not_found()
    return adjustment_data(adjust(persona, wanted, call.key), persona)


@api_endpoint("GET")
def adjustments(request: HttpRequest, call: Call, uid: str, start: str, end: str) -> Any:
    since, until = _unix(start, "startUnix"), _unix(end, "endUnix")
    if until <= since:
        raise bad_request("endUnix", "must be after startUnix")
    return list_adjustments(call.key.company_id, since, until)


def _unix(value: str, name: str) -> datetime:
    # isdigit() alone admits "¹" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 11:
        raise bad_request(name, "must be a Unix time in seconds")
    return datetime.fromtimestamp(int(value), tz=UTC)
