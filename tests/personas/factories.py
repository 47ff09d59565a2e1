"""Sales and their lines for persona card tests (the sync tests write theirs via the engine)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aiq.personas.choices import Source
from aiq.personas.models import Persona, Sale, SaleLine

NOON_UTC = datetime(2026, 11, 20, 20, 5, tzinfo=UTC)  # 12:05 PM in Seattle, 3:05 PM in Toronto


def make_sale(persona: Persona, external_id: str, **fields) -> Sale:  # type: ignore[no-untyped-def]
    values = {
        "company": persona.company,
        "persona": persona,
        "source": Source.COVA,
        "external_id": external_id,
        "pos_key": "L1",
        "occurred_at": NOON_UTC,
        "subtotal": Decimal("48.00"),
        "tax": Decimal("4.30"),
        "discount": Decimal("0.00"),
        "total": Decimal("52.30"),
        "payments": [{"method": "Cash", "amount": "40.00"}, {"method": "Debit", "amount": "12.30"}],
        "payment_method": "Cash",
        "content_hash": external_id,
    }
    values.update(fields)
    return Sale.objects.create(**values)


def add_line(sale: Sale, position: int, name: str, quantity: str, total: str = "10.00") -> None:
    SaleLine.objects.create(
        sale=sale,
        position=position,
        name=name,
        quantity=Decimal(quantity),
        unit_price=Decimal(total),
        discount=Decimal("0.00"),
        total=Decimal(total),
    )
