"""The sandbox POS's own loyalty balances, consistent with the sales it serves.

Every shopper on a sale earns the sale's ``points_earned`` (one point per whole dollar
before tax; refunds and anonymous sales earn none) and nobody redeems, so a shopper's
balance, and lifetime balance, is the sum over their sales: what Cova's iQ Loyalty
summary and invoices and POSaBIT's ``loyalty_points`` all report. Deterministic: a pure
function of the account and the day (the sales are).

Finding a shopper's sales means generating every sale once; the result is cached per
account and day. Accounts above ``SCAN_LIMIT`` sales (benchmarks) report zero balances
rather than stall a request.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import sale
from integrations.sandbox.timeline import anchor_ms

SCAN_LIMIT = 200_000


@lru_cache(maxsize=16)
def _points_by_shopper(account: SandboxAccount, day_ms: int) -> dict[int, int]:
    totals: Counter[int] = Counter()
    if account.sales > SCAN_LIMIT:
        return {}
    for index in range(account.sales):
        current = sale(account, index)
        if current.customer is not None:
            totals[current.customer] += current.points_earned
    return dict(totals)


def points_of(account: SandboxAccount, shopper_index: int | None) -> int:
    """Shopper ``shopper_index``'s points balance (0 for a shopper we did not generate)."""
    if shopper_index is None:
        return 0
    return _points_by_shopper(account, anchor_ms()).get(shopper_index, 0)
