"""Where the POS syncs hand loyalty its work, and the only loyalty names they call.

The sync engine (integrations/sync/) calls these; loyalty decides what they mean:
- ``sales_written``: inside the transaction of a batch of sales, with the ids of the sales
  created or changed in it, so a sale and the points it earns (or the correction of a
  changed total) commit together or not at all, and a redemption deducted on apply
  whose sale arrives without its discount gets its points back, and a discount held at
  the queue's counter is committed by the sale that carries it;
- ``personas_synced``: a customers batch (inside its transaction) or the end of a sales
  run touched these personas (new shoppers, sales just linked to them): for enrollment by
  card setting and for catch-up earning on sales that reached a persona after they were
  written.

Each step they run is idempotent per sale and per persona, so a retried or resumed sync
never earns twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from django.db import transaction

from loyalty.api.redemption.reconcile import reconcile_for_sales
from loyalty.earning.service import earn_for_personas, earn_for_sales
from loyalty.enrollment.by_setting import enroll_for_company, enroll_for_sales
from stores.queue.shopper.settle import commit_counter_holds

logger = logging.getLogger(__name__)


def _never_fail_the_sync(step: Callable[..., object], *args: object) -> None:
    """Run one loyalty step in a savepoint: a bug or a refusal in loyalty rolls back its
    own writes and is logged, never the POS data of the batch (which a retry would
    re-read for nothing)."""
    try:
        with transaction.atomic():
            step(*args)
    except Exception:
        logger.exception("Loyalty step %s failed; the sync batch goes on", step.__name__)


def sales_written(company_id: int, sale_ids: Collection[int], now: datetime) -> None:
    """A batch of sales was written (call inside the batch's transaction)."""
    if not sale_ids:
        return
    # ENROLLMENT FIRST, earning after: a sale that qualifies its shopper under a card's
    # "purchased after" setting must find them enrolled when earning runs on it.
    _never_fail_the_sync(enroll_for_sales, company_id, sale_ids)
    _never_fail_the_sync(earn_for_sales, company_id, sale_ids, now)
    # A POS that deducts on apply (Cova): points back when the sale lacks the discount.
    _never_fail_the_sync(reconcile_for_sales, company_id, sale_ids, now)
    # A discount a budtender held at the counter: the sale carrying it commits the hold.
    _never_fail_the_sync(commit_counter_holds, company_id, sale_ids, now)


def personas_synced(company_id: int, persona_ids: Collection[int], now: datetime) -> None:
    """A sync touched these personas (their rows are written, in this transaction or
    an earlier one)."""
    if not persona_ids:
        return
    # ENROLLMENT FIRST, earning after (catch-up earning needs the membership): sales
    # that reached a member after they were written.
    _never_fail_the_sync(enroll_for_company, company_id, persona_ids)
    _never_fail_the_sync(earn_for_personas, company_id, persona_ids, now)
