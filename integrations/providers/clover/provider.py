"""Clover: one credential (merchant id + API token) reaches one merchant, i.e. one store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from aiq.http import HttpClient
from integrations.providers.base import CredentialField, Provider, map_records, saved_offset
from integrations.providers.clover.assumptions import (
    TRACK_STOCK_OFF,
    TRACK_STOCK_SAMPLE,
    WRITE_PROBE_BODY,
    WRITE_PROBE_CUSTOMER_ID,
)
from integrations.providers.clover.client import (
    CLOVER_SETUP_ADVICE,
    CUSTOMER_EXPAND,
    CUSTOMER_PATH,
    CUSTOMERS_PATH,
    ITEM_EXPAND,
    ITEMS_PATH,
    MERCHANT_PATH,
    ORDER_EXPAND,
    ORDER_TIME_FIELD,
    ORDERS_PATH,
    CloverClient,
    TimePosition,
)
from integrations.providers.clover.mapping import (
    customer_body,
    customer_from,
    is_sale,
    location_from,
    product_from,
    sale_from,
    track_stock_off,
)
from integrations.providers.convert import digits, to_epoch_ms
from integrations.providers.convert import email as clean_email
from integrations.providers.errors import (
    MalformedRecord,
    MalformedResponse,
    PermissionMissing,
    ProviderError,
)
from integrations.providers.values import (
    Checkpoint,
    Customer,
    CustomerDraft,
    Location,
    Product,
    Sale,
)

MISSING_WRITE_CUSTOMERS = (
    "The Clover API Token does not have the Write permission for Customers: Sync Personas "
    "cannot create or update shoppers from AIQ to Clover. Reading shoppers and sales works. "
    f"To fix it, {CLOVER_SETUP_ADVICE}, and change the credential's API Token."
)


def _id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, Mapping) else None


class CloverProvider(Provider):
    """Clover REST v3 with a merchant-generated API token."""

    key = "clover"
    label = "Clover"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField(
            "merchant_id",
            "Merchant ID",
            help_text="From the address bar of your Clover dashboard, like ABCD1234ABCD1",
        ),
        CredentialField(
            "api_token",
            "API Token",
            secret=True,
            help_text="A token with all Read boxes and Write for Customers",
        ),
    )
    DEFAULT_BASE_URLS: ClassVar[Mapping[str, str]] = {"api": "https://api.clover.com"}
    PATH_PREFIXES: ClassVar[Mapping[str, tuple[str, ...]]] = {"api": ("/v3/",)}
    customers_since_supported = False
    resumable_streams = frozenset({"customers", "sales"})
    page_size = 1000

    def __init__(
        self,
        credentials: Mapping[str, str],
        base_urls: Mapping[str, str] | None = None,
        http: HttpClient | None = None,
    ) -> None:
        super().__init__(credentials, base_urls, http)
        self.merchant_id = self.credential("merchant_id")
        self.client = CloverClient(
            self.http, self.base_urls["api"], self.merchant_id, self.credential("api_token")
        )

    def check(self) -> None:
        """Read the merchant (token and merchant id), then one customer (Read permissions)."""
        self.client.call("GET", self.client.path(MERCHANT_PATH))
        self.client.call("GET", self.client.path(CUSTOMERS_PATH), params={"limit": 1})

    def permission_warnings(self) -> list[str]:
        """Write for Customers, which Sync Personas needs (probe: see assumptions.py), and
        Track Stock, without which no item's stock can be read (seed 004 FAQ)."""
        warnings = []
        try:
            self.client.call(
                "POST",
                self.client.path(CUSTOMER_PATH, customer_id=WRITE_PROBE_CUSTOMER_ID),
                json=WRITE_PROBE_BODY,
            )
        except PermissionMissing:
            warnings.append(MISSING_WRITE_CUSTOMERS)
        except ProviderError:
            pass  # 404 expected: the permission is there
        if self.stock_untracked():
            warnings.append(TRACK_STOCK_OFF)
        return warnings

    def stock_untracked(self) -> bool:
        """True when a sample of items shows Track Stock off (see assumptions.py); False
        when stock is tracked or the sample cannot be read (other checks name that)."""
        params = [("expand", "itemStock"), ("limit", TRACK_STOCK_SAMPLE)]
        try:
            body = self.client.call("GET", self.client.path(ITEMS_PATH), params=params)
        except ProviderError:
            return False
        items = body.get("elements") if isinstance(body, Mapping) else None
        return track_stock_off(items if isinstance(items, list) else [])

    def iter_locations(self) -> Iterator[Location | MalformedRecord]:
        """The merchant, as one location."""
        body = self.client.call(
            "GET", self.client.path(MERCHANT_PATH), params={"expand": "address"}
        )
        yield from map_records([body], location_from, "location", _id)

    def iter_customers(
        self, since: datetime | None = None, position: Mapping[str, Any] | None = None
    ) -> Iterator[Customer | MalformedRecord | Checkpoint]:
        """Every customer, 1000 a page (Clover cannot filter customers by change time).

        Resumable: given a ``position`` (``{}`` to start at the beginning), a
        ``Checkpoint`` follows each page (``{"offset": n}``), and a position from one
        starts there. A customer created or deleted while a continuation waits moves
        the list by one: one customer is read twice, or one is left to the next run
        (every run reads the whole list).
        """
        mapper = partial(customer_from, merchant_id=self.merchant_id)
        params = [("expand", CUSTOMER_EXPAND)]
        path = self.client.path(CUSTOMERS_PATH)
        for page, offset in self.client.pages_from(
            path, params, self.page_size, saved_offset(position)
        ):
            yield from map_records(page, mapper, "customer", _id)
            if position is not None:
                yield Checkpoint({"offset": offset})

    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
        position: Mapping[str, Any] | None = None,
    ) -> Iterator[Sale | MalformedRecord | Checkpoint]:
        """Orders modified in the window, oldest change first (``orderBy=modifiedTime
        ASC``, paged from the last change read: ``CloverClient.pages_by_time``); open
        carts skipped.

        Resumable: given a ``position`` (``{}`` to start at the window's start), a
        ``Checkpoint`` follows each page (``{"since_ms": t, "skip": n}``), and a position
        from one starts there.
        """
        if location_keys is not None and self.merchant_id not in {str(k) for k in location_keys}:
            return
        start, end = self.sales_window(since, until)
        mapper = partial(sale_from, merchant_id=self.merchant_id)
        pages = self.client.pages_by_time(
            self.client.path(ORDERS_PATH),
            [("expand", ORDER_EXPAND)],
            self.page_size,
            field=ORDER_TIME_FIELD,
            end_ms=to_epoch_ms(end),
            start=TimePosition.saved(position, to_epoch_ms(start)),
        )
        for page, after in pages:
            orders = [raw for raw in page if not isinstance(raw, Mapping) or is_sale(raw)]
            yield from map_records(orders, mapper, "sale", _id)
            if position is not None:
                yield Checkpoint(after.as_json())

    def find_customers(self, phone: str | None = None, email: str | None = None) -> list[Customer]:
        """``filter=phoneNumber=`` and ``filter=emailAddress=`` lookups, merged by id."""
        found: dict[str, Customer] = {}
        mapper = partial(customer_from, merchant_id=self.merchant_id)
        for field, value in (("phoneNumber", digits(phone)), ("emailAddress", clean_email(email))):
            if not value:
                continue
            params = [("expand", CUSTOMER_EXPAND), ("filter", f"{field}={value}")]
            for page in self.client.pages(self.client.path(CUSTOMERS_PATH), params, 100):
                for item in map_records(page, mapper, "customer"):
                    if isinstance(item, Customer):
                        found.setdefault(item.external_id, item)
        return list(found.values())

    def create_customer(self, data: CustomerDraft) -> Customer:
        """POST a customer with its phone, email, address and birth date."""
        answer = self.client.call(
            "POST",
            self.client.path(CUSTOMERS_PATH),
            params={"expand": CUSTOMER_EXPAND},
            json=customer_body(data),
        )
        return self._one(answer)

    def update_customer(self, external_id: str, data: CustomerDraft) -> Customer:
        """POST the changed fields to the customer (Clover updates with POST)."""
        answer = self.client.call(
            "POST",
            self.client.path(CUSTOMER_PATH, customer_id=external_id),
            params={"expand": CUSTOMER_EXPAND},
            json=customer_body(data),
        )
        return self._one(answer)

    def iter_products(self, location_key: str) -> Iterator[Product | MalformedRecord]:
        """Inventory items with stock (``expand=itemStock``) for the merchant.

        Items without any stock quantity on the first page mean Track Stock is off: that
        raises ``PermissionMissing`` naming the setting, rather than every item at zero.
        """
        if location_key != self.merchant_id:
            return
        mapper = partial(product_from, merchant_id=self.merchant_id)
        params = [("expand", ITEM_EXPAND)]
        pages = self.client.pages(self.client.path(ITEMS_PATH), params, self.page_size)
        for number, page in enumerate(pages):
            if number == 0 and track_stock_off(page):
                raise PermissionMissing(
                    "Track Stock is off", user_message=TRACK_STOCK_OFF, only_stream="products"
                )
            yield from map_records(page, mapper, "product", _id)

    def _one(self, answer: Any) -> Customer:
        item = next(
            map_records([answer], partial(customer_from, merchant_id=self.merchant_id), "customer")
        )
        if isinstance(item, MalformedRecord):
            raise MalformedResponse(f"the customer in the answer: {item.reason}")
        return item
