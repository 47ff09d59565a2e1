"""Property-based test: random sequences of every ledger operation keep every invariant.

After every step: each account's balance = the sum of its entries = the sum of its open
lots, never negative; on hold = its open holds; verify_ledger finds no drift; and the
points of the company add up to what the operations gave and took (merges and their
undo move points, never create or lose them). A reversal gives back only lots its debit
consumed, never more of one than it consumed, and all of them once fully reversed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from aiq.personas.choices import MatchedOn
from aiq.personas.merging import merge_personas, undo_merge
from aiq.personas.models import Persona, PersonaMerge
from loyalty.ledger.awards import award
from loyalty.ledger.choices import SETTLEMENT_KINDS, EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.errors import HoldAlreadySettled, InsufficientPoints, NotReversible
from loyalty.ledger.expiry import expire
from loyalty.ledger.holds import commit_hold, hold, release
from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.reversals import RESTORING_KINDS, reverse
from loyalty.ledger.verify import verify
from tests.factories import CompanyFactory, PersonaFactory
from tests.loyalty.helpers import T0

ZERO = Decimal("0.00")
points = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("80"), places=2)
# Debits ask for less than awards give, so most succeed and build history to reverse.
small_points = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("30"), places=2)
some_points = st.none() | small_points
expiry_days = st.none() | st.integers(min_value=1, max_value=60)


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at teardown: a clean slate, fast.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.company = CompanyFactory()
        self.live = [PersonaFactory(company=self.company).pk for _ in range(3)]
        self.now = T0
        self.total = ZERO  # what the operations gave minus what they took
        self.awards: list[int] = []
        self.debits: list[int] = []
        self.holds: list[int] = []
        self.merges: list[int] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # -- helpers -------------------------------------------------------------------

    def persona(self, data) -> Persona:
        return Persona.objects.get(pk=data.draw(st.sampled_from(self.live)))

    def refused(self, call, *errors) -> bool:
        """Run ``call``; on an expected refusal check that nothing was written."""
        before = LedgerEntry.objects.count()
        try:
            call()
        except errors:
            assert LedgerEntry.objects.count() == before
            return True
        return False

    @initialize(opening=st.lists(points, min_size=3, max_size=3), days=expiry_days)
    def opening_balances(self, opening, days) -> None:
        """Every persona starts with points, so debits, holds and merges have work to do."""
        for persona_pk, amount in zip(self.live, opening, strict=True):
            entry = award(
                Persona.objects.get(pk=persona_pk),
                amount,
                EntryKind.IMPORT,
                occurred_at=self.now,
                expires_at=self.now + timedelta(days=days) if days else None,
            )
            self.awards.append(entry.pk)
            self.total += amount

    # -- awards --------------------------------------------------------------------

    @rule(data=st.data(), amount=points, days=expiry_days)
    def earn(self, data, amount, days) -> None:
        entry = award(
            self.persona(data),
            amount,
            occurred_at=self.now,
            expires_at=self.now + timedelta(days=days) if days else None,
            explanation=f"{amount} points on a sale",
        )
        self.awards.append(entry.pk)
        self.total += amount

    @rule(data=st.data(), amount=points)
    def adjust_add(self, data, amount) -> None:
        entry = award(
            self.persona(data), amount, EntryKind.ADJUST, reason="Gift", occurred_at=self.now
        )
        self.awards.append(entry.pk)
        self.total += amount

    # -- debits --------------------------------------------------------------------

    @rule(
        data=st.data(),
        amount=small_points,
        kind=st.sampled_from([EntryKind.REDEEM, EntryKind.ADJUST]),
    )
    def redeem_or_remove(self, data, amount, kind) -> None:
        persona = self.persona(data)
        result = []
        if not self.refused(
            lambda: result.append(
                debit(persona, amount, kind, reason="Return", occurred_at=self.now)
            ),
            InsufficientPoints,
        ):
            self.debits.append(result[0].pk)
            self.total -= amount

    @rule(data=st.data(), amount=small_points)
    def place_hold(self, data, amount) -> None:
        persona = self.persona(data)
        result = []
        if not self.refused(
            lambda: result.append(hold(persona, amount, occurred_at=self.now)), InsufficientPoints
        ):
            self.holds.append(result[0].pk)

            self.debits.append(result[0].pk)
            self.total -= amount

    @precondition(lambda self: self.holds)
    @rule(data=st.data(), commit=st.booleans())
    def settle_hold(self, data, commit) -> None:
        held = LedgerEntry.objects.get(pk=data.draw(st.sampled_from(self.holds)))
        if commit:
            self.refused(lambda: commit_hold(held, occurred_at=self.now), HoldAlreadySettled)
        elif not self.refused(
            lambda: release(held, occurred_at=self.now), HoldAlreadySettled, NotReversible
        ):
            self.total -= held.points
            released = held.reversed_by.get(kind=EntryKind.RELEASE)
            assert sorted(released.allocations.values_list("lot_id", "points")) == sorted(
                (lot, -amount) for lot, amount in held.allocations.values_list("lot_id", "points")
            )

    # -- reversals -----------------------------------------------------------------

    @precondition(lambda self: self.debits)
    @rule(data=st.data(), amount=some_points)
    def reverse_debit(self, data, amount) -> None:
        target = LedgerEntry.objects.get(pk=data.draw(st.sampled_from(self.debits)))
        result = []
        if self.refused(
            lambda: result.append(reverse(target, amount, occurred_at=self.now)),
            NotReversible,
        ):
            return
        self.total += result[0].points
        consumed = dict(target.allocations.values_list("lot_id", "points"))
        given_back: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for lot_id, restored in Allocation.objects.filter(
            entry__reverses=target, entry__kind__in=RESTORING_KINDS
        ).values_list("lot_id", "points"):
            given_back[lot_id] -= restored
        assert set(given_back) <= set(consumed)
        assert all(given_back[lot] <= consumed[lot] for lot in given_back)
        if sum(given_back.values()) == -target.points:
            assert dict(given_back) == consumed

    @precondition(lambda self: self.awards)
    @rule(data=st.data(), amount=some_points)
    def refund_award(self, data, amount) -> None:
        target = LedgerEntry.objects.get(pk=data.draw(st.sampled_from(self.awards)))
        result = []
        if not self.refused(
            lambda: result.append(reverse(target, amount, occurred_at=self.now)),
            NotReversible,
            InsufficientPoints,
        ):
            self.total += result[0].points
            reversed_so_far = target.reversed_by.aggregate(total=Sum("points"))["total"]
            assert -_cents(reversed_so_far) <= target.points

    # -- expiry --------------------------------------------------------------------

    @rule(days=st.integers(min_value=0, max_value=40))
    def expire_later(self, days) -> None:
        self.now += timedelta(days=days)
        run = expire(self.now, company=self.company)
        self.total -= run.points
        assert not Lot.objects.filter(
            company=self.company, remaining__gt=0, expires_at__lte=self.now
        ).exists()

    # -- merges --------------------------------------------------------------------

    @precondition(lambda self: len(self.live) >= 2)
    @rule(data=st.data())
    def merge(self, data) -> None:
        survivor_pk, merged_pk = data.draw(st.permutations(self.live))[:2]
        # Open holds across a merge are the subtle case; random draws rarely line one up.
        holding = sorted(
            set(
                LedgerEntry.objects.filter(
                    company=self.company, kind=EntryKind.HOLD, account__persona_id__in=self.live
                )
                .exclude(reversed_by__kind__in=SETTLEMENT_KINDS)
                .values_list("account__persona_id", flat=True)
            )
        )
        if holding and data.draw(st.booleans()):
            merged_pk = data.draw(st.sampled_from(holding))
            survivor_pk = data.draw(st.sampled_from([pk for pk in self.live if pk != merged_pk]))
        with transaction.atomic():
            persona_merge = merge_personas(
                Persona.objects.get(pk=survivor_pk),
                Persona.objects.get(pk=merged_pk),
                matched_on=MatchedOn.PHONE,
                now=self.now,
            )
        self.live.remove(merged_pk)
        self.merges.append(persona_merge.pk)

    @precondition(lambda self: self.merges)
    @rule(data=st.data())
    def undo(self, data) -> None:
        merge_pk = data.draw(st.sampled_from(self.merges))
        restored = undo_merge(PersonaMerge.objects.get(pk=merge_pk))
        self.merges.remove(merge_pk)
        self.live.append(restored.pk)

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def balances_equal_entries_equal_open_lots(self) -> None:
        for account in LoyaltyAccount.objects.filter(company=self.company):
            entries = _cents(account.entries.aggregate(total=Sum("points"))["total"])
            open_lots = _cents(
                account.lots.filter(remaining__gt=0).aggregate(total=Sum("remaining"))["total"]
            )
            assert account.balance == entries == open_lots
            assert account.balance >= 0
            if account.persona_id is None:
                assert account.balance == ZERO

    @invariant()
    def on_hold_equals_open_holds(self) -> None:
        on_hold = LoyaltyAccount.objects.filter(company=self.company).aggregate(
            total=Sum("on_hold")
        )["total"]
        open_holds = (
            LedgerEntry.objects.filter(company=self.company, kind=EntryKind.HOLD)
            .exclude(reversed_by__kind__in=SETTLEMENT_KINDS)
            .aggregate(total=Sum("points"))["total"]
        )
        assert _cents(on_hold) == -_cents(open_holds)

    @invariant()
    def points_are_neither_created_nor_lost(self) -> None:
        balances = LoyaltyAccount.objects.filter(company=self.company).aggregate(
            total=Sum("balance")
        )["total"]
        assert _cents(balances) == self.total

    @invariant()
    def verify_ledger_finds_no_drift(self) -> None:
        assert verify(self.company).drifts == []


LedgerMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_ledger_invariants_hold_over_random_operation_sequences():
    LedgerMachine.TestCase().runTest()
