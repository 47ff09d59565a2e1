"""Sandbox accounts: who is calling, derived from the credential values alone.

Like Stripe's test card numbers, a credential value may carry options the sandbox obeys:

- ``fault=<name>`` (any number of them, anywhere in any field) switches a fault on;
- ``sales=<N>`` / ``customers=<N>`` size the generated history;
- ``ratelimit=<N>`` overrides the provider's normal rate limit (0 = unlimited);
- ``latency=<ms>`` makes every data request take that long (to observe concurrency);
- ``market=<code>`` puts the account in a state or province (``market=WA``): its stores
  are there and across the border in the neighbouring one (Oregon for Washington), its
  shoppers live in the two, and accounts naming the same two share a few regular shoppers
  (``people.py``). Without it, the market follows from the identity;
- ``issued=<mark>`` says the sandbox issued the credential (``issue_mark``: an HMAC of the
  identity under the deployment's secret key). Reads accept any credential; writes (create
  or update a customer, set a stock level) only an issued one, so nobody who merely reaches
  /sandbox/ can write rows into this database.

The options are stripped before the identity is hashed, so ``key=abc`` and
``key=abc,fault=malformed`` see the same shoppers and sales. A value that starts with
``invalid`` or ``wrong`` (any case) is refused, the way a real POS refuses a bad credential.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.crypto import salted_hmac

from integrations.sandbox import words
from integrations.sandbox.timeline import mix

DEFAULT_SALES = 500
DEFAULT_CUSTOMERS = 150
MAX_RECORDS = 50_000_000
MAX_LATENCY_MS = 10_000

FAULTS = frozenset(
    {
        "temporary-password",
        "temporary-password-data",
        "expired-token",
        "no-customer-access",
        "no-write-customers",
        "rate-limit",
        "server-error",
        "malformed",
        # Cova order intake: the order's status says 1 (transient failure), 2 (refused,
        # with an OrderMessage) or goes 0 -> 7 (cancelled at the store).
        "order-transient",
        "order-rejected",
        "order-cancelled",
        # Clover: the merchant has Track Stock off (Inventory > Setup), so its items carry
        # no itemStock and item_stocks has nothing.
        "no-track-stock",
    }
)

_OPTION = re.compile(r"(fault|sales|customers|ratelimit|latency|market|issued)=([A-Za-z0-9-]+)")
_ISSUE_SALT = "aiq.sandbox.issued-credential"
_LEFTOVER_SEPARATORS = re.compile(r"[,;&|\s]+")
_REFUSED_PREFIXES = ("invalid", "wrong")

# How many store locations each provider's account has.
LOCATIONS = {"cova": 3, "posabit": 1, "clover": 1}


def is_refused(value: str | None) -> bool:
    """True for a missing credential or one the sandbox treats as wrong."""
    text = (value or "").strip().lower()
    return not text or text.startswith(_REFUSED_PREFIXES)


def strip_options(value: str) -> str:
    """The value without its sandbox options, e.g. ``abc,fault=malformed`` -> ``abc``."""
    stripped = _OPTION.sub("", value or "")
    return _LEFTOVER_SEPARATORS.sub(" ", stripped).strip(" ,;&|")


@lru_cache(maxsize=256)
def market_pair(seed: int, market: str | None = None) -> tuple[str, str]:
    """(home, neighbour): the two states or provinces of an account's stores and shoppers.

    ``market`` (the ``market=`` option) names the home one; otherwise the seed picks a pair.
    """
    for pair in words.MARKET_PAIRS:
        if market in pair:
            return (pair[0], pair[1]) if market == pair[0] else (pair[1], pair[0])
    return words.MARKET_PAIRS[mix(seed) % len(words.MARKET_PAIRS)]


def _market(argument: str) -> str | None:
    code = argument.upper()
    return code if code in words.MARKETS else None


def issue_mark(provider: str, identity: str) -> str:
    """The ``issued=`` mark of the account named by ``identity`` (options stripped)."""
    return salted_hmac(_ISSUE_SALT, f"{provider}|{identity}", algorithm="sha256").hexdigest()[:32]


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()


def hash_text(value: str) -> str:
    """The sha256 hex of a value: how tokens are named in stats without showing them."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SandboxAccount:
    """One simulated POS account: the data seed, its size and the faults switched on."""

    provider: str
    identity: str
    # Names the generated data and the persisted records (options excluded).
    key: str
    # Names the in-process fault counters (options included, so a faulty and a clean
    # credential over the same data do not share counters).
    state_key: str
    seed: int
    faults: frozenset[str] = frozenset()
    sales: int = DEFAULT_SALES
    customers: int = DEFAULT_CUSTOMERS
    rate_limit: int | None = None
    latency_ms: int = 0
    market: str | None = None  # the ``market=`` option, when it names a known market
    # The credential carries this sandbox's ``issued=`` mark for its identity: writes allowed.
    issued: bool = False

    def has(self, fault: str) -> bool:
        """True when ``fault`` was asked for in a credential value."""
        return fault in self.faults

    @property
    def locations(self) -> int:
        return LOCATIONS[self.provider]

    @property
    def markets(self) -> tuple[str, str]:
        """(home, neighbour) state or province codes."""
        return market_pair(self.seed, self.market)

    def to_claims(self) -> dict[str, Any]:
        """A compact dict to carry this account inside a signed token."""
        return {
            "p": self.provider,
            "i": self.identity,
            "sk": self.state_key,
            "f": sorted(self.faults),
            "s": self.sales,
            "c": self.customers,
            "rl": self.rate_limit,
            "l": self.latency_ms,
            "m": self.market,
            "is": self.issued,
        }

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> SandboxAccount:
        """The account a signed token was issued for."""
        provider, identity = claims["p"], claims["i"]
        return cls(
            provider=provider,
            identity=identity,
            key=_digest(provider, identity).hex(),
            state_key=claims["sk"],
            seed=int.from_bytes(_digest(provider, identity)[:8], "big"),
            faults=frozenset(claims.get("f", ())),
            sales=claims.get("s", DEFAULT_SALES),
            customers=claims.get("c", DEFAULT_CUSTOMERS),
            rate_limit=claims.get("rl"),
            latency_ms=claims.get("l", 0),
            market=claims.get("m"),
            issued=bool(claims.get("is", False)),
        )


def account_for(
    provider: str, identity_values: Iterable[str], option_values: Iterable[str]
) -> SandboxAccount:
    """The account named by ``identity_values``, with the options found in ``option_values``.

    ``identity_values`` are the fields that say whose data this is (e.g. Cova's client_id
    and username); ``option_values`` are every credential field presented, where the
    options are looked for.
    """
    identity = "|".join(strip_options(value) for value in identity_values)
    raw_values = list(option_values)
    faults: set[str] = set()
    sizes: dict[str, int] = {}
    market = None
    marks: list[str] = []
    for value in raw_values:
        for name, argument in _OPTION.findall(value or ""):
            if name == "issued":
                marks.append(argument)
            elif name == "fault":
                faults.add(argument.lower())
            elif name == "market":
                market = _market(argument) or market
            elif argument.isdigit():
                sizes[name] = int(argument)
    digest = _digest(provider, identity)
    expected = issue_mark(provider, identity)
    return SandboxAccount(
        provider=provider,
        identity=identity,
        key=digest.hex(),
        state_key=_digest(provider, *raw_values).hex(),
        seed=int.from_bytes(digest[:8], "big"),
        faults=frozenset(faults & FAULTS),
        sales=min(sizes.get("sales", DEFAULT_SALES), MAX_RECORDS),
        customers=min(sizes.get("customers", DEFAULT_CUSTOMERS), MAX_RECORDS),
        rate_limit=sizes.get("ratelimit"),
        latency_ms=min(sizes.get("latency", 0), MAX_LATENCY_MS),
        market=market,
        issued=any(hmac.compare_digest(mark, expected) for mark in marks),
    )
