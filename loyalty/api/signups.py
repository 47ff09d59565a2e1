"""Signups from the POS (``POST /api/v2/loyalty`` and the legacy ``loyaltyContact``):
find the shopper or create one, enroll them, and record consent as sent.

Matching is the sync's (``aiq.personas.ingest``): by phone, then email, never joining two
different phones, so a signup never duplicates a shopper the company already has. An
existing shopper's details are filled where blank, never overwritten. Signups of one
company are serialised (an advisory lock on PostgreSQL) so two terminals signing up the
same new number at once make one persona, not two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.messaging.opt_in_request import ask_to_confirm
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance, EnrollmentRoute, Source
from aiq.personas.consent import ConsentChange, ConsentOrigin, change_consent
from aiq.personas.ingest import IncomingShopper, ingest_shoppers
from aiq.personas.models import Persona
from aiq.personas.normalize import normalize_email, normalize_phone
from integrations.providers import PROVIDERS
from loyalty.api import assumptions
from loyalty.api.body_fields import flag_field, text_field
from loyalty.api.errors import ApiError, bad_request
from loyalty.api.models import ApiKey
from loyalty.enrollment.direct import enroll, enroll_from_pos
from stores.models import RetailStore, StoreMapping

# pg_advisory_xact_lock(namespace, company id): this module's namespace.
SIGNUP_LOCK_NAMESPACE = 110_011


@dataclass(frozen=True)
class SignupRequest:
    """A signup as the POS sent it, fields checked but not yet normalised."""

    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    address: dict[str, str] = field(default_factory=dict)
    favorite_store: str = ""
    favorite_store_id: str = ""
    sms_opt_in: bool | None = None
    email_opt_in: bool | None = None
    evidence: str = ""
    legacy: bool = False


@dataclass
class SignupResult:
    persona: Persona
    created: bool
    newly_enrolled: bool
    consent: list[ConsentChange] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)


def read_signup(body: dict[str, Any], *, legacy: bool) -> SignupRequest:
    """The body's fields, each checked; a wrong type is a 400 naming the field."""
    sms = flag_field(body, "smsOptIn")
    general = flag_field(body, "optIn")
    if sms is not None and general is not None and sms != general:
        raise bad_request("optIn", "contradicts smsOptIn")
    store_id = text_field(body, "favoriteStoreID", max_length=64) or text_field(
        body, "storeID", max_length=64
    )
    return SignupRequest(
        first_name=text_field(body, "firstName", max_length=100),
        last_name=text_field(body, "lastName", max_length=100),
        phone=text_field(body, "mobilePhone", max_length=40),
        email=text_field(body, "email", max_length=254),
        address=_address(body),
        favorite_store=text_field(body, "favoriteStore"),
        favorite_store_id=store_id,
        sms_opt_in=sms if sms is not None else general,
        email_opt_in=flag_field(body, "emailOptIn"),
        evidence=text_field(body, "consentEvidence", max_length=300),
        legacy=legacy,
    )


def _address(body: dict[str, Any]) -> dict[str, str]:
    value = body.get("address")
    if value is None or isinstance(value, str):
        line = text_field(body, "address")
        return {"address_line1": line} if line else {}
    if not isinstance(value, dict):
        raise bad_request("address", "must be a string or an object")
    parts = {}
    for ours, theirs in assumptions.ADDRESS_OBJECT_FIELDS.items():
        for name in theirs:
            try:
                text = text_field(value, name, max_length=200)
            except ApiError as error:
                raise bad_request(f"address.{name}", error.message.split(": ", 1)[-1]) from None
            if text:
                parts[ours] = text
                break
    return parts


def pos_of_key(key: ApiKey) -> str:
    """The POS a key was made for, read off its name ("POSaBIT counter" -> "posabit")."""
    name = key.name.lower()
    for spec in PROVIDERS.values():
        if spec.key in name or spec.label.lower() in name:
            return spec.key
    return ""


def sign_up(key: ApiKey, signup: SignupRequest) -> SignupResult:
    company = key.company
    phone = normalize_phone(signup.phone, company.phone_region)
    email = normalize_email(signup.email)
    if not phone and not email:
        raise bad_request("mobilePhone", "a valid phone number or an email is required")
    pos = pos_of_key(key)
    with transaction.atomic():
        _serialise_signups(company.pk)
        persona, created = _find_or_create(company, signup, phone=phone, email=email, key=key)
        if pos:
            newly_enrolled = enroll_from_pos(persona, pos)
        else:
            newly_enrolled = enroll(persona, EnrollmentRoute.API, source=Source.API)
        result = SignupResult(persona, created, newly_enrolled)
        _record_consent(result, key, signup, pos=pos, phone=phone, email=email)
    if signup.phone and not phone:
        result.warnings.append(
            _warning("mobilePhone", "invalid_phone", "Not a valid phone number: stored blank.")
        )
    if signup.email and not email:
        result.warnings.append(
            _warning("email", "invalid_email", "Not a valid email: stored blank.")
        )
    return result


def _serialise_signups(company_id: int) -> None:
    # SQLite serialises writers anyway; PostgreSQL needs the lock until commit.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [SIGNUP_LOCK_NAMESPACE, company_id]
            )


def _find_or_create(
    company: Company, signup: SignupRequest, *, phone: str, email: str, key: ApiKey
) -> tuple[Persona, bool]:
    store = _store(company, signup, key)
    shopper = IncomingShopper(
        external_id=f"phone:{phone}" if phone else f"email:{email}",
        # A fresh hash: a signup is always matched and applied, never skipped as unchanged.
        content_hash=uuid.uuid4().hex,
        first_name=signup.first_name,
        last_name=signup.last_name,
        email=email,
        phone=phone,
        phone_raw=signup.phone,
        **signup.address,
    )
    result = ingest_shoppers(
        company, Source.API, [shopper], now=timezone.now(), merge_label="API signup"
    )
    persona = Persona.objects.get(pk=next(iter(result.persona_ids)))
    if store is not None and persona.favorite_store_id is None:
        persona.favorite_store = store
        persona.save(update_fields=["favorite_store", "updated_at"])
    return persona, result.personas_created > 0


def _store(company: Company, signup: SignupRequest, key: ApiKey) -> RetailStore | None:
    """The favorite store: our store id, else the POS's store key, else the store's name;
    unknown ones are ignored (a signup at the counter is not refused for it)."""
    stores = RetailStore.objects.filter(company=company)
    store_id = signup.favorite_store_id
    if store_id:
        if store_id.isascii() and store_id.isdigit():
            found = stores.filter(pk=int(store_id)).first()
            if found is not None:
                return found
        mapping = (
            StoreMapping.objects.filter(company=company, key=store_id)
            .select_related("store")
            .first()
        )
        if mapping is not None:
            return mapping.store
    if signup.favorite_store:
        found = stores.filter(name__iexact=signup.favorite_store).first()
        if found is not None:
            return found
    return key.store


def _record_consent(
    result: SignupResult, key: ApiKey, signup: SignupRequest, *, pos: str, phone: str, email: str
) -> None:
    origin = ConsentOrigin(
        provenance=ConsentProvenance.POS_SIGNUP if pos else ConsentProvenance.API,
        source=f"api:{pos} signup" if pos else "api:signup",
        api_key_label=key.name,
        evidence=signup.evidence,
    )
    persona = result.persona
    wanted: list[tuple[str, str, str]] = []  # (channel, status, field named in a warning)
    if signup.sms_opt_in is not None:
        if phone:
            status = Consent.OPTED_IN if signup.sms_opt_in else Consent.OPTED_OUT
            wanted.append((ConsentChannel.SMS, status, "smsOptIn"))
        else:
            result.warnings.append(
                _warning("smsOptIn", "no_phone", "No valid phone number: SMS consent not set.")
            )
    elif signup.legacy and phone and persona.sms_consent == Consent.UNKNOWN:
        # The legacy endpoint "will instantly text the phone number ... and request a
        # confirmation for optin": the request is recorded as pending (the text: issue 13).
        wanted.append((ConsentChannel.SMS, Consent.PENDING, "mobilePhone"))
    if signup.email_opt_in is not None:
        if email:
            status = Consent.OPTED_IN if signup.email_opt_in else Consent.OPTED_OUT
            wanted.append((ConsentChannel.EMAIL, status, "emailOptIn"))
        else:
            result.warnings.append(
                _warning("emailOptIn", "no_email", "No valid email: email consent not set.")
            )
    # A signed consent at the POS's counter (POSaBIT "Customer Consent" with the shopper's
    # signature, seed 003) is the shopper's own act: the one kind of signup that may opt
    # a number in again after it opted out. A plain API flag never does.
    signed = bool(pos) and "signature" in signup.evidence.casefold()
    for channel, status, field_name in wanted:
        change = change_consent(
            persona, channel, status, origin, shopper_asked=signed and status == Consent.OPTED_IN
        )
        result.consent.append(change)
        if channel == ConsentChannel.SMS and change.event and change.status == Consent.PENDING:
            ask_to_confirm(persona)  # the double opt-in text
        if change.refused:
            result.warnings.append(
                _warning(field_name, "opted_out", assumptions.OPTED_OUT_MESSAGE[channel])
            )


def _warning(field_name: str, code: str, message: str) -> dict[str, str]:
    return {"field": field_name, "code": code, "message": message}


def signup_data(result: SignupResult) -> dict[str, Any]:
    """The response's ``data``: the contact, its membership and its consent."""
    persona = result.persona
    return {
        "contactID": persona.pk,
        "created": result.created,
        "firstName": persona.first_name,
        "lastName": persona.last_name,
        "mobilePhone": persona.phone,
        "email": persona.email,
        "favoriteStoreID": persona.favorite_store_id,
        "membership": {
            "loyalty": persona.is_loyalty_member,
            "enrolledAt": persona.loyalty_enrolled_at.isoformat()
            if persona.loyalty_enrolled_at
            else None,
            "enrolledBy": persona.loyalty_enrollment_route,
            "newlyEnrolled": result.newly_enrolled,
        },
        "smsOptIn": persona.sms_consent == Consent.OPTED_IN,
        "emailOptIn": persona.email_consent == Consent.OPTED_IN,
        "consent": {"sms": persona.sms_consent, "email": persona.email_consent},
        "warnings": result.warnings,
    }
