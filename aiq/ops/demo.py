"""The demo account that `make run` starts with: one company, three stores in two states,
an owner and a budtender, a few hundred personas with the mess real data has, and the
Cova, POSaBIT and Clover integration cards with sandbox credentials, connected, each POS
key mapped to the demo store in its city.

The sandboxes behind the demo credentials are in the demo's markets (Washington and
Oregon, see ``integrations/sandbox_credentials.py``), so the Cova card syncs to them and
keeps every Cova shopper, each store is some synced shopper's favorite, and a shopper on
file at two POSes is merged by the first syncs.

Everything is deterministic and idempotent: seeding an existing demo writes nothing. A
card is set up (credential, settings, Connect, store mappings) only until its first
Connect; after that it is the staff's, even if they disconnect it or a sync fails. The
demo users' passwords are set when they are created, or when a password is given.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from aiq.accounts.choices import Role
from aiq.accounts.models import Company, Membership
from aiq.ops.demo_queue import seed_queue
from aiq.ops.demo_sms import set_up_demo_sms
from aiq.personas.choices import Consent, EnrollmentRoute, Source
from aiq.personas.models import Persona, PersonaIdentity
from aiq.personas.normalize import normalize_email, normalize_phone
from ecommerce.demo import set_up_demo_ecommerce
from integrations.choices import EventAction
from integrations.models import Integration
from integrations.providers import PROVIDERS
from integrations.sandbox.server import running_sandbox
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from integrations.services.card_settings import ATTESTATION, update_card_settings
from integrations.services.cards import get_or_create_card
from integrations.services.connection import ConnectResult, connect
from integrations.services.credentials import add_credential
from integrations.services.store_mapping import set_store_mappings
from integrations.sync.policy import region_code
from loyalty.discounts.choices import DiscountKind
from loyalty.discounts.models import Discount
from loyalty.program.choices import ExpirationMode, Rounding
from loyalty.program.models import LoyaltyProgram
from loyalty.program.services import save_settings
from stores.models import RetailStore, StoreMapping

DEMO_COMPANY = "Evergreen Dispensary (demo)"
DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the local demo only
DEMO_PERSONAS = 300
EXTERNAL_ID_PREFIX = "demo-"

STORES = [
    ("Capitol Hill", "1520 Pike St", "Seattle", "WA", "98122", "America/Los_Angeles"),
    (
        "Spokane Valley",
        "14700 E Sprague Ave",
        "Spokane Valley",
        "WA",
        "99216",
        "America/Los_Angeles",
    ),
    ("Pearl District", "1100 NW Glisan St", "Portland", "OR", "97209", "America/Los_Angeles"),
]
MARKETS = list(dict.fromkeys(state for _name, _address, _city, state, _zip, _tz in STORES))
# Card settings besides the attestation: Cova syncs shoppers of the demo's markets only.
CARD_SETTINGS: dict[str, dict[str, object]] = {
    "cova": {"relevant_markets": MARKETS, "sync_to_relevant_market": True},
    # "Send SMS double opt-ins to Personas who purchased after": the Clover card's recent
    # buyers get a request through the Twilio sandbox (answer them at /sandbox/twilio/phone/).
    "clover": {"sms_double_opt_in_after": date.today() - timedelta(days=14)},
}
# A card with one of these in its history was connected once: the seed leaves it alone.
CONNECT_ACTIONS = (EventAction.CONNECTED, EventAction.CONNECT_FAILED, EventAction.DISCONNECTED)
AREA_CODES = {"WA": ["206", "253", "425", "509"], "OR": ["503", "541", "971"]}
FIRST_NAMES = [
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Zoe",
    "Ethan",
    "Nora",
    "Lucas",
    "Ivy",
    "Mateo",
    "Ruby",
    "Owen",
    "Jade",
    "Elijah",
    "Iris",
    "Caleb",
    "Luna",
    "Hugo",
    "Cora",
    "Felix",
    "Mila",
    "Theo",
    "Nina",
    "Leo",
    "Sage",
    "Ezra",
    "Wren",
    "Jonah",
    "Tess",
    "Miles",
    "Aria",
    "Silas",
    "Rosa",
    "Kai",
]
LAST_NAMES = [
    "Nguyen",
    "Garcia",
    "Smith",
    "Johnson",
    "Patel",
    "Kim",
    "Lopez",
    "Brown",
    "Davis",
    "Martinez",
    "Wilson",
    "Anderson",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Hall",
    "Allen",
    "Wright",
    "Torres",
    "Rivera",
    "Flores",
    "Chen",
    "Okafor",
    "Larsen",
    "Novak",
    "Singh",
]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me"]
INVALID_PHONES = ["555-12", "000-000-0000", "12345", "(206) 555", "n/a"]


@dataclass(frozen=True)
class DemoResult:
    company: Company
    password: str | None  # None: the demo users already existed and kept their passwords
    personas_created: int
    cards_connected: int = 0
    stores_mapped: int = 0


def _phone_in_some_format(rng: random.Random, area: str) -> str:
    while True:
        exchange = rng.randint(201, 989)
        line = rng.randint(0, 9999)
        if exchange == 555:
            continue
        digits = f"{area}{exchange}{line:04d}"
        if normalize_phone(digits, "US"):
            break
    style = rng.randrange(4)
    if style == 0:
        return f"({area}) {exchange}-{line:04d}"
    if style == 1:
        return f"{area}-{exchange}-{line:04d}"
    if style == 2:
        return f"+1 {area} {exchange} {line:04d}"
    return digits


def _reformat(phone: str) -> str:
    """The same number written another way, as a second POS or a form would."""
    digits = "".join(ch for ch in phone if ch.isdigit())[-10:]
    return f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"


def _persona_rows(company: Company, stores: list[RetailStore]) -> list[tuple[Persona, Source]]:
    rng = random.Random(20261122)
    base_time = datetime(2026, 1, 1, tzinfo=UTC)
    rows: list[tuple[Persona, Source]] = []
    earlier_phones: list[str] = []
    for index in range(DEMO_PERSONAS):
        store = rng.choice(stores)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        roll = rng.random()
        if roll < 0.05:
            phone = rng.choice(INVALID_PHONES)
        elif roll < 0.12 and earlier_phones:
            phone = _reformat(rng.choice(earlier_phones))  # a duplicate by phone format
        elif roll < 0.17:
            phone = ""
        else:
            phone = _phone_in_some_format(rng, rng.choice(AREA_CODES[store.state]))
            earlier_phones.append(phone)
        email = ""
        if rng.random() > 0.15:
            email = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
            if rng.random() < 0.2:
                email = f"  {email.upper()} "  # as typed at a busy counter
        enrolled = rng.random() < 0.6
        joined = base_time + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1440))
        source = rng.choices([Source.IMPORT, Source.SIGNUP_FORM, Source.API], weights=[6, 3, 1])[0]
        # A seeded persona joined the program the way it reached us: never "point of sale",
        # which only a POS identity (synced later) could explain.
        route = {
            Source.IMPORT: EnrollmentRoute.IMPORT,
            Source.SIGNUP_FORM: EnrollmentRoute.SIGNUP_FORM,
            Source.API: EnrollmentRoute.API,
        }[source]
        persona = Persona(
            company=company,
            first_name=first,
            last_name=last,
            email=normalize_email(email),
            phone_raw=phone,
            phone=normalize_phone(phone, company.phone_region),
            birth_date=date(rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            city=store.city,
            state=store.state,
            postal_code=store.postal_code,
            country="US",
            favorite_store=store if rng.random() < 0.85 else None,
            loyalty_enrolled_at=joined if enrolled else None,
            loyalty_enrollment_route=route if enrolled else "",
            sms_consent=rng.choice(list(Consent.values)),
            email_consent=rng.choice([Consent.UNKNOWN, Consent.OPTED_IN, Consent.OPTED_OUT]),
        )
        persona._demo_index = index  # type: ignore[attr-defined]
        persona._demo_joined = joined  # type: ignore[attr-defined]
        rows.append((persona, source))
    return rows


def _ensure_user(company: Company, username: str, role: str, password: str | None) -> bool:
    """The demo user, created with ``password`` (or the default); an existing one gets
    ``password`` only when one is given. True when a password was set."""
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": True, "email": f"{username}@example.com"}
    )
    if created or password is not None:
        user.set_password(password or DEFAULT_PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, defaults={"company": company, "role": role})
    return created or password is not None


def seed_demo(password: str | None = None) -> DemoResult:
    """Create (or complete) the demo account; returns what a person needs to log in.

    The account's rows are written in one transaction; then the integration cards not yet
    set up connect to the POS sandboxes, outside it (no transaction stays open across
    HTTP), and their POS keys are mapped to the demo stores.
    """
    result = _seed_account(password)
    set_up_demo_sms(result.company)
    connected, mapped = _set_up_demo_cards(result.company)
    # After the cards: the ecommerce store is the one mapped to a Cova location.
    set_up_demo_ecommerce(result.company)
    return DemoResult(
        company=result.company,
        password=result.password,
        personas_created=result.personas_created,
        cards_connected=connected,
        stores_mapped=mapped,
    )


def _cards_to_set_up(company: Company, owner: object) -> list[Integration]:
    """The demo cards never connected (new, or left by a seed that stopped early), with
    their sandbox credential and settings; a card connected once is left as it is."""
    cards = []
    for provider in PROVIDERS:
        card = get_or_create_card(company, provider, actor=owner)
        if card.events.filter(action__in=CONNECT_ACTIONS).exists():
            continue
        if not card.credentials.exists():
            # Issued by this server's sandbox, so Sync Personas may write to it too.
            values = issue_sandbox_credentials(provider, DEMO_SANDBOX_CREDENTIALS[provider])
            add_credential(card, values, is_sandbox=True, actor=owner)
        settings = {ATTESTATION: True, **CARD_SETTINGS.get(provider, {})}
        update_card_settings(card, settings, actor=owner)
        cards.append(card)
    return cards


def _set_up_demo_cards(company: Company) -> tuple[int, int]:
    """Connect the cards not set up yet against an in-process sandbox (the web server is
    not up while seeding) and map their POS keys. Returns (cards connected, keys mapped)."""
    # The seed acts as AIQ, not as the owner: no card history in a person's name for
    # something that person never did (the history shows "AIQ" for actions without one).
    owner = None
    with transaction.atomic():
        cards = _cards_to_set_up(company, owner)
        _enroll_demo_buyers(cards, owner)
    if not cards:
        return 0, 0
    with running_sandbox() as origin:
        results = [connect(card, actor=owner, sandbox_origin=origin) for card in cards]
    stores = list(RetailStore.objects.filter(company=company))
    mapped = sum(
        _map_to_stores(card, result, stores, owner)
        for card, result in zip(cards, results, strict=True)
    )
    return sum(result.ok for result in results), mapped


# Before any sale the Cova sandbox serves (its history is the last 90 days).
DEMO_ENROLL_AFTER = date(2020, 1, 1)


def _enroll_demo_buyers(cards: list[Integration], owner: object) -> None:
    """The Cova card enrolls its shoppers with a sale in loyalty ("Enroll Personas in
    loyalty program who purchased after"); its first sync applies it. Only cards being
    set up now: an existing demo is left as it is."""
    for card in cards:
        if card.provider == "cova" and card.enroll_loyalty_after is None:
            update_card_settings(card, {"enroll_loyalty_after": DEMO_ENROLL_AFTER}, actor=owner)


def _map_to_stores(
    card: Integration, result: ConnectResult, stores: list[RetailStore], owner: object
) -> int:
    """Map each POS key Connect found to the demo store in the same city and state, where
    neither the key nor that store's row for the POS is mapped yet. Returns how many."""
    by_place = {(store.city.casefold(), region_code(store.state)): store for store in stores}
    taken = StoreMapping.objects.filter(company=card.company_id, provider=card.provider)
    mapped = 0
    for check in result.checks:
        for location in check.locations:
            store = by_place.get(((location.city or "").casefold(), region_code(location.state)))
            if store is None or taken.filter(store=store).exists():
                continue
            if taken.filter(key=location.key).exists():
                continue
            set_store_mappings(store, {card.provider: location.key}, actor=owner)
            mapped += 1
    return mapped


@transaction.atomic
def _seed_account(password: str | None) -> DemoResult:
    company, _ = Company.objects.get_or_create(name=DEMO_COMPANY, defaults={"phone_region": "US"})
    stores = []
    for name, address, city, state, postal_code, time_zone in STORES:
        store, _ = RetailStore.objects.get_or_create(
            company=company,
            name=name,
            defaults={
                "address_line1": address,
                "city": city,
                "state": state,
                "postal_code": postal_code,
                "time_zone": time_zone,
            },
        )
        stores.append(store)
    password_set = _ensure_user(company, "owner", Role.OWNER, password)
    password_set |= _ensure_user(company, "budtender", Role.BUDTENDER, password)

    existing = set(
        PersonaIdentity.objects.filter(
            company=company, external_id__startswith=EXTERNAL_ID_PREFIX
        ).values_list("external_id", flat=True)
    )
    missing = [
        (persona, source)
        for persona, source in _persona_rows(company, stores)
        if f"{EXTERNAL_ID_PREFIX}{persona._demo_index:04d}" not in existing  # type: ignore[attr-defined]
    ]
    created = Persona.objects.bulk_create([persona for persona, _ in missing], batch_size=500)
    PersonaIdentity.objects.bulk_create(
        [
            PersonaIdentity(
                company=company,
                persona=persona,
                source=source,
                external_id=f"{EXTERNAL_ID_PREFIX}{persona._demo_index:04d}",  # type: ignore[attr-defined]
                first_seen_at=persona._demo_joined,  # type: ignore[attr-defined]
                last_seen_at=persona._demo_joined,  # type: ignore[attr-defined]
            )
            for persona, (_, source) in zip(created, missing, strict=True)
        ],
        batch_size=500,
    )
    _seed_loyalty(company, stores)
    _seed_audiences(company)
    seed_queue(stores)
    return DemoResult(
        company=company,
        password=(password or DEFAULT_PASSWORD) if password_set else None,
        personas_created=len(created),
    )


# The demo's loyalty program: synced sales from the sandboxes' history earn (the accrual
# start is before it), FIFO lots show expiry dates on the persona card.
DEMO_LOYALTY = {
    "enabled": True,
    "points_per_dollar": Decimal("1"),
    "points_per_visit": Decimal("10"),
    "max_visits_per_day": 1,
    "rounding": Rounding.DOWN,
    "accrual_start_date": date(2024, 1, 1),
    "expiration_mode": ExpirationMode.FIFO,
    "expiration_days": 365,
    # The demo's budtender works the Capitol Hill queue: they land on it after login.
    "budtender_can_see_queue": True,
}
# (name, kind, value, points, store limited to)
DEMO_DISCOUNTS = [
    ("$5 off", DiscountKind.FLAT, Decimal("5"), Decimal("100"), None),
    ("10% off", DiscountKind.PERCENT, Decimal("10"), Decimal("250"), None),
    ("$20 off", DiscountKind.FLAT, Decimal("20"), Decimal("400"), None),
    ("Capitol Hill $10 off", DiscountKind.FLAT, Decimal("10"), Decimal("150"), "Capitol Hill"),
]


def _seed_loyalty(company: Company, stores: list[RetailStore]) -> None:
    """The loyalty program and discounts, each only when missing: staff changes stand."""
    if not LoyaltyProgram.objects.filter(company=company).exists():
        save_settings(company, DEMO_LOYALTY, actor=None)
    by_name = {store.name: store for store in stores}
    existing = set(Discount.objects.filter(company=company).values_list("name", flat=True))
    for name, kind, value, points, store_name in DEMO_DISCOUNTS:
        if name in existing:
            continue
        discount = Discount.objects.create(
            company=company, name=name, kind=kind, value=value, points_cost=points
        )
        if store_name:
            discount.stores.add(by_name[store_name])


# The FAQ's two audiences. Cova's sandbox sends pricing group ids as text ("2": medical).
DEMO_AUDIENCES = [
    ("Delivery", [{"type": "fulfillment", "value": "delivery"}]),
    (
        "Cova pricing group 2",
        [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "2"}],
    ),
]


def _seed_audiences(company: Company) -> None:
    """The seed's two audiences, each only when missing: staff edits stand."""
    from aiq.audiences.models import Audience

    for name, conditions in DEMO_AUDIENCES:
        Audience.objects.get_or_create(
            company=company, name=name, defaults={"conditions": conditions}
        )
