"""Cova's register with the "Alpine IQ" tab (seed 000).

Points are deducted when the loyalty discount is applied: the register PUTs the
redemption URL with the transaction id there and then. A budtender who removes the
discount before checkout sends nothing ("Cova does not automatically send a reversal"),
so the sale completes without it and only the sync can tell (our reconciliation,
``loyalty/api/redemption/reconcile.py``). At most one AIQ discount per order.
"""

from __future__ import annotations

from typing import Any

from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import Sale
from integrations.sandbox.terminals.aiq_api import AiqApi
from integrations.sandbox.terminals.ticket import Discount, Ticket


class CovaRegister:
    def __init__(self, aiq: AiqApi, account: SandboxAccount) -> None:
        self.aiq, self.account = aiq, account

    def open_ticket(self, transaction_id: str, customer: int | None, phone: str) -> Ticket:
        """The budtender adds the shopper: the tab reads their wallet."""
        return Ticket(transaction_id, customer, phone, wallet=self.aiq.wallet(phone))

    def apply_discount(self, ticket: Ticket, name: str, amount_cents: int) -> dict[str, Any]:
        """Apply an AIQ discount from the tab: redeemed (points deducted) at once."""
        if ticket.discount is not None:
            raise ValueError("Only one AIQ discount can be applied to an order.")
        template = ticket.template(name)
        answer = self.aiq.redeem(template["redemptionURL"], ticket.transaction_id)
        ticket.discount = Discount(template, amount_cents)
        return answer

    def remove_discount(self, ticket: Ticket) -> None:
        """Take the discount off the cart. Cova tells AIQ nothing."""
        ticket.discount = None

    def check_out(self, ticket: Ticket) -> Sale:
        return ticket.record(self.account)
