"""The card's status and since when."""

from __future__ import annotations

from django.utils import timezone

from integrations.models import Integration


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
