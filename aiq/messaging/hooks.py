"""Where the POS sync hands messaging its work (called by integrations/sync/sales.py at
the end of a sales run): double opt-in requests for the shoppers the run gave a sale."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.db import transaction

from aiq.messaging.double_opt_in import cards_with_setting, request_for_company

logger = logging.getLogger(__name__)


def sales_synced(company_id: int, persona_ids: Collection[int]) -> None:
    """Never fails the sync: a bug here rolls back its own writes and is logged."""
    if not persona_ids or not cards_with_setting(company_id).exists():
        return
    try:
        with transaction.atomic():
            request_for_company(company_id, persona_ids)
    except Exception:
        logger.exception("Double opt-in requests after a sync failed; the sync goes on")
