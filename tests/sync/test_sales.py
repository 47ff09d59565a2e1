"""The sales stream: lines, payments, totals, refunds, stores and favorite stores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aiq.personas.favorites import recompute_favorite_stores
from aiq.personas.models import Sale, SaleLine
from aiq.personas.purchases import attribute_sales_for_mapping
from integrations.choices import PosKeySource
from integrations.models import PosKey
from integrations.providers.values import Payment
from integrations.sync.choices import RunStatus, Stream
from stores.models import StoreMapping
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory
from tests.sync.factories import T0, SandboxCredentialFactory, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


def test_a_sale_lands_with_lines_payments_totals_and_its_shopper():
    credential = SandboxCredentialFactory()
    persona = PersonaFactory(company=credential.company)
    IdentityFactory(persona=persona, source="cova", external_id="c1")
    pos_sale = sale(
        "s1",
        customer_external_id="c1",
        fulfillment="delivery",
        receipt_number="R-1",
        payments=(
            Payment(method="Cash", amount=Decimal("4.00")),
            Payment(method="Debit Card", amount=Decimal("40.00")),
        ),
    )

    run = run_once(credential, Stream.SALES, FakeProvider(sales=[pos_sale]))

    assert (run.status, run.created) == (RunStatus.OK, 1)
    stored = Sale.objects.get()
    assert stored.persona == persona
    assert (stored.source, stored.external_id, stored.pos_key) == ("cova", "s1", "L1")
    assert (stored.subtotal, stored.tax, stored.discount, stored.total) == (
        Decimal("40.00"),
        Decimal("4.00"),
        Decimal("0.00"),
        Decimal("44.00"),
    )
    assert (stored.fulfillment, stored.is_refund, stored.receipt_number) == (
        "delivery",
        False,
        "R-1",
    )
    assert stored.payment_method == "Debit Card"  # the largest tender
    assert stored.payments == [
        {"method": "Cash", "amount": "4.00"},
        {"method": "Debit Card", "amount": "40.00"},
    ]
    lines = list(stored.lines.values_list("position", "name", "quantity", "total"))
    assert lines == [
        (0, "Blue Dream 3.5g", Decimal("1.000"), Decimal("30.00")),
        (1, "Pre-roll", Decimal("2.000"), Decimal("10.00")),
    ]


def test_a_refund_is_recorded_as_a_refund():
    credential = SandboxCredentialFactory()
    refund = sale("r1", is_refund=True, total=Decimal("-44.00"), subtotal=Decimal("-40.00"))

    run_once(credential, Stream.SALES, FakeProvider(sales=[refund]))

    stored = Sale.objects.get()
    assert (stored.is_refund, stored.total) == (True, Decimal("-44.00"))


def test_an_anonymous_sale_stays_anonymous():
    credential = SandboxCredentialFactory()

    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id=None)]))

    stored = Sale.objects.get()
    assert (stored.persona, stored.customer_external_id) == (None, "")


def test_a_mapped_key_gives_the_sale_its_store():
    credential = SandboxCredentialFactory()
    store = RetailStoreFactory(company=credential.company)
    StoreMapping.objects.create(company=credential.company, store=store, provider="cova", key="L1")

    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))

    assert Sale.objects.get().store == store


def test_an_unmapped_key_is_recorded_and_its_sales_attributed_once_mapped():
    # given sales from a key no store maps yet
    credential = SandboxCredentialFactory()
    persona = PersonaFactory(company=credential.company)
    IdentityFactory(persona=persona, source="cova", external_id="c1")
    run_once(
        credential,
        Stream.SALES,
        FakeProvider(
            sales=[sale("s1", location_key="L9", customer_external_id="c1")], locations=["L9"]
        ),
    )
    assert Sale.objects.get().store is None
    key = PosKey.objects.get(integration=credential.integration, key="L9")
    assert (key.source, key.has_data, key.credential) == (PosKeySource.SYNC, True, credential)

    # when staff map the key to a store
    store = RetailStoreFactory(company=credential.company)
    mapping = StoreMapping.objects.create(
        company=credential.company, store=store, provider="cova", key="L9"
    )
    moved = attribute_sales_for_mapping(mapping)

    # then its sales belong to the store, which becomes the shopper's favorite
    assert moved == 1
    assert Sale.objects.get().store == store
    persona.refresh_from_db()
    assert persona.favorite_store == store


def test_a_key_discovered_from_the_pos_keeps_its_source():
    credential = SandboxCredentialFactory()
    PosKey.objects.create(
        company=credential.company,
        integration=credential.integration,
        key="L1",
        name="Downtown",
        source=PosKeySource.POS,
    )

    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))

    key = PosKey.objects.get()
    assert (key.source, key.name, key.has_data) == (PosKeySource.POS, "Downtown", True)


def test_a_changed_sale_is_updated_and_its_lines_replaced():
    credential = SandboxCredentialFactory()
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))
    first = Sale.objects.get()
    changed = sale(
        "s1", lines=sale("s1").lines[:1], subtotal=Decimal("30.00"), total=Decimal("33.00")
    )

    # (an old sale's change is read by the nightly full reconciliation)
    run = run_once(credential, Stream.SALES, FakeProvider(sales=[changed]), full=True)

    assert (run.created, run.updated) == (0, 1)
    stored = Sale.objects.get()
    assert (stored.pk, stored.total) == (first.pk, Decimal("33.00"))
    assert SaleLine.objects.filter(sale=stored).count() == 1


def test_a_second_sync_of_unchanged_sales_writes_nothing():
    credential = SandboxCredentialFactory()
    sales = [sale(f"s{i}", occurred_at=T0 + timedelta(minutes=i)) for i in range(5)]
    run_once(credential, Stream.SALES, FakeProvider(sales=sales), full=True)
    stamps = list(Sale.objects.order_by("pk").values_list("updated_at", flat=True))

    with CaptureQueriesContext(connection) as queries:
        run = run_once(credential, Stream.SALES, FakeProvider(sales=sales), full=True)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "COPY")) and '"personas_' in q["sql"]
    ]
    assert writes == []
    assert (run.created, run.updated, run.unchanged) == (0, 0, 5)
    assert list(Sale.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_favorite_store_is_the_one_with_most_purchases_in_90_days():
    company_store = RetailStoreFactory()
    company = company_store.company
    other = RetailStoreFactory(company=company)
    persona = PersonaFactory(company=company)
    base = {"company": company, "persona": persona, "source": "cova", "content_hash": "x"}
    money = {"subtotal": 1, "tax": 0, "discount": 0, "total": 1, "pos_key": "k"}
    now = T0 + timedelta(days=10)
    # two purchases at `other`, long ago (outside the window), and refunds do not count
    for i in range(2):
        Sale.objects.create(
            external_id=f"old{i}",
            store=other,
            occurred_at=now - timedelta(days=120),
            **base,
            **money,
        )
    Sale.objects.create(
        external_id="r", store=other, occurred_at=now, is_refund=True, **base, **money
    )
    Sale.objects.create(
        external_id="a", store=company_store, occurred_at=now - timedelta(days=5), **base, **money
    )

    assert recompute_favorite_stores([persona.pk], now) == 1
    persona.refresh_from_db()
    assert persona.favorite_store == company_store

    # a tie goes to the store with the most recent purchase
    Sale.objects.create(
        external_id="b", store=other, occurred_at=now - timedelta(days=1), **base, **money
    )
    recompute_favorite_stores([persona.pk], now)
    persona.refresh_from_db()
    assert persona.favorite_store == other


def test_no_mapped_purchase_keeps_the_favorite_it_has():
    store = RetailStoreFactory()
    persona = PersonaFactory(company=store.company, favorite_store=store)

    assert recompute_favorite_stores([persona.pk]) == 0
    persona.refresh_from_db()
    assert persona.favorite_store == store


def test_a_sync_sets_the_favorite_store_of_the_shoppers_it_touched():
    credential = SandboxCredentialFactory()
    store = RetailStoreFactory(company=credential.company)
    StoreMapping.objects.create(company=credential.company, store=store, provider="cova", key="L1")
    persona = PersonaFactory(company=credential.company)
    IdentityFactory(persona=persona, source="cova", external_id="c1")

    run = run_once(
        credential, Stream.SALES, FakeProvider(sales=[sale("s1", customer_external_id="c1")])
    )

    persona.refresh_from_db()
    assert persona.favorite_store == store
    assert run.details["favorite_stores_changed"] == 1


def test_a_sale_with_an_impossible_amount_is_quarantined_not_fatal():
    credential = SandboxCredentialFactory()
    huge = sale("s2", total=Decimal("1e12"))

    run = run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1"), huge]))

    assert (run.status, run.created, run.quarantined) == (RunStatus.OK, 1, 1)
    assert credential.quarantined_records.get().external_id == "s2"


def test_a_sync_touching_most_shoppers_recomputes_favorites_company_wide(monkeypatch):
    from aiq.personas import favorites

    monkeypatch.setattr(favorites, "WHOLE_COMPANY_ABOVE", 1)
    credential = SandboxCredentialFactory()
    store = RetailStoreFactory(company=credential.company)
    StoreMapping.objects.create(company=credential.company, store=store, provider="cova", key="L1")
    shoppers = [PersonaFactory(company=credential.company) for _ in range(3)]
    for number, persona in enumerate(shoppers):
        IdentityFactory(persona=persona, source="cova", external_id=f"c{number}")
    other_company = PersonaFactory()  # untouched, another company

    run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale(f"s{n}", customer_external_id=f"c{n}") for n in range(3)]),
    )

    for persona in shoppers:
        persona.refresh_from_db()
        assert persona.favorite_store == store
    other_company.refresh_from_db()
    assert other_company.favorite_store is None
