"""The queue's API door: a POS's own waiting room (Alleaves, POSaBIT's customer queue)
puts a shopper on one of our stores' queues. Our design, not AIQ's: the path, body and
answer are recorded in loyalty/api/assumptions.py.

The write itself is stores.queue.services.check_in, the one every door uses; this module
reads the body, finds the store the key may post to, and says where the shopper stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from aiq.personas.normalize import normalize_email, normalize_phone
from loyalty.api import assumptions
from loyalty.api.body_fields import text_field
from loyalty.api.errors import ApiError, bad_request
from loyalty.api.models import ApiKey
from stores.models import RetailStore, StoreMapping
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn
from stores.queue.services import Arrival, QueueClosed, check_in

# First non-empty wins: our names, then the POS's (POSaBIT's queue says "telephone").
PHONE_FIELDS = ("phone", "mobilePhone", "telephone")


@dataclass(frozen=True)
class QueueCheckInRequest:
    """What the POS sent, as text: which store, and who is at the door."""

    store_id: str  # our store id, or the POS's store key (a Store Mapping)
    store_name: str
    name: str
    phone: str
    phone_field: str  # the field the phone came in, named in a 400
    email: str


def read_check_in(body: dict[str, Any]) -> QueueCheckInRequest:
    """The body as a request; a wrong type, an unusable phone or email, or nobody to call
    out is a 400 naming the field."""
    shopper = body.get(assumptions.QUEUE_POSABIT_WRAPPER)
    if shopper is None:
        shopper = body
    elif not isinstance(shopper, dict):
        raise bad_request(assumptions.QUEUE_POSABIT_WRAPPER, "must be an object")
    name = text_field(shopper, "name", max_length=100)
    if not name:
        first = text_field(shopper, "firstName", max_length=100)
        last = text_field(shopper, "lastName", max_length=100)
        name = f"{first} {last}".strip()
    phone, phone_field = "", "phone"
    for field in PHONE_FIELDS:
        phone = text_field(shopper, field, max_length=40)
        if phone:
            phone_field = field
            break
    email = text_field(shopper, "email", max_length=254)
    if not (name or phone or email):
        raise bad_request("phone", "required (or email, or name)")
    return QueueCheckInRequest(
        store_id=text_field(body, "storeID", max_length=128),
        store_name=text_field(body, "store", max_length=200),
        name=name,
        phone=phone,
        phone_field=phone_field,
        email=email,
    )


def api_check_in(key: ApiKey, request: QueueCheckInRequest) -> dict[str, Any]:
    """Check the shopper in at the store and answer with where they stand."""
    store = find_store(key, request)
    if request.phone and not normalize_phone(request.phone, store.company.phone_region):
        raise bad_request(request.phone_field, "not a valid phone number")
    if request.email and not normalize_email(request.email):
        raise bad_request("email", "not a valid email address")
    arrival = Arrival(name=request.name, phone=request.phone, email=request.email)
    try:
        entry = check_in(store, arrival, CheckInDoor.API)
    except QueueClosed as closed:
        raise ApiError(
            assumptions.QUEUE_CLOSED_STATUS, assumptions.QUEUE_CLOSED_CODE, str(closed)
        ) from None
    return check_in_data(entry)


def find_store(key: ApiKey, request: QueueCheckInRequest) -> RetailStore:
    """The store named by id, POS store key or name, among the key's company's stores; a
    store-scoped key's own store when none is named."""
    named = request.store_id or request.store_name
    if not named:
        if key.store is not None:
            return key.store
        raise bad_request("storeID", "required (or store)")
    store = _named_store(key.company_id, request)
    if store is None:
        field = "storeID" if request.store_id else "store"
        raise ApiError(
            assumptions.QUEUE_STORE_NOT_FOUND_STATUS,
            assumptions.QUEUE_STORE_NOT_FOUND_CODE,
            f"{field}: no such store in this account",
        )
    if key.store_id is not None and store.pk != key.store_id:
        raise ApiError(
            assumptions.QUEUE_STORE_NOT_ALLOWED_STATUS,
            assumptions.QUEUE_STORE_NOT_ALLOWED_CODE,
            "This API key is for another store.",
        )
    return store


def _named_store(company_id: int, request: QueueCheckInRequest) -> RetailStore | None:
    stores = RetailStore.objects.filter(company_id=company_id).select_related("company")
    if request.store_id:
        if request.store_id.isascii() and request.store_id.isdigit():
            found = stores.filter(pk=int(request.store_id)).first()
            if found is not None:
                return found
        # A POS knows its own location key; one key may map in two POS: no guess then.
        mapped = set(
            StoreMapping.objects.filter(company_id=company_id, key=request.store_id).values_list(
                "store_id", flat=True
            )
        )
        return stores.get(pk=mapped.pop()) if len(mapped) == 1 else None
    matches = list(stores.filter(name__iexact=request.store_name)[:2])
    return matches[0] if len(matches) == 1 else None


def check_in_data(entry: CheckIn) -> dict[str, Any]:
    """The answer: the check-in, its place in the line, and the shopper it linked to."""
    persona = entry.persona
    if persona is None:
        link = "none"
    elif persona.created_at >= entry.checked_in_at:
        # The check-in's matching created the persona with the check-in's own timestamp.
        link = "created"
    else:
        link = "matched"
    return {
        "checkInID": entry.pk,
        "storeID": entry.store_id,
        "state": entry.state,
        "position": _position(entry),
        "checkedInAt": entry.checked_in_at.isoformat(),
        "contact": {
            "link": link,
            "contactID": persona.pk if persona is not None else None,
            "loyalty": persona is not None and persona.is_loyalty_member,
        },
    }


def _position(entry: CheckIn) -> int:
    """1 for the next to be called: the waiting check-ins ahead of this one, plus one."""
    waiting = CheckIn.objects.filter(store_id=entry.store_id, state=QueueState.WAITING)
    ahead = waiting.filter(
        Q(checked_in_at__lt=entry.checked_in_at)
        | Q(checked_in_at=entry.checked_in_at, pk__lt=entry.pk)
    )
    return ahead.count() + 1
