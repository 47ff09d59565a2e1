"""Connect and disconnect a card.

Connect verifies every credential against its POS (``provider.check()``), says per
failing credential in plain words what to do, discovers the POS keys each one reaches and
sets the card's status. The POS is called outside any database transaction; the results
are written in one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from aiq.crypto import InvalidToken
from aiq.http import HttpClient, RetryPolicy
from integrations.choices import CredentialState, EventAction, IntegrationStatus
from integrations.models import Credential, Integration
from integrations.providers.errors import MalformedRecord, ProviderError
from integrations.providers.values import Location
from integrations.services.card_settings import ATTESTATION_REQUIRED
from integrations.services.errors import ConnectRefused
from integrations.services.history import record_event
from integrations.services.pos_keys import record_pos_keys
from integrations.services.status import CredentialCounts, derive_status, set_status

logger = logging.getLogger("aiq.integrations")

NO_CREDENTIALS = (
    "Add a credential first: enter the credentials from your POS and click Add Credential."
)
UNREADABLE = (
    "AIQ can no longer read this credential (its encryption key was removed). "
    "Remove it and add it again."
)
# A person is waiting on the page: fewer, shorter retries than a background sync.
CONNECT_RETRY = RetryPolicy(max_attempts=2, backoff_base=0.25, backoff_cap=1.0, max_total_wait=2)
CONNECT_TIMEOUT = (5.0, 20.0)


@dataclass(slots=True)
class CredentialCheck:
    """What Connect found for one credential."""

    credential: Credential
    ok: bool
    code: str = ""
    message: str = ""
    locations: list[Location] = field(default_factory=list)
    # Verified, but something will not work (a missing write permission), in staff words.
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ConnectResult:
    """The outcome of Connect: the card's new status and each credential's check."""

    status: str
    checks: list[CredentialCheck]
    keys_found: int

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[CredentialCheck]:
        return [check for check in self.checks if not check.ok]

    @property
    def warnings(self) -> list[CredentialCheck]:
        return [check for check in self.checks if check.ok and check.warnings]


def connect_http() -> HttpClient:
    """The HTTP client Connect uses (short retries: someone is waiting)."""
    return HttpClient(timeout=CONNECT_TIMEOUT, retry=CONNECT_RETRY)


def check_credential(
    credential: Credential, sandbox_origin: str | None = None, http: HttpClient | None = None
) -> CredentialCheck:
    """Verify one credential and list the locations it reaches; no database writes."""
    try:
        provider = credential.provider_client(sandbox_origin=sandbox_origin, http=http)
        provider.check()
        locations = [
            item for item in provider.iter_locations() if not isinstance(item, MalformedRecord)
        ]
        warnings = provider.permission_warnings()
    except ProviderError as error:
        # str(error) holds the method, path and status, never a secret (errors.py).
        logger.info("credential %s failed its check: %s (%s)", credential.pk, error.code, error)
        return CredentialCheck(credential, ok=False, code=error.code, message=error.user_message)
    except InvalidToken:
        logger.warning("credential %s cannot be decrypted with the configured keys", credential.pk)
        return CredentialCheck(credential, ok=False, code="undecryptable", message=UNREADABLE)
    return CredentialCheck(credential, ok=True, locations=locations, warnings=warnings)


def connect(
    integration: Integration,
    actor: Any = None,
    sandbox_origin: str | None = None,
    http: HttpClient | None = None,
) -> ConnectResult:
    """Verify every credential, record each one's state, discover POS keys and set the
    card's status (connected, frozen or needs attention). Raises ``ConnectRefused`` when
    the age-gate attestation is missing or the card has no credential."""
    if not integration.age_gate_attested:
        raise ConnectRefused(ATTESTATION_REQUIRED)
    credentials = list(integration.credentials.all())
    if not credentials:
        raise ConnectRefused(NO_CREDENTIALS)
    http = http or connect_http()
    checks = [check_credential(c, sandbox_origin, http) for c in credentials]
    now = timezone.now()
    with transaction.atomic():
        # A credential added while the POS answered was not checked: it waits for the
        # next Connect, and the status says so.
        added_since = list(
            integration.credentials.exclude(pk__in=[c.pk for c in credentials]).only("state")
        )
        keys_found = 0
        for check in checks:
            credential = check.credential
            credential.state = CredentialState.VERIFIED if check.ok else CredentialState.FAILING
            credential.last_error_code = check.code
            credential.last_error = check.message
            credential.warnings = check.warnings
            if check.ok:
                credential.last_verified_at = now
                keys_found += record_pos_keys(integration, check.locations, credential=credential)
            credential.save(
                update_fields=[
                    "state",
                    "last_error_code",
                    "last_error",
                    "last_verified_at",
                    "warnings",
                    "updated_at",
                ]
            )
        derived = derive_status(
            integration, CredentialCounts.of(credentials + added_since), connecting=True
        )
        changes = set_status(integration, derived.status, derived.detail)
        failures = [check for check in checks if not check.ok]
        if failures:
            action = EventAction.CONNECT_FAILED
            message = "; ".join(f"{c.credential.display_name}: {c.message}" for c in failures)
        else:
            action = EventAction.CONNECTED
            message = f"{len(checks)} credential(s) verified; {keys_found} POS key(s) found"
            warned = [c for c in checks if c.warnings]
            if warned:
                message += "; " + "; ".join(
                    f"{c.credential.display_name}: {' '.join(c.warnings)}" for c in warned
                )
        integration.save(
            update_fields=["status", "status_changed_at", "status_detail", "updated_at"]
        )
        record_event(integration, action, actor=actor, changes=changes, message=message)
    return ConnectResult(status=integration.status, checks=checks, keys_found=keys_found)


@transaction.atomic
def disconnect(integration: Integration, actor: Any = None) -> bool:
    """Stop using the card (credentials stay); False if it was not connected."""
    changes = set_status(integration, IntegrationStatus.NOT_CONNECTED)
    if not changes:
        return False
    integration.save(update_fields=["status", "status_changed_at", "status_detail", "updated_at"])
    record_event(
        integration, EventAction.DISCONNECTED, actor=actor, changes=changes, message="Disconnected"
    )
    return True
