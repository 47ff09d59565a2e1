"""One posted visit read into our terms (``Visit``), or a ``VisitError`` naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from loyalty.api.sales import fields
from loyalty.api.sales.fields import THOUSANDTH, VisitError

LINES = "visit_details_attributes"
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Member:
    """The shopper as the POS sent them (raw text; ingest normalises)."""

    first_name: str
    last_name: str
    phone: str
    email: str


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    name: str
    category: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    total: Decimal
    brand: str = ""


@dataclass(frozen=True, slots=True)
class Visit:
    """A sale (or refund) as AIQ's createUpdateSale describes it."""

    pos_id: str
    pos_user: str
    pos_type: str
    location: str
    occurred_at: datetime
    total: Decimal
    is_refund: bool
    lines: tuple[Line, ...]
    member: Member | None

    @property
    def pos_key(self) -> str:
        """The POS location the sale was rung up at (a store mapping key)."""
        return self.location or self.pos_type


def parse_visit(raw: Any) -> Visit:
    """Read one visit; raise ``VisitError`` with the field's path inside the visit ("" for
    the visit as a whole)."""
    if not isinstance(raw, dict):
        raise VisitError("", "must be an object")
    visit: dict[str, Any] = raw
    pos_id = fields.text(visit.get("pos_id"), "pos_id", limit=128, required=True)
    raw_lines = visit.get(LINES)
    if raw_lines is None:
        raw_lines = []
    if not isinstance(raw_lines, list):
        raise VisitError(LINES, "must be a list")
    lines = tuple(_line(item, f"{LINES}[{index}]") for index, item in enumerate(raw_lines))
    quantities = [line.quantity for line in lines]
    if "transaction_total" in visit and visit["transaction_total"] is not None:
        total = fields.amount(visit["transaction_total"], "transaction_total")
    else:
        total = sum((line.total for line in lines), ZERO)
    returned_only = bool(quantities) and all(q < 0 for q in quantities)
    is_refund = total < 0 or returned_only
    return Visit(
        pos_id=pos_id,
        pos_user=fields.text(visit.get("pos_user"), "pos_user", limit=128),
        pos_type=fields.text(visit.get("pos_type"), "pos_type", limit=128),
        location=fields.text(visit.get("location"), "location", limit=128),
        occurred_at=fields.moment(visit.get("transaction_date"), "transaction_date"),
        # A refund's total is negative whatever sign the POS gave it (0 stays 0, not -0).
        total=-abs(total) if is_refund and total else total,
        is_refund=is_refund,
        lines=lines,
        member=_member(visit.get("member")),
    )


def _line(raw: Any, path: str) -> Line:
    line = fields.mapping(raw, path)
    quantity = fields.amount(
        _required(line, "quantity", path), f"{path}.quantity", places=THOUSANDTH
    )
    price = fields.amount(_required(line, "price", path), f"{path}.price")
    discount = abs(fields.amount(line.get("discount") or 0, f"{path}.discount"))
    # A returned line gives back what was paid for it: its discount too.
    paid = price * quantity - discount if quantity >= 0 else price * quantity + discount
    total = fields.amount(paid, f"{path}.price")
    return Line(
        sku=fields.text(line.get("sku"), f"{path}.sku", limit=128, cut=True),
        name=fields.text(line.get("name"), f"{path}.name", limit=255, cut=True),
        category=fields.text(line.get("category"), f"{path}.category", limit=128, cut=True),
        brand=fields.text(line.get("brand"), f"{path}.brand", limit=128, cut=True),
        quantity=quantity,
        unit_price=price,
        discount=discount,
        total=total,
    )


def _required(raw: dict[str, Any], name: str, path: str) -> Any:
    if raw.get(name) is None:
        raise VisitError(f"{path}.{name}", "required")
    return raw[name]


def _member(raw: Any) -> Member | None:
    if raw is None:
        return None
    member = fields.mapping(raw, "member")
    return Member(
        first_name=fields.text(member.get("firstName"), "member.firstName", limit=100, cut=True),
        last_name=fields.text(member.get("lastName"), "member.lastName", limit=100, cut=True),
        phone=fields.text(member.get("mobilePhone"), "member.mobilePhone", limit=40),
        email=fields.text(member.get("email"), "member.email", limit=254),
    )
