"""Clover's HTTP surface: Bearer token, merchant-scoped paths, limit/offset paging, limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from aiq.http import HttpClient, url_path
from integrations.providers.clover.limiter import Limiter, clover_slot, limiter_for
from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    ProviderError,
)
from integrations.providers.unauthorized import retry_once_on_401

MERCHANT_PATH = "/v3/merchants/{merchant_id}"
CUSTOMERS_PATH = "/v3/merchants/{merchant_id}/customers"
CUSTOMER_PATH = "/v3/merchants/{merchant_id}/customers/{customer_id}"
ORDERS_PATH = "/v3/merchants/{merchant_id}/orders"
ITEMS_PATH = "/v3/merchants/{merchant_id}/items"
CUSTOMER_EXPAND = "phoneNumbers,emailAddresses,addresses,metadata"
ORDER_EXPAND = "lineItems,payments,customers,discounts"
# Orders are read by their last change (a payment, a refund or an edit moves it [I]).
ORDER_TIME_FIELD = "modifiedTime"
ITEM_EXPAND = "itemStock,categories"
MAX_PAGE_SIZE = 1000  # Clover's hard limit

# Advice text, not a secret.
CLOVER_SETUP_ADVICE = (
    "create a new token in Clover (Account & Setup > Business Operations > API Tokens) with "
    "all Read boxes and Write for Customers"
)


def classify(response: requests.Response) -> ProviderError | None:
    """Clover-specific meanings of a final error status."""
    method = response.request.method if response.request else None
    path = url_path(response.url or "/")
    where: dict[str, Any] = {"method": method, "path": path, "status": response.status_code}
    if response.status_code == 401:
        return AuthenticationFailed(
            "token refused",
            # Clover answers 401 both for a bad token and for a token of another merchant.
            user_message=(
                "Clover did not accept this Merchant ID and API Token together. Check the "
                "Merchant ID in your Clover dashboard's address bar; if it is right, "
                f"{CLOVER_SETUP_ADVICE}, then enter it here."
            ),
            **where,
        )
    if response.status_code == 403:
        writing = method in ("POST", "PUT", "DELETE") and "/customers" in path
        need = "the Write permission for Customers" if writing else "a Read permission"
        return PermissionMissing(
            "permission refused",
            user_message=f"The Clover API token needs {need}: {CLOVER_SETUP_ADVICE}.",
            **where,
        )
    if response.status_code == 404:
        # /v3/merchants/{mId} or /v3/merchants/{mId}/<collection>: the merchant is unknown.
        # Counted from /v3/, so a sandbox or proxy prefix does not hide it.
        segments = path[path.find("/v3/") :].strip("/").split("/")
        if len(segments) <= 4:
            return NotFound(
                "merchant not found",
                user_message=(
                    "Clover does not know this Merchant ID. Copy it again from the address bar "
                    "of your Clover dashboard (13 characters, like ABCD1234ABCD1), save, and "
                    "connect again."
                ),
                **where,
            )
    return None


class CloverClient:
    """Calls for one merchant with one API token, inside that token's limits."""

    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        merchant_id: str,
        api_token: str,
        limiter: Limiter | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.merchant_id = merchant_id
        self._authorization = f"Bearer {api_token}"
        self.limiter = limiter or limiter_for(api_token)

    def path(self, template: str, **values: Any) -> str:
        """A path template filled with the merchant id and ``values``."""
        return template.format(merchant_id=self.merchant_id, **values)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, Any]] | Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """One call inside the limits; the decoded JSON body. A single 401 is asked again
        once (``unauthorized.py``): a merchant API token has nothing to exchange."""
        headers = {"Authorization": self._authorization}
        if json is not None:
            headers["Content-Type"] = "application/json"
        return retry_once_on_401(
            lambda: self.http.request_json(
                method,
                f"{self.base_url}{path}",
                params=list(params.items()) if isinstance(params, Mapping) else params,
                json=json,
                headers=headers,
                gate=lambda: clover_slot(self.limiter),
                classify=classify,
            ),
            self.http.sleep,
        )

    def pages(
        self, path: str, params: Sequence[tuple[str, Any]], page_size: int
    ) -> Iterator[list[Any]]:
        """``elements`` pages by ``limit``/``offset``; stops after the first short page."""
        for items, _next_offset in self.pages_from(path, params, page_size):
            yield items

    def pages_from(
        self, path: str, params: Sequence[tuple[str, Any]], page_size: int, offset: int = 0
    ) -> Iterator[tuple[list[Any], int]]:
        """Pages from ``offset``, each with the offset of the page after it."""
        limit = min(page_size, MAX_PAGE_SIZE)
        while True:
            items = self._page(path, [*params, ("limit", limit), ("offset", offset)])
            offset += len(items)
            yield items, offset
            if len(items) < limit:
                return

    def pages_by_time(
        self,
        path: str,
        params: Sequence[tuple[str, Any]],
        page_size: int,
        *,
        field: str,
        end_ms: int,
        start: TimePosition,
    ) -> Iterator[tuple[list[Any], TimePosition]]:
        """Pages of the records whose ``field`` (epoch ms) is in ``[start, end_ms]``,
        oldest first, each with the position after it.

        Each page is asked from the time the previous one ended (``field>=``), skipping
        the records already read at that exact time: unlike a plain offset, a position
        stays right when records before it change and leave the window (an order paid
        or refunded gets a new ``modifiedTime``) while a continuation waits, so none of
        the records after it is skipped.
        """
        limit = min(page_size, MAX_PAGE_SIZE)
        position = start
        while True:
            query = [
                *params,
                ("filter", f"{field}>={position.since_ms}"),
                ("filter", f"{field}<={end_ms}"),
                ("orderBy", f"{field} ASC"),
                ("limit", limit),
                ("offset", position.skip),
            ]
            items = self._page(path, query)
            position = position.after(items, field)
            yield items, position
            if len(items) < limit:
                return

    def _page(self, path: str, params: Sequence[tuple[str, Any]]) -> list[Any]:
        body = self.call("GET", path, params=params)
        if not isinstance(body, Mapping) or not isinstance(body.get("elements", []), list):
            raise MalformedResponse("no elements list in the page", method="GET", path=path)
        return list(body.get("elements") or [])


@dataclass(frozen=True, slots=True)
class TimePosition:
    """Where a read ordered by a time field stands: the records before ``since_ms`` are
    read, and the first ``skip`` of those stamped exactly ``since_ms``."""

    since_ms: int
    skip: int = 0

    def after(self, items: Sequence[Any], field: str) -> TimePosition:
        """The position after a page of ``items`` read from here (in ``field`` order).

        A page whose last record has no usable time (malformed) moves on by its length
        from the same time, as a plain offset would.
        """
        if not items:
            return self
        last = items[-1].get(field) if isinstance(items[-1], Mapping) else None
        if isinstance(last, bool) or not isinstance(last, int) or last < self.since_ms:
            return TimePosition(self.since_ms, self.skip + len(items))
        if last == self.since_ms:
            return TimePosition(last, self.skip + len(items))
        tied = 0
        for item in reversed(items):
            if not isinstance(item, Mapping) or item.get(field) != last:
                break
            tied += 1
        return TimePosition(last, tied)

    def as_json(self) -> dict[str, int]:
        return {"since_ms": self.since_ms, "skip": self.skip}

    @classmethod
    def saved(cls, position: Mapping[str, Any] | None, default_ms: int) -> TimePosition:
        """A position saved by ``as_json``; ``default_ms`` (the window's start) when there
        is none or it is not one."""
        try:
            since_ms = int((position or {})["since_ms"])
            skip = int((position or {}).get("skip") or 0)
        except (KeyError, TypeError, ValueError):
            return cls(default_ms)
        if since_ms < default_ms:
            return cls(default_ms)
        return cls(since_ms, max(skip, 0))
