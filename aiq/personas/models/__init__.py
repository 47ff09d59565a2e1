"""The personas app's models: shoppers, their source identities, their sales, merges,
consent events."""

from aiq.personas.models.consent import ConsentEvent
from aiq.personas.models.merge import PersonaMerge
from aiq.personas.models.persona import Persona, PersonaIdentity
from aiq.personas.models.sale import Sale, SaleLine

__all__ = ["ConsentEvent", "Persona", "PersonaIdentity", "PersonaMerge", "Sale", "SaleLine"]
