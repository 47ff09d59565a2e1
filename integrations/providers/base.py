"""The shared POS provider interface.

A provider turns one set of credentials into our typed values (``values.py``). It knows
nothing of the database: the sync layer persists what it yields.

How iterators report bad records
--------------------------------
Every ``iter_*`` method is a generator that pages lazily (one page in memory at a time)
and yields, for each record of a page, **either** the mapped value **or** a
``MalformedRecord`` (an exception instance, yielded, not raised) carrying the reason and
the raw payload. A sync therefore looks like::

    for item in provider.iter_customers(since):
        if isinstance(item, MalformedRecord):
            quarantine(item.kind, item.external_id, item.reason, item.raw)
        else:
            upsert(item)

One bad record never aborts its page. Errors about the *request* (bad credentials, a
missing permission, a 5xx after retries, a page that is not JSON) are raised as the
``ProviderError`` subclasses in ``errors.py``, whose ``permanent`` flag tells the caller
whether to retry later or to stop and flag the credential for a person.

Each provider's mapping functions are also importable on their own (``<provider>/mapping``)
for tests and for re-mapping stored raw payloads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from aiq.http import HttpClient
from integrations.providers.convert import aware
from integrations.providers.errors import (
    AuthenticationFailed,
    CredentialsIncomplete,
    MalformedRecord,
    MalformedResponse,
    NotFound,
    NotSupported,
    PermissionMissing,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
    TemporaryPassword,
    Unreachable,
)
from integrations.providers.values import (
    Checkpoint,
    Customer,
    CustomerDraft,
    ListedCustomer,
    Location,
    LoyaltyBalance,
    Payment,
    Product,
    Sale,
    SaleLine,
)

__all__ = [
    "AuthenticationFailed",
    "Checkpoint",
    "CredentialField",
    "CredentialsIncomplete",
    "Customer",
    "CustomerDraft",
    "ListedCustomer",
    "Location",
    "LoyaltyBalance",
    "MalformedRecord",
    "MalformedResponse",
    "NotFound",
    "NotSupported",
    "Payment",
    "PermissionMissing",
    "Product",
    "Provider",
    "ProviderError",
    "RateLimited",
    "RequestRejected",
    "Sale",
    "SaleLine",
    "ServerError",
    "TemporaryPassword",
    "Unreachable",
    "map_records",
    "sandbox_base_urls",
    "saved_offset",
]

T = TypeVar("T")

# When a sync asks for sales with no lower bound, this far back is fetched.
DEFAULT_SALES_LOOKBACK = timedelta(days=730)


@dataclass(frozen=True, slots=True)
class CredentialField:
    """One field of a provider's credential form, labelled as staff see it in the guides."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    help_text: str = ""


def map_records(
    raws: Iterable[Any],
    mapper: Callable[[Any], T],
    kind: str,
    id_of: Callable[[Any], Any] | None = None,
) -> Iterator[T | MalformedRecord]:
    """Map each raw record, yielding a ``MalformedRecord`` for any that fails.

    A mapper signals a bad record by raising ``MalformedRecord`` or any of the plain
    errors a strict conversion raises (``ValueError``, ``KeyError``, ``TypeError``...).
    """
    for raw in raws:
        try:
            yield mapper(raw)
        except MalformedRecord as error:
            yield error
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as error:
            reason = f"missing field {error}" if isinstance(error, KeyError) else str(error)
            external_id = None
            try:
                external_id = id_of(raw) if id_of else None
            except Exception:
                external_id = None
            yield MalformedRecord(
                reason or type(error).__name__,
                raw=raw,
                kind=kind,
                external_id=None if external_id is None else str(external_id),
            )


def saved_offset(position: Mapping[str, Any] | None) -> int:
    """The ``offset`` of a resumable read's saved position (0 when none or unreadable)."""
    try:
        return max(0, int((position or {}).get("offset") or 0))
    except (TypeError, ValueError):
        return 0


class Provider(ABC):
    """One POS account, reached with one set of credentials.

    Subclasses set the class attributes and implement the abstract methods. Constructing a
    provider makes no request; ``check()`` is the first call that touches the network.
    """

    key: ClassVar[str]
    label: ClassVar[str]
    credential_fields: ClassVar[tuple[CredentialField, ...]]
    # Host role -> real production base URL (scheme and host only: every path we call is
    # the full URL path, so a sandbox serving ``<origin>/sandbox/<key><path>`` just works).
    DEFAULT_BASE_URLS: ClassVar[Mapping[str, str]]
    # Host role -> first path segments called on that host; roles must not overlap, so one
    # sandbox prefix can serve every host of a provider.
    PATH_PREFIXES: ClassVar[Mapping[str, tuple[str, ...]]]
    # Whether ``iter_customers(since)`` filters on the server (otherwise it is a full scan).
    customers_since_supported: ClassVar[bool] = True
    # Whether the customer list lacks contact details, so that each customer costs a
    # request of its own: then the sync reads the list (``iter_customer_listing``) and
    # fetches full records only for the customers that need it (``fetch_customers``).
    customers_by_listing: ClassVar[bool] = False
    # Streams whose ``iter_*`` take a ``position`` and yield ``Checkpoint``s, so a run
    # resumes mid-read rather than at the start of its window.
    resumable_streams: ClassVar[frozenset[str]] = frozenset()
    page_size: int = 100

    def __init__(
        self,
        credentials: Mapping[str, str],
        base_urls: Mapping[str, str] | None = None,
        http: HttpClient | None = None,
    ) -> None:
        self._credentials = {
            name: (value or "").strip() if isinstance(value, str) else value
            for name, value in credentials.items()
        }
        missing = [
            f.label
            for f in self.credential_fields
            if f.required and not self._credentials.get(f.name)
        ]
        if missing:
            raise CredentialsIncomplete(
                f"missing {', '.join(missing)}",
                user_message=f"Fill in {', '.join(missing)}, then connect again.",
            )
        unknown = set(base_urls or {}) - set(self.DEFAULT_BASE_URLS)
        if unknown:
            raise ValueError(f"Unknown host roles for {self.key}: {sorted(unknown)}")
        self.base_urls = {
            role: url.rstrip("/")
            for role, url in {**self.DEFAULT_BASE_URLS, **(base_urls or {})}.items()
        }
        self.http = http or HttpClient()

    def __repr__(self) -> str:
        # Never the credentials: a repr ends up in tracebacks and logs.
        return f"<{type(self).__name__} {self.base_urls}>"

    def credential(self, name: str) -> str:
        """The value of one credential field ("" when absent)."""
        return str(self._credentials.get(name) or "")

    def secret_values(self) -> tuple[str, ...]:
        """Every secret credential value, for log redaction and leak tests."""
        return tuple(
            self.credential(f.name)
            for f in self.credential_fields
            if f.secret and self.credential(f.name)
        )

    def now(self) -> datetime:
        """Current time from the HTTP seam's clock (fake in tests)."""
        return datetime.fromtimestamp(self.http.clock(), tz=UTC)

    # The interface -----------------------------------------------------------------

    @abstractmethod
    def check(self) -> None:
        """Prove the credentials work and have the permissions a sync needs.

        Returns nothing on success; raises ``AuthenticationFailed``, ``TemporaryPassword``,
        ``PermissionMissing`` or ``NotFound`` (permanent: tell staff ``user_message``), or
        a transient error (try again later).
        """

    def permission_warnings(self) -> list[str]:
        """After a successful ``check()``: what this credential may not do although it
        reads, in staff words (what is missing, what stops working, how to fix it).

        Connect still connects; the card shows each warning. None by default.
        """
        return []

    @abstractmethod
    def iter_locations(self) -> Iterator[Location | MalformedRecord]:
        """Every store this credential reaches."""

    @abstractmethod
    def iter_customers(self, since: datetime | None = None) -> Iterator[Customer | MalformedRecord]:
        """Shoppers changed since ``since`` (all when None). Providers whose API cannot
        filter (``customers_since_supported = False``) yield every shopper."""

    @abstractmethod
    def iter_sales(
        self,
        since: datetime | None,
        until: datetime | None = None,
        location_keys: Iterable[str] | None = None,
    ) -> Iterator[Sale | MalformedRecord]:
        """Sales in ``[since, until]`` (until defaults to now; no since means
        ``DEFAULT_SALES_LOOKBACK``), at ``location_keys`` (all locations when None)."""

    @abstractmethod
    def find_customers(self, phone: str | None = None, email: str | None = None) -> list[Customer]:
        """Shoppers matching the phone OR the email (searched separately, merged by id).

        Neither is unique in the POS, so several may come back. Records that cannot be
        mapped are left out (a lookup is not a sync).
        """

    @abstractmethod
    def create_customer(self, data: CustomerDraft) -> Customer:
        """Create a shopper in the POS and return it as the POS now holds it. Callers
        search first (``find_customers``): the POS does not deduplicate."""

    @abstractmethod
    def update_customer(self, external_id: str, data: CustomerDraft) -> Customer:
        """Change the fields of ``data`` that are not None; return the updated shopper."""

    def get_loyalty_balance(
        self, customer_external_id: str, location_key: str | None = None
    ) -> LoyaltyBalance:
        """The shopper's points in the POS's own loyalty program (``NotSupported`` where
        the API has none)."""
        raise NotSupported(f"{self.label} has no loyalty balance API")

    def iter_products(self, location_key: str) -> Iterator[Product | MalformedRecord]:
        """Products with price and stock at one location (``NotSupported`` where the API
        has no catalog reachable with these credentials)."""
        raise NotSupported(f"{self.label} has no product API for these credentials")

    # Customers by listing (``customers_by_listing``) --------------------------------------

    def iter_customer_listing(
        self, offset: int = 0
    ) -> Iterator[tuple[int, list[ListedCustomer | MalformedRecord]]]:
        """The customer list from ``offset``, a page at a time, each page with the offset
        that follows it (what a resumed walk passes back)."""
        raise NotSupported(f"{self.label} lists customers with their details")

    def customer_ids_in_sales(
        self, since: datetime | None, until: datetime, location_keys: Iterable[str] | None
    ) -> set[str]:
        """The ids of the shoppers on the sales made in ``[since, until]``."""
        raise NotSupported(f"{self.label} lists customers with their details")

    def fetch_customers(self, external_ids: Iterable[str]) -> Iterator[Customer | MalformedRecord]:
        """The full record of each customer, in order (one request each where the POS
        has no batch read); a customer gone since it was listed is malformed."""
        raise NotSupported(f"{self.label} lists customers with their details")

    # Helpers for subclasses ---------------------------------------------------------------

    def url(self, role: str, path: str) -> str:
        """Absolute URL of ``path`` on the host playing ``role``."""
        return f"{self.base_urls[role]}{path}"

    def sales_window(
        self, since: datetime | None, until: datetime | None
    ) -> tuple[datetime, datetime]:
        """The aware UTC ``(since, until)`` a sales query covers."""
        end = aware(until) if until else self.now()
        start = aware(since) if since else end - DEFAULT_SALES_LOOKBACK
        return start, end


def sandbox_base_urls(provider_key: str, origin: str) -> dict[str, str]:
    """Base URLs pointing every host role of a provider at our sandbox under ``origin``.

    The sandbox serves each real URL path after ``/sandbox/<provider_key>``; e.g. Cova's
    token endpoint ``https://accounts.iqmetrix.net/v1/oauth2/token`` becomes
    ``<origin>/sandbox/cova/v1/oauth2/token``.
    """
    from integrations.providers import get_provider_class

    cls = get_provider_class(provider_key)
    prefix = f"{origin.rstrip('/')}/sandbox/{provider_key}"
    return dict.fromkeys(cls.DEFAULT_BASE_URLS, prefix)
