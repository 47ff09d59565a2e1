"""The demo's waiting room: the opt-in queue on at one store, a few shoppers waiting.

Seeded once: when the store already has its queue row, staff have had it (and may have
turned it off or served everyone since), and a second seed writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from aiq.personas.models import Persona
from stores.models import RetailStore
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn, CheckInEvent, StoreQueue
from stores.queue.services import queue_of

QUEUE_STORE = "Capitol Hill"
# (minutes waiting, door) of demo personas with phones, then a name-only walk-in.
WAITING = [(14, CheckInDoor.CHECK_IN_PAGE), (9, CheckInDoor.CHECK_IN_PAGE), (4, CheckInDoor.API)]
NAME_ONLY = (2, CheckInDoor.WALK_IN, "Sam (no phone)")


def seed_queue(stores: list[RetailStore]) -> None:
    store = next((s for s in stores if s.name == QUEUE_STORE), None)
    if store is None or StoreQueue.objects.filter(store=store).exists():
        return
    if not store.opt_in_queue_enabled:
        store.opt_in_queue_enabled = True
        store.save(update_fields=["opt_in_queue_enabled", "updated_at"])
    queue = queue_of(store)
    shoppers = list(
        Persona.objects.filter(company=store.company)
        .exclude(phone="")
        .exclude(first_name="")
        .order_by("pk")[: len(WAITING)]
    )
    now = timezone.now()
    # Written directly rather than through check_in(): the demo's personas already exist,
    # and matching them again by phone would merge the demo's deliberate duplicates.
    for persona, (minutes, door) in zip(shoppers, WAITING, strict=False):
        _waiting(store, now - timedelta(minutes=minutes), door, persona.full_name, persona)
    minutes, door, name = NAME_ONLY
    _waiting(store, now - timedelta(minutes=minutes), door, name, None)
    queue.version = len(shoppers) + 1
    queue.save(update_fields=["version", "updated_at"])


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
