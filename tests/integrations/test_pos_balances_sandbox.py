"""POS balances through the real clients against the sandboxes: what a customers sync
imports is each shopper's points for the sales the same sandbox serves."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from aiq.personas.models import PersonaIdentity, Sale
from integrations.sync.choices import RunStatus, Stream
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.pos_balances.models import PosBalanceImport
from tests.integrations.factories import sandbox_values
from tests.sync.factories import SandboxCredentialFactory, run_once

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = "sales=60,customers=15,ratelimit=0"


@pytest.mark.parametrize("provider", ["cova", "posabit"])
def test_an_import_brings_in_each_shoppers_points_for_their_synced_sales(sandbox_origin, provider):
    # given a sandbox card whose "Loyalty points imported on" date is today
    credential = SandboxCredentialFactory(
        integration__provider=provider,
        integration__loyalty_points_imported_on=timezone.localdate(),
        values=sandbox_values(provider, SMALL),
    )
    client = credential.provider_client(sandbox_origin=sandbox_origin)

    # when its sales, then its customers are synced
    assert run_once(credential, Stream.SALES, provider=client).status == RunStatus.OK
    run = run_once(credential, Stream.CUSTOMERS, provider=client)

    # then every shopper record was read once (counted in the run's requests) and
    # imported with the points of its sales: one per whole dollar paid before tax
    assert run.status == RunStatus.OK
    shoppers = PersonaIdentity.objects.filter(source=provider).count()
    assert run.requests >= shoppers
    imports = dict(PosBalanceImport.objects.values_list("customer_external_id", "points"))
    assert len(imports) == shoppers
    earned: Counter[str] = Counter()
    for sale in Sale.objects.filter(source=provider, is_refund=False).exclude(
        customer_external_id=""
    ):
        earned[sale.customer_external_id] += int(sale.total - sale.tax)
    assert {key: int(points) for key, points in imports.items()} == {
        key: earned.get(key, 0) for key in imports
    }
    assert sum(imports.values()) > 0
    entries = LedgerEntry.objects.filter(kind=EntryKind.IMPORT).count()

    # when the customers sync runs again, then nothing more is imported
    again = run_once(credential, Stream.CUSTOMERS, provider=client)
    assert again.requests < shoppers
    assert LedgerEntry.objects.filter(kind=EntryKind.IMPORT).count() == entries
