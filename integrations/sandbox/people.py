"""Generated shoppers: realistic and messy in the ways real POS data is messy.

Shopper ``i`` of an account is a pure function of (account seed, i). About 8% share a phone
with an earlier shopper (typed differently), 5% share an email (different case), some have
no email or no phone, some phones are invalid, and the addresses fall in two neighbouring
states or provinces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from integrations.sandbox import words
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.timeline import CUSTOMERS_SPAN_DAYS, Timeline, mix

# Share of shoppers, in percent.
NO_PHONE = 6
INVALID_PHONE = 4
SHARED_PHONE = 8
NO_EMAIL = 10
SHARED_EMAIL = 5
LOYALTY_MEMBERS = 70

PHONE_FORMATS = (
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "{a}{e}{l}",
    "+1 {a} {e} {l}",
    "{a}.{e}.{l}",
    "1{a}{e}{l}",
)
INVALID_PHONES = ("555-0199", "12345", "000-000-0000", "(999) 555-01", "n/a")


@dataclass(frozen=True, slots=True)
class Person:
    """One generated shopper, in provider-neutral terms."""

    index: int
    first_name: str
    last_name: str
    phone: str | None  # as typed at the counter; may be invalid
    phone_digits: str | None  # ten NANP digits when the phone is valid
    email: str | None
    birth_date: date
    gender: str
    line1: str
    city: str
    state: str
    state_name: str
    postal_code: str
    country: str
    drivers_license: str
    pricing_group: int | None
    loyalty_member: bool
    marketing_opt_in: bool
    points: int
    lifetime_points: int
    created_ms: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _rng(account: SandboxAccount, stream: str, index: int) -> random.Random:
    return random.Random(f"{account.seed}:{stream}:{index}")


@lru_cache(maxsize=256)
def markets(seed: int) -> tuple[str, str]:
    """The two state/province codes an account's shoppers live in."""
    return words.MARKET_PAIRS[mix(seed) % len(words.MARKET_PAIRS)]


def customers_timeline(account: SandboxAccount) -> Timeline:
    return Timeline.ending_today(CUSTOMERS_SPAN_DAYS, account.customers, account.seed ^ 0xC0FFEE)


def _phone_parts(account: SandboxAccount, index: int, state: str) -> tuple[str, str, str]:
    rng = _rng(account, "phone", index)
    area = rng.choice(words.MARKETS[state][3])
    exchange = f"{rng.randrange(2, 10)}{rng.randrange(0, 10)}{rng.randrange(2, 10)}"
    if exchange[1:] == "11" or exchange == "555":
        exchange = "742"
    return area, exchange, f"{rng.randrange(0, 10000):04d}"


def _base_email(account: SandboxAccount, index: int) -> str:
    rng = _rng(account, "email", index)
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    local = local.encode("ascii", "ignore").decode() or "shopper"
    return f"{local}{rng.randrange(1, 999)}@{rng.choice(words.EMAIL_DOMAINS)}"


def person(account: SandboxAccount, index: int) -> Person:
    """Shopper ``index`` of ``account`` (0 <= index < account.customers)."""
    rng = _rng(account, "person", index)
    home, neighbour = markets(account.seed)
    state = home if rng.random() < 0.7 else neighbour
    state_name, country, cities, _areas = words.MARKETS[state]
    city, postal_prefix = rng.choice(cities)
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)

    phone, phone_digits = _phone(account, index, rng, state)
    email = _email(account, index, rng, first, last)

    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 54))
    if country == "CA":
        postal = f"{postal_prefix} {rng.randrange(1, 10)}{rng.choice('ABCEGHJKLMNPRSTVXY')}"
        postal += str(rng.randrange(0, 10))
    else:
        postal = f"{postal_prefix}{rng.randrange(0, 100):02d}"
    member = rng.randrange(100) < LOYALTY_MEMBERS
    lifetime = rng.randrange(0, 5000) if member else 0
    group_roll = rng.randrange(100)
    pricing_group = None if group_roll < 10 else 1 if group_roll < 75 else (group_roll % 3) + 2
    return Person(
        index=index,
        first_name=first,
        last_name=last,
        phone=phone,
        phone_digits=phone_digits,
        email=email,
        birth_date=birth,
        gender=rng.choice(("female", "male", "female", "male", "other")),
        line1=f"{rng.randrange(100, 9999)} {rng.choice(words.STREET_NAMES)}",
        city=city,
        state=state,
        state_name=state_name,
        postal_code=postal,
        country=country,
        drivers_license=f"{state}{rng.randrange(10**7, 10**8)}",
        pricing_group=pricing_group,
        loyalty_member=member,
        marketing_opt_in=rng.random() < 0.55,
        points=rng.randrange(0, lifetime + 1) if member else 0,
        lifetime_points=lifetime,
        created_ms=customers_timeline(account).at(index),
    )


def _phone(
    account: SandboxAccount, index: int, rng: random.Random, state: str
) -> tuple[str | None, str | None]:
    roll = rng.randrange(100)
    if roll < NO_PHONE:
        return None, None
    if roll < NO_PHONE + INVALID_PHONE:
        return rng.choice(INVALID_PHONES), None
    owner = index
    if roll < NO_PHONE + INVALID_PHONE + SHARED_PHONE and index > 0:
        owner = rng.randrange(0, index)
    # The owner's number is drawn in the owner's home state, whoever types it.
    owner_state = state if owner == index else _state_of(account, owner)
    area, exchange, line = _phone_parts(account, owner, owner_state)
    shape = (mix(account.seed ^ index) + (owner != index)) % len(PHONE_FORMATS)
    return PHONE_FORMATS[shape].format(a=area, e=exchange, l=line), f"{area}{exchange}{line}"


def _state_of(account: SandboxAccount, index: int) -> str:
    rng = _rng(account, "person", index)
    home, neighbour = markets(account.seed)
    return home if rng.random() < 0.7 else neighbour


def _email(
    account: SandboxAccount, index: int, rng: random.Random, first: str, last: str
) -> str | None:
    roll = rng.randrange(100)
    if roll < NO_EMAIL:
        return None
    if roll < NO_EMAIL + SHARED_EMAIL and index > 0:
        shared = _base_email(account, rng.randrange(0, index))
        return shared.upper() if rng.random() < 0.5 else shared.capitalize()
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    local = local.encode("ascii", "ignore").decode() or "shopper"
    return f"{local}{index}@{words.EMAIL_DOMAINS[mix(account.seed + index) % 7]}"


def digits_of(value: str | None) -> str:
    """The last ten digits of a phone as typed (NANP), or all digits if fewer."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())
    return digits[-10:]
