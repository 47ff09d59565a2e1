"""POSaBIT: one credential (a store's key) reaches one venue."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ClassVar

from aiq.http import HttpClient
from integrations.providers.base import CredentialField, Provider, map_records, saved_offset
from integrations.providers.convert import digits
from integrations.providers.convert import email as clean_email
from integrations.providers.errors import (
    CredentialsIncomplete,
    MalformedRecord,
    MalformedResponse,
    PermissionMissing,
)
from integrations.providers.posabit import assumptions
from integrations.providers.posabit.client import (
    CUSTOMER_PATH,
    CUSTOMERS_PATH,
    INFO_PATH,
    PosabitClient,
)
from integrations.providers.posabit.mapping import (
    customer_body,
    customer_from,
    location_from,
    loyalty_from,
    sale_from,
    venue_from,
)
from integrations.providers.values import (
    Checkpoint,
    Customer,
    CustomerDraft,
    Location,
    LoyaltyBalance,
    Sale,
)


def _customer_id(raw: Any) -> Any:
    record = raw.get("customer", raw) if isinstance(raw, Mapping) else None
    return record.get("id") if isinstance(record, Mapping) else None


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PosabitProvider(Provider):
    """POSaBIT V3 with Basic auth (AIQ's integrator token + the store's venue key)."""

    key = "posabit"
    label = "POSaBIT"
    credential_fields: ClassVar[tuple[CredentialField, ...]] = (
        CredentialField("store_name", "Store Name", help_text="Name of the store"),
        CredentialField("key", "Key", secret=True, help_text="The store's API key from POSaBIT"),
        CredentialField(
            "relevant_market",
            "Relevant market of credential",
            required=False,
            help_text="Optional: only sync shoppers from this state or province",
        ),
    )
    DEFAULT_BASE_URLS: ClassVar[Mapping[str, str]] = {"api": "https://app.posabit.com"}
    PATH_PREFIXES: ClassVar[Mapping[str, tuple[str, ...]]] = {"api": ("/api/",)}
    resumable_streams = frozenset({"customers", "sales"})

    def __init__(
        self,
        credentials: Mapping[str, str],
        base_urls: Mapping[str, str] | None = None,
        http: HttpClient | None = None,
    ) -> None:
        super().__init__(credentials, base_urls, http)
        integrator = self.credential(assumptions.INTEGRATOR_TOKEN_CREDENTIAL) or os.environ.get(
            assumptions.INTEGRATOR_TOKEN_ENV, ""
        )
        if not integrator.strip():
            raise CredentialsIncomplete(
                "no POSaBIT integrator token configured",
                user_message=(
                    "AIQ's own POSaBIT integrator token is not set up on this server. "
                    "Contact AIQ support; nothing needs changing on this card."
                ),
            )
        self._integrator = integrator.strip()
        self.client = PosabitClient(
            self.http, self.base_urls["api"], self._integrator, self.credential("key")
        )
        self._venue: Mapping[str, Any] | None = None

    def secret_values(self) -> tuple[str, ...]:
        """The store key and our integrator token."""
        return (*super().secret_values(), self._integrator)

    def check(self) -> None:
        """Read the venue: the key works and reaches its store (sales need nothing more)."""
        self._venue = venue_from(self.client.call("GET", INFO_PATH))

    def permission_warnings(self) -> list[str]:
        """Read one customer: without Enhanced Customer Data Access shoppers are not synced
        but sales are, so Connect connects and the card says what is missing."""
        try:
            self.client.call("GET", CUSTOMERS_PATH, params={**self._date_range(), "per_page": 1})
        except PermissionMissing as error:
            return [error.user_message]
        return []

    def iter_locations(self) -> Iterator[Location | MalformedRecord]:
        """The one venue this key reaches."""
        yield from map_records([self._venue_info()], location_from, "location")

    def iter_customers(
        self, since: datetime | None = None, position: Mapping[str, Any] | None = None
    ) -> Iterator[Customer | MalformedRecord | Checkpoint]:
        """Customers updated after ``since`` (all when None), 100 a page.

        Resumable: given a ``position`` (``{}`` to start at the first page), a
        ``Checkpoint`` follows each page (``{"offset": n}``, the records read), and a
        position from one starts at the page holding that record.
        """
        params = self._date_range()
        if since is not None:
            params["q[updated_at_gt]"] = _iso(since)
        mapper = partial(customer_from, location_key=self._location_key())
        pages = self.client.pages_from(
            CUSTOMERS_PATH, params, self.page_size, "customers", saved_offset(position)
        )
        for page, offset in pages:
            yield from map_records(page, mapper, "customer", _customer_id)
            if position is not None:
                yield Checkpoint({"offset": offset})

    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
        position: Mapping[str, Any] | None = None,
    ) -> Iterator[Sale | MalformedRecord | Checkpoint]:
        """Sales histories updated in the window, for this venue if it is asked for.

        Resumable like ``iter_customers`` (``{"offset": n}`` within the window).
        """
        location_key = self._location_key()
        if location_keys is not None and location_key not in {str(k) for k in location_keys}:
            return
        start, end = self.sales_window(since, until)
        params = {"q[updated_at_gt]": _iso(start), "q[updated_at_lt]": _iso(end)}
        mapper = partial(sale_from, location_key=location_key)
        pages = self.client.pages_from(
            assumptions.SALES_PATH,
            params,
            self.page_size,
            assumptions.SALES_KEY,
            saved_offset(position),
        )
        for page, offset in pages:
            yield from map_records(page, mapper, "sale", lambda raw: raw.get("id"))
            if position is not None:
                yield Checkpoint({"offset": offset})

    def find_customers(self, phone: str | None = None, email: str | None = None) -> list[Customer]:
        """Ransack-filtered lookups by phone digits and by email, merged by id."""
        found: dict[str, Customer] = {}
        for name, value in (
            (assumptions.PHONE_FILTER, digits(phone)),
            (assumptions.EMAIL_FILTER, clean_email(email)),
        ):
            if not value:
                continue
            params = {**self._date_range(), name: value}
            for page in self.client.pages(CUSTOMERS_PATH, params, self.page_size, "customers"):
                for item in map_records(page, customer_from, "customer"):
                    if isinstance(item, Customer):
                        found.setdefault(item.external_id, item)
        return list(found.values())

    def create_customer(self, data: CustomerDraft) -> Customer:
        """POST ``{"customer": {...}}`` including loyalty membership and marketing opt-in."""
        answer = self.client.call("POST", CUSTOMERS_PATH, json=customer_body(data))
        return self._one(answer)

    def update_customer(self, external_id: str, data: CustomerDraft) -> Customer:
        """PUT only the fields the draft sets."""
        path = CUSTOMER_PATH.format(customer_id=external_id)
        answer = self.client.call("PUT", path, json=customer_body(data))
        return self._one(answer)

    # Helpers -----------------------------------------------------------------------------

    def get_loyalty_balance(
        self, customer_external_id: str, location_key: str | None = None
    ) -> LoyaltyBalance:
        """The customer's ``loyalty_points``, read from the customer record."""
        path = CUSTOMER_PATH.format(customer_id=customer_external_id)
        body = self.client.call("GET", path)
        try:
            return loyalty_from(body, customer_external_id, self.now())
        except (ValueError, AttributeError) as error:
            raise MalformedResponse(str(error), method="GET", path=path) from None

    def _venue_info(self) -> Mapping[str, Any]:
        if self._venue is None:
            body = self.client.call("GET", INFO_PATH)
            try:
                self._venue = venue_from(body)
            except ValueError:
                raise MalformedResponse("no venue in the info answer", path=INFO_PATH) from None
        return self._venue

    def _location_key(self) -> str:
        location = next(self.iter_locations())
        if isinstance(location, MalformedRecord):
            raise MalformedResponse(location.reason, path=INFO_PATH)
        return location.key

    def _date_range(self) -> dict[str, Any]:
        # The end is tomorrow (UTC) so "today" is covered whatever the venue's time zone.
        end = (self.now() + timedelta(days=1)).date()
        return {
            "start_date": assumptions.CUSTOMERS_EARLIEST_DATE.isoformat(),
            "end_date": end.isoformat(),
        }

    def _one(self, answer: Any) -> Customer:
        item = next(map_records([answer], partial(customer_from, location_key=None), "customer"))
        if isinstance(item, MalformedRecord):
            raise MalformedResponse(f"the customer in the answer: {item.reason}")
        return item
