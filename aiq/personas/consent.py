"""Changing a persona's consent on a channel: the state on the persona and one event.

The rule every caller gets for free: a shopper who opted out is never opted in again (or
asked again) by this service unless the caller says the shopper themself asked
(``shopper_asked``, e.g. a START reply); an opt-out is always honoured. Loyalty
membership is never touched here: it and consent stay separate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from aiq.personas.choices import Consent, ConsentChannel
from aiq.personas.models import ConsentEvent, Persona
from stores.time_zones import shopper_time_zone

STORE_TIME = "M j, Y g:i A T"  # Nov 22, 2026 3:04 PM PST, as the card shows sales
FIELD_OF_CHANNEL = {ConsentChannel.SMS: "sms_consent", ConsentChannel.EMAIL: "email_consent"}
OPTING_IN = frozenset({Consent.OPTED_IN, Consent.PENDING})

CHANGED = "changed"
UNCHANGED = "unchanged"
REFUSED_OPTED_OUT = "refused_opted_out"


@dataclass(frozen=True)
class ConsentOrigin:
    """Who or what asks for the change, and on what evidence (copied onto the event)."""

    provenance: str
    source: str = ""
    api_key_label: str = ""
    staff_user: Any = None
    evidence: str = ""


@dataclass(frozen=True)
class ConsentChange:
    """What happened: ``outcome`` is CHANGED, UNCHANGED or REFUSED_OPTED_OUT."""

    channel: str
    outcome: str
    status: str  # the persona's state afterwards
    event: ConsentEvent | None = None

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSED_OPTED_OUT


def change_consent(
    persona: Persona,
    channel: str,
    status: str,
    origin: ConsentOrigin,
    *,
    at: datetime | None = None,
    shopper_asked: bool = False,
) -> ConsentChange:
    """Set the persona's consent on ``channel`` to ``status`` and record the event.

    Nothing is written when the state is already ``status`` (or opted in and ``status``
    is pending), or when an opted-out shopper would be opted in (or asked) without
    ``shopper_asked``.
    """
    field = FIELD_OF_CHANNEL[ConsentChannel(channel)]
    status = Consent(status)
    with transaction.atomic():
        # The row lock orders this against a concurrent change (say a STOP reply).
        current = (
            Persona.objects.select_for_update().values_list(field, flat=True).get(pk=persona.pk)
        )
        setattr(persona, field, current)
        if current == status or (current == Consent.OPTED_IN and status == Consent.PENDING):
            # Asking an opted-in shopper to confirm again would only take them out.
            return ConsentChange(channel, UNCHANGED, current)
        if current == Consent.OPTED_OUT and status in OPTING_IN and not shopper_asked:
            return ConsentChange(channel, REFUSED_OPTED_OUT, current)
        now = timezone.now()
        Persona.objects.filter(pk=persona.pk).update(**{field: status, "updated_at": now})
        event = ConsentEvent.objects.create(
            company_id=persona.company_id,
            persona=persona,
            channel=channel,
            status=status,
            previous_status=current,
            occurred_at=at or now,
            provenance=origin.provenance,
            source=origin.source[:100],
            api_key_label=origin.api_key_label[:100],
            staff_user=origin.staff_user if getattr(origin.staff_user, "pk", None) else None,
            evidence=origin.evidence[:300],
        )
    setattr(persona, field, status)
    return ConsentChange(channel, CHANGED, status, event)


def consent_history(persona: Persona, limit: int) -> list[ConsentEvent]:
    """The persona's latest consent events, newest first (the persona card's section),
    each with ``store_time``: when, on the shopper's store clock."""
    zone = shopper_time_zone(
        persona.favorite_store if persona.favorite_store_id else None, persona.company_id
    )
    events = list(
        ConsentEvent.objects.filter(persona=persona)
        .select_related("staff_user")
        .order_by("-occurred_at", "-id")[:limit]
    )
    for event in events:
        event.store_time = format_date(timezone.localtime(event.occurred_at, zone), STORE_TIME)
    return events
