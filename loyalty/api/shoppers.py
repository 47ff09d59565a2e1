"""Finding the key's company's shopper by phone or email, normalised as everywhere else."""

from __future__ import annotations

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from aiq.personas.normalize import looks_like_phone, normalize_email, normalize_phone


def find_shopper(company: Company, *, phone: str = "", email: str = "") -> Persona | None:
    """The company's persona with this phone (E.164 or as stored raw), else this email.
    Another company's shopper with the same phone is never seen. Its loyalty account comes
    in the same query (the wallet reads it next)."""
    personas = (
        Persona.objects.filter(company=company).select_related("loyalty_account").order_by("id")
    )
    if phone.strip():
        e164 = normalize_phone(phone, company.phone_region)
        found = (
            personas.filter(phone=e164).first()
            if e164
            else personas.filter(phone_raw=phone.strip()).first()
        )
        if found is not None:
            return found
    address = normalize_email(email)
    if address:
        return personas.filter(email=address).first()
    return None


def find_by_pii(company: Company, pii: str) -> Persona | None:
    if "@" in pii:
        return find_shopper(company, email=pii)
    if looks_like_phone(pii):
        return find_shopper(company, phone=pii)
    return None
