"""Sales rung up at a simulated register (``integrations/sandbox/terminals/``).

Generated sales are a pure function of (seed, index) and end at the start of the current
UTC day; a checkout happens now, so it cannot be generated. It is kept as a
``SandboxRecord`` of kind ``sale`` holding the provider-neutral ``Sale`` (the same value
every generated sale is), and each POS's sales listing renders it with the payload
function it renders generated sales with, after them (a checkout is newer than the whole
history). Its index continues past the generated ones, so its ids never collide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from integrations.sandbox import records, timeline
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import Line, Sale

KIND = "sale"
# The ticket was opened a moment before it was paid: every time a POS derives from the
# sale's moment (Clover's modifiedTime is a second later) is then already past.
OPENED_BEFORE_PAID_MS = 2_000


def record_checkout(
    account: SandboxAccount,
    *,
    lines: Sequence[Line],
    receipt_number: str,
    customer: int | None,
    location: int = 0,
    payment_method: str = "Cash",
    created_ms: int | None = None,
) -> Sale:
    """Store a completed sale in ``account``'s data, as its POS would after checkout.

    Numbered by counting the account's checkouts: registers of one account check out one
    at a time (two at the same instant would share an index and the later would win).
    """
    index = account.sales + len(records.load(account, KIND))
    rung = Sale(
        index=index,
        created_ms=created_ms if created_ms is not None else _opened_ms(),
        location=location,
        customer=customer,
        lines=tuple(lines),
        is_refund=any(line.quantity < 0 for line in lines),
        fulfillment="in_store",
        payment_method=payment_method,
        employee=0,
        receipt_number=receipt_number,
    )
    records.save(account, KIND, str(index), asdict(rung))
    return rung


def checkouts(
    account: SandboxAccount,
    low_ms: int | None = None,
    high_ms: int | None = None,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    location: int | None = None,
) -> list[Sale]:
    """The account's checkouts inside the time bounds (None: unbounded), oldest first."""
    found = []
    for row in records.load(account, KIND):
        rung = _sale_of(row.payload)
        moment = rung.created_ms
        if low_ms is not None and (moment < low_ms or (moment == low_ms and not low_inclusive)):
            continue
        if high_ms is not None and (moment > high_ms or (moment == high_ms and not high_inclusive)):
            continue
        if location is not None and rung.location != location:
            continue
        found.append(rung)
    return found


def _opened_ms() -> int:
    # To the whole second, as receipts are stamped (and Cova's date ranges read).
    return int(timeline.now()) * 1000 - OPENED_BEFORE_PAID_MS


def _sale_of(payload: dict[str, Any]) -> Sale:
    lines = tuple(Line(**line) for line in payload["lines"])
    return Sale(**{**payload, "lines": lines})
