"""The queue's writes: a shopper checks in (any door), staff move a check-in along.

Every write bumps the store's queue version in the same transaction, so the pages
polling it see the change on their next poll and nothing else does any work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from aiq.messaging.opt_in_request import ask_to_confirm
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance, EnrollmentRoute, Source
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.ingest import IncomingShopper, ingest_shoppers
from aiq.personas.models import Persona
from aiq.personas.normalize import normalize_email, normalize_phone
from loyalty.api.signups import SIGNUP_LOCK_NAMESPACE
from loyalty.enrollment.direct import enroll
from stores.models import RetailStore
from stores.queue.choices import TRANSITIONS, QueueState
from stores.queue.models import CheckIn, CheckInEvent, StoreQueue, new_check_in_token


class QueueClosed(Exception):
    """The store's opt-in queue is off: nobody checks in there."""

    def __init__(self, store: RetailStore) -> None:
        super().__init__(f"{store.name} is not taking check-ins right now.")


class MoveRefused(Exception):
    """The check-in is not in a state it can leave for the one asked (someone else moved
    it first, or the move does not exist)."""


@dataclass(frozen=True)
class Arrival:
    """A shopper at the door, as typed: a phone, or a name when they have none."""

    name: str = ""
    phone: str = ""
    # Only the API door sends one (a POS waiting room may know the shopper's email).
    email: str = ""
    # Joining the loyalty program on the spot, with the wording they agreed to.
    join_loyalty: bool = False
    sms_opt_in: bool = False
    consent_wording: str = ""


def queue_of(store: RetailStore) -> StoreQueue:
    """The store's queue row, created the first time anyone asks."""
    queue, _ = StoreQueue.objects.get_or_create(store=store, defaults={"company": store.company})
    return queue


def new_check_in_link(store: RetailStore) -> StoreQueue:
    """Give the store a new check-in token: the old link (say, leaked) stops working."""
    queue = queue_of(store)
    queue.check_in_token = new_check_in_token()
    queue.save(update_fields=["check_in_token", "updated_at"])
    return queue


def bump_version(store_id: int) -> None:
    """Tell the pages watching this store's queue that it changed."""
    StoreQueue.objects.filter(store_id=store_id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def check_in(store: RetailStore, arrival: Arrival, door: str, *, by: Any = None) -> CheckIn:
    """Put a shopper on the store's queue, linked to their persona when they gave a phone
    or an email (found by the persona matching every source uses, created when absent)."""
    if not store.opt_in_queue_enabled:
        raise QueueClosed(store)
    phone = normalize_phone(arrival.phone, store.company.phone_region) if arrival.phone else ""
    email = normalize_email(arrival.email)
    now = timezone.now()
    staff = by if getattr(by, "pk", None) else None
    with transaction.atomic():
        queue_of(store)
        persona = None
        if phone or email:
            # The API's signups and the door's check-ins make personas from the same
            # numbers: one lock, so two of them at once make one persona, not two.
            _serialise_signups(store.company_id)
            persona = _persona_for(store, arrival, phone, email, now)
        if persona is not None and arrival.join_loyalty:
            _sign_up(persona, store, arrival, staff)
        entry = CheckIn.objects.create(
            company=store.company,
            store=store,
            persona=persona,
            name=arrival.name.strip(),
            phone=arrival.phone.strip(),
            door=door,
            state=QueueState.WAITING,
            checked_in_at=now,
            state_changed_at=now,
            state_changed_by=staff,
        )
        CheckInEvent.objects.create(
            company=store.company, check_in=entry, to_state=QueueState.WAITING, by=staff, at=now
        )
        bump_version(store.pk)
    return entry


def _serialise_signups(company_id: int) -> None:
    # SQLite serialises writers anyway; PostgreSQL holds the lock until commit.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [SIGNUP_LOCK_NAMESPACE, company_id]
            )


def _persona_for(store: RetailStore, arrival: Arrival, phone: str, email: str, now: Any) -> Persona:
    first, _, last = arrival.name.strip().partition(" ")
    shopper = IncomingShopper(
        external_id=f"phone:{phone}" if phone else f"email:{email}",
        # A fresh hash: a check-in is always matched and applied, never skipped as unchanged.
        content_hash=uuid.uuid4().hex,
        first_name=first,
        last_name=last.strip(),
        phone=phone,
        phone_raw=arrival.phone.strip(),
        email=email,
    )
    result = ingest_shoppers(
        store.company, Source.QUEUE, [shopper], now=now, merge_label="Queue check-in"
    )
    persona = Persona.objects.get(pk=next(iter(result.persona_ids)))
    if persona.favorite_store_id is None:
        persona.favorite_store = store
        persona.save(update_fields=["favorite_store", "updated_at"])
    return persona


def _sign_up(persona: Persona, store: RetailStore, arrival: Arrival, staff: Any) -> None:
    enroll(persona, EnrollmentRoute.SIGNUP_FORM, staff_user=staff, source=Source.QUEUE)
    if arrival.sms_opt_in:
        origin = ConsentOrigin(
            provenance=ConsentProvenance.SIGNUP_FORM,
            source=f"queue:check-in at {store.name}",
            staff_user=staff,
            evidence=arrival.consent_wording[:300],
        )
        # Pending: the double opt-in text confirms it, as for any signup form.
        change = change_consent(
            persona, ConsentChannel.SMS, Consent.PENDING, origin, shopper_asked=True
        )
        if change.event is not None:
            ask_to_confirm(persona)  # the double opt-in text


def move(entry: CheckIn, to_state: str, *, by: Any) -> CheckIn:
    """Move a check-in to ``to_state`` and record who did it.

    A conditional UPDATE decides between two budtenders tapping at once: the second finds
    the state already changed and is refused, and no history row is written for it.
    """
    to_state = QueueState(to_state)
    if to_state not in TRANSITIONS[entry.state]:
        raise MoveRefused(f"A {entry.get_state_display().lower()} check-in cannot become that.")
    now = timezone.now()
    staff = by if getattr(by, "pk", None) else None
    with transaction.atomic():
        changed = CheckIn.objects.filter(pk=entry.pk, state=entry.state).update(
            state=to_state, state_changed_at=now, state_changed_by=staff, updated_at=now
        )
        if not changed:
            raise MoveRefused("Someone else moved this check-in first.")
        CheckInEvent.objects.create(
            company_id=entry.company_id,
            check_in=entry,
            from_state=entry.state,
            to_state=to_state,
            by=staff,
            at=now,
        )
        bump_version(entry.store_id)
    entry.state, entry.state_changed_at, entry.state_changed_by = to_state, now, staff
    return entry
