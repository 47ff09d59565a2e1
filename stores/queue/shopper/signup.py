"""Signing a shopper up at the counter: loyalty now, SMS only with their consent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from aiq.messaging.opt_in_request import ask_to_confirm
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance, EnrollmentRoute, Source
from aiq.personas.consent import ConsentChange, ConsentOrigin, change_consent
from aiq.personas.models import Persona
from loyalty.enrollment.direct import enroll
from stores.models import RetailStore
from stores.queue.choices import ON_THE_QUEUE
from stores.queue.models import CheckIn
from stores.queue.services import bump_version
from stores.queue.wording import sms_consent_wording


@dataclass(frozen=True)
class Signup:
    enrolled: bool  # False: already a member, nothing written
    sms: ConsentChange | None  # None: no SMS consent asked


def sign_up_at_counter(
    persona: Persona, store: RetailStore, *, by: Any, sms_consent: bool
) -> Signup:
    """Enroll the shopper and, when they agreed to the store's wording, request the SMS
    double opt-in (pending until they confirm by text, as for every signup form)."""
    with transaction.atomic():
        enrolled = enroll(persona, EnrollmentRoute.STAFF, staff_user=by, source=Source.QUEUE)
        sms = None
        if sms_consent:
            origin = ConsentOrigin(
                provenance=ConsentProvenance.STAFF,
                source=f"queue:counter at {store.name}",
                staff_user=by,
                evidence=sms_consent_wording(store)[:300],
            )
            # The shopper said yes at the counter: their own request, even after a STOP.
            sms = change_consent(
                persona, ConsentChannel.SMS, Consent.PENDING, origin, shopper_asked=True
            )
            if sms.event is not None:
                ask_to_confirm(persona)  # the double opt-in text
        _refresh_queues(persona)
    return Signup(enrolled, sms)


def _refresh_queues(persona: Persona) -> None:
    # The queue rows of this shopper turn into the red "Enrolled" on every open page.
    store_ids = set(
        CheckIn.objects.filter(persona=persona, state__in=ON_THE_QUEUE).values_list(
            "store_id", flat=True
        )
    )
    for store_id in sorted(store_ids):
        bump_version(store_id)
