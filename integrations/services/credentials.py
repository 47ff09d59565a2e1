"""Adding, changing and removing a card's credentials.

Values are validated per provider (field-level errors), secrets are encrypted by
``Credential.set_values``, and the history only ever sees a secret's mask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from integrations.choices import CredentialState, EventAction, PosKeySource
from integrations.models import Credential, Integration
from integrations.providers import get_provider_class
from integrations.providers.base import CredentialField
from integrations.services.card_settings import parse_markets
from integrations.services.history import diff, masked, record_event
from integrations.services.status import refresh_status

_CLOVER_MERCHANT_ID = re.compile(r"^[A-Z0-9]{13}$")
# Every POS credential value (ids, names, tokens, passwords) is far shorter; a longer one
# is a paste gone wrong, and would stretch the credentials table.
MAX_VALUE_LENGTH = 200


def credential_fields(provider: str) -> tuple[CredentialField, ...]:
    """The fields of the provider's credential form, labelled as in the seed articles."""
    return get_provider_class(provider).credential_fields


def history_values(credential: Credential) -> dict[str, Any]:
    """A credential as the history records it: readable fields, secrets as masks."""
    values: dict[str, Any] = dict(credential.public_fields)
    for name in credential.secret_hints:
        values[name] = masked(credential.secret_hint(name))
    values["is_sandbox"] = credential.is_sandbox
    return values


def clean_credential_values(
    integration: Integration,
    values: Mapping[str, Any],
    *,
    is_sandbox: bool = False,
    credential: Credential | None = None,
) -> dict[str, str]:
    """The provider's fields from ``values``, stripped; field errors as ``ValidationError``.

    ``credential`` is the one being changed (its blank secrets keep their saved value).
    """
    fields = credential_fields(integration.provider)
    current = credential.values() if credential is not None else {}
    cleaned: dict[str, str] = {}
    errors: dict[str, str | ValidationError] = {}
    for field in fields:
        value = str(values.get(field.name) or "").strip()
        if not value and field.secret and current.get(field.name):
            value = current[field.name]  # left blank: keep the saved secret
        if field.required and not value:
            errors[field.name] = f"Enter the {field.label}."
            continue
        if len(value) > MAX_VALUE_LENGTH:
            errors[field.name] = (
                f"Ensure this value has at most {MAX_VALUE_LENGTH} characters "
                f"(it has {len(value)})."
            )
            continue
        if value:
            cleaned[field.name] = value
    others = integration.credentials.all()
    if credential is not None:
        others = others.exclude(pk=credential.pk)
    provider = integration.provider
    if provider == "posabit":
        if "relevant_market" in cleaned:
            try:
                cleaned["relevant_market"] = ", ".join(parse_markets(cleaned["relevant_market"]))
            except ValidationError as error:
                errors["relevant_market"] = error
        name = cleaned.get("store_name", "").casefold()
        if name and any(
            str(o.public_fields.get("store_name", "")).casefold() == name for o in others
        ):
            errors["store_name"] = (
                f"This card already has a credential for the store \u201c{cleaned['store_name']}"
                "\u201d: POSaBIT gives one key per store. Remove the old one to replace it."
            )
    if provider == "clover" and cleaned.get("merchant_id"):
        merchant = cleaned["merchant_id"]
        if not is_sandbox:
            merchant = merchant.upper()
            if not _CLOVER_MERCHANT_ID.match(merchant):
                errors["merchant_id"] = (
                    "A Clover Merchant ID is 13 letters and digits, like ABCD1234ABCD1: copy "
                    "it from the address bar of your Clover dashboard."
                )
        cleaned["merchant_id"] = merchant
        if any(o.public_fields.get("merchant_id") == merchant for o in others):
            errors["merchant_id"] = "This card already has a credential for this Merchant ID."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def add_credential(
    integration: Integration,
    values: Mapping[str, Any],
    *,
    is_sandbox: bool = False,
    actor: Any = None,
) -> Credential:
    """Validate and save a new credential on the card (not verified until Connect)."""
    cleaned = clean_credential_values(integration, values, is_sandbox=is_sandbox)
    credential = Credential(
        company_id=integration.company_id, integration=integration, is_sandbox=is_sandbox
    )
    credential.set_values(cleaned)
    credential.save()
    changes = diff({}, history_values(credential))
    changes.update(refresh_status(integration))
    record_event(
        integration,
        EventAction.CREDENTIAL_ADDED,
        actor=actor,
        changes=changes,
        message=f"Credential \u201c{credential.display_name}\u201d added",
    )
    return credential


@transaction.atomic
def update_credential(
    credential: Credential,
    values: Mapping[str, Any],
    *,
    is_sandbox: bool | None = None,
    actor: Any = None,
) -> dict[str, list[Any]]:
    """Change a credential's values (a blank secret keeps the saved one); it must be
    verified again. Returns the (masked) changes."""
    integration = credential.integration
    sandbox = credential.is_sandbox if is_sandbox is None else is_sandbox
    cleaned = clean_credential_values(
        integration, values, is_sandbox=sandbox, credential=credential
    )
    before = history_values(credential)
    changed_secrets = [
        name
        for name, value in cleaned.items()
        if credential.has_secret(name) and credential.values().get(name) != value
    ]
    credential.set_values(cleaned)
    credential.is_sandbox = sandbox
    after = history_values(credential)
    changes = diff(before, after)
    for name in changed_secrets:
        # Same mask (same hint, or none), different secret: still say it changed.
        changes.setdefault(name, [before.get(name), after.get(name)])
    if not changes:
        return {}
    credential.state = CredentialState.UNVERIFIED
    credential.last_error_code = credential.last_error = ""
    credential.warnings = []  # what Connect found about the old values
    credential.save()
    changes.update(refresh_status(integration))
    record_event(
        integration,
        EventAction.CREDENTIAL_CHANGED,
        actor=actor,
        changes=changes,
        message=f"Credential \u201c{credential.display_name}\u201d changed",
    )
    return changes


@transaction.atomic
def remove_credential(credential: Credential, actor: Any = None) -> None:
    """Delete a credential; POS keys only it discovered, with no data and no store
    mapping, go with it. A card left without credentials is no longer connected."""
    from stores.models import StoreMapping

    integration = credential.integration
    name = credential.display_name
    before = history_values(credential)
    mapped = StoreMapping.objects.filter(
        company_id=integration.company_id, provider=integration.provider
    ).values("key")
    credential.pos_keys.filter(source=PosKeySource.POS, has_data=False).exclude(
        key__in=mapped
    ).delete()
    credential.delete()
    changes = diff(before, {})
    changes.update(refresh_status(integration))
    record_event(
        integration,
        EventAction.CREDENTIAL_REMOVED,
        actor=actor,
        changes=changes,
        message=f"Credential \u201c{name}\u201d removed",
    )
