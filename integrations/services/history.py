"""The card's history: who changed what, when. Secrets never enter it: a secret field is
recorded as its mask (four dots, and its hint when it is long: ``integrations.secret_hints``)
and nothing else."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from aiq.changes import diff as diff_fields
from integrations.choices import EventAction
from integrations.models import Integration, IntegrationEvent
from integrations.secret_hints import MASK, masked

__all__ = ["MASK", "diff", "jsonable", "masked", "record_event"]

logger = logging.getLogger("aiq.integrations")


def jsonable(value: Any) -> Any:
    """A setting's value as stored in the history's JSON."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``field -> [before, after]`` for every field whose value changed."""
    return diff_fields(before, after, jsonable)


def record_event(
    integration: Integration,
    action: str,
    *,
    actor: Any = None,
    changes: Mapping[str, list[Any]] | None = None,
    message: str = "",
) -> IntegrationEvent:
    """Append one entry to the card's history (callers pass secrets already masked)."""
    event = IntegrationEvent.objects.create(
        company_id=integration.company_id,
        integration=integration,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        changes=dict(changes or {}),
        message=message[:500],
    )
    logger.info(
        "integration %s (%s, company %s): %s",
        integration.pk,
        integration.provider,
        integration.company_id,
        EventAction(action).label,
    )
    return event
