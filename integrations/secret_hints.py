"""What may be shown of a saved secret: a hint (its last characters) only when the secret
is long enough for the hint to reveal little, otherwise only that it is set and when.

``Credential.secret_hints`` holds, per secret field, ``{"hint": ..., "changed_at": ...}``;
the history records a secret as ``MASK`` followed by its hint (no hint: ``MASK`` alone).
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

MASK = "\u2022\u2022\u2022\u2022"  # ••••
# Shorter secrets get no hint: four characters of a six-character token is most of it.
MIN_LENGTH_FOR_HINT = 12
MAX_HINT_LENGTH = 4


def hint_for(secret: str) -> str:
    """The last characters staff may see: never more than a quarter of the secret, nor 4."""
    if len(secret) < MIN_LENGTH_FOR_HINT:
        return ""
    return secret[-min(MAX_HINT_LENGTH, len(secret) // 4) :]


def masked(hint: str) -> str:
    """How a saved secret is shown: four dots and its hint, if it has one."""
    return f"{MASK}{hint}"


def set_on(credential: Any, name: str) -> str:
    """When the secret field ``name`` of ``credential`` was set, as staff read a date."""
    changed_at = credential.secret_changed_at(name)
    return date_format(timezone.localtime(changed_at), "N j, Y") if changed_at else "earlier"


def shown(credential: Any, name: str) -> str:
    """A saved secret as the card shows it: the mask and its hint when it is long enough
    to have one, else the mask and when it was set."""
    hint = credential.secret_hint(name)
    return masked(hint) if hint else f"{MASK} set {set_on(credential, name)}"


def hints_for(
    secrets: dict[str, str], previous: dict[str, str], stored: dict[str, Any]
) -> dict[str, dict[str, str]]:
    """``secret_hints`` for ``secrets``: a secret equal to its ``previous`` value keeps
    when it was changed (from ``stored``, the current hints); a new one is changed now."""
    now = timezone.now().isoformat()
    hints = {}
    for name, secret in secrets.items():
        kept = stored.get(name) if previous.get(name) == secret else None
        changed_at = kept.get("changed_at") if isinstance(kept, dict) else None
        hints[name] = {"hint": hint_for(secret), "changed_at": changed_at or now}
    return hints


def redact_stored_hints(credential_model: Any, event_model: Any) -> None:
    """Recompute every credential's hints by the rule above and strip the hints out of the
    history (which cannot tell how long the secret was): the data migration's body."""
    from aiq.crypto import InvalidToken, decrypt

    for credential in credential_model.objects.exclude(secret_hints={}).iterator():
        try:
            secrets = json.loads(decrypt(credential.secret_fields_encrypted))
        except (InvalidToken, ValueError):
            secrets = {}  # not readable with today's keys: keep that they are set, no hint
        changed_at = credential.updated_at.isoformat()
        credential.secret_hints = {
            name: {"hint": hint_for(secrets.get(name, "")), "changed_at": changed_at}
            for name in credential.secret_hints
        }
        credential.save(update_fields=["secret_hints"])
    for event in event_model.objects.exclude(changes={}).iterator():
        changes = {
            name: [_without_hint(value) for value in values] if isinstance(values, list) else values
            for name, values in event.changes.items()
        }
        if changes != event.changes:
            event.changes = changes
            event.save(update_fields=["changes"])


def _without_hint(value: Any) -> Any:
    return MASK if isinstance(value, str) and value.startswith(MASK) else value
