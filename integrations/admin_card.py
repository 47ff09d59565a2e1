"""What the integration card page shows besides its settings form: status, credentials
(secrets masked), the credential form and the history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse

from integrations.choices import CredentialState, IntegrationStatus
from integrations.forms import CredentialForm
from integrations.models import Credential, Integration, IntegrationEvent
from integrations.secret_hints import shown
from integrations.services.card_settings import setting_label
from integrations.services.credentials import credential_fields
from integrations.services.status import CredentialCounts, derive_status

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

HISTORY_LIMIT = 50
_EMPTY = "\u2014"


@dataclass(frozen=True, slots=True)
class CredentialRow:
    credential: Credential
    cells: list[str]
    change_url: str
    remove_url: str

    @property
    def failing(self) -> bool:
        return self.credential.state == CredentialState.FAILING


@dataclass(frozen=True, slots=True)
class HistoryRow:
    event: IntegrationEvent
    changes: list[tuple[str, str, str]]


def _show(value: Any, name: str = "") -> str:
    if value is None or value == "" or value == []:
        return _EMPTY
    if name == "status" and value in IntegrationStatus.values:
        return str(IntegrationStatus(value).label)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def secret_cell(credential: Credential, name: str) -> str:
    return shown(credential, name) if credential.has_secret(name) else _EMPTY


def credential_rows(admin: ModelAdmin, card: Integration) -> tuple[list[str], list[CredentialRow]]:
    """Column labels and one row per credential: readable fields, secrets as masks only."""
    fields = credential_fields(card.provider)
    name = f"{admin.admin_site.name}:{admin.opts.app_label}_{admin.opts.model_name}"
    rows = []
    for credential in card.credentials.all():
        cells = []
        for field in fields:
            if field.secret:
                cells.append(secret_cell(credential, field.name))
            else:
                cells.append(_show(credential.public_fields.get(field.name)))
        rows.append(
            CredentialRow(
                credential,
                cells,
                reverse(f"{name}_change_credential", args=[card.pk, credential.pk]),
                reverse(f"{name}_remove_credential", args=[card.pk, credential.pk]),
            )
        )
    return [field.label for field in fields], rows


def field_labels(card: Integration) -> dict[str, str]:
    labels = {field.name: field.label for field in credential_fields(card.provider)}
    labels.update({"is_sandbox": "Sandbox credential", "status": "Status"})
    return labels


def history_rows(card: Integration) -> list[HistoryRow]:
    """The card's latest events with their changes in staff terms."""
    labels = field_labels(card)
    events = card.events.select_related("actor")[:HISTORY_LIMIT]
    return [
        HistoryRow(
            event,
            [
                (
                    labels.get(field) or setting_label(field, card.label),
                    _show(before, field),
                    _show(after, field),
                )
                for field, (before, after) in (event.changes or {}).items()
            ],
        )
        for event in events
    ]


def card_context(
    admin: ModelAdmin, request: HttpRequest, card: Integration, form: CredentialForm | None
) -> dict[str, Any]:
    """Template context of the card page (besides the admin's own)."""
    name = f"{admin.admin_site.name}:{admin.opts.app_label}_{admin.opts.model_name}"
    columns, rows = credential_rows(admin, card)
    credentials = [row.credential for row in rows]
    counts = CredentialCounts.of(credentials)
    status = derive_status(card, counts)  # from the facts, never a stale stored value
    return {
        "title": f"{card.label} integration card",
        "subtitle": None,
        "card": card,
        "card_status": status,
        # Connect is the main action while there is something to connect or verify;
        # on a card that is connected and verified it is a plain "Verify again".
        "connect_is_main": (
            status.status == IntegrationStatus.NOT_CONNECTED
            or counts.failing > 0
            or counts.unverified > 0
        ),
        "may_disconnect": card.status != IntegrationStatus.NOT_CONNECTED,
        "credential_columns": columns,
        "credential_rows": rows,
        "failing_credentials": [row.credential for row in rows if row.failing],
        "warned_credentials": [
            c for c in credentials if c.warnings and c.state != CredentialState.FAILING
        ],
        "credential_form": form or CredentialForm(card),
        "add_credential_url": reverse(f"{name}_add_credential", args=[card.pk]),
        "disconnect_url": reverse(f"{name}_disconnect", args=[card.pk]),
        "providers_url": reverse(f"{name}_changelist"),
        "history_rows": history_rows(card),
        "can_change_card": admin.has_change_permission(request, card),
    }
