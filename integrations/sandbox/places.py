"""Where an account's stores are, and which of them each shopper calls home.

An account's markets are (home, neighbour) (``SandboxAccount.markets``). Its first two
locations are in the home market and the third across the border in the neighbour one,
each in its own city: a Washington account with three stores has them in Seattle, Spokane
Valley and Portland. Shopper ``i``'s home store is location ``i % locations``: most of
their purchases are there (``sales.py``) and they mostly live in that store's market.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.sandbox import words
from integrations.sandbox.options import SandboxAccount

# Location n is in markets[SIDES[n % 3]]: home, home, neighbour.
SIDES = (0, 0, 1)


@dataclass(frozen=True, slots=True)
class Place:
    """A city in a market: enough to write an address."""

    state: str
    state_name: str
    country: str
    city: str
    postal_prefix: str
    area_codes: tuple[str, ...]


def location_place(account: SandboxAccount, number: int) -> Place:
    """Where location ``number`` of ``account`` is."""
    side = SIDES[number % len(SIDES)]
    state = account.markets[side]
    # The how-many-th location of the account in that market picks the city.
    rank = sum(1 for earlier in range(number) if SIDES[earlier % len(SIDES)] == side)
    state_name, country, cities, areas = words.MARKETS[state]
    city, postal_prefix = cities[rank % len(cities)]
    return Place(state, state_name, country, city, postal_prefix, tuple(areas))


def home_location(account: SandboxAccount, index: int) -> int:
    """The location shopper ``index`` shops at most."""
    return index % account.locations


def local_market(account: SandboxAccount, index: int) -> tuple[str, str]:
    """(the market of shopper ``index``'s home location, the account's other market)."""
    home, neighbour = account.markets
    state = location_place(account, home_location(account, index)).state
    return (home, neighbour) if state == home else (neighbour, home)
