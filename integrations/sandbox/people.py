"""Generated shoppers: realistic and messy in the ways real POS data is messy.

Shopper ``i`` of an account is a pure function of (account seed, i). About 8% share a phone
with an earlier shopper (typed differently), 5% share an email (different case), some have
no email or no phone, some phones are invalid, and the addresses fall in the account's two
neighbouring markets, mostly the one of the shopper's home store (``places.py``).

Accounts that name their market (the ``market=`` option) and share the pair of markets
also share regular shoppers: shopper ``i`` with ``i % REGULAR_EVERY == REGULAR_AT`` is
regular ``i // REGULAR_EVERY`` of that pair, the same person (name, birth date, address,
phone, email) at each of those accounts, so AIQ sees one shopper in two POSes. Regular
``r`` is on file twice at the account of provider ``ON_FILE_TWICE[r % 3]``: shopper ``i``
with the phone only and shopper ``i + 1`` with the email only, as a counter does when a
shopper signs up again. Whichever POS syncs first, a later one brings a record with both
and AIQ merges the two personas, so a sync of such accounts always records merges.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from integrations.sandbox import words
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.places import local_market
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
# Shoppers shared by the accounts of one pair of markets (see the module docstring).
REGULAR_EVERY = 40
REGULAR_AT = 20
ON_FILE_TWICE = ("cova", "posabit", "clover")
BOTH, PHONE_ONLY, EMAIL_ONLY = "both", "phone", "email"


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
    created_ms: int

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _rng(account: SandboxAccount, stream: str, index: int) -> random.Random:
    return random.Random(f"{account.seed}:{stream}:{index}")


@dataclass(frozen=True, slots=True)
class Regular:
    """A shopper of a pair of markets, the same at every account of that pair."""

    first_name: str
    last_name: str
    birth_date: date
    gender: str
    line1: str
    city: str
    state: str
    state_name: str
    postal_code: str
    country: str
    drivers_license: str
    phone_parts: tuple[str, str, str]
    email: str


def regular_slot(account: SandboxAccount, index: int) -> tuple[int, str] | None:
    """(regular number, what this record holds) when shopper ``index`` is a regular."""
    if account.market is None:
        return None
    number, offset = divmod(index, REGULAR_EVERY)
    twice = ON_FILE_TWICE[number % len(ON_FILE_TWICE)] == account.provider
    if offset == REGULAR_AT:
        return number, PHONE_ONLY if twice else BOTH
    if offset == REGULAR_AT + 1 and twice:
        return number, EMAIL_ONLY
    return None


@lru_cache(maxsize=1024)
def regular(pair: tuple[str, str], number: int) -> Regular:
    """Regular ``number`` of the markets in ``pair`` (in either order)."""
    markets = tuple(sorted(pair))
    rng = random.Random(f"regular:{'-'.join(markets)}:{number}")
    state = markets[rng.randrange(2)]
    state_name, country, cities, areas = words.MARKETS[state]
    city, postal_prefix = rng.choice(cities)
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    local = local.encode("ascii", "ignore").decode() or "shopper"
    return Regular(
        first_name=first,
        last_name=last,
        birth_date=date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 48)),
        gender=rng.choice(("female", "male", "female", "male", "other")),
        line1=f"{rng.randrange(100, 9999)} {rng.choice(words.STREET_NAMES)}",
        city=city,
        state=state,
        state_name=state_name,
        postal_code=_postal(rng, country, postal_prefix),
        country=country,
        drivers_license=f"{state}{rng.randrange(10**7, 10**8)}",
        phone_parts=_number(rng, areas),
        email=f"{local}.{''.join(markets).lower()}{number}@{rng.choice(words.EMAIL_DOMAINS)}",
    )


def _postal(rng: random.Random, country: str, prefix: str) -> str:
    if country == "CA":
        digit, letter = rng.randrange(1, 10), rng.choice("ABCEGHJKLMNPRSTVXY")
        return f"{prefix} {digit}{letter}{rng.randrange(0, 10)}"
    return f"{prefix}{rng.randrange(0, 100):02d}"


def _number(rng: random.Random, areas: tuple[str, ...]) -> tuple[str, str, str]:
    """(area code, exchange, line): a valid NANP number in one of ``areas``."""
    area = rng.choice(areas)
    exchange = f"{rng.randrange(2, 10)}{rng.randrange(0, 10)}{rng.randrange(2, 10)}"
    if exchange[1:] == "11" or exchange == "555":
        exchange = "742"
    return area, exchange, f"{rng.randrange(0, 10000):04d}"


def customers_timeline(account: SandboxAccount) -> Timeline:
    return Timeline.ending_today(CUSTOMERS_SPAN_DAYS, account.customers, account.seed ^ 0xC0FFEE)


def _phone_parts(account: SandboxAccount, index: int, state: str) -> tuple[str, str, str]:
    slot = regular_slot(account, index)
    if slot is not None:
        return regular(account.markets, slot[0]).phone_parts
    return _number(_rng(account, "phone", index), words.MARKETS[state][3])


def _base_email(account: SandboxAccount, index: int) -> str:
    rng = _rng(account, "email", index)
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    local = local.encode("ascii", "ignore").decode() or "shopper"
    return f"{local}{rng.randrange(1, 999)}@{rng.choice(words.EMAIL_DOMAINS)}"


def person(account: SandboxAccount, index: int) -> Person:
    """Shopper ``index`` of ``account`` (0 <= index < account.customers)."""
    slot = regular_slot(account, index)
    if slot is not None:
        return _regular_person(account, index, *slot)
    rng = _rng(account, "person", index)
    local, other = local_market(account, index)
    state = local if rng.random() < 0.7 else other
    state_name, country, cities, _areas = words.MARKETS[state]
    city, postal_prefix = rng.choice(cities)
    first = rng.choice(words.FIRST_NAMES)
    last = rng.choice(words.LAST_NAMES)

    phone, phone_digits = _phone(account, index, rng, state)
    email = _email(account, index, rng, first, last)

    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 54))
    postal = _postal(rng, country, postal_prefix)
    member = rng.randrange(100) < LOYALTY_MEMBERS
    if member:
        # Once the lifetime points (now from the sales: sandbox/balances.py); the draw
        # stays so every value drawn after it is what it was.
        rng.randrange(0, 5000)
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
        created_ms=customers_timeline(account).at(index),
    )


def _regular_person(account: SandboxAccount, index: int, number: int, holds: str) -> Person:
    """A regular of the account's markets as this account has them on file: who they are
    is the regular's; their phone is typed the account's way; membership, points and when
    they joined are the account's own."""
    shared = regular(account.markets, number)
    rng = _rng(account, "regular", index)
    phone = digits = None
    if holds in (BOTH, PHONE_ONLY):
        area, exchange, line = shared.phone_parts
        shape = mix(account.seed ^ index) % len(PHONE_FORMATS)
        phone = PHONE_FORMATS[shape].format(a=area, e=exchange, l=line)
        digits = f"{area}{exchange}{line}"
    email = shared.email if holds in (BOTH, EMAIL_ONLY) else None
    member = rng.randrange(100) < LOYALTY_MEMBERS
    if member:
        # Once the lifetime points (now from the sales: sandbox/balances.py); the draw
        # stays so every value drawn after it is what it was.
        rng.randrange(0, 5000)
    return Person(
        index=index,
        first_name=shared.first_name,
        last_name=shared.last_name,
        phone=phone,
        phone_digits=digits,
        email=email,
        birth_date=shared.birth_date,
        gender=shared.gender,
        line1=shared.line1,
        city=shared.city,
        state=shared.state,
        state_name=shared.state_name,
        postal_code=shared.postal_code,
        country=shared.country,
        drivers_license=shared.drivers_license,
        pricing_group=1,
        loyalty_member=member,
        marketing_opt_in=rng.random() < 0.55,
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
    local, other = local_market(account, index)
    return local if rng.random() < 0.7 else other


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
