"""Cova POS (on iQmetrix): credentials in, our values out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from aiq.http import HttpClient
from integrations.providers.base import CredentialField, Provider, map_records
from integrations.providers.convert import digits
from integrations.providers.convert import email as clean_email
from integrations.providers.cova import assumptions
from integrations.providers.cova.auth import CovaAuth
from integrations.providers.cova.client import (
    CUSTOMER_CREATE_PATH,
    LOCATIONS_PATH,
    LOYALTY_SUMMARY_PATH,
    PRODUCTS_PATH,
    SALES_PATH,
    SEARCH_PATH,
    CovaClient,
    items_of,
)
from integrations.providers.cova.mapping import (
    customer_from,
    location_from,
    loyalty_from,
    new_customer_body,
    product_from,
    sale_from,
    updated_customer_body,
)
from integrations.providers.errors import (
    MalformedRecord,
    MalformedResponse,
    NotFound,
    RequestRejected,
)
from integrations.providers.values import (
    Checkpoint,
    Customer,
    CustomerDraft,
    ListedCustomer,
    Location,
    LoyaltyBalance,
    Product,
    Sale,
)


def _record_id(raw: Any) -> Any:
    return raw.get("Id") if isinstance(raw, Mapping) else None


def _fingerprint(raw: Mapping[str, Any]) -> str:
    """A hash of a list entry's content (see ``assumptions.LIST_FINGERPRINT_IGNORED``)."""
    content = {k: v for k, v in raw.items() if k not in assumptions.LIST_FINGERPRINT_IGNORED}
    text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _listed(raw: Any) -> ListedCustomer:
    if not isinstance(raw, Mapping):
        raise ValueError("a customer list entry is not an object")
    external_id = str(raw["Id"])
    if not external_id.strip():
        raise ValueError("a customer list entry has a blank Id")
    complete = customer_from(raw) if "ContactMethods" in raw else None
    return ListedCustomer(external_id=external_id, fingerprint=_fingerprint(raw), customer=complete)


class CovaProvider(Provider):
    """Cova via its OAuth2 password grant; one credential reaches a whole company."""

    key = "cova"
    label = "Cova"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("client_id", "Client ID", help_text="From Cova, e.g. YOURCOMPANYNAME.AIQ"),
        CredentialField("client_secret", "Client secret", secret=True),
        CredentialField(
            "username", "Username", help_text="From Cova, e.g. AIQ.COVA.APIUser.YOURCOMPANYNAME"
        ),
        CredentialField(
            "password",
            "Password",
            secret=True,
            help_text="The permanent password: change Cova's temporary one in Cova Hub first.",
        ),
        CredentialField(
            "company_id",
            "Company ID",
            required=False,
            help_text="Leave blank: AIQ reads it from Cova. Fill it in only if Cova support asks.",
        ),
    )
    DEFAULT_BASE_URLS: ClassVar[Mapping[str, str]] = {
        "accounts": "https://accounts.iqmetrix.net",
        "api": "https://api.covasoft.net",
    }
    PATH_PREFIXES: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "accounts": ("/v1/",),
        "api": (
            "/entitymanager/",
            "/crm/",
            "/posreports/",
            "/iqloyalty/",
            "/dataplatform/",
            "/taxes/",
            "/covaorderintake/",
        ),
    }
    customers_since_supported = False
    customers_by_listing = True
    resumable_streams = frozenset({"sales"})

    def __init__(
        self,
        credentials: Mapping[str, str],
        base_urls: Mapping[str, str] | None = None,
        http: HttpClient | None = None,
    ) -> None:
        super().__init__(credentials, base_urls, http)
        auth = CovaAuth(
            self.http,
            self.base_urls["accounts"],
            client_id=self.credential("client_id"),
            client_secret=self.credential("client_secret"),
            username=self.credential("username"),
            password=self.credential("password"),
        )
        self.client = CovaClient(
            self.http, self.base_urls, auth, company_id=self.credential("company_id") or None
        )

    def check(self) -> None:
        """Grant a token, resolve the company, and read its locations."""
        self.client.auth.token()
        self.client.call("GET", "api", self.client.path(LOCATIONS_PATH))

    def iter_locations(self) -> Iterator[Location | MalformedRecord]:
        """The company's locations (one unpaged call)."""
        body = self.client.call("GET", "api", self.client.path(LOCATIONS_PATH))
        yield from map_records(items_of(body), location_from, "location", _record_id)

    def iter_customers(self, since: datetime | None = None) -> Iterator[Customer | MalformedRecord]:
        """Every customer (Cova's list cannot filter by change time, so ``since`` is unused).

        List entries without contact methods are completed from ``CustomerFull``.
        """
        path = self.client.path(assumptions.CUSTOMERS_LIST_PATH)
        for page in self.client.pages(path, {}, self.page_size):
            for raw in page:
                yield from map_records([raw], self._full_customer, "customer", _record_id)

    def iter_customer_listing(
        self, offset: int = 0
    ) -> Iterator[tuple[int, list[ListedCustomer | MalformedRecord]]]:
        """The CRM list from ``$skip=offset`` at ``CUSTOMERS_LIST_PAGE_SIZE`` a page."""
        path = self.client.path(assumptions.CUSTOMERS_LIST_PATH)
        pages = self.client.capped_pages(path, assumptions.CUSTOMERS_LIST_PAGE_SIZE, offset)
        for next_offset, page in pages:
            yield next_offset, list(map_records(page, _listed, "customer", _record_id))

    def customer_ids_in_sales(
        self, since: datetime | None, until: datetime, location_keys: Iterable[str] | None
    ) -> set[str]:
        """The ``CustomerId`` of every invoice in the window (anonymous sales have none)."""
        found: set[str] = set()
        for page in self._invoice_pages(since, until, location_keys):
            for raw in page:
                value = (
                    raw.get(assumptions.INVOICE_CUSTOMER_ID_KEY)
                    if isinstance(raw, Mapping)
                    else None
                )
                if value not in (None, ""):
                    found.add(str(value))
        return found

    def fetch_customers(self, external_ids: Iterable[str]) -> Iterator[Customer | MalformedRecord]:
        """One CustomerFull request per customer (Cova has no batch read)."""
        for external_id in external_ids:
            yield from map_records(
                [{"Id": external_id}], self._full_customer, "customer", _record_id
            )

    def _full_customer(self, raw: Mapping[str, Any]) -> Customer:
        if "ContactMethods" in raw:
            return customer_from(raw)
        customer_id = str(raw["Id"])
        try:
            full = self.client.call("GET", "api", self._customer_path(customer_id))
        except NotFound:
            raise MalformedRecord(
                "listed but gone before it could be read",
                raw=raw,
                kind="customer",
                external_id=customer_id,
            ) from None
        return customer_from(full)

    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
        position: Mapping[str, Any] | None = None,
    ) -> Iterator[Sale | MalformedRecord | Checkpoint]:
        """Invoices with products, location by location, paged by ``$top``/``$skip``.

        Resumable: given a ``position`` (``{}`` to start at the beginning), a
        ``Checkpoint`` follows each page (``{"location": key, "skip": n}``), and a
        position from one starts there instead of at the first location's first page.
        """
        keys = self._location_keys(location_keys)
        first, skip = 0, 0
        if position and str(position.get("location")) in keys:
            first, skip = keys.index(str(position["location"])), int(position.get("skip") or 0)
        for number, location_key in enumerate(keys[first:], start=first):
            mapper = partial(sale_from, location_key=location_key)
            start = skip if number == first else 0
            pages = self._invoice_pages(since, until, [location_key], start=start)
            for page in pages:
                yield from map_records(page, mapper, "sale", _record_id)
                start += len(page)
                if position is not None:
                    yield Checkpoint({"location": location_key, "skip": start})

    def _invoice_pages(
        self,
        since: datetime | None,
        until: datetime | None,
        location_keys: Iterable[str] | None,
        start: int = 0,
    ) -> Iterator[list[Any]]:
        start_at, end = self.sales_window(since, until)
        date_range = (
            f"Date ge datetime'{start_at.strftime(assumptions.SALES_DATE_FORMAT)}' and "
            f"Date le datetime'{end.strftime(assumptions.SALES_DATE_FORMAT)}'"
        )
        for location_key in self._location_keys(location_keys):
            path = self.client.path(SALES_PATH, location_id=location_key)
            yield from self.client.pages(
                path, {"DateRange": date_range}, self.page_size, start=start
            )

    def find_customers(self, phone: str | None = None, email: str | None = None) -> list[Customer]:
        """Two CRM searches (phone, then email: criteria are ANDed), merged by id."""
        found: dict[str, Customer] = {}
        for field, value in (
            (assumptions.SEARCH_FIELD_PHONE, digits(phone)),
            (assumptions.SEARCH_FIELD_EMAIL, clean_email(email)),
        ):
            if not value:
                continue
            criteria = {
                "Criteria": value,
                "Field": field,
                "Operation": assumptions.SEARCH_OPERATION,
            }
            body = self.client.call(
                "POST",
                "api",
                self.client.path(SEARCH_PATH),
                json={"Criteria": [criteria]},
                idempotent=True,  # a search changes nothing
            )
            for item in map_records(items_of(body, "Results"), customer_from, "customer"):
                if isinstance(item, Customer):
                    found.setdefault(item.external_id, item)
        return list(found.values())

    def create_customer(self, data: CustomerDraft) -> Customer:
        """POST a CustomerFull, with the card's forced pricing group if any."""
        body = new_customer_body(data, self._pricing_group_id(data))
        answer = self.client.call("POST", "api", self.client.path(CUSTOMER_CREATE_PATH), json=body)
        return self._one(answer if isinstance(answer, Mapping) and answer.get("Id") else None)

    def update_customer(self, external_id: str, data: CustomerDraft) -> Customer:
        """Read the CustomerFull, apply the changes, PUT it back whole (with its Version)."""
        path = self._customer_path(external_id)
        current = self.client.call("GET", "api", path)
        if not isinstance(current, Mapping):
            raise MalformedResponse("customer is not an object", method="GET", path=path)
        body = updated_customer_body(current, data, self._pricing_group_id(data))
        answer = self.client.call(assumptions.CUSTOMER_UPDATE_METHOD, "api", path, json=body)
        return self._one(answer if isinstance(answer, Mapping) and answer.get("Id") else body)

    def get_loyalty_balance(
        self, customer_external_id: str, location_key: str | None = None
    ) -> LoyaltyBalance:
        """iQ Loyalty's points summary (read through one of the company's locations)."""
        location = location_key or next(iter(self._location_keys(None)), None)
        if location is None:
            raise NotFound("the company has no locations")
        path = self.client.path(
            LOYALTY_SUMMARY_PATH, location_id=location, customer_id=customer_external_id
        )
        body = self.client.call("GET", "api", path)
        try:
            return loyalty_from(body, customer_external_id, self.now())
        except (ValueError, AttributeError) as error:
            raise MalformedResponse(str(error), method="GET", path=path) from None

    def iter_products(self, location_key: str) -> Iterator[Product | MalformedRecord]:
        """Data Platform DetailedProductData for one location, paged by Skip/Top."""
        body = {
            "LocationId": int(location_key) if location_key.isdigit() else location_key,
            "IncludeProductSkusAndUpcs": True,
            "IncludeProductSpecifications": True,
            "IncludeClassifications": True,
            "IncludeProductAssets": False,
            "IncludeAvailability": True,
            "IncludePackageDetails": False,
            "IncludePricing": True,
            "IncludeTaxes": False,
            "InStockOnly": False,
            "IncludeAllLifecycles": False,
            "SellingRoomOnly": False,
        }
        mapper = partial(product_from, location_key=location_key)
        path = self.client.path(PRODUCTS_PATH)
        for page in self.client.body_pages(path, body, self.page_size):
            yield from map_records(page, mapper, "product", lambda raw: raw.get("ProductId"))

    # Helpers -----------------------------------------------------------------------------

    def _customer_path(self, customer_id: str) -> str:
        return self.client.path(assumptions.CUSTOMER_FULL_PATH, customer_id=customer_id)

    def _location_keys(self, location_keys: Iterable[str] | None) -> list[str]:
        if location_keys is not None:
            return [str(key) for key in location_keys]
        return [item.key for item in self.iter_locations() if isinstance(item, Location)]

    @staticmethod
    def _pricing_group_id(data: CustomerDraft) -> int | None:
        if not data.pricing_group:
            return None
        try:
            return int(data.pricing_group)
        except ValueError:
            raise RequestRejected(
                "pricing group id is not a number",
                user_message="The Cova Pricing Group ID must be a number. Check the card setting.",
            ) from None

    @staticmethod
    def _one(raw: Mapping[str, Any] | None) -> Customer:
        """Map a single answer; an unreadable one is a malformed response, not a record."""
        if raw is None:
            raise MalformedResponse("Cova did not return the customer")
        item = next(map_records([raw], customer_from, "customer"))
        if isinstance(item, MalformedRecord):
            raise MalformedResponse(item.reason)
        return item
