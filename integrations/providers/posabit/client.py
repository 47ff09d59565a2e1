"""POSaBIT's HTTP surface: V3 Basic auth, the paged envelope, error meanings."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

import requests

from aiq.http import HttpClient, url_path
from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    ProviderError,
)
from integrations.providers.unauthorized import retry_once_on_401

INFO_PATH = "/api/v3/info"
CUSTOMERS_PATH = "/api/v3/venue/customers"
CUSTOMER_PATH = "/api/v3/venue/customers/{customer_id}"

ENHANCED_ACCESS_HINT = (
    "POSaBIT has not enabled Enhanced Customer Data Access for this store's key: shoppers "
    "are not synced; sales still are, without who bought them. Ask your POSaBIT account rep "
    "to enable Enhanced Customer Data Access, grant it to the key in POSaBIT, then connect "
    "again."
)
# The stream a missing Enhanced Customer Data Access stops (the sync's stream name).
CUSTOMERS_STREAM = "customers"
PERMISSIONS_HINT = (
    "This POSaBIT key lacks a permission AIQ needs. In POSaBIT, grant the key Menu Feed "
    "Access, Incoming Orders Access, Venue Data Access and Enhanced Customer Data Access, "
    "then connect again."
)


def classify(response: requests.Response) -> ProviderError | None:
    """POSaBIT-specific meanings of a final error status."""
    path = url_path(response.url or "/")
    where: dict[str, Any] = {
        "method": response.request.method if response.request else None,
        "path": path,
        "status": response.status_code,
    }
    if response.status_code == 401:
        return AuthenticationFailed(
            "credentials refused",
            user_message=(
                "POSaBIT did not accept this Key. Copy the store's API key from POSaBIT again, "
                "save, and connect again."
            ),
            **where,
        )
    if response.status_code == 403:
        # ``in``, not startswith: behind a sandbox or proxy prefix the path is longer.
        if CUSTOMERS_PATH in path:
            # Only the shoppers need Enhanced Customer Data Access: sales go on without it.
            return PermissionMissing(
                "permission refused",
                user_message=ENHANCED_ACCESS_HINT,
                only_stream=CUSTOMERS_STREAM,
                **where,
            )
        return PermissionMissing("permission refused", user_message=PERMISSIONS_HINT, **where)
    if response.status_code == 404:
        return NotFound(
            "not visible with this key",
            user_message=(
                "POSaBIT could not find this store or record with this Key. Check that the Key "
                "belongs to the store named here."
            ),
            **where,
        )
    return None


class PosabitClient:
    """Calls to one POSaBIT venue with V3 Basic auth."""

    def __init__(
        self, http: HttpClient, base_url: str, integrator_token: str, venue_token: str
    ) -> None:
        self.http = http
        self.base_url = base_url
        pair = f"{integrator_token}:{venue_token}".encode()
        self._authorization = f"Basic {base64.b64encode(pair).decode()}"

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """One authenticated call; the decoded JSON body. A single 401 is asked again once
        (``unauthorized.py``): the Basic pair has no token to exchange."""
        headers = {"Authorization": self._authorization}
        if json is not None:
            headers["Content-Type"] = "application/json"
        return retry_once_on_401(
            lambda: self.http.request_json(
                method,
                f"{self.base_url}{path}",
                params=params,
                json=json,
                headers=headers,
                classify=classify,
            ),
            self.http.sleep,
        )

    def pages(
        self, path: str, params: Mapping[str, Any], per_page: int, key: str
    ) -> Iterator[list[Any]]:
        """Pages of the ``{total_pages, current_page, <key>: [...]}`` envelope, lazily."""
        for items, _next_offset in self.pages_from(path, params, per_page, key):
            yield items

    def pages_from(
        self, path: str, params: Mapping[str, Any], per_page: int, key: str, offset: int = 0
    ) -> Iterator[tuple[list[Any], int]]:
        """Pages from the record at ``offset`` (the page holding it, without the records
        before it), each with the offset of the record after it."""
        page, drop = offset // per_page + 1, offset % per_page
        while True:
            body = self.call("GET", path, params={**params, "page": page, "per_page": per_page})
            if not isinstance(body, Mapping) or not isinstance(body.get(key, []), list):
                raise MalformedResponse(f"no {key} list in the page", method="GET", path=path)
            items = list(body.get(key) or [])
            try:
                total_pages = int(body.get("total_pages") or 0)
                current = int(body.get("current_page") or page)
            except (TypeError, ValueError):
                raise MalformedResponse("bad paging numbers", method="GET", path=path) from None
            yield items[drop:], (current - 1) * per_page + len(items)
            drop = 0
            if not items or current >= total_pages:
                return
            page = current + 1
