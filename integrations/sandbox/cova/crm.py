"""Cova CRM (base ``/crm``): customers list, get, create (CustomerFull), update, search.

Paths are the iQmetrix CRM ones Cova serves under ``/crm/v1``. Search takes
``{"Criteria": [{"Field", "Operation", "Criteria"}]}`` and ANDs every criterion; fields
``Phone`` (digits compared, formatting ignored), ``Contact`` (any contact method value),
``Email``, ``FirstName``/``PrimaryName``, ``LastName``/``FamilyName``, ``Name``;
operations ``Equals``, ``Contains``, ``StartsWith`` (any case).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import ids, records
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.auth import cova_api, cova_error
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import digits_of
from integrations.sandbox.timeline import iso_z, now
from integrations.sandbox.web import NO_BODY, int_param, json_response, read_json

KIND = "customer"
MAX_TOP = 1000
MAX_SEARCH_RESULTS = 200
EDITABLE = (
    "CustomerTypeId",
    "Title",
    "PrimaryName",
    "MiddleName",
    "FamilyName",
    "AlternateName",
    "ReferralSource",
    "DateOfBirth",
    "PricingGroupId",
    "Notes",
    "UniqueIdentifier",
    "Disabled",
    "DoNotContact",
)
Payload = dict[str, Any]


def _render(account: SandboxAccount) -> Callable[[int], Payload]:
    return lambda index: payloads.customer_full(account, index)


def lookup(account: SandboxAccount, customer_id: str) -> tuple[int | None, Payload] | None:
    """(generated index or None, CustomerFull) of a customer id, or None if unknown."""
    stored = records.find(account, KIND, customer_id.lower())
    if stored is not None:
        if records.is_deleted(stored.payload):
            return None
        return stored.generated_index, stored.payload
    index = ids.guid_index(account.key, KIND, customer_id)
    if index is None or index >= account.customers:
        return None
    return index, payloads.customer_full(account, index)


def _not_found(customer_id: str) -> HttpResponse:
    return cova_error(404, f"Customer with Id '{customer_id}' was not found.")


@cova_api("crm")
def customers(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """GET v1/Companies({id})/Customers?$skip=&$top=."""
    if request.method != "GET":
        return cova_error(405, "The requested resource does not support this method.")
    top = int_param(request.GET.get("$top"), 100, 0, MAX_TOP)
    skip = int_param(request.GET.get("$skip"), 0, 0)
    if top is None or skip is None:
        return cova_error(400, "The query parameter '$top' or '$skip' is not valid.")
    listing = records.listing(account, KIND, _render(account), range(account.customers))
    return json_response([payloads.customer_base(full) for _i, full in listing.page(skip, top)])


@cova_api("crm", writes=True)
def customer(request: HttpRequest, account: SandboxAccount, customer_id: str) -> HttpResponse:
    """GET or PUT v1/Companies({id})/Customers({customerId})."""
    return _one(request, account, customer_id, full=False)


@cova_api("crm", writes=True)
def customer_full(request: HttpRequest, account: SandboxAccount, customer_id: str) -> HttpResponse:
    """GET or PUT v1/Companies({id})/CustomerFull({customerId})."""
    return _one(request, account, customer_id, full=True)


def _one(
    request: HttpRequest, account: SandboxAccount, customer_id: str, full: bool
) -> HttpResponse:
    found = lookup(account, customer_id)
    if found is None:
        return _not_found(customer_id)
    index, current = found
    if request.method == "GET":
        return json_response(current if full else payloads.customer_base(current))
    if request.method != "PUT":
        return cova_error(405, "The requested resource does not support this method.")
    body = read_json(request)
    if not isinstance(body, dict):
        return cova_error(400, "The request is invalid: a JSON customer is required.")
    if body.get("Id") and str(body["Id"]).lower() != str(current.get("Id", "")).lower():
        return cova_error(400, "The Id in the body does not match the Id in the URI.")
    updated = dict(current)
    updated.update({name: body[name] for name in EDITABLE if name in body})
    if full:
        guid = updated["Id"]
        if isinstance(body.get("Addresses"), list):
            updated["Addresses"] = [_address(guid, item) for item in body["Addresses"]]
        if isinstance(body.get("ContactMethods"), list):
            updated["ContactMethods"] = [_contact(guid, item) for item in body["ContactMethods"]]
    updated["Version"] = int(current.get("Version") or 1) + 1
    updated["LastModifiedDateUtc"] = iso_z(int(now() * 1000))
    records.save(account, KIND, str(updated["Id"]).lower(), updated, generated_index=index)
    return json_response(updated if full else payloads.customer_base(updated))


def _address(customer_id: str, item: Any) -> Payload:
    item = item if isinstance(item, dict) else {}
    line1 = item.get("AddressLine1") or item.get("StreetAddress1") or ""
    city = item.get("City") or item.get("Locality") or ""
    postal = item.get("Zip") or item.get("PostalCode") or ""
    state_code = item.get("StateCode") or ""
    return {
        **item,
        "Id": item.get("Id") or str(uuid.uuid4()),
        "CustomerId": customer_id,
        "AddressTypeId": item.get("AddressTypeId", 2),
        "AddressType": item.get("AddressType", "Home"),
        "AddressLine1": line1,
        "StreetAddress1": line1,
        "City": city,
        "Locality": city,
        "StateCode": state_code,
        "Zip": postal,
        "PostalCode": postal,
        "Default": item.get("Default", True),
        "Version": 1,
    }


def _contact(customer_id: str, item: Any) -> Payload:
    item = item if isinstance(item, dict) else {}
    category = item.get("ContactMethodCategory")
    if category not in ("Phone", "Email", "Other"):
        category = {1: "Phone", 2: "Email"}.get(item.get("ContactMethodCategoryId"), "")
    if not category:
        category = "Email" if "@" in str(item.get("Value", "")) else "Phone"
    method = payloads.contact_method(
        item.get("Id") or str(uuid.uuid4()),
        customer_id,
        category,
        str(item.get("Value", "")),
        bool(item.get("DoNotContact", False)),
    )
    for name in ("ContactMethodTypeId", "ContactMethodType", "Default", "Notes"):
        if name in item:
            method[name] = item[name]
    return method


@cova_api("crm", writes=True)
def create_customer_full(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """POST v1/Companies({id})/CustomerFull: create a customer with addresses and contacts."""
    if request.method != "POST":
        return cova_error(405, "The requested resource does not support this method.")
    body = read_json(request)
    if body is NO_BODY or not isinstance(body, dict):
        return cova_error(400, "The request is invalid: a JSON CustomerFull is required.")
    guid = str(uuid.uuid4())
    stamp = iso_z(int(now() * 1000))
    created: Payload = {name: body.get(name) for name in EDITABLE}
    created.update(
        {
            "Id": guid,
            "CustomerTypeId": body.get("CustomerTypeId") or 2,
            "CustomerType": "Person",
            "Disabled": bool(body.get("Disabled", False)),
            "DoNotContact": bool(body.get("DoNotContact", True)),
            "Addresses": [_address(guid, item) for item in body.get("Addresses") or []],
            "ContactMethods": [_contact(guid, item) for item in body.get("ContactMethods") or []],
            "CustomerExtensions": list(body.get("CustomerExtensions") or []),
            "MemberOf": [],
            "RelatedCustomers": [],
            "CreatedDateUtc": stamp,
            "LastModifiedDateUtc": stamp,
            "Version": 1,
        }
    )
    records.save(account, KIND, guid, created)
    return json_response(created, status=201, headers={"Location": guid})


def _matcher(field: str, operation: str, wanted: str) -> Callable[[Payload], bool] | None:
    field = field.strip().lower()
    operation = operation.strip().lower()
    if operation in ("equals", "eq", "equal", "="):
        compare: Callable[[str, str], bool] = lambda have, want: have == want  # noqa: E731
    elif operation in ("contains", "like"):
        compare = lambda have, want: want in have  # noqa: E731
    elif operation in ("startswith", "starts_with", "beginswith"):
        compare = lambda have, want: have.startswith(want)  # noqa: E731
    else:
        return None

    def contacts(payload: Payload, category: str | None) -> list[str]:
        return [
            str(method.get("Value") or "")
            for method in payload.get("ContactMethods") or []
            if category is None or method.get("ContactMethodCategory") == category
        ]

    def phone_match(values: list[str]) -> bool:
        want = digits_of(wanted)
        return bool(want) and any(compare(digits_of(value), want) for value in values)

    def text_match(values: list[str]) -> bool:
        want = wanted.strip().lower()
        return any(compare(value.strip().lower(), want) for value in values)

    if field in ("phone", "phonenumber", "mobile"):
        return lambda payload: phone_match(contacts(payload, "Phone"))
    if field in ("email", "emailaddress"):
        return lambda payload: text_match(contacts(payload, "Email"))
    if field == "contact":
        return lambda payload: text_match(contacts(payload, None)) or phone_match(
            contacts(payload, "Phone")
        )
    names = {
        "firstname": ("PrimaryName",),
        "primaryname": ("PrimaryName",),
        "lastname": ("FamilyName",),
        "familyname": ("FamilyName",),
        "name": ("PrimaryName", "FamilyName"),
    }
    if field in names:
        keys = names[field]
        return lambda payload: text_match([str(payload.get(key) or "") for key in keys]) or (
            field == "name"
            and text_match([f"{payload.get('PrimaryName', '')} {payload.get('FamilyName', '')}"])
        )
    return None


@cova_api("crm")
def search(request: HttpRequest, account: SandboxAccount) -> HttpResponse:
    """POST v1/Companies({id})/Search: customers matching every criterion."""
    if request.method != "POST":
        return cova_error(405, "The requested resource does not support this method.")
    body = read_json(request)
    criteria = body.get("Criteria") if isinstance(body, dict) else None
    if not isinstance(criteria, list) or not criteria:
        return cova_error(400, "The request is invalid: Criteria is required.")
    matchers = []
    for item in criteria:
        if not isinstance(item, dict):
            return cova_error(400, "The request is invalid: each criterion is an object.")
        matcher = _matcher(
            str(item.get("Field", "")),
            str(item.get("Operation", "")),
            str(item.get("Criteria", "")),
        )
        if matcher is None:
            return cova_error(
                400,
                f"Search on field '{item.get('Field')}' with '{item.get('Operation')}' is "
                "not supported.",
            )
        matchers.append(matcher)

    def predicate(payload: Payload) -> bool:
        return all(matcher(payload) for matcher in matchers)

    listing = records.listing(
        account, KIND, _render(account), range(account.customers), predicate=predicate, scan=True
    )
    results = [full for _index, full in listing.page(0, MAX_SEARCH_RESULTS)]
    search_id = ids.small_int(account.key, f"search{len(results)}", 1, 10**9)
    return json_response({"Id": search_id, "Criteria": criteria, "Results": results})
