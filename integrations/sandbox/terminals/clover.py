"""Clover's register, which has no AIQ tab (seed 004): a discount takes two steps.

1. Redeemed on our side (the AIQ staff app or the shopper's wallet): the redemption URL's
   PUT with the order's number, which deducts the points.
2. Applied by hand in Clover: the clerk adds a manual discount of the same name and amount
   to the order. Clover tells AIQ nothing; the order then syncs like any other.

Clover never deducts on apply, so nothing is reconciled: the redemption stands.
"""

from __future__ import annotations

from typing import Any

from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import Sale
from integrations.sandbox.terminals.aiq_api import AiqApi
from integrations.sandbox.terminals.ticket import Discount, Ticket


class CloverRegister:
    def __init__(self, aiq: AiqApi, account: SandboxAccount) -> None:
        self.aiq, self.account = aiq, account

    def open_ticket(self, transaction_id: str, customer: int | None, phone: str) -> Ticket:
        """The staff app reads the wallet beside the open order."""
        return Ticket(transaction_id, customer, phone, wallet=self.aiq.wallet(phone))

    def redeem_in_aiq(self, ticket: Ticket, name: str) -> dict[str, Any]:
        """Step 1: the staff app redeems the discount for this order."""
        return self.aiq.redeem(ticket.template(name)["redemptionURL"], ticket.transaction_id)

    def apply_manual_discount(self, ticket: Ticket, name: str, amount_cents: int) -> None:
        """Step 2: the clerk types the discount into Clover by hand."""
        ticket.discount = Discount(ticket.template(name), amount_cents)

    def check_out(self, ticket: Ticket) -> Sale:
        return ticket.record(self.account)
