"""Other personas of the company that share a persona's phone or email.

Staff are warned, not stopped: two personas with one phone may be one shopper (to merge)
or a shared household phone, and only a person can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiq.personas.models import Persona
from aiq.personas.normalize import format_phone_for_display

# More than a few personas on one number is a shared line; naming them all helps nobody.
MAX_NAMED = 3


@dataclass(frozen=True, slots=True)
class ContactConflict:
    """``other`` (same company) already has this persona's ``field`` value."""

    field: str  # "phone" or "email"
    value: str  # as staff read it
    other: Persona


def contact_conflicts(persona: Persona) -> list[ContactConflict]:
    """Each other persona with the same phone (E.164) or email; one indexed query each."""
    others = Persona.objects.filter(company_id=persona.company_id).exclude(pk=persona.pk)
    conflicts: list[ContactConflict] = []
    if persona.phone:
        shown = format_phone_for_display(persona.phone)
        for other in others.filter(phone=persona.phone).order_by("pk")[:MAX_NAMED]:
            conflicts.append(ContactConflict("phone", shown, other))
    if persona.email:
        email = persona.email.lower()
        for other in others.filter(email__lower=email).order_by("pk")[:MAX_NAMED]:
            conflicts.append(ContactConflict("email", email, other))
    return conflicts
