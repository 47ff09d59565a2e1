"""Recompute every balance, hold total and lot from the history and report any drift.

Set-based: a handful of aggregate queries, whatever the number of accounts, so it stays
fast at a million entries. Amounts are compared with a half-cent tolerance because
SQLite sums decimals as binary floats; a real drift is at least one cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Abs, Coalesce

from aiq.accounts.models import Company
from loyalty.ledger.amounts import CENT, ZERO
from loyalty.ledger.choices import SETTLEMENT_KINDS, EntryKind
from loyalty.ledger.models import POINTS, LedgerEntry, Lot, LoyaltyAccount

HALF_CENT = Decimal("0.005")


@dataclass(frozen=True)
class Drift:
    """One place where the cached numbers disagree with the history."""

    what: str
    pk: int
    message: str

    def __str__(self) -> str:
        return f"{self.what} {self.pk}: {self.message}"


@dataclass(frozen=True)
class Report:
    accounts: int
    entries: int
    lots: int
    drifts: list[Drift]


def _zero() -> Coalesce:
    return Value(ZERO, output_field=DecimalField(**POINTS))


def _sum(expression: str, **extra: object) -> Coalesce:
    return Coalesce(Sum(expression, **extra), _zero(), output_field=DecimalField(**POINTS))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def verify(company: Company | None = None) -> Report:
    """Every drift between cached numbers and the history they summarise."""
    accounts: QuerySet[LoyaltyAccount] = LoyaltyAccount.objects.all()
    entries: QuerySet[LedgerEntry] = LedgerEntry.objects.all()
    lots: QuerySet[Lot] = Lot.objects.all()
    if company is not None:
        accounts = accounts.filter(company=company)
        entries = entries.filter(company=company)
        lots = lots.filter(company=company)
    drifts: list[Drift] = []

    # Balance = sum of the account's entries.
    for row in (
        accounts.annotate(total=_sum("entries__points"))
        .annotate(gap=Abs(F("balance") - F("total")))
        .filter(gap__gte=HALF_CENT)
        .values("pk", "balance", "total")
    ):
        drifts.append(
            Drift(
                "account",
                row["pk"],
                f"balance {row['balance']}, its entries add up to {_cents(row['total'])}",
            )
        )
    # Balance = sum of the account's open lots.
    for row in (
        accounts.annotate(total=_sum("lots__remaining"))
        .annotate(gap=Abs(F("balance") - F("total")))
        .filter(gap__gte=HALF_CENT)
        .values("pk", "balance", "total")
    ):
        drifts.append(
            Drift(
                "account",
                row["pk"],
                f"balance {row['balance']}, its lots hold {_cents(row['total'])}",
            )
        )
    # A lot's remaining = its points - what its allocations consumed.
    for row in (
        lots.annotate(used=_sum("allocations__points"))
        .annotate(gap=Abs(F("remaining") - (F("points") - F("used"))))
        .filter(gap__gte=HALF_CENT)
        .values("pk", "points", "remaining", "used")
    ):
        expected = _cents(row["points"] - row["used"])
        drifts.append(
            Drift("lot", row["pk"], f"remaining {row['remaining']}, its allocations say {expected}")
        )
    # Each lot opened by an entry of its own account (the award has no database key).
    opened_by = LedgerEntry.objects.filter(
        pk=OuterRef("award_id"), account_id=OuterRef("account_id")
    )
    for pk, award_id in lots.filter(~Exists(opened_by)).values_list("pk", "award_id"):
        drifts.append(Drift("lot", pk, f"opened by entry {award_id}, not an entry of its account"))
    # An entry's points = the lot it opened - what it allocated.
    for row in (
        entries.annotate(
            allocated=_sum("allocations__points"),
            opened=Coalesce("lot__points", _zero(), output_field=DecimalField(**POINTS)),
        )
        .annotate(gap=Abs(F("points") - (F("opened") - F("allocated"))))
        .filter(gap__gte=HALF_CENT)
        .values("pk", "points", "opened", "allocated")
    ):
        expected = _cents(row["opened"] - row["allocated"])
        drifts.append(
            Drift("entry", row["pk"], f"points {row['points']}, its lots moved {expected}")
        )
    drifts.extend(_hold_drifts(accounts, entries))
    return Report(
        accounts=accounts.count(), entries=entries.count(), lots=lots.count(), drifts=drifts
    )


def _hold_drifts(accounts: QuerySet[LoyaltyAccount], entries: QuerySet[LedgerEntry]) -> list[Drift]:
    """``on_hold`` = the open holds each account answers for (merged accounts' too)."""
    open_holds = (
        entries.filter(kind=EntryKind.HOLD)
        .exclude(reversed_by__kind__in=SETTLEMENT_KINDS)
        .values("account_id")
        .annotate(total=Sum("points"))
    )
    held_by_entry_account = {row["account_id"]: -row["total"] for row in open_holds}
    # A merged account's holds show on the account of its merge's survivor.
    survivor_of = dict(
        accounts.filter(persona__isnull=True).values_list("pk", "merged_into__survivor_id")
    )
    account_of_persona = dict(
        LoyaltyAccount.objects.filter(persona_id__in=set(survivor_of.values())).values_list(
            "persona_id", "pk"
        )
    )
    expected: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for account_id, held in held_by_entry_account.items():
        if account_id in survivor_of:
            account_id = account_of_persona.get(survivor_of[account_id], -1)
        expected[account_id] += held
    drifts = []
    rows = accounts.filter(Q(on_hold__gt=0) | Q(pk__in=list(expected))).values_list("pk", "on_hold")
    for pk, on_hold in rows:
        if abs(on_hold - expected.get(pk, ZERO)) >= HALF_CENT:
            drifts.append(
                Drift(
                    "account",
                    pk,
                    f"on hold {on_hold}, its open holds add up to {_cents(expected[pk])}",
                )
            )
    # Merged accounts keep no points of their own.
    for pk, balance in accounts.filter(persona__isnull=True, balance__gt=0).values_list(
        "pk", "balance"
    ):
        drifts.append(Drift("account", pk, f"merged away but still holds {balance} points"))
    return drifts
