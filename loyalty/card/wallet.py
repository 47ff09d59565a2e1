"""Everything the persona card's loyalty section shows, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.card.refunds import RefundOffer, refund_offers
from loyalty.discounts.services import DiscountOption, discount_options
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.postings import FIFO
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import say_date, say_points

TIMELINE_LIMIT = 50


@dataclass(frozen=True)
class TimelineRow:
    """One ledger entry as the card lists it: what, why, and who or what caused it."""

    entry: LedgerEntry
    label: str
    explanation: str
    cause: str


@dataclass(frozen=True)
class Wallet:
    has_account: bool
    balance: Decimal
    on_hold: Decimal
    lots: list[Lot]
    timeline: list[TimelineRow]
    entry_count: int
    discounts_now: list[DiscountOption]
    discounts_later: list[DiscountOption]
    refunds: list[RefundOffer]
    expiry_rule: str


def wallet_summary(
    persona: Persona, *, now: datetime | None = None, limit: int = TIMELINE_LIMIT
) -> Wallet:
    """The persona's points, lots, history, discounts and refunds for the card."""
    now = now or timezone.now()
    account = LoyaltyAccount.objects.filter(persona=persona).first()
    program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
    balance = account.balance if account else ZERO
    on_hold = account.on_hold if account else ZERO
    lots: list[Lot] = []
    rows: list[TimelineRow] = []
    count = 0
    if account is not None:
        lots = list(
            Lot.objects.filter(account=account, remaining__gt=0)
            .select_related("award")
            .order_by(*FIFO)  # the order points are spent in: never-expiring last
        )
        # The persona's history includes accounts merged into it (kept as they were).
        entries = LedgerEntry.objects.filter(
            Q(account__persona=persona) | Q(account__merged_into__survivor=persona)
        )
        count = entries.count()
        latest = entries.select_related("sale", "sale__store", "staff_user", "reverses").order_by(
            "-occurred_at", "-id"
        )[:limit]
        rows = [timeline_row(entry) for entry in latest]
    options = discount_options(persona, balance=balance, at=now, staff=True)
    return Wallet(
        has_account=account is not None,
        balance=balance,
        on_hold=on_hold,
        lots=lots,
        timeline=rows,
        entry_count=count,
        discounts_now=[option for option in options if option.redeemable],
        discounts_later=[option for option in options if not option.redeemable],
        refunds=refund_offers(persona),
        expiry_rule=expiry_rule(program),
    )


def timeline_row(entry: LedgerEntry) -> TimelineRow:
    return TimelineRow(entry, entry.get_kind_display(), explanation(entry), cause(entry))


def explanation(entry: LedgerEntry) -> str:
    """Why the number is what it is, in words (the ledger's own text first)."""
    parts = []
    if entry.explanation:
        parts.append(entry.explanation)
    if entry.kind == EntryKind.REVERSAL and entry.reverses is not None:
        reversed_entry = entry.reverses
        parts.append(
            f"Reverses {reversed_entry.get_kind_display().lower()} of "
            f"{say_points(abs(reversed_entry.points))} points on "
            f"{say_date(timezone.localtime(reversed_entry.occurred_at).date())}."
        )
    if entry.reason:
        parts.append(f"Reason: {entry.reason}")
    return " ".join(parts)


def cause(entry: LedgerEntry) -> str:
    """Who or what wrote it: a sale, a staff member, an API key, a task or a merge."""
    if entry.sale_id and entry.sale is not None:
        sale = entry.sale
        store = f" at {sale.store.name}" if sale.store_id and sale.store else ""
        what = "Refund" if sale.is_refund else "Sale"
        return f"{what} {sale.receipt_number or sale.external_id}{store}"
    if entry.staff_user_id and entry.staff_user is not None:
        return f"Staff: {entry.staff_user.get_username()}"
    if entry.api_key_label:
        return f"API key: {entry.api_key_label}"
    if entry.task:
        return f"Scheduled task: {entry.task}"
    if entry.merge_id:
        return "Persona merge"
    return ""


def expiry_rule(program: LoyaltyProgram | None) -> str:
    """The expiration rule in force, and since when (it never applies retroactively)."""
    if program is None or program.expiration_mode == ExpirationMode.NONE:
        return "Points never expire."
    since = (
        f" This rule applies from {say_date(program.expiration_rules_from)}; nothing "
        "earned before was recomputed."
        if program.expiration_rules_from
        else ""
    )
    gifts = (
        "Manual adjustments expire too."
        if program.gifted_points_expire
        else "Manual adjustments never expire."
    )
    if program.expiration_mode == ExpirationMode.LEGACY:
        rule = (
            f"The whole balance expires after {program.expiration_days} days without a transaction."
        )
    else:
        rule = f"Each award expires {program.expiration_days} days after it was earned."
    return f"{rule} {gifts}{since}"
