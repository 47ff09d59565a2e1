"""POSaBIT venue API: info, customers (V3), sales histories, inventories, menu feeds.

Lists use the paged envelope ``{code: 1, total_records, current_page, total_pages,
per_page, <items>: [...]}`` with ``page`` (from 1) and ``per_page``. Customers require
``start_date``/``end_date`` (YYYY-MM-DD, on ``updated_at``, inclusive) and come wrapped
as ``{"customer": {...}}``. Ransack filters ``q[<field>_<eq|cont|start|gt|lt|gteq|lteq>]``
work on customer fields; sales filter on ``q[updated_at_gt|lt]`` (also created_at,
ordered_at). Unknown ransack conditions are ignored, as Ransack does by default.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.sandbox import ids, records
from integrations.sandbox.catalog import catalog
from integrations.sandbox.checkouts import checkouts
from integrations.sandbox.options import account_for, hash_text, is_refused, strip_options
from integrations.sandbox.people import customers_timeline
from integrations.sandbox.posabit import payloads
from integrations.sandbox.posabit.auth import posabit_api, posabit_error, unauthorized
from integrations.sandbox.sales import sale, sales_timeline
from integrations.sandbox.timeline import DAY_MS, iso_z, now, parse_moment
from integrations.sandbox.web import basic_credentials, int_param, json_response, read_json

KIND = "customer"
MAX_PER_PAGE = 1000
_RANSACK = re.compile(r"^q\[([a-z_]+?)_(eq|cont|start|gt|lt|gteq|lteq)\]$")
CUSTOMER_TEXT_FIELDS = ("telephone", "email", "first_name", "last_name", "drivers_license", "id")
TIME_FIELDS = ("updated_at", "created_at", "ordered_at")
WRITABLE = {
    "first_name": "first_name",
    "last_name": "last_name",
    "telephone": "telephone",
    "email": "email",
    "loyalty_member": "loyalty_member",
    "marketing_opt_in": "marketing_opt_in",
    "address_1": "address",
    "address": "address",
    "city": "city",
    "state": "state",
    "zip_code": "zipcode",
    "zipcode": "zipcode",
    "date_of_birth": "birthday",
    "birthday": "birthday",
    "gender": "gender",
    "drivers_license": "drivers_license",
}
Payload = dict[str, Any]


def _page_params(request: HttpRequest, default_per_page: int) -> tuple[int, int] | None:
    page = int_param(request.GET.get("page"), 1, 1)
    per_page = int_param(request.GET.get("per_page"), default_per_page, 1, MAX_PER_PAGE)
    return None if page is None or per_page is None else (page, per_page)


def _envelope(items_key: str, total: int, page: int, per_page: int, items: list[Any]) -> Payload:
    return {
        "code": 1,
        "total_records": total,
        "current_page": page,
        "total_pages": math.ceil(total / per_page),
        "per_page": per_page,
        items_key: items,
    }


def _conditions(request: HttpRequest) -> list[tuple[str, str, str]]:
    found = []
    for name, value in request.GET.items():
        match = _RANSACK.match(name)
        if match:
            found.append((match.group(1), match.group(2), value))
    return found


def _time_bounds(
    conditions: list[tuple[str, str, str]],
) -> tuple[int | None, int | None, bool, bool] | None:
    """(low, high, low inclusive, high inclusive) from time conditions; None if unreadable."""
    low = high = None
    low_inclusive = high_inclusive = True
    for field, operation, value in conditions:
        if field not in TIME_FIELDS or operation not in ("gt", "lt", "gteq", "lteq"):
            continue
        moment = parse_moment(value)
        if moment is None:
            return None
        if operation in ("gt", "gteq") and (low is None or moment >= low):
            low, low_inclusive = moment, operation == "gteq"
        elif operation in ("lt", "lteq") and (high is None or moment <= high):
            high, high_inclusive = moment, operation == "lteq"
    return low, high, low_inclusive, high_inclusive


def _text_match(payload: Payload, field: str, operation: str, wanted: str) -> bool:
    have = "" if payload.get(field) is None else str(payload.get(field))
    if operation == "eq":
        return have.lower() == wanted.lower()
    if operation == "cont":
        return wanted.lower() in have.lower()
    if operation == "start":
        return have.lower().startswith(wanted.lower())
    return True


def _customer_predicate(
    conditions: list[tuple[str, str, str]],
    low: int | None,
    high: int | None,
    inclusive: tuple[bool, bool],
) -> Callable[[Payload], bool]:
    def predicate(payload: Payload) -> bool:
        moment = parse_moment(str(payload.get("updated_at") or ""))
        if moment is not None:
            if low is not None and (moment < low or (moment == low and not inclusive[0])):
                return False
            if high is not None and (moment > high or (moment == high and not inclusive[1])):
                return False
        return all(
            _text_match(payload, field, operation, value)
            for field, operation, value in conditions
            if field in CUSTOMER_TEXT_FIELDS
        )

    return predicate


@posabit_api(customers=True)
def customers(request: HttpRequest, account: Any) -> HttpResponse:
    """GET (list) or POST (create) /api/v3/venue/customers."""
    if request.method == "POST":
        return _create(request, account)
    paging = _page_params(request, 100)
    start = parse_moment(request.GET.get("start_date", ""))
    end = parse_moment(request.GET.get("end_date", ""))
    if paging is None:
        return posabit_error(400, "page and per_page must be positive integers")
    if start is None or end is None:
        return posabit_error(400, "start_date and end_date are required (YYYY-MM-DD)")
    conditions = _conditions(request)
    bounds = _time_bounds(conditions)
    if bounds is None:
        return posabit_error(422, "Invalid date in the q[...] filters")
    low, high, low_inclusive, high_inclusive = bounds
    # The dates are whole days: start_date from its midnight, end_date to its last moment.
    if low is None or start > low:
        low, low_inclusive = start, True
    end_of_day = end + DAY_MS - 1
    if high is None or end_of_day < high:
        high, high_inclusive = end_of_day, True
    indices = customers_timeline(account).between(
        low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive
    )
    scan = any(field in CUSTOMER_TEXT_FIELDS for field, _op, _value in conditions)
    predicate = _customer_predicate(conditions, low, high, (low_inclusive, high_inclusive))
    listing = records.listing(
        account,
        KIND,
        lambda index: payloads.customer(account, index),
        indices,
        predicate=predicate,
        scan=scan,
    )
    page, per_page = paging
    items = [{"customer": item} for _i, item in listing.page((page - 1) * per_page, per_page)]
    return json_response(_envelope("customers", len(listing), page, per_page, items))


def _lookup(account: Any, customer_id: str) -> tuple[int | None, Payload] | None:
    stored = records.find(account, KIND, str(customer_id))
    if stored is not None:
        return (
            None if records.is_deleted(stored.payload) else (stored.generated_index, stored.payload)
        )
    index = ids.int_index(account.key, KIND, customer_id)
    if index is None or index >= account.customers:
        return None
    return index, payloads.customer(account, index)


def _fields(body: Any) -> Payload | None:
    if not isinstance(body, dict) or not isinstance(body.get("customer"), dict):
        return None
    return {WRITABLE[name]: value for name, value in body["customer"].items() if name in WRITABLE}


def _create(request: HttpRequest, account: Any) -> HttpResponse:
    fields = _fields(read_json(request))
    if fields is None:
        return posabit_error(400, "param is missing or the value is empty: customer")
    if not str(fields.get("first_name") or "").strip():
        return json_response({"code": 0, "errors": {"first_name": ["can't be blank"]}}, status=422)
    stamp = iso_z(int(now() * 1000))
    created = {
        "id": 200_000_000_000 + secrets.randbelow(10**11),
        "first_name": "",
        "last_name": "",
        "telephone": None,
        "email": None,
        "loyalty_member": False,
        "marketing_opt_in": False,
        "loyalty_points": 0,
        "created_at": stamp,
        "updated_at": stamp,
        "birthday": None,
        "birth_year": None,
        "drivers_license": None,
        "gender": None,
        "address": None,
        "city": None,
        "state": None,
        "zipcode": None,
    }
    created.update(fields)
    if created.get("birthday"):
        created["birth_year"] = int(str(created["birthday"])[:4])
    records.save(account, KIND, str(created["id"]), created)
    return json_response({"code": 1, "customer": created}, status=201)


@posabit_api(customers=True)
def customer(request: HttpRequest, account: Any, customer_id: str) -> HttpResponse:
    """GET or PUT /api/v3/venue/customers/{id}."""
    found = _lookup(account, customer_id)
    if found is None:
        return posabit_error(404, "Customer not found")
    index, current = found
    if request.method == "GET":
        return json_response({"code": 1, "customer": current})
    if request.method not in ("PUT", "PATCH"):
        return posabit_error(405, "Method not allowed")
    fields = _fields(read_json(request))
    if fields is None:
        return posabit_error(400, "param is missing or the value is empty: customer")
    updated = {**current, **fields, "updated_at": iso_z(int(now() * 1000))}
    if updated.get("birthday"):
        updated["birth_year"] = int(str(updated["birthday"])[:4])
    records.save(account, KIND, str(updated.get("id", customer_id)), updated, generated_index=index)
    return json_response({"code": 1, "customer": updated})


def _sales(request: HttpRequest, account: Any) -> HttpResponse:
    paging = _page_params(request, 100)
    bounds = _time_bounds(_conditions(request))
    if paging is None:
        return posabit_error(400, "page and per_page must be positive integers")
    if bounds is None:
        return posabit_error(422, "Invalid date in the q[...] filters")
    low, high, low_inclusive, high_inclusive = bounds
    indices = sales_timeline(account).between(
        low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive
    )
    page, per_page = paging
    start = (page - 1) * per_page
    products = catalog(account)
    # Without Enhanced Customer Data Access sales come without their customer.
    with_customers = not account.has("no-customer-access")
    # Sales rung up at a simulated register follow the generated history (checkouts.py).
    rung = checkouts(account, low, high, low_inclusive=low_inclusive, high_inclusive=high_inclusive)
    listing = records.Listing(
        generated=indices,
        render=lambda index: payloads.sale(account, sale(account, index), products, with_customers),
        tail=[payloads.sale(account, current, products, with_customers) for current in rung],
    )
    items = [payload for _index, payload in listing.page(start, per_page)]
    return json_response(_envelope("sales_histories", len(listing), page, per_page, items))


sales_v3 = posabit_api()(_sales)
sales_legacy = posabit_api(bearer=True, basic=False)(_sales)


def _inventories(request: HttpRequest, account: Any) -> HttpResponse:
    paging = _page_params(request, 100)
    if paging is None:
        return posabit_error(400, "page and per_page must be positive integers")
    page, per_page = paging
    products = catalog(account)
    chosen = products[(page - 1) * per_page : page * per_page]
    items = [payloads.inventory(account, product) for product in chosen]
    return json_response(_envelope("inventory", len(products), page, per_page, items))


inventories_v3 = posabit_api()(_inventories)
inventories_legacy = posabit_api(bearer=True, basic=False)(_inventories)


def _menu_feed(request: HttpRequest, account: Any, feed_key: str) -> HttpResponse:
    groups: dict[str, list[Payload]] = {}
    for product in catalog(account):
        groups.setdefault(product.category, []).append(payloads.menu_item(account, product))
    menu_groups = [
        {
            "name": name,
            "category_guid": ids.guid(account.key, f"category-{name}", 0),
            "description": "",
            "image": None,
            "menu_items": items,
        }
        for name, items in groups.items()
    ]
    feed = {"title": "Menu", "feed_key": feed_key, "description": "", "feed_type": "menu"}
    return json_response({"menu_feed": {**feed, "menu_groups": menu_groups}})


menu_feed_v3 = posabit_api(bearer=True)(_menu_feed)
menu_feed_legacy = posabit_api(bearer=True, basic=False)(_menu_feed)


@csrf_exempt
def info(request: HttpRequest) -> HttpResponse:
    """GET /api/v3/info: the venue, or with a blank venue token every venue and its token."""
    found = basic_credentials(request)
    if found is None or is_refused(found[0]):
        return unauthorized()
    integrator, venue = found
    if venue == "":
        return json_response({"code": 1, "venues": _venues(integrator)})
    return _venue_info(request)


def _venues(integrator: str) -> list[Payload]:
    venues = []
    for number in range(2):
        token = hash_text(f"{strip_options(integrator)}:venue:{number}")[:32]
        account = account_for("posabit", (token,), (integrator, token))
        info_payload = payloads.venue_info(account)
        venues.append(
            {
                "id": 3000 + number,
                "name": info_payload["name"],
                "token": token,
                "city": info_payload["city"],
                "state": info_payload["state"],
            }
        )
    return venues


@posabit_api()
def _venue_info(request: HttpRequest, account: Any) -> HttpResponse:
    return json_response(payloads.venue_info(account))


@posabit_api(bearer=True, basic=False)
def info_legacy(request: HttpRequest, account: Any) -> HttpResponse:
    """GET /api/v2/venue/info."""
    body = payloads.venue_info(account)
    body.pop("code")
    return json_response(body)
