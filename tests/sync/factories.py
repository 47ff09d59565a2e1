"""Factories for the sync tests: connected sandbox cards, runs, POS values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import factory

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, SyncRun
from integrations.providers.values import Customer, Payment, Sale, SaleLine
from integrations.sync.choices import Stream
from tests.integrations.factories import CredentialFactory, IntegrationFactory


class ConnectedCardFactory(IntegrationFactory):
    """A card that passed Connect."""

    status = IntegrationStatus.CONNECTED
    age_gate_attested = True


class SandboxCredentialFactory(CredentialFactory):
    """A verified sandbox credential on a connected card."""

    integration = factory.SubFactory(ConnectedCardFactory)
    state = CredentialState.VERIFIED


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    credential = factory.SubFactory(SandboxCredentialFactory)
    integration = factory.LazyAttribute(lambda o: o.credential.integration)
    company = factory.LazyAttribute(lambda o: o.credential.company)
    stream = Stream.CUSTOMERS


# Inside every default window (sales: the last 730 days), away from the edges of the
# 30-day sales slices (which end at "now" minus a multiple of 30 days), to the second.
T0 = (datetime.now(tz=UTC) - timedelta(days=12, hours=5)).replace(microsecond=0)


def customer(external_id: str, **fields) -> Customer:  # type: ignore[no-untyped-def]
    values = {
        "first_name": "Ava",
        "last_name": "Nguyen",
        "email": f"ava{external_id}@example.com",
        "phone": None,
        "state": "WA",
        "updated_at": T0,
    }
    values.update(fields)
    return Customer(external_id=external_id, **values)


def sale(external_id: str, **fields) -> Sale:  # type: ignore[no-untyped-def]
    lines = (
        SaleLine(
            external_id=f"{external_id}:0",
            product_external_id="p1",
            sku="SKU1",
            name="Blue Dream 3.5g",
            quantity=Decimal("1"),
            unit_price=Decimal("30.00"),
            discount=Decimal("0.00"),
            total=Decimal("30.00"),
            category="Flower",
        ),
        SaleLine(
            external_id=f"{external_id}:1",
            product_external_id="p2",
            sku="SKU2",
            name="Pre-roll",
            quantity=Decimal("2"),
            unit_price=Decimal("5.00"),
            discount=Decimal("0.00"),
            total=Decimal("10.00"),
        ),
    )
    values = {
        "location_key": "L1",
        "customer_external_id": None,
        "occurred_at": T0,
        "updated_at": None,
        "subtotal": Decimal("40.00"),
        "tax": Decimal("4.00"),
        "discount": Decimal("0.00"),
        "total": Decimal("44.00"),
        "lines": lines,
        "payments": (Payment(method="Cash", amount=Decimal("44.00")),),
    }
    values.update(fields)
    return Sale(external_id=external_id, **values)


def run_once(credential: Credential, stream: str, provider=None, **fields) -> SyncRun:  # type: ignore[no-untyped-def]
    """Queue one run of ``stream`` and execute it inline; returns the run as it ended."""
    from integrations.sync.runner import run_stream

    run = SyncRunFactory(credential=credential, stream=stream, **fields)
    run_stream(run, provider=provider)
    run.refresh_from_db()
    return run
