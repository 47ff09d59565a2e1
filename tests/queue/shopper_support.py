"""Builders for the counter tests: a budtender allowed the queue, a checked-in shopper,
a member with points and a discount, and a purchase history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.personas.choices import Source
from aiq.personas.models import Sale, SaleLine
from loyalty.program.models import LoyaltyProgram
from stores.queue.choices import CheckInDoor
from stores.queue.services import Arrival, check_in
from tests.conftest import staff_client
from tests.loyalty.api.redemption_support import discount_of, member_with


def allow_budtenders(company, on: bool = True) -> None:
    LoyaltyProgram.objects.update_or_create(
        company=company, defaults={"budtender_can_see_queue": on, "enabled": True}
    )


def budtender(company, *stores):
    client = staff_client(company, Role.BUDTENDER)
    if stores:
        client.user.membership.stores.set(stores)
    return client


def checked_in_member(store, points: int = 500):
    allow_budtenders(store.company)
    persona = member_with(store.company, points)
    entry = check_in(store, Arrival(phone=persona.phone), CheckInDoor.WALK_IN)
    assert entry.persona_id == persona.pk
    return persona, entry


def profile_url(persona, entry=None) -> str:
    url = reverse("admin:queue_shopper", args=[persona.pk])
    return f"{url}?check_in={entry.pk}" if entry is not None else url


def action_url(name: str, persona) -> str:
    return reverse(f"admin:queue_shopper_{name}", args=[persona.pk])


def buy(persona, store, lines, *, days_ago: int = 1, number: int = 0) -> Sale:
    """A sale at ``store`` with (name, category, total) lines."""
    total = sum((Decimal(t) for _, _, t in lines), Decimal(0))
    sale = Sale.objects.create(
        company=persona.company,
        persona=persona,
        source=Source.COVA,
        external_id=f"sale-{persona.pk}-{days_ago}-{number}",
        pos_key="loc-1",
        store=store,
        occurred_at=timezone.now() - timedelta(days=days_ago),
        subtotal=total,
        tax=Decimal(0),
        discount=Decimal(0),
        total=total,
        content_hash="x",
    )
    SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            position=i,
            name=name,
            category=category,
            quantity=Decimal(1),
            unit_price=Decimal(t),
            discount=Decimal(0),
            total=Decimal(t),
        )
        for i, (name, category, t) in enumerate(lines)
    )
    return sale


__all__ = ["discount_of", "member_with"]
