"""A company's integration cards: one per provider, created when first opened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from aiq.accounts.models import Company
from integrations.choices import EventAction, IntegrationStatus
from integrations.models import Integration
from integrations.providers import PROVIDERS
from integrations.services.history import record_event
from integrations.services.status import (
    CardStatus,
    credential_counts,
    derive_status,
    with_credential_counts,
)


@dataclass(frozen=True, slots=True)
class ProviderOverview:
    """One row of Settings > Integrations: a provider and its card, if any."""

    key: str
    label: str
    card: Integration | None

    @property
    def card_status(self) -> CardStatus:
        if self.card is None:
            return CardStatus(IntegrationStatus.NOT_CONNECTED)
        return derive_status(self.card)  # counts annotated by provider_overview

    @property
    def status(self) -> str:
        return self.card_status.status

    @property
    def status_label(self) -> str:
        return self.card_status.label

    @property
    def credential_count(self) -> int:
        return credential_counts(self.card).total if self.card else 0

    @property
    def status_since(self) -> datetime | None:
        return self.card.status_changed_at if self.card else None


def get_or_create_card(company: Company, provider: str, actor: Any = None) -> Integration:
    """The company's card for ``provider``, created (and its creation recorded) if new."""
    if provider not in PROVIDERS:
        raise KeyError(provider)
    card = Integration.objects.filter(company=company, provider=provider).first()
    if card is not None:
        return card
    try:
        with transaction.atomic():
            card = Integration.objects.create(company=company, provider=provider)
            record_event(card, EventAction.CARD_CREATED, actor=actor, message="Card created")
    except IntegrityError:
        # Two first opens at once: the other request created it.
        return Integration.objects.get(company=company, provider=provider)
    return card


def provider_overview(company: Company | None, search: str = "") -> list[ProviderOverview]:
    """Every provider whose name contains ``search``, with the company's card (one query)."""
    cards: dict[str, Integration] = {}
    if company is not None:
        cards = {
            card.provider: card
            for card in with_credential_counts(Integration.objects.filter(company=company))
        }
    needle = search.strip().lower()
    return [
        ProviderOverview(
            key=spec.key,
            label=spec.label,
            card=cards.get(spec.key),
        )
        for spec in PROVIDERS.values()
        if needle in spec.label.lower()
    ]
