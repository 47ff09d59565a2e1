"""The loyalty settings' history: who changed what, when (as the integration card keeps
its own, ``integrations/services/history.py``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aiq.changes import diff as diff_fields
from loyalty.program.choices import ProgramEventAction
from loyalty.program.models import LoyaltyProgram, LoyaltyProgramEvent

logger = logging.getLogger("aiq.loyalty")


def jsonable(value: Any) -> Any:
    """A setting's value as stored in the history's JSON (Decimals as exact text)."""
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set):
        return sorted(value)
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``field -> [before, after]`` for every field whose value changed."""
    return diff_fields(before, after, jsonable)


def record_event(
    program: LoyaltyProgram,
    action: str,
    *,
    actor: Any = None,
    changes: Mapping[str, list[Any]] | None = None,
    message: str = "",
) -> LoyaltyProgramEvent:
    event = LoyaltyProgramEvent.objects.create(
        company_id=program.company_id,
        program=program,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        changes=dict(changes or {}),
        message=message[:500],
    )
    logger.info(
        "loyalty program of company %s: %s", program.company_id, ProgramEventAction(action).label
    )
    return event
