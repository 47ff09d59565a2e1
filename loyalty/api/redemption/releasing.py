"""Releasing a redemption's hold: by the POS (DELETE) or by time (nothing committed it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.ledger import holds
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.errors import HoldAlreadySettled

logger = logging.getLogger(__name__)

RELEASE_TASK = "release_expired_holds"


def release_locked(
    redemption: Redemption,
    *,
    occurred_at: datetime,
    reason: str,
    api_key_label: str = "",
    staff_user: Any = None,
    task: str = "",
    idempotency_key: str | None = None,
) -> None:
    """Release the open hold (the caller holds the shopper's account lock and saves)."""
    assert redemption.hold_entry is not None
    redemption.return_entry = holds.release(
        redemption.hold_entry,
        occurred_at=occurred_at,
        reason=reason,
        api_key_label=api_key_label,
        staff_user=staff_user,
        task=task,
        idempotency_key=idempotency_key,
    )
    redemption.status = RedemptionStatus.RELEASED
    redemption.note = reason


@dataclass
class ExpiryRun:
    released: list[int] = field(default_factory=list)


def release_expired_holds(now: datetime, *, limit: int = 500) -> ExpiryRun:
    """Release every hold past its time that no PUT committed; one transaction each, so a
    commit racing this run either wins (the hold is final) or finds it released."""
    run = ExpiryRun()
    due = list(
        Redemption.objects.filter(status=RedemptionStatus.HELD, hold_expires_at__lte=now)
        .order_by("hold_expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        try:
            if release_if_expired(pk, now):
                run.released.append(pk)
        except Exception:
            # One bad row must not keep every later hold from being released.
            logger.exception("Could not release the hold of redemption %s", pk)
    return run


def release_if_expired(redemption_id: int, now: datetime) -> bool:
    with transaction.atomic():
        redemption = Redemption.objects.select_related("persona").filter(pk=redemption_id).first()
        if redemption is None:
            return False
        lock_persona_account(redemption.persona)  # the lock every redemption path takes first
        redemption = Redemption.objects.select_for_update().get(pk=redemption_id)
        if redemption.status != RedemptionStatus.HELD or redemption.hold_expires_at > now:
            return False
        minutes = settings.LOYALTY_HOLD_MINUTES
        try:
            release_locked(
                redemption,
                occurred_at=now,
                reason=f"Hold not committed by a checkout within {minutes} minutes",
                task=RELEASE_TASK,
                idempotency_key=f"redemption:{redemption.pk}:expired",
            )
        except HoldAlreadySettled as settled:
            # Settled in the ledger by another path: the points are not held any more.
            redemption.status = RedemptionStatus.RELEASED
            redemption.note = str(settled)[:300]
        redemption.save()
        logger.info("Released expired hold of redemption %s", redemption.pk)
        return True
