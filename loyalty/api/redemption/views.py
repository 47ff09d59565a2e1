"""The redemption URL, ``/api/v1.1/discount/redeem/:uid/:id/:token[/:transactionId]``:
PUT redeems (AIQ), POST holds and DELETE releases (ours). Logic lives in ``service``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from aiq.validators import first_control_character
from loyalty.api import assumptions
from loyalty.api.endpoint import Call, Reply, api_endpoint
from loyalty.api.errors import bad_request
from loyalty.api.redemption import refusals, service
from loyalty.api.redemption.reads import read_subjects
from loyalty.api.redemption.service import Caller, RedemptionRequest
from loyalty.api.redemption_tokens import read_redemption_token


@api_endpoint("PUT")
def redeem(request: HttpRequest, call: Call, **path: Any) -> Reply:
    return _reply(service.redeem(_read(request, call, **path)))


@api_endpoint("POST")
def hold(request: HttpRequest, call: Call, **path: Any) -> Reply:
    return _reply(service.hold(_read(request, call, **path)))


@api_endpoint("DELETE")
def release(request: HttpRequest, call: Call, **path: Any) -> Reply:
    return _reply(service.release(_read(request, call, **path)))


_BY_METHOD = {"PUT": redeem, "POST": hold, "DELETE": release}


@csrf_exempt
def redemption_url(request: HttpRequest, **path: Any) -> HttpResponse:
    # Any other method reaches the PUT view, whose decorator answers 405 "Use PUT."
    view = _BY_METHOD.get(request.method or "", redeem)
    response: HttpResponse = view(request, **path)
    return response


def _reply(answer: service.Answer) -> Reply:
    return Reply(answer.body, answer.status)


def _read(
    request: HttpRequest,
    call: Call,
    *,
    uid: str,
    discount_id: int,
    token: str,
    transaction_id: str = "",
) -> RedemptionRequest:
    """The request's shopper and discount from the signed token, within the key's company
    (another company's token reads as no URL at all), and its ids checked."""
    persona_id = read_redemption_token(token, discount_id)
    if persona_id is None:
        raise refusals.invalid_url()
    subjects = read_subjects(call.key.company, persona_id, discount_id)
    if subjects is None:
        raise refusals.invalid_url()
    idempotency_key = request.headers.get("Idempotency-Key", "").strip()
    return RedemptionRequest(
        caller=Caller.api(call.key),
        persona=subjects.persona,
        discount=subjects.discount,
        deducts_on_apply=subjects.deducts_on_apply,
        at=timezone.now(),
        transaction_id=_id(transaction_id.strip(), "transactionId"),
        idempotency_key=_id(idempotency_key, "Idempotency-Key"),
    )


def _id(value: str, field: str) -> str:
    if len(value) > assumptions.REDEMPTION_MAX_ID_LENGTH:
        raise bad_request(field, f"longer than {assumptions.REDEMPTION_MAX_ID_LENGTH} characters")
    if first_control_character(value):
        raise bad_request(field, "contains a control character")
    return value
