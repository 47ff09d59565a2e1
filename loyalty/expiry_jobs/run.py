"""Which points expire tonight, per company, by the program's rule in force.

- Legacy: an account's whole balance expires after N days without a transaction. The
  days count only from the day the rule took effect (``expiration_rules_from``), so
  switching to legacy never expires anyone on the spot.
- First in, first out: each lot expires on its own ``expires_at``, set when it was
  awarded; lots awarded before the rule have none and never expire (no recomputing).
- None, or loyalty turned off: nothing expires (turning loyalty off keeps balances).

Manual "gifted" adjustments do not expire unless the program says so: under FIFO they
are awarded without an expiry date; under legacy their lots are kept.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from loyalty.ledger.amounts import ZERO
from loyalty.ledger.expiry import EXPIRE_TASK, expire, expire_legacy, is_gifted
from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import LoyaltyProgram


@dataclass
class CompanyExpiry:
    """What one company's run expired (or would expire): per persona, and in total."""

    company: str
    rule: str
    per_persona: dict[str, Decimal] = field(default_factory=dict)

    @property
    def accounts(self) -> int:
        return len(self.per_persona)

    @property
    def points(self) -> Decimal:
        return sum(self.per_persona.values(), ZERO)


def rule_start(program: LoyaltyProgram) -> datetime:
    """The start of the day the expiry rule took effect (the program's birth if unknown)."""
    day = program.expiration_rules_from or timezone.localdate(program.created_at)
    return timezone.make_aware(datetime.combine(day, time.min))


def expire_points(
    now: datetime, *, dry_run: bool = False, company_id: int | None = None
) -> list[CompanyExpiry]:
    """Run (or, with ``dry_run``, only count) tonight's expiry for every company."""
    programs = (
        LoyaltyProgram.objects.filter(enabled=True)
        .exclude(expiration_mode=ExpirationMode.NONE)
        .select_related("company")
        .order_by("company_id")
    )
    if company_id is not None:
        programs = programs.filter(company_id=company_id)
    results = []
    for program in programs:
        if program.expiration_mode == ExpirationMode.LEGACY:
            results.append(_legacy(program, now, dry_run))
        else:
            results.append(_fifo(program, now, dry_run))
    return results


def _label(account: LoyaltyAccount) -> str:
    persona = account.persona
    name = persona.full_name if persona is not None else ""
    return f"{name or '(no name)'} (persona {account.persona_id})"


def _fifo(program: LoyaltyProgram, now: datetime, dry_run: bool) -> CompanyExpiry:
    result = CompanyExpiry(
        str(program.company), f"first in, first out, {program.expiration_days} days"
    )
    if dry_run:
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        due = Lot.objects.filter(company=program.company, remaining__gt=0, expires_at__lte=now)
        for account_id, remaining in due.values_list("account_id", "remaining"):
            totals[account_id] += remaining
        accounts = LoyaltyAccount.objects.select_related("persona").in_bulk(list(totals))
        for account_id, points in sorted(totals.items()):
            result.per_persona[_label(accounts[account_id])] = points
        return result
    run = expire(now, company=program.company)
    for entry in LedgerEntry.objects.filter(pk__in=run.entry_ids).select_related(
        "account__persona"
    ):
        result.per_persona[_label(entry.account)] = -entry.points
    return result


def _legacy(program: LoyaltyProgram, now: datetime, dry_run: bool) -> CompanyExpiry:
    days = program.expiration_days or 0
    result = CompanyExpiry(str(program.company), f"legacy, {days} days without a transaction")
    cutoff = now - timedelta(days=days)
    if rule_start(program) > cutoff:
        # The rule is younger than N days: nobody has been inactive N days under it.
        return result
    keep_gifted = not program.gifted_points_expire
    inactive = (
        LoyaltyAccount.objects.filter(company=program.company, persona__isnull=False, balance__gt=0)
        .filter(Q(last_activity_at__lte=cutoff) | Q(last_activity_at__isnull=True))
        .select_related("persona")
        .order_by("pk")
    )
    for account in inactive:
        if dry_run:
            lots = Lot.objects.filter(account=account, remaining__gt=0)
            points = sum(
                (lot.remaining for lot in lots if not (keep_gifted and is_gifted(lot))), ZERO
            )
            if points > 0:
                result.per_persona[_label(account)] = points
            continue
        entry = expire_legacy(account, now=now, task=EXPIRE_TASK, keep_gifted=keep_gifted)
        if entry is not None:
            result.per_persona[_label(account)] = -entry.points
    return result
