from __future__ import annotations

import pytest

from aiq.personas.choices import Source
from aiq.personas.models import Persona
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn, CheckInEvent, StoreQueue
from stores.queue.services import Arrival, MoveRefused, QueueClosed, check_in, move
from tests.factories import MembershipFactory, PersonaFactory, RetailStoreFactory


@pytest.mark.django_db
def test_check_in_by_phone_links_the_existing_persona_and_bumps_the_version(open_store):
    # given a shopper the company already has
    persona = PersonaFactory(company=open_store.company, phone="+12065550134")
    # when they check in typing their number their own way
    entry = check_in(open_store, Arrival(phone="(206) 555-0134"), CheckInDoor.CHECK_IN_PAGE)
    # then the check-in is theirs, waiting, with one history row, and the queue changed
    assert entry.persona_id == persona.pk
    assert entry.state == QueueState.WAITING
    assert entry.phone == "(206) 555-0134"
    assert list(entry.events.values_list("from_state", "to_state")) == [("", "waiting")]
    assert StoreQueue.objects.get(store=open_store).version == 1
    assert Persona.objects.filter(company=open_store.company).count() == 1


@pytest.mark.django_db
def test_check_in_with_a_new_phone_creates_a_persona_sourced_from_the_queue(open_store):
    entry = check_in(open_store, Arrival(name="Ada Lovelace", phone="206-555-0199"), "walk_in")
    persona = entry.persona
    assert (persona.first_name, persona.last_name, persona.phone) == (
        "Ada",
        "Lovelace",
        "+12065550199",
    )
    assert list(persona.identities.values_list("source", flat=True)) == [Source.QUEUE]
    assert persona.favorite_store_id == open_store.pk
    assert not persona.is_loyalty_member


@pytest.mark.django_db
def test_a_name_only_check_in_has_no_persona(open_store):
    entry = check_in(open_store, Arrival(name="Grace"), CheckInDoor.WALK_IN)
    assert entry.persona_id is None
    assert entry.display_name == "Grace"
    assert Persona.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_queue_refuses_and_writes_nothing(company_a):
    store = RetailStoreFactory(company=company_a, opt_in_queue_enabled=False)
    with pytest.raises(QueueClosed, match="not taking check-ins"):
        check_in(store, Arrival(phone="2065550134"), CheckInDoor.CHECK_IN_PAGE)
    assert CheckIn.objects.count() == 0
    assert Persona.objects.count() == 0


@pytest.mark.django_db
def test_moves_follow_the_transitions_and_keep_who_and_when(open_store):
    staff = MembershipFactory(company=open_store.company).user
    entry = check_in(open_store, Arrival(name="Grace"), CheckInDoor.WALK_IN)

    move(entry, QueueState.BEING_SERVED, by=staff)
    move(entry, QueueState.DONE, by=staff)

    entry.refresh_from_db()
    assert entry.state == QueueState.DONE
    assert entry.state_changed_by == staff
    history = list(entry.events.values_list("from_state", "to_state", "by"))
    assert history == [
        ("", "waiting", None),
        ("waiting", "being_served", staff.pk),
        ("being_served", "done", staff.pk),
    ]
    assert StoreQueue.objects.get(store=open_store).version == 3
    # done is final
    with pytest.raises(MoveRefused):
        move(entry, QueueState.WAITING, by=staff)
    assert entry.events.count() == 3


@pytest.mark.django_db
def test_a_stale_move_loses_to_the_one_made_first(open_store):
    # given two budtenders looking at the same waiting shopper
    entry = check_in(open_store, Arrival(name="Grace"), CheckInDoor.WALK_IN)
    stale = CheckIn.objects.get(pk=entry.pk)
    move(entry, QueueState.BEING_SERVED, by=None)
    # when the second taps "No-show" on their stale copy
    with pytest.raises(MoveRefused, match="first"):
        move(stale, QueueState.NO_SHOW, by=None)
    # then the first move stands and the history has no row for the second
    assert CheckIn.objects.get(pk=entry.pk).state == QueueState.BEING_SERVED
    assert CheckInEvent.objects.filter(check_in=entry).count() == 2


@pytest.mark.django_db
def test_history_rows_cannot_be_rewritten(open_store):
    entry = check_in(open_store, Arrival(name="Grace"), CheckInDoor.WALK_IN)
    event = entry.events.get()
    event.to_state = QueueState.DONE
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert entry.events.get().to_state == QueueState.WAITING


@pytest.mark.django_db
def test_the_demo_seeds_a_waiting_room_once():
    from aiq.ops.demo import _seed_account

    _seed_account(None)
    store = StoreQueue.objects.select_related("store").get().store
    assert store.name == "Capitol Hill" and store.opt_in_queue_enabled
    waiting = CheckIn.objects.filter(store=store, state=QueueState.WAITING)
    assert waiting.count() == 4
    assert waiting.filter(persona__isnull=False).count() == 3
    # staff serve one; a second seed leaves the queue as they left it
    move(waiting.first(), QueueState.BEING_SERVED, by=None)
    _seed_account(None)
    assert CheckIn.objects.count() == 4
    assert CheckIn.objects.filter(state=QueueState.WAITING).count() == 3
