"""The personas app's models: shoppers, their source identities, their sales, merges."""

from aiq.personas.models.merge import PersonaMerge
from aiq.personas.models.persona import Persona, PersonaIdentity
from aiq.personas.models.sale import Sale, SaleLine

__all__ = ["Persona", "PersonaIdentity", "PersonaMerge", "Sale", "SaleLine"]
