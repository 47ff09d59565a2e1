"""Builders shared by the redemption tests: a member with points, a discount, its URL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.api.redemption_tokens import redemption_path, redemption_token
from loyalty.discounts.models import Discount
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.program.models import LoyaltyProgram
from tests.factories import PersonaFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory


def member_with(company, points: int) -> Persona:
    if not _has_program(company):
        LoyaltyProgramFactory(company=company, enabled=True)
    persona = PersonaFactory(
        company=company, loyalty_enrolled_at=timezone.now() - timedelta(days=30)
    )
    if points:
        award(persona, points, EntryKind.ADJUST, reason="Welcome gift")
    return persona


def _has_program(company) -> bool:
    return LoyaltyProgram.objects.filter(company=company).exists()


def discount_of(company, points: int = 400, value: str = "40", **fields) -> Discount:
    fields.setdefault("name", f"${value} off")
    return DiscountFactory(
        company=company, points_cost=Decimal(points), value=Decimal(value), **fields
    )


def url(persona: Persona, discount: Discount, transaction_id: str = "") -> str:
    token = redemption_token(persona.pk, discount.pk)
    path = redemption_path(persona.company.uid, discount.pk, token)
    return f"{path}/{transaction_id}" if transaction_id else path


def call(method: str, address: str, key: str, client: Client | None = None, **headers):
    client = client or Client()
    send = getattr(client, method.lower())
    return send(address, HTTP_X_APIKEY=key, **headers)
