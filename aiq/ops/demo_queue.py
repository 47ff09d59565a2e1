"""The demo's waiting room: the opt-in queue on at one store, a few shoppers waiting.

The shoppers waiting are regulars: loyalty members whose recent visits the store's
register posted through the loyalty sales API, so a budtender opening one sees purchases
and a balance. The POS syncs bring sales only for the sandboxes' own shoppers, and only
after the seed, so a demo persona picked for the queue would otherwise have neither. Their
visits go through the API's own service (``post_visits``: the sync's sales writer, then
earning into the ledger), never a balance written directly.

Seeded once: when the store already has its queue row, staff have had it (and may have
turned it off or served everyone since), and a second seed writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from aiq.personas.choices import Source
from aiq.personas.models import Persona
from loyalty.api.keys import create_api_key
from loyalty.api.sales.service import post_visits
from loyalty.api.sales.visits import Line, Visit
from stores.models import RetailStore
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn, CheckInEvent, StoreQueue
from stores.queue.services import queue_of

QUEUE_STORE = "Capitol Hill"
# (minutes waiting, door) of demo personas with phones, then a name-only walk-in.
WAITING = [(14, CheckInDoor.CHECK_IN_PAGE), (9, CheckInDoor.CHECK_IN_PAGE), (4, CheckInDoor.API)]
NAME_ONLY = (2, CheckInDoor.WALK_IN, "Sam (no phone)")
# Each waiting shopper's earlier visits: (days ago, category, brand, units, unit price).
VISITS = [
    (27, "Flower", "Acme Farms", 2, Decimal("22.50")),
    (12, "Edibles", "Greenleaf", 1, Decimal("18.00")),
    (3, "Vapes", "Acme Farms", 1, Decimal("35.00")),
]
REGISTER_KEY = "Capitol Hill register (demo)"


def seed_queue(stores: list[RetailStore]) -> None:
    store = next((s for s in stores if s.name == QUEUE_STORE), None)
    if store is None or StoreQueue.objects.filter(store=store).exists():
        return
    if not store.opt_in_queue_enabled:
        store.opt_in_queue_enabled = True
        store.save(update_fields=["opt_in_queue_enabled", "updated_at"])
    queue = queue_of(store)
    now = timezone.now()
    first_visit = now - timedelta(days=VISITS[0][0] + 1)
    # Members before their first visit (so it earns), reached through an "api" identity:
    # their visits link by that id, not by phone, which would merge the demo's
    # deliberate duplicates.
    shoppers = list(
        Persona.objects.filter(
            company=store.company,
            loyalty_enrolled_at__lte=first_visit,
            identities__source=Source.API,
        )
        .exclude(phone="")
        .exclude(first_name="")
        .distinct()
        .order_by("pk")[: len(WAITING)]
    )
    _post_visits(store, shoppers, now)
    # Written directly rather than through check_in(): the demo's personas already exist,
    # and matching them again by phone would merge the demo's deliberate duplicates.
    for persona, (minutes, door) in zip(shoppers, WAITING, strict=False):
        _waiting(store, now - timedelta(minutes=minutes), door, persona.full_name, persona)
    minutes, door, name = NAME_ONLY
    _waiting(store, now - timedelta(minutes=minutes), door, name, None)
    queue.version = len(shoppers) + 1
    queue.save(update_fields=["version", "updated_at"])


def _post_visits(store: RetailStore, shoppers: list[Persona], now: datetime) -> None:
    """The shoppers' visits at ``store``, as its register posts them (a key of that store)."""
    identities = {
        persona.pk: persona.identities.get(source=Source.API).external_id for persona in shoppers
    }
    key = create_api_key(store.company, REGISTER_KEY, store=store).key
    visits = [
        Visit(
            pos_id=f"demo-visit-{persona.pk}-{number}",
            pos_user=identities[persona.pk],
            pos_type="",
            location="",
            occurred_at=now - timedelta(days=days),
            total=units * price,
            is_refund=False,
            lines=(
                Line(
                    sku="",
                    name=f"{brand} {category}",
                    category=category,
                    quantity=Decimal(units),
                    unit_price=price,
                    discount=Decimal("0.00"),
                    total=units * price,
                    brand=brand,
                ),
            ),
            member=None,
        )
        for persona in shoppers
        for number, (days, category, brand, units, price) in enumerate(VISITS)
    ]
    post_visits(key, visits, now)


def _waiting(
    store: RetailStore, at: datetime, door: str, name: str, persona: Persona | None
) -> None:
    entry = CheckIn.objects.create(
        company=store.company,
        store=store,
        persona=persona,
        name=name,
        phone=persona.phone_raw if persona is not None else "",
        door=door,
        state=QueueState.WAITING,
        checked_in_at=at,
        state_changed_at=at,
    )
    CheckInEvent.objects.create(
        company=store.company, check_in=entry, to_state=QueueState.WAITING, at=at
    )
