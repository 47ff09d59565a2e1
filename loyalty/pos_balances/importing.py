"""Importing each shopper's POS balance once, as an import entry ("Loyalty points
imported on <date>").

The import runs on the syncs from the date on (the balance read is the POS's balance of
the day it is read: set the date to the day you switch, and Settings > Loyalty's accrual
start to the next day, so no point is counted twice). Each POS shopper record is read
and imported once per date; a second run reads and imports nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction

from aiq.personas.models import Persona
from integrations.models import Integration
from loyalty.ledger.amounts import to_points
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.pos_balances.models import PosBalanceImport
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram

IMPORT_TASK = "pos_balance_import"


def import_key(integration: Integration, customer_external_id: str, day: date) -> str:
    """The ledger idempotency key of one shopper record's import."""
    return f"pos-import:{integration.pk}:{customer_external_id}:{day.isoformat()}"


def _expires_at(company_id: int, now: datetime) -> datetime | None:
    """Imported points follow FIFO expiry like any award (from the day they arrive)."""
    program = LoyaltyProgram.objects.filter(company_id=company_id).first()
    if program and program.expiration_mode == ExpirationMode.FIFO and program.expiration_days:
        return now + timedelta(days=program.expiration_days)
    return None


def already_imported(integration: Integration, day: date) -> set[str]:
    """POS customer ids whose balance was imported for ``day``."""
    return set(
        PosBalanceImport.objects.filter(integration=integration, imported_on=day).values_list(
            "customer_external_id", flat=True
        )
    )


def import_balance(
    integration: Integration,
    persona: Persona,
    customer_external_id: str,
    points: Decimal,
    now: datetime,
) -> bool:
    """Import one shopper record's balance; False if it was already imported."""
    day = integration.loyalty_points_imported_on
    assert day is not None
    points = to_points(max(points, Decimal(0)))
    try:
        with transaction.atomic():
            record = PosBalanceImport.objects.create(
                company_id=integration.company_id,
                integration=integration,
                customer_external_id=customer_external_id,
                imported_on=day,
                persona=persona,
                points=points,
            )
            if points > 0:
                record.entry = award(
                    persona,
                    points,
                    EntryKind.IMPORT,
                    occurred_at=now,
                    expires_at=_expires_at(integration.company_id, now),
                    task=IMPORT_TASK,
                    reason=(
                        f"Balance in {integration.label} (customer {customer_external_id}), "
                        f"imported for {day:%b %-d, %Y}"
                    )[:300],
                    idempotency_key=import_key(integration, customer_external_id, day),
                )
                record.save(update_fields=["entry"])
    except IntegrityError:
        return False  # imported by a run that got there first
    return True
