"""The card's status, derived from the facts: whether staff connected it, its credentials'
states and "Use AIQ's last backup".

``Integration.status`` stores two things: whether staff want the card connected (anything
but "not connected") and, for the scheduler, what that comes to now. Every change to a
credential or to the backup setting calls ``refresh_status`` so the stored value follows
the facts; the card and Settings > Integrations show ``derive_status``, computed afresh,
so a value left stale by some other path is never what staff read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, Integration


@dataclass(frozen=True, slots=True)
class CredentialCounts:
    total: int = 0
    failing: int = 0
    unverified: int = 0

    @classmethod
    def of(cls, credentials: Iterable[Credential]) -> CredentialCounts:
        states = [credential.state for credential in credentials]
        return cls(
            total=len(states),
            failing=states.count(CredentialState.FAILING),
            unverified=states.count(CredentialState.UNVERIFIED),
        )


@dataclass(frozen=True, slots=True)
class CardStatus:
    """What the card's status box says."""

    status: str
    detail: str = ""

    @property
    def label(self) -> str:
        return str(IntegrationStatus(self.status).label)


def with_credential_counts(cards: QuerySet[Integration]) -> QuerySet[Integration]:
    """Annotate ``credentials_total``, ``credentials_failing`` and ``credentials_unverified``
    (for ``derive_status`` over many cards in one query)."""
    return cards.annotate(
        credentials_total=Count("credentials"),
        credentials_failing=Count(
            "credentials", filter=Q(credentials__state=CredentialState.FAILING)
        ),
        credentials_unverified=Count(
            "credentials", filter=Q(credentials__state=CredentialState.UNVERIFIED)
        ),
    )


def credential_counts(integration: Integration) -> CredentialCounts:
    annotated = getattr(integration, "credentials_total", None)
    if annotated is not None:
        return CredentialCounts(
            total=annotated,
            failing=integration.credentials_failing,  # type: ignore[attr-defined]
            unverified=integration.credentials_unverified,  # type: ignore[attr-defined]
        )
    return CredentialCounts.of(integration.credentials.only("state"))


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def derive_status(
    integration: Integration, counts: CredentialCounts | None = None, *, connecting: bool = False
) -> CardStatus:
    """The card's status now.

    Not connected while staff have not connected it (or disconnected it) or it has no
    credential; else frozen while "Use AIQ's last backup" is on (no call reaches the POS);
    else needs attention while a credential fails; else connected. The detail says how
    many credentials fail or wait to be verified. ``connecting``: staff just clicked
    Connect, so the card is meant to be connected whatever it was.
    """
    counts = counts if counts is not None else credential_counts(integration)
    wanted = connecting or integration.status != IntegrationStatus.NOT_CONNECTED
    if not wanted or counts.total == 0:
        return CardStatus(IntegrationStatus.NOT_CONNECTED)
    notes = []
    if counts.failing:
        notes.append(
            "The credential needs attention"
            if counts.total == 1
            else f"{counts.failing} of {counts.total} credentials need attention"
        )
    if counts.unverified:
        notes.append(
            f"{counts.unverified} "
            + _plural(counts.unverified, "credential", "credentials")
            + " not verified yet: click Connect to verify "
            + _plural(counts.unverified, "it", "them")
        )
    detail = "; ".join(notes)
    if integration.use_last_backup:
        return CardStatus(IntegrationStatus.FROZEN, detail)
    if counts.failing:
        return CardStatus(IntegrationStatus.NEEDS_ATTENTION, detail)
    return CardStatus(IntegrationStatus.CONNECTED, detail)


def set_status(integration: Integration, status: str, detail: str = "") -> dict[str, list[str]]:
    """Set the status (not saved); ``status_changed_at`` moves only when it changes.

    Returns ``{"status": [before, after]}`` when it changed, for the history.
    """
    before = integration.status
    integration.status_detail = detail[:300]
    if before == status:
        return {}
    integration.status = status
    integration.status_changed_at = timezone.now()
    return {"status": [before, status]}


STATUS_FIELDS = ["status", "status_changed_at", "status_detail", "updated_at"]


def refresh_status(integration: Integration) -> dict[str, list[str]]:
    """Store the derived status (when the card is meant to be connected) and return the
    change for the history. Call after every change to the card's credentials or to the
    backup setting."""
    if integration.status == IntegrationStatus.NOT_CONNECTED:
        return {}
    derived = derive_status(integration)
    if (derived.status, derived.detail) == (integration.status, integration.status_detail):
        return {}
    changes = set_status(integration, derived.status, derived.detail)
    integration.save(update_fields=STATUS_FIELDS)
    return changes
