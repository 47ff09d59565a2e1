"""A ticket (cart) open at a register: the shopper, the lines rung up, one AIQ discount."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.sandbox.checkouts import record_checkout
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import Line, Sale


@dataclass
class Discount:
    """A discount on the ticket: the wallet's template and what it takes off, in cents."""

    template: dict[str, Any]
    amount_cents: int

    @property
    def name(self) -> str:
        return str(self.template["name"])


@dataclass
class Ticket:
    transaction_id: str
    # The shopper as their POS knows them: the sandbox's customer index (None: anonymous).
    customer: int | None
    phone: str
    wallet: dict[str, Any] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    discount: Discount | None = None

    def ring_up(self, product_index: int, unit_price_cents: int, quantity: int = 1) -> None:
        self.lines.append(Line(product_index, quantity, unit_price_cents, 0))

    def template(self, name: str) -> dict[str, Any]:
        """The wallet's discount template called ``name`` (KeyError: not redeemable now)."""
        for template in self.wallet.get("discountTemplates", []):
            if template["name"] == name:
                return template
        raise KeyError(f'"{name}" is not in the shopper\'s wallet')

    def lines_at_checkout(self) -> tuple[Line, ...]:
        """The lines with the discount, if one is still on the ticket, taken off the first
        line (the sandbox's sales carry discounts per line)."""
        if self.discount is None or not self.lines:
            return tuple(self.lines)
        first, *rest = self.lines
        gross = first.quantity * first.unit_price_cents
        taken = min(self.discount.amount_cents, gross)
        discounted = Line(
            first.product_index, first.quantity, first.unit_price_cents, taken, self.discount.name
        )
        return (discounted, *rest)

    def record(self, account: SandboxAccount) -> Sale:
        """The completed sale, in the POS sandbox's data, where the sync reads it."""
        return record_checkout(
            account,
            lines=self.lines_at_checkout(),
            receipt_number=self.transaction_id,
            customer=self.customer,
        )
