"""From AIQ to the POS ("sync personas / contacts"): a persona created on our side with
no match in the POS is created there, with the card's forced pricing group on Cova.

Only personas created on or after the day the setting was enabled are pushed (the seed:
"syncing begins from the day it is enabled"), and only to connected, unfrozen cards. The
POS is searched first (by phone, then email); a match is linked, not duplicated.
"""

from __future__ import annotations

import logging

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone

from aiq.personas.models import Persona, PersonaIdentity
from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Integration
from integrations.providers.errors import ProviderError
from integrations.providers.values import CustomerDraft
from integrations.sync.health import mark_needs_attention

logger = logging.getLogger("aiq.sync")


def _pos_phone(e164: str) -> str | None:
    """The national number, as POS counters type it (2065550134)."""
    if not e164:
        return None
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return None


def draft_for(persona: Persona, integration: Integration) -> CustomerDraft:
    return CustomerDraft(
        first_name=persona.first_name or None,
        last_name=persona.last_name or None,
        email=persona.email or None,
        phone=_pos_phone(persona.phone),
        birth_date=persona.birth_date,
        line1=persona.address_line1 or None,
        line2=persona.address_line2 or None,
        city=persona.city or None,
        state=persona.state or None,
        postal_code=persona.postal_code or None,
        country=persona.country or None,
        loyalty_member=True if persona.loyalty_enrolled_at else None,
        pricing_group=integration.forced_pricing_group_id or None,
    )


def _link(persona: Persona, source: str, external_id: str) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            PersonaIdentity.objects.get_or_create(
                company_id=persona.company_id,
                source=source,
                external_id=external_id,
                defaults={"persona": persona, "first_seen_at": now, "last_seen_at": now},
            )
    except IntegrityError:
        pass  # a sync linked it meanwhile


def push_persona(
    persona: Persona, integration: Integration, sandbox_origin: str | None = None
) -> str:
    """Create (or link) the persona in this card's POS. Returns what happened:
    ``off``, ``not-new``, ``linked``, ``no-pii``, ``matched``, ``created`` or ``retry``."""
    since = integration.sync_personas_enabled_at
    if (
        not integration.sync_personas
        or integration.use_last_backup
        or integration.status != IntegrationStatus.CONNECTED
    ):
        return "off"
    if since is not None and persona.created_at < since:
        return "not-new"
    source = integration.provider
    if PersonaIdentity.objects.filter(persona=persona, source=source).exists():
        return "linked"
    if not persona.phone and not persona.email:
        return "no-pii"
    credential = (
        integration.credentials.exclude(state=CredentialState.FAILING).order_by("pk").first()
    )
    if credential is None:
        return "off"
    try:
        provider = credential.provider_client(sandbox_origin=sandbox_origin)
        found = provider.find_customers(
            phone=_pos_phone(persona.phone), email=persona.email or None
        )
        if found:
            _link(persona, source, found[0].external_id)
            return "matched"
        created = provider.create_customer(draft_for(persona, integration))
    except ProviderError as error:
        if error.permanent:
            mark_needs_attention(credential, error)
            logger.warning("push of persona %s to %s failed: %s", persona.pk, source, error)
            return "failed"
        return "retry"
    _link(persona, source, created.external_id)
    return "created"


def push_persona_everywhere(persona: Persona, sandbox_origin: str | None = None) -> dict[str, str]:
    """``push_persona`` for every card of the persona's company that syncs personas."""
    cards = Integration.objects.filter(company_id=persona.company_id, sync_personas=True)
    return {card.provider: push_persona(persona, card, sandbox_origin) for card in cards}


def personas_created(persona_ids: list[int]) -> None:
    """Call after creating personas on our side (forms, staff, API): queues their push
    once the transaction commits, if any card of their company syncs personas."""
    from integrations.tasks import push_persona as task

    def enqueue() -> None:
        for persona_id in persona_ids:
            task.delay(persona_id)

    transaction.on_commit(enqueue)
