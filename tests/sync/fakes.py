"""A provider double for engine tests: records in memory, paged, with failures on cue."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from integrations.providers.errors import MalformedRecord, ProviderError
from integrations.providers.values import Customer, Location, Sale


class FakeProvider:
    """Serves ``customers`` and ``sales`` ``page_size`` at a time.

    ``fail_after_pages`` raises ``error`` when that many pages (of any stream) have been
    served, as a POS that starts failing mid-run would; ``calls`` records every request.
    """

    def __init__(
        self,
        customers: Iterable[Customer | MalformedRecord] = (),
        sales: Iterable[Sale | MalformedRecord] = (),
        *,
        locations: Iterable[str] = ("L1",),
        page_size: int = 2,
        fail_after_pages: int | None = None,
        error: ProviderError | None = None,
    ) -> None:
        self.customers = list(customers)
        self.sales = list(sales)
        self.locations = list(locations)
        self.page_size = page_size
        self.fail_after_pages = fail_after_pages
        self.error = error
        self.pages_served = 0
        self.calls: list[tuple[str, Any]] = []

    def _pages(self, records: list[Any]) -> Iterator[Any]:
        for start in range(0, len(records), self.page_size):
            if self.fail_after_pages is not None and self.pages_served >= self.fail_after_pages:
                assert self.error is not None
                raise self.error
            self.pages_served += 1
            yield from records[start : start + self.page_size]

    def iter_locations(self) -> Iterator[Location]:
        self.calls.append(("locations", None))
        for key in self.locations:
            yield Location(key=key, name=f"Store {key}")

    def iter_customers(self, since: datetime | None = None) -> Iterator[Any]:
        self.calls.append(("customers", since))
        return self._pages(self.customers)

    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
    ) -> Iterator[Any]:
        keys = None if location_keys is None else list(location_keys)
        self.calls.append(("sales", (since, until, keys)))

        def wanted(sale: Sale | MalformedRecord) -> bool:
            # A malformed sale carries its time as ``at`` (tests set it) to fall in a slice.
            moment = (
                getattr(sale, "at", None) if isinstance(sale, MalformedRecord) else sale.occurred_at
            )
            location = None if isinstance(sale, MalformedRecord) else sale.location_key
            return (
                (since is None or moment >= since)
                and (until is None or moment <= until)
                and (keys is None or location is None or location in keys)
            )

        return self._pages([sale for sale in self.sales if wanted(sale)])
