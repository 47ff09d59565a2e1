"""Per-provider wiring of the payload files into ``responses``, for the contract tests.

Each scenario registers the real URLs each provider calls, page by page, and says how many
records its payload files hold, so the contract test can check that paging yields each
record exactly once.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import responses
from responses import matchers

PAYLOADS = Path(__file__).parent / "payloads"


def load_payload(provider: str, name: str) -> Any:
    """A JSON payload file shaped like the provider's real answer."""
    return json.loads((PAYLOADS / provider / f"{name}.json").read_text())


@dataclass
class Scenario:
    """How to stand one provider up against mocked HTTP."""

    key: str
    credentials: dict[str, str]
    # Registered before anything else (e.g. Cova's token grant); re-used by error tests.
    register_auth: Callable[[responses.RequestsMock], None]
    register_data: Callable[[responses.RequestsMock], None]
    # The URL of the first data call ``iter_locations`` makes (where error tests inject).
    locations_url: str
    counts: dict[str, int]
    malformed: dict[str, int]
    secrets: tuple[str, ...] = field(default=())


def _page(mock: responses.RequestsMock, url: str, body: Any, **params: str) -> None:
    mock.add(
        responses.GET,
        url,
        json=body,
        match=[matchers.query_param_matcher(params, strict_match=False)],
    )


def _count(provider: str, names: list[str], extract: Callable[[Any], list[Any]]) -> int:
    return sum(len(extract(load_payload(provider, name))) for name in names)


# --- Cova ---------------------------------------------------------------------------------

COVA_API = "https://api.covasoft.net"
COVA_ACCOUNTS = "https://accounts.iqmetrix.net"
COVA_CREDENTIALS = {
    "client_id": "GREENLEAF.AIQ",
    "client_secret": "cova-client-secret-9f8e7d",
    "username": "AIQ.COVA.APIUser.GREENLEAF",
    "password": "Cova-Permanent-Pa55!",
}


def cova_register_auth(mock: responses.RequestsMock) -> None:
    mock.add(responses.POST, f"{COVA_ACCOUNTS}/v1/oauth2/token", json=load_payload("cova", "token"))
    mock.add(responses.GET, f"{COVA_ACCOUNTS}/v1/me", json=load_payload("cova", "me"))


def cova_customer_full(request: Any) -> tuple[int, dict[str, str], str]:
    customer_id = re.search(r"CustomerFull\(([^)]+)\)", request.url).group(1)  # type: ignore[union-attr]
    for record in load_payload("cova", "customer_full"):
        if record["Id"] == customer_id:
            return 200, {}, json.dumps(record)
    return 404, {}, json.dumps({"Message": "Not found"})


def cova_register_data(mock: responses.RequestsMock) -> None:
    company = f"{COVA_API}/{{}}/v1/Companies(14146)"
    mock.add(
        responses.GET,
        company.format("entitymanager") + "/Locations",
        json=load_payload("cova", "locations"),
    )
    customers = company.format("crm") + "/Customers"
    for number, skip in ((1, "0"), (2, "2"), (3, "4")):
        _page(mock, customers, load_payload("cova", f"customers_page_{number}"), **{"$skip": skip})
    mock.add_callback(
        responses.GET,
        re.compile(re.escape(company.format("crm")) + r"/CustomerFull\(.+\)"),
        callback=cova_customer_full,
    )
    sales = company.format("posreports") + "/Entities({})/ByInvoiceWithProducts"
    _page(mock, sales.format(14150), load_payload("cova", "sales_14150_page_1"), **{"$skip": "0"})
    _page(mock, sales.format(14150), load_payload("cova", "sales_14150_page_2"), **{"$skip": "2"})
    _page(mock, sales.format(14151), load_payload("cova", "sales_14151_page_1"), **{"$skip": "0"})


def _hal(body: Any) -> list[Any]:
    return body["_embedded"]["self"]


COVA = Scenario(
    key="cova",
    credentials=COVA_CREDENTIALS,
    register_auth=cova_register_auth,
    register_data=cova_register_data,
    locations_url=f"{COVA_API}/entitymanager/v1/Companies(14146)/Locations",
    counts={
        "locations": 2,
        "customers": _count("cova", [f"customers_page_{n}" for n in (1, 2, 3)], _hal),
        "sales": _count(
            "cova",
            ["sales_14150_page_1", "sales_14150_page_2", "sales_14151_page_1"],
            lambda body: body,
        ),
    },
    malformed={"customers": 1, "sales": 1},
    secrets=(
        COVA_CREDENTIALS["client_secret"],
        COVA_CREDENTIALS["password"],
        load_payload("cova", "token")["access_token"],
        load_payload("cova", "token")["refresh_token"],
    ),
)

# --- POSaBIT ------------------------------------------------------------------------------

POSABIT_API = "https://app.posabit.com/api/v3"
POSABIT_CREDENTIALS = {
    "store_name": "Green Cross Tacoma",
    "key": "venue-token-3c2b1a",
    "relevant_market": "WA",
    "integrator_token": "aiq-integrator-token-77aa",
}


def posabit_register_auth(mock: responses.RequestsMock) -> None:
    mock.add(responses.GET, f"{POSABIT_API}/info", json=load_payload("posabit", "info"))


def posabit_register_data(mock: responses.RequestsMock) -> None:
    posabit_register_auth(mock)
    for number in (1, 2):
        _page(
            mock,
            f"{POSABIT_API}/venue/customers",
            load_payload("posabit", f"customers_page_{number}"),
            page=str(number),
        )
        _page(
            mock,
            f"{POSABIT_API}/venue/sales_histories",
            load_payload("posabit", f"sales_page_{number}"),
            page=str(number),
        )


def _basic(integrator: str, venue: str) -> str:
    return base64.b64encode(f"{integrator}:{venue}".encode()).decode()


POSABIT = Scenario(
    key="posabit",
    credentials=POSABIT_CREDENTIALS,
    register_auth=lambda mock: None,
    register_data=posabit_register_data,
    locations_url=f"{POSABIT_API}/info",
    counts={
        "locations": 1,
        "customers": _count(
            "posabit", ["customers_page_1", "customers_page_2"], lambda b: b["customers"]
        ),
        "sales": _count(
            "posabit", ["sales_page_1", "sales_page_2"], lambda b: b["sales_histories"]
        ),
    },
    malformed={"customers": 1, "sales": 1},
    secrets=(
        POSABIT_CREDENTIALS["key"],
        POSABIT_CREDENTIALS["integrator_token"],
        _basic(POSABIT_CREDENTIALS["integrator_token"], POSABIT_CREDENTIALS["key"]),
    ),
)

# --- Clover -------------------------------------------------------------------------------

CLOVER_MERCHANT = "MERCHANT1ABCD"
CLOVER_API = f"https://api.clover.com/v3/merchants/{CLOVER_MERCHANT}"
CLOVER_CREDENTIALS = {"merchant_id": CLOVER_MERCHANT, "api_token": "clover-api-token-5e6f7a8b"}


def clover_register_data(mock: responses.RequestsMock) -> None:
    mock.add(responses.GET, CLOVER_API, json=load_payload("clover", "merchant"))
    for number, offset in ((1, "0"), (2, "2"), (3, "4")):
        _page(
            mock,
            f"{CLOVER_API}/customers",
            load_payload("clover", f"customers_page_{number}"),
            offset=offset,
        )
    # Orders page from the last modifiedTime read, skipping the orders read at that time:
    # page 1 ends on one order at its time, page 2 on two orders sharing one.
    for number, skip in ((1, "0"), (2, "1"), (3, "2")):
        _page(
            mock,
            f"{CLOVER_API}/orders",
            load_payload("clover", f"orders_page_{number}"),
            offset=skip,
            orderBy="modifiedTime ASC",
        )


CLOVER = Scenario(
    key="clover",
    credentials=CLOVER_CREDENTIALS,
    register_auth=lambda mock: None,
    register_data=clover_register_data,
    locations_url=CLOVER_API,
    counts={
        "locations": 1,
        "customers": _count(
            "clover", [f"customers_page_{n}" for n in (1, 2, 3)], lambda b: b["elements"]
        ),
        "sales": _count("clover", [f"orders_page_{n}" for n in (1, 2, 3)], lambda b: b["elements"]),
    },
    malformed={"customers": 1, "sales": 1},
    secrets=(CLOVER_CREDENTIALS["api_token"],),
)

SCENARIOS: dict[str, Scenario] = {s.key: s for s in (COVA, POSABIT, CLOVER)}
