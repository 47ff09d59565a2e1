"""Clover customers: list (filters, expand, paging), get, create, update, delete.

Created and updated customers persist (``SandboxRecord``) in their full expanded form and
join listings and ``filter=phoneNumber=...`` / ``filter=emailAddress=...`` lookups. Phone
filters compare digits (formatting ignored); text filters ignore case.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import ids, records
from integrations.sandbox.clover import payloads, query
from integrations.sandbox.clover.auth import clover_api, clover_error
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import customers_timeline, digits_of
from integrations.sandbox.timeline import now
from integrations.sandbox.web import json_response, read_json

KIND = "customer"
FILTER_FIELDS = (
    "customerSince",
    "firstName",
    "lastName",
    "emailAddress",
    "phoneNumber",
    "marketingAllowed",
    "fullName",
    "id",
    "deletedTime",
)
NAME_LIMIT = 64
Payload = dict[str, Any]


def merchant_base(request: HttpRequest, merchant: str) -> str:
    return f"{request.scheme}://{request.get_host()}/sandbox/clover/v3/merchants/{merchant}"


def _collection(payload: Payload, name: str) -> list[Payload]:
    value = payload.get(name)
    if isinstance(value, dict):
        value = value.get("elements")
    return [item for item in value or [] if isinstance(item, dict)]


def _getter(payload: Payload, field: str) -> Any:
    if field == "fullName":
        return f"{payload.get('firstName') or ''} {payload.get('lastName') or ''}".strip()
    return payload.get(field)


def _predicate(conditions: list[query.Condition]) -> Callable[[Payload], bool] | None:
    if not conditions:
        return None

    def matches(payload: Payload, condition: query.Condition) -> bool:
        if condition.field == "phoneNumber":
            phones = [digits_of(p.get("phoneNumber")) for p in _collection(payload, "phoneNumbers")]
            hit = digits_of(condition.value) in phones and bool(digits_of(condition.value))
            return hit if condition.operation == "=" else not hit
        if condition.field == "emailAddress":
            emails = [
                str(e.get("emailAddress") or "").lower()
                for e in _collection(payload, "emailAddresses")
            ]
            hit = condition.value.lower() in emails
            return hit if condition.operation == "=" else not hit
        return condition.compare(_getter(payload, condition.field))

    return lambda payload: all(matches(payload, condition) for condition in conditions)


def _lookup(
    account: SandboxAccount, base: str, merchant: str, customer_id: str
) -> tuple[int | None, Payload] | None:
    stored = records.find(account, KIND, customer_id)
    if stored is not None:
        return (
            None if records.is_deleted(stored.payload) else (stored.generated_index, stored.payload)
        )
    index = ids.clover_index(account.key, KIND, customer_id)
    if index is None or index >= account.customers:
        return None
    return index, payloads.customer(account, base, merchant, index)


@clover_api(customer_writes=True)
def customers(request: HttpRequest, account: SandboxAccount, merchant: str) -> HttpResponse:
    """GET (list) or POST (create) /v3/merchants/{mId}/customers."""
    base = merchant_base(request, merchant)
    if request.method == "POST":
        return _write(request, account, base, merchant, None, None)
    try:
        params = query.parse(request, FILTER_FIELDS, default_descending=False)
        times = query.time_range(
            customers_timeline(account), params.conditions, {"customerSince": 0}
        )
    except query.QueryError as error:
        return clover_error(400, str(error))
    scan = any(c.field != "customerSince" or c.operation in ("=", "!=") for c in params.conditions)
    listing = records.listing(
        account,
        KIND,
        lambda index: payloads.customer(account, base, merchant, index),
        times,
        predicate=_predicate(params.conditions),
        scan=scan,
    )
    total = len(listing)
    if params.descending:
        start = max(0, total - params.offset - params.limit)
        rows = list(reversed(listing.page(start, total - params.offset - start)))
    else:
        rows = listing.page(params.offset, params.limit)
    elements = [
        payloads.present(payload, params.expand, payloads.CUSTOMER_EXPANDS) for _i, payload in rows
    ]
    return json_response(
        {"elements": elements, "href": f"{base}/customers?limit={params.limit}"},
        headers={"X-Clover-Allowed-Filter-Fields": ",".join(FILTER_FIELDS)},
    )


@clover_api(customer_writes=True)
def customer(
    request: HttpRequest, account: SandboxAccount, merchant: str, customer_id: str
) -> HttpResponse:
    """GET, POST (update) or DELETE /v3/merchants/{mId}/customers/{customerId}."""
    base = merchant_base(request, merchant)
    found = _lookup(account, base, merchant, customer_id)
    if found is None:
        return clover_error(404, f"Customer {customer_id} not found")
    index, current = found
    if request.method == "GET":
        expand = {part for value in request.GET.getlist("expand") for part in value.split(",")}
        return json_response(payloads.present(current, expand, payloads.CUSTOMER_EXPANDS))
    if request.method == "DELETE":
        records.save(
            account, KIND, customer_id, {**current, records.DELETED: True}, generated_index=index
        )
        return HttpResponse(status=200)
    if request.method != "POST":
        return clover_error(405, "Method Not Allowed")
    return _write(request, account, base, merchant, index, current)


def _nested(
    body: Payload, name: str, key: str, fields: tuple[str, ...], cid: str
) -> list[Payload] | None:
    if name not in body:
        return None
    result = []
    for item in _collection(body, name):
        entry = {field: item.get(field) for field in fields if field in item}
        entry["id"] = item.get("id") or ids.clover_id(secrets.token_hex(8), key, 0)
        entry["customer"] = {"id": cid}
        result.append(entry)
    return result


def _write(
    request: HttpRequest,
    account: SandboxAccount,
    base: str,
    merchant: str,
    index: int | None,
    current: Payload | None,
) -> HttpResponse:
    body = read_json(request)
    if not isinstance(body, dict):
        return clover_error(400, "The request body must be a JSON customer.")
    for name in ("firstName", "lastName"):
        if len(str(body.get(name) or "")) > NAME_LIMIT:
            return clover_error(
                400, f"Length of {name} cannot be more than {NAME_LIMIT} characters."
            )
    stamp = int(now() * 1000)
    if current is None:
        cid = ids.clover_id(secrets.token_hex(8), "created-customer", 0)
        current = {
            "href": f"{base}/customers/{cid}",
            "id": cid,
            "merchant": {"id": merchant},
            "firstName": None,
            "lastName": None,
            "marketingAllowed": False,
            "customerSince": stamp,
            "addresses": payloads.elements([]),
            "emailAddresses": payloads.elements([]),
            "phoneNumbers": payloads.elements([]),
            "cards": payloads.elements([]),
            "metadata": {
                "businessName": None,
                "note": None,
                "dobYear": None,
                "dobMonth": None,
                "dobDay": None,
                "modifiedTime": stamp,
            },
        }
    updated = dict(current)
    cid = str(updated.get("id"))
    for name in ("firstName", "lastName", "marketingAllowed", "customerSince"):
        if name in body:
            updated[name] = body[name]
    nested = {
        "phoneNumbers": _nested(body, "phoneNumbers", "phone", ("phoneNumber",), cid),
        "emailAddresses": _nested(
            body, "emailAddresses", "email", ("emailAddress", "primaryEmail"), cid
        ),
        "addresses": _nested(
            body,
            "addresses",
            "address",
            ("address1", "address2", "address3", "city", "state", "zip", "country"),
            cid,
        ),
    }
    for name, items in nested.items():
        if items is not None:
            updated[name] = payloads.elements(items)
    if isinstance(body.get("metadata"), dict):
        updated["metadata"] = {**(updated.get("metadata") or {}), **body["metadata"]}
    updated["metadata"] = {**(updated.get("metadata") or {}), "modifiedTime": stamp}
    records.save(account, KIND, cid, updated, generated_index=index)
    return json_response(updated)
