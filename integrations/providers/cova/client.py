"""Cova's HTTP surface: hosts, paths, headers, OData paging, one re-grant on 401.

Knows nothing about our dataclasses; ``provider.py`` maps what this returns.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import requests

from aiq.http import Classifier, HttpClient, url_path
from integrations.providers.cova import assumptions
from integrations.providers.cova.auth import CovaAuth, is_temporary_password
from integrations.providers.cova.pacing import RatePacer, service_of
from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    ProviderError,
    TemporaryPassword,
)

LOCATIONS_PATH = "/entitymanager/v1/Companies({company_id})/Locations"
SEARCH_PATH = "/crm/v1/Companies({company_id})/Search"
CUSTOMER_CREATE_PATH = "/crm/v1/Companies({company_id})/CustomerFull"
SALES_PATH = "/posreports/v1/Companies({company_id})/Entities({location_id})/ByInvoiceWithProducts"
LOYALTY_SUMMARY_PATH = (
    "/iqloyalty/v1/Companies({company_id})/Entities({location_id})/customers({customer_id})/summary"
)
PRODUCTS_PATH = "/dataplatform/v1/companies/{company_id}/DetailedProductData"

PERMISSIONS_HINT = (
    "Cova refused access for this API user. Ask Cova to give it the permissions AIQ needs "
    "(Manage Dispensary Specific Elements, View Loyalty Program, Edit Loyalty Program), "
    "then connect again."
)


def classify_data_error(response: requests.Response) -> ProviderError | None:
    """Cova-specific meanings of a final error status on a data call."""
    where: dict[str, Any] = {
        "method": response.request.method if response.request else None,
        "path": url_path(response.url or "/"),
        "status": response.status_code,
    }
    if response.status_code == 401 and is_temporary_password(response):
        return TemporaryPassword("data call refused: temporary password", **where)
    if response.status_code == 403:
        return PermissionMissing("permission refused", user_message=PERMISSIONS_HINT, **where)
    if response.status_code == 404:
        return NotFound(
            "no such resource",
            user_message=(
                "Cova does not know this company or location. Check the Company ID (or leave "
                "it blank) and the location IDs, then connect again."
            ),
            **where,
        )
    return None


def _first_of(*classifiers: Classifier | None) -> Classifier:
    """A classifier trying each of ``classifiers`` in turn."""

    def classify(response: requests.Response) -> ProviderError | None:
        for classifier in classifiers:
            found = classifier(response) if classifier else None
            if found is not None:
                return found
        return None

    return classify


def items_of(body: Any, *keys: str) -> list[Any]:
    """The records of a list response: a bare array, HAL ``_embedded.self``, or ``keys``."""
    if isinstance(body, list):
        return body
    if isinstance(body, Mapping):
        embedded = body.get("_embedded")
        if isinstance(embedded, Mapping) and isinstance(embedded.get("self"), list):
            return list(embedded["self"])
        for key in (*keys, "items", "value"):
            if isinstance(body.get(key), list):
                return list(body[key])
        if not body:
            return []
    raise MalformedResponse("expected a list of records")


class CovaClient:
    """Authenticated calls to Cova's API host and the iQmetrix accounts host."""

    def __init__(
        self,
        http: HttpClient,
        base_urls: Mapping[str, str],
        auth: CovaAuth,
        company_id: str | None = None,
    ) -> None:
        self.http = http
        self.base_urls = base_urls
        self.auth = auth
        self.pacer = RatePacer(http.sleep, http.clock)
        self._company_id = company_id or None

    def company_id(self) -> str:
        """The Company ID: as entered, else from the signed-in API user (see assumptions)."""
        if self._company_id is None:
            body = self.call("GET", "accounts", assumptions.ME_PATH)
            value = body.get(assumptions.ME_COMPANY_FIELD) if isinstance(body, Mapping) else None
            if value in (None, ""):
                raise MalformedResponse(
                    f"no {assumptions.ME_COMPANY_FIELD} in the user profile",
                    method="GET",
                    path=assumptions.ME_PATH,
                )
            self._company_id = str(value)
        return self._company_id

    def path(self, template: str, **values: Any) -> str:
        """A path template filled with the company id and ``values``."""
        return template.format(company_id=self.company_id(), **values)

    def call(
        self,
        method: str,
        role: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        classify: Classifier | None = None,
    ) -> Any:
        """One authenticated call; on a 401, one fresh token and one more try.

        ``classify`` may name a final error response first (the order intake reads Cova's
        ``OrderMessage``); ``classify_data_error`` applies to whatever it leaves.
        """
        token = self.auth.token()
        try:
            return self._send(method, role, path, token, params, json, idempotent, classify)
        except TemporaryPassword:
            raise
        except AuthenticationFailed:
            # A token can be revoked or expire early; a fresh grant settles which it is.
            # A second 401 is final.
            fresh = self.auth.token(stale=token)
            return self._send(method, role, path, fresh, params, json, idempotent, classify)

    def _send(
        self,
        method: str,
        role: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        json: Any,
        idempotent: bool | None,
        classify: Classifier | None = None,
    ) -> Any:
        service = service_of(path) if role == "api" else role
        headers = {"Authorization": f"Bearer {token}"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        return self.http.request_json(
            method,
            f"{self.base_urls[role]}{path}",
            params=params,
            json=json,
            headers=headers,
            idempotent=idempotent,
            gate=lambda: self.pacer.slot(service),
            observe=lambda response: self.pacer.observe(service, response),
            classify=_first_of(classify, classify_data_error),
        )

    def pages(
        self, path: str, params: Mapping[str, Any], page_size: int, *keys: str, start: int = 0
    ) -> Iterator[list[Any]]:
        """OData ``$top``/``$skip`` pages from ``$skip=start``, lazily; stops after the
        first short page."""
        skip = start
        while True:
            body = self.call(
                "GET", "api", path, params={**params, "$top": page_size, "$skip": skip}
            )
            items = items_of(body, *keys)
            yield items
            if len(items) < page_size:
                return
            skip += page_size

    def capped_pages(
        self, path: str, page_size: int, start: int = 0
    ) -> Iterator[tuple[int, list[Any]]]:
        """``(next $skip, records)`` pages asking for ``page_size`` at a time, safe against
        a server that silently returns fewer (see ``assumptions.CUSTOMERS_LIST_PAGE_SIZE``):
        the first full-looking page sets the size, and only an empty page or one shorter
        than that size ends the walk."""
        skip = start
        served: int | None = None
        while True:
            body = self.call("GET", "api", path, params={"$top": page_size, "$skip": skip})
            items = items_of(body)
            skip += len(items)
            yield skip, items
            if not items or (served is not None and len(items) < served):
                return
            if served is None:
                served = len(items)
                if served < min(page_size, assumptions.LIST_CAP_FLOOR):
                    return  # fewer than any plausible cap: that was the whole list

    def body_pages(self, path: str, body: Mapping[str, Any], page_size: int) -> Iterator[list[Any]]:
        """Data Platform pages: ``Skip``/``Top`` in a POST body (a read, so retry-safe)."""
        skip = 0
        while True:
            answer = self.call(
                "POST", "api", path, json={**body, "Skip": skip, "Top": page_size}, idempotent=True
            )
            items = items_of(answer, assumptions.PRODUCTS_KEY)
            yield items
            if len(items) < page_size:
                return
            skip += page_size
