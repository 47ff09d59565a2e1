"""The demo tells one story: its stores, store mappings, markets, cards and shoppers agree,
a sync of it merges a shopper seen in two POSes, and seeding it again changes nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.accounts.models import Membership
from aiq.ops.demo import seed_demo
from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge
from integrations.choices import IntegrationStatus
from integrations.models import Credential, Integration, IntegrationEvent, PosKey, SyncRun
from integrations.sandbox import server
from integrations.sandbox.people import person
from integrations.services.connection import disconnect
from integrations.services.status import set_status
from integrations.services.store_mapping import unmapped_pos_keys
from integrations.sync.policy import policy_for
from loyalty.discounts.models import Discount
from loyalty.hooks import personas_synced
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.verify import verify
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore, StoreMapping
from tests.sandbox.conftest import demo_account

PROVIDERS = ("cova", "posabit", "clover")
WRITES = ("INSERT", "UPDATE", "DELETE")


def _state() -> dict[str, object]:
    """Everything seeding may touch, to compare before and after."""
    users = get_user_model().objects.order_by("username")
    return {
        "users": list(users.values_list("username", "password", "is_staff")),
        "memberships": list(Membership.objects.order_by("pk").values_list("user", "role")),
        "stores": list(RetailStore.objects.order_by("pk").values_list("pk", "updated_at")),
        "mappings": list(StoreMapping.objects.order_by("pk").values_list("store", "key")),
        "personas": Persona.objects.count(),
        "identities": PersonaIdentity.objects.count(),
        "cards": list(Integration.objects.order_by("pk").values_list("status", "updated_at")),
        "credentials": list(Credential.objects.order_by("pk").values_list("state", "updated_at")),
        "pos_keys": PosKey.objects.count(),
        "events": IntegrationEvent.objects.count(),
    }


@pytest.mark.django_db
def test_the_demo_cova_card_syncs_to_its_market_and_keeps_every_cova_shopper():
    # given the seeded demo
    seed_demo()
    credential = Credential.objects.get(integration__provider="cova")

    # when its Cova sync reads the card's settings
    policy = policy_for(credential)

    # then it syncs to the demo's markets only, and every sandbox Cova shopper is in them
    assert credential.integration.sync_to_relevant_market is True
    assert policy.markets == frozenset({"WA", "OR"})
    account = demo_account("cova")
    states = {person(account, index).state for index in range(account.customers)}
    assert states == {"WA", "OR"}
    assert all(policy.in_market(state) for state in states)


@pytest.mark.django_db
def test_the_seed_maps_every_sandbox_key_to_the_demo_store_in_its_city():
    result = seed_demo()

    assert not unmapped_pos_keys(result.company).exists()
    stores = {store.pk: store for store in RetailStore.objects.filter(company=result.company)}
    mapped = {
        (mapping.provider, stores[mapping.store_id].name)
        for mapping in StoreMapping.objects.filter(company=result.company)
    }
    assert mapped == {
        ("cova", "Capitol Hill"),
        ("cova", "Spokane Valley"),
        ("cova", "Pearl District"),
        ("posabit", "Capitol Hill"),
        ("clover", "Pearl District"),
    }
    for key in PosKey.objects.all():
        mapping = StoreMapping.objects.get(provider=key.integration.provider, key=key.key)
        assert stores[mapping.store_id].state == key.state


@pytest.mark.django_db
def test_seeding_an_existing_demo_changes_nothing():
    # given a seeded demo that staff and syncs have since changed
    seed_demo()
    owner = get_user_model().objects.get(username="owner")
    disconnect(Integration.objects.get(provider="posabit"), actor=owner)
    clover = Integration.objects.get(provider="clover")
    set_status(clover, IntegrationStatus.NEEDS_ATTENTION, "A sync failed")
    clover.save()
    owner.set_password("Changed-By-Owner-1")
    owner.save()
    before = _state()

    # when it is seeded again, as `make run` does every time
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", stdout=io.StringIO())

    # then nothing was written: no card re-connected, no history, no password reset
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(WRITES)]
    assert writes == []
    assert _state() == before
    statuses = dict(Integration.objects.values_list("provider", "status"))
    assert statuses == {
        "cova": IntegrationStatus.CONNECTED,
        "posabit": IntegrationStatus.NOT_CONNECTED,
        "clover": IntegrationStatus.NEEDS_ATTENTION,
    }
    owner.refresh_from_db()
    assert owner.check_password("Changed-By-Owner-1")


@pytest.mark.django_db
def test_a_password_given_to_the_seed_is_set_and_nothing_else_changes():
    seed_demo()
    events = IntegrationEvent.objects.count()

    out = io.StringIO()
    call_command("seed_demo", "--password", "New-Demo-Pass-7", stdout=out)

    assert "owner / New-Demo-Pass-7" in out.getvalue()
    for username in ("owner", "budtender"):
        assert get_user_model().objects.get(username=username).check_password("New-Demo-Pass-7")
    assert IntegrationEvent.objects.count() == events


@pytest.fixture
def sandbox_origin(monkeypatch, settings):
    """The app served on a free port, where `sync_pos` finds the sandboxes."""
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    with server.running_sandbox() as origin:
        settings.POS_SANDBOX_ORIGIN = origin
        yield origin


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_synced_demo_has_favorite_stores_everywhere_and_a_recorded_merge(sandbox_origin):
    # given the seeded demo
    result = seed_demo()
    events = IntegrationEvent.objects.count()

    # when every card syncs, as the worker does a minute after `make run`
    out = io.StringIO()
    call_command("sync_pos", "--all", "--json", stdout=out, stderr=io.StringIO())
    report = json.loads(out.getvalue())

    # then every card synced, and the Cova card's market kept every Cova shopper
    assert {entry["provider"] for entry in report["integrations"]} == set(PROVIDERS)
    cova_run = SyncRun.objects.get(integration__provider="cova", stream="customers")
    assert cova_run.details.get("outside_market", 0) == 0
    assert cova_run.created > 0
    # every demo store is the favorite store of shoppers synced from the POS
    synced = Persona.objects.filter(identities__source__in=PROVIDERS).distinct()
    for store in RetailStore.objects.filter(company=result.company):
        assert synced.filter(favorite_store=store).exists(), store.name
    # the shopper on file twice at one POS and once at another became one persona
    merge = PersonaMerge.objects.filter(reason__startswith="Matched while syncing").first()
    assert merge is not None
    sources = set(merge.survivor.identities.values_list("source", flat=True))
    assert len(sources & set(PROVIDERS)) >= 2

    # and seeding the synced demo again adds no card history
    seed_demo()
    assert IntegrationEvent.objects.count() == events


@pytest.mark.django_db
def test_the_seed_writes_no_card_history_in_a_persons_name():
    # When the demo is seeded from scratch
    seed_demo()

    # Then its cards' history says AIQ set them up, not the owner who never clicked
    events = IntegrationEvent.objects.all()
    assert events.filter(action="connected").count() == len(PROVIDERS)
    assert not events.filter(actor__isnull=False).exists()


@pytest.mark.django_db
def test_the_demo_has_a_loyalty_program_and_discounts_seeded_once():
    # given the seeded demo
    result = seed_demo()
    # then its program earns 1 pt/$ and 10 a visit, FIFO over 365 days, with four discounts
    program = LoyaltyProgram.objects.get(company=result.company)
    assert (program.enabled, program.points_per_dollar, program.points_per_visit) == (
        True,
        Decimal("1"),
        Decimal("10"),
    )
    assert (program.expiration_mode, program.expiration_days) == (ExpirationMode.FIFO, 365)
    names = set(Discount.objects.filter(company=result.company).values_list("name", flat=True))
    assert names == {"$5 off", "10% off", "$20 off", "Capitol Hill $10 off"}
    limited = Discount.objects.get(name="Capitol Hill $10 off")
    assert list(limited.stores.values_list("name", flat=True)) == ["Capitol Hill"]
    # and a changed program is left as the staff set it
    program.points_per_visit = Decimal("5")
    program.save()
    seed_demo()
    program.refresh_from_db()
    assert program.points_per_visit == Decimal("5")
    assert Discount.objects.count() == 4


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_synced_demo_gives_enrolled_shoppers_explained_balances(sandbox_origin):
    # given the seeded demo, synced as `make run` does
    result = seed_demo()
    call_command("sync_pos", "--all", "--json", stdout=io.StringIO(), stderr=io.StringIO())
    # when its POS shoppers are members (the Cova card's enrollment setting does it once
    # merged; here directly) and the next sync reports them
    shoppers = Persona.objects.filter(
        company=result.company, identities__source__in=PROVIDERS, sales__isnull=False
    ).distinct()
    ids = list(shoppers.values_list("pk", flat=True))
    Persona.objects.filter(pk__in=ids).update(loyalty_enrolled_at=datetime(2024, 1, 1, tzinfo=UTC))
    personas_synced(result.company.pk, ids, timezone.now())
    # then members have balances earned from their sales, each entry explained
    with_points = LoyaltyAccount.objects.filter(company=result.company, balance__gt=0)
    assert with_points.count() > 10
    entry = LedgerEntry.objects.filter(company=result.company, kind=EntryKind.EARN).first()
    assert entry.sale_id is not None
    assert entry.explanation.startswith(
        f"Sale {entry.sale.receipt_number or entry.sale.external_id} at "
    )
    assert " pt/$ = " in entry.explanation
    assert verify(result.company).drifts == []
    # and seeding again writes no ledger row
    entries = LedgerEntry.objects.count()
    seed_demo()
    assert LedgerEntry.objects.count() == entries
