"""POSaBIT's register with the "Alpine iq - Loyalty" integration (seed 003).

Signups: the in-checkout signup screen sends new members to AIQ. With "Customer Consent"
on the form the shopper ticks a box and signs, which opts them into marketing on the AIQ
side: sent as ``smsOptIn`` with ``consentEvidence`` naming the box and the signature
(an SMS opt-in: the channel the seed's double opt-in settings are about). Without the
signature POSaBIT does not accept the form.

Discounts are created in AIQ and mirrored in POSaBIT under the same name; at checkout the
register finds the wallet's template by that name and redeems it with the transaction id
once the sale completes (AIQ's documented order: pos-apis.md 4.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.sales import Sale
from integrations.sandbox.terminals.aiq_api import AiqApi
from integrations.sandbox.terminals.ticket import Discount, Ticket

CONSENT_EVIDENCE = "Customer Consent + signature"


@dataclass(frozen=True)
class SignupForm:
    first_name: str
    last_name: str
    phone: str
    email: str = ""
    customer_consent: bool = False  # the "Customer Consent" box, when the form has it
    signature: str = ""  # the signature captured on the terminal (its image, in POSaBIT)


class PosabitRegister:
    def __init__(self, aiq: AiqApi, account: SandboxAccount, promotions: Mapping[str, int]) -> None:
        # POSaBIT's own promotions, by name, and what each takes off in cents.
        self.aiq, self.account, self.promotions = aiq, account, dict(promotions)

    def sign_up(self, form: SignupForm) -> dict[str, Any]:
        if form.customer_consent and not form.signature:
            raise ValueError("Customer Consent needs the shopper's signature.")
        contact: dict[str, Any] = {
            "firstName": form.first_name,
            "lastName": form.last_name,
            "mobilePhone": form.phone,
        }
        if form.email:
            contact["email"] = form.email
        if form.customer_consent:
            contact.update(smsOptIn=True, consentEvidence=CONSENT_EVIDENCE)
        return self.aiq.sign_up(contact)

    def open_ticket(self, transaction_id: str, customer: int | None, phone: str) -> Ticket:
        return Ticket(transaction_id, customer, phone, wallet=self.aiq.wallet(phone))

    def apply_promotion(self, ticket: Ticket, name: str) -> None:
        """Apply the POSaBIT promotion mirroring the AIQ discount of the same name."""
        ticket.discount = Discount(ticket.template(name), self.promotions[name])

    def check_out(self, ticket: Ticket) -> tuple[Sale, dict[str, Any] | None]:
        """Complete the sale, then redeem its AIQ discount with the transaction id."""
        sale = ticket.record(self.account)
        if ticket.discount is None:
            return sale, None
        redemption_url = ticket.discount.template["redemptionURL"]
        return sale, self.aiq.redeem(redemption_url, ticket.transaction_id)
