"""Audience sizes read from the purchase summary are exact: for every condition type, on
random sales written by the sync's writer, the compiled members equal a plain Python
reading of the sales, and still do after a second sync changes, moves and adds sales and
after a merge; ``verify`` finds nothing off, and does find a summary left stale."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aiq.audiences.compile import members_of
from aiq.personas import summaries
from aiq.personas.choices import Fulfillment
from aiq.personas.merging import merge_personas, undo_merge
from aiq.personas.models import Persona, Sale, SaleLine
from aiq.personas.models.persona import SUMMARY_FIELDS
from aiq.personas.purchases import link_unlinked_sales
from integrations.providers.values import Sale as PosSale
from integrations.providers.values import SaleLine as PosLine
from integrations.sync import bulk
from integrations.sync.sales import sale_row
from loyalty.ledger.models import LoyaltyAccount
from tests.factories import IdentityFactory, PersonaFactory

pytestmark = pytest.mark.django_db

CONDITIONS = [
    {"type": "fulfillment", "value": "delivery"},
    {"type": "fulfillment", "value": "pick", "days": 60},
    {"type": "fulfillment", "value": "store", "days": 200},
    {"type": "fulfillment", "value": "drone"},
    {"type": "total_spend", "amount": "150"},
    {"type": "total_spend", "amount": "0"},
    {"type": "total_spend", "amount": "120", "days": 90},
    {"type": "total_spend", "amount": "60", "days": 500},
    {"type": "purchase_count", "count": 3},
    {"type": "purchase_count", "count": 0, "days": 30},
    {"type": "purchase_count", "count": 2, "days": 120},
    {"type": "purchase_count", "count": 3, "days": 500},
    {"type": "last_purchase", "days": 30},
    {"type": "last_purchase", "days": 200},
    {"type": "category", "value": "flower", "days": 100},
    {"type": "brand", "value": "acme farms"},
    {"type": "brand", "value": "Greenleaf", "days": 100},
    {"type": "loyalty_member", "value": "yes"},
    {"type": "points", "points": "500"},
]
COMPOUND = [
    ("all", [CONDITIONS[2], CONDITIONS[6], CONDITIONS[17]]),
    ("all", [CONDITIONS[10], CONDITIONS[18]]),
    ("any", [CONDITIONS[12], CONDITIONS[8], CONDITIONS[17]]),
    ("any", [CONDITIONS[7], CONDITIONS[1]]),
    ("all", [CONDITIONS[15], CONDITIONS[17]]),
    # Units kept, per shopper inside an "any" (correlated), grouped once inside an "all".
    ("any", [CONDITIONS[14], CONDITIONS[16]]),
    ("all", [CONDITIONS[14], CONDITIONS[15]]),
]


def _since(days, today):
    if days is None:
        return None
    start = datetime.combine(today - timedelta(days=days), datetime.min.time())
    return timezone.make_aware(start)


def _matches(row, persona, sales, categories, brands, quantities, today):
    since = _since(row.get("days"), today)
    window = [s for s in sales if since is None or s.occurred_at >= since]
    purchases = [s for s in window if not s.is_refund]
    kind = row["type"]
    if kind == "fulfillment":
        text = row["value"].lower()
        kinds = {k for k, label in Fulfillment.choices if text in k or text in label.lower()}
        return any(s.fulfillment in kinds for s in purchases)
    if kind == "total_spend":
        return bool(window) and sum(s.total for s in window) >= Decimal(row["amount"])
    if kind == "purchase_count":
        return len(purchases) >= row["count"]
    if kind == "last_purchase":
        return bool(purchases)
    if kind in ("category", "brand"):
        # Units kept: bought minus returned (a refund's lines are returns).
        of = categories if kind == "category" else brands
        named = [s for s in window if of.get(s.pk) == row["value"].lower()]
        return sum(-abs(quantities[s.pk]) if s.is_refund else quantities[s.pk] for s in named) > 0
    if kind == "loyalty_member":
        return persona.loyalty_enrolled_at is not None
    if kind == "points":
        account = LoyaltyAccount.objects.filter(persona=persona).first()
        return account is not None and account.balance >= Decimal(row["points"])
    raise AssertionError(kind)


def _expected(company, match, conditions, today):
    categories = {
        line.sale_id: line.category.lower()
        for line in SaleLine.objects.filter(sale__company=company)
    }
    brands = {
        line.sale_id: line.brand.lower() for line in SaleLine.objects.filter(sale__company=company)
    }
    quantities = {
        line.sale_id: line.quantity for line in SaleLine.objects.filter(sale__company=company)
    }
    members = set()
    for persona in Persona.objects.filter(company=company):
        sales = list(Sale.objects.filter(persona=persona))
        hits = [
            _matches(row, persona, sales, categories, brands, quantities, today)
            for row in conditions
        ]
        if (all if match == "all" else any)(hits):
            members.add(persona.pk)
    return members


def _assert_exact(company):
    today = timezone.localdate()
    for row in CONDITIONS:
        got = set(members_of(company, "all", [row], today).values_list("pk", flat=True))
        assert got == _expected(company, "all", [row], today), row
    for match, conditions in COMPOUND:
        got = set(members_of(company, match, conditions, today).values_list("pk", flat=True))
        assert got == _expected(company, match, conditions, today), (match, conditions)
    assert summaries.verify(company.pk) == []


def _pos_sale(rng, number, customer, now):
    refund = rng.random() < 0.15
    amount = Decimal(rng.randint(500, 15000)) / 100
    total = -amount if refund else amount
    category = rng.choice(["Flower", "Edibles", "Vapes"])
    # Brands as the sync brings them: in the POS's own case, or none (Cova, Clover).
    brand = rng.choice(["Acme Farms", "ACME FARMS", "Greenleaf", None])
    # A refund's line: a negative quantity (the sales API) or the order's own (Clover).
    quantity = Decimal(-1 if refund and number % 2 else 1)
    line = PosLine(
        f"L{number}", None, None, "Item", quantity, amount, Decimal(0), amount, category, brand
    )
    return PosSale(
        external_id=f"R{number}",
        location_key="loc-1",
        customer_external_id=customer,
        occurred_at=now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1439)),
        updated_at=None,
        subtotal=amount,
        tax=Decimal(0),
        discount=Decimal(0),
        total=total,
        is_refund=refund,
        fulfillment=rng.choice(["in_store", "in_store", "pickup", "delivery"]),
        lines=(line,),
    )


def _sync(company, sales, now):
    rows = {sale.external_id: sale_row(sale, skip_payment_method=False) for sale in sales}
    return bulk.write_sales(company.pk, "cova", rows, {}, now)


def test_sizes_equal_a_plain_reading_of_the_sales_before_and_after_a_sync(company_a):
    rng = random.Random(13)
    now = timezone.now()
    customers = []
    for index in range(24):
        persona = PersonaFactory(company=company_a, loyalty_enrolled_at=now if index % 3 else None)
        IdentityFactory(persona=persona, external_id=f"C{index}")
        customers.append(f"C{index}")
        if index % 2:
            balance = Decimal(rng.randint(0, 1000))
            LoyaltyAccount.objects.create(company=company_a, persona=persona, balance=balance)
    PersonaFactory(company=company_a)  # no sales at all
    first = [_pos_sale(rng, n, rng.choice(customers), now) for n in range(90)]
    _sync(company_a, first, now)
    assert Persona.objects.filter(company=company_a, purchase_count__isnull=False).count() > 15
    _assert_exact(company_a)

    # The POS corrects a third of the sales (other shopper, amount, date, type) and adds more.
    changed = [_pos_sale(rng, n, rng.choice(customers), now) for n in range(0, 90, 3)]
    added = [_pos_sale(rng, n, rng.choice(customers), now) for n in range(90, 120)]
    written = _sync(company_a, changed + added, now)
    assert written.updated == len(changed) and written.created == len(added)
    _assert_exact(company_a)

    survivor, merged = Persona.objects.filter(company=company_a, sales__isnull=False).distinct()[:2]
    merge = merge_personas(survivor, merged, matched_on="phone", now=now)
    _assert_exact(company_a)
    undo_merge(merge)
    _assert_exact(company_a)


def test_verify_names_a_persona_whose_summary_was_left_stale(company_a):
    persona = PersonaFactory(company=company_a)
    IdentityFactory(persona=persona, external_id="C1")
    now = timezone.now()
    _sync(company_a, [_pos_sale(random.Random(1), 1, "C1", now)], now)
    assert summaries.verify(company_a.pk) == []

    Sale.objects.filter(persona=persona).update(total=Decimal("999.99"))  # no refresh
    assert summaries.verify(company_a.pk) == [persona.pk]
    summaries.rebuild(company_a.pk)
    assert summaries.verify(company_a.pk) == []


def test_a_stale_persona_instance_saved_later_keeps_the_summary(company_a):
    persona = PersonaFactory(company=company_a)
    IdentityFactory(persona=persona, external_id="C1")
    stale = Persona.objects.get(pk=persona.pk)  # read before the sale arrives
    now = timezone.now()
    _sync(company_a, [_pos_sale(random.Random(2), 1, "C1", now)], now)

    stale.first_name = "Renamed"
    stale.save()

    persona.refresh_from_db()
    assert persona.first_name == "Renamed" and persona.purchase_count is not None
    assert summaries.verify(company_a.pk) == []


def test_linking_anonymous_sales_gives_the_shopper_their_summary(company_a):
    now = timezone.now()
    _sync(company_a, [_pos_sale(random.Random(4), 1, "LATER", now)], now)  # no persona yet
    persona = PersonaFactory(company=company_a)
    IdentityFactory(persona=persona, external_id="LATER")

    assert link_unlinked_sales(company_a.pk, "cova", ["LATER"]) == 1

    persona.refresh_from_db()
    assert persona.first_sale_at == Sale.objects.get(persona=persona).occurred_at
    assert summaries.verify(company_a.pk) == []


def test_verify_command_exits_non_zero_while_summaries_are_off(company_a):
    persona = PersonaFactory(company=company_a)
    IdentityFactory(persona=persona, external_id="C1")
    now = timezone.now()
    _sync(company_a, [_pos_sale(random.Random(5), 1, "C1", now)], now)
    call_command("purchase_summaries", "--verify", stdout=StringIO())

    Persona.objects.filter(pk=persona.pk).update(purchase_count=7)
    with pytest.raises(CommandError, match="differ from the sales"):
        call_command("purchase_summaries", "--verify", stdout=StringIO())
    out = StringIO()
    call_command("purchase_summaries", "--rebuild", "--company", str(company_a.pk), stdout=out)
    assert "1 summaries corrected" in out.getvalue()
    call_command("purchase_summaries", "--verify", stdout=StringIO())


def test_a_shopper_whose_only_sale_moves_away_is_left_with_no_summary(company_a):
    # A re-synced sale now names another customer: the first shopper has no sales left,
    # and their summary columns go back to NULL ("no sales"), the second gets the sale.
    now = timezone.now()
    first, second = PersonaFactory(company=company_a), PersonaFactory(company=company_a)
    IdentityFactory(persona=first, external_id="FIRST")
    IdentityFactory(persona=second, external_id="SECOND")
    sale = _pos_sale(random.Random(5), 1, "FIRST", now)
    _sync(company_a, [sale], now)
    first.refresh_from_db()
    assert first.purchase_count is not None and first.first_sale_at is not None

    moved = dataclasses.replace(sale, customer_external_id="SECOND")
    _sync(company_a, [moved], now)

    first.refresh_from_db()
    second.refresh_from_db()
    assert [getattr(first, name) for name in SUMMARY_FIELDS] == [None] * len(SUMMARY_FIELDS)
    assert second.first_sale_at == Sale.objects.get(persona=second).occurred_at
    assert summaries.verify(company_a.pk) == []
