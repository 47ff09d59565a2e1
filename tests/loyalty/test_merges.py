from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from aiq.personas.choices import MatchedOn
from aiq.personas.merging import merge_personas, undo_merge
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.holds import commit_hold, hold, release
from loyalty.ledger.models import Lot, LoyaltyAccount
from loyalty.ledger.reversals import reverse
from loyalty.ledger.verify import verify
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, account, balance, lots


def earn(persona, points, days, at=T0):
    return award(
        persona, points, occurred_at=at, expires_at=at + timedelta(days=days), explanation="x"
    )


def merge(survivor, merged):
    with transaction.atomic():
        return merge_personas(survivor, merged, matched_on=MatchedOn.PHONE, now=T0)


def test_a_merge_carries_the_open_lots_with_their_dates_and_keeps_history(company_a):
    # Given a survivor with 10 points and a merged persona with lots of 30 and 40, 25 spent
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    earn(survivor, 10, 60)
    first = earn(merged, 30, 30)
    second = earn(merged, 40, 90)
    debit(merged, 25)
    merged_account = account(merged)

    # When they merge
    persona_merge = merge(survivor, merged)

    # Then the survivor holds the 45 left too, in lots with the same dates pointing back
    assert balance(survivor) == D("55.00")
    carried = Lot.objects.filter(award__merge=persona_merge).order_by("id")
    assert [(lot.points, lot.source_lot_id, lot.expires_at) for lot in carried] == [
        (D("5.00"), first.lot.pk, first.lot.expires_at),
        (D("40.00"), second.lot.pk, second.lot.expires_at),
    ]
    # And the merged account keeps its history, detached, at zero
    merged_account.refresh_from_db()
    assert (merged_account.persona_id, merged_account.merged_into) == (None, persona_merge)
    assert merged_account.balance == D("0.00")
    assert list(merged_account.entries.order_by("id").values_list("kind", "points")) == [
        (EntryKind.EARN, D("30.00")),
        (EntryKind.EARN, D("40.00")),
        (EntryKind.REDEEM, D("-25.00")),
        (EntryKind.MERGE_OUT, D("-45.00")),
    ]
    assert verify(company_a).drifts == []


def test_undoing_a_merge_gives_back_what_remains_of_each_carried_lot(company_a):
    # Given a merge that carried 5 and 40 to the survivor, who then spent 20 of them
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    earn(survivor, 10, 60)
    earn(merged, 30, 30)
    earn(merged, 40, 90)
    debit(merged, 25)
    persona_merge = merge(survivor, merged)
    debit(survivor, 20)  # 5 carried (30 days), then 10 own (60 days), then 5 carried

    # When the merge is undone
    restored = undo_merge(persona_merge)

    # Then the restored persona gets back the 35 left of its carried lots, into its lots
    assert restored.pk == merged.pk
    assert balance(restored) == D("35.00")
    assert lots(restored) == [(D("30.00"), D("0.00")), (D("40.00"), D("35.00"))]
    assert balance(survivor) == D("0.00")
    assert verify(company_a).drifts == []


def test_holds_show_on_the_survivor_and_settle_after_the_merge(company_a):
    # Given the merged persona has 30 points, 20 of them on hold
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    earn(merged, 30, 30)
    held = hold(merged, 20)

    # When they merge, the survivor shows the 10 and the 20 on hold
    persona_merge = merge(survivor, merged)
    assert (account(survivor).balance, account(survivor).on_hold) == (D("10.00"), D("20.00"))
    assert verify(company_a).drifts == []

    # And a release after the merge gives the 20 back to the survivor
    release(held)
    assert (account(survivor).balance, account(survivor).on_hold) == (D("30.00"), D("0.00"))
    assert LoyaltyAccount.objects.get(merged_into=persona_merge).balance == D("0.00")
    assert verify(company_a).drifts == []

    # And undoing the merge takes all 30 back
    restored = undo_merge(persona_merge)
    assert (account(restored).balance, account(survivor).balance) == (D("30.00"), D("0.00"))
    assert verify(company_a).drifts == []


def test_an_open_hold_goes_back_with_the_undo_and_can_be_committed(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    earn(merged, 30, 30)
    held = hold(merged, 20)
    persona_merge = merge(survivor, merged)

    restored = undo_merge(persona_merge)

    assert (account(restored).balance, account(restored).on_hold) == (D("10.00"), D("20.00"))
    assert account(survivor).on_hold == D("0.00")
    commit_hold(held)
    assert account(restored).on_hold == D("0.00")
    assert verify(company_a).drifts == []


def test_voiding_a_merged_personas_redemption_restores_its_lots_then_carries_them(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    lot_award = earn(merged, 30, 30)
    redemption = debit(merged, 20)
    persona_merge = merge(survivor, merged)

    reversal = reverse(redemption)

    # The redemption's own lot gets its 20 back, and the 20 move on to the survivor
    assert list(reversal.allocations.values_list("lot_id", "points")) == [
        (lot_award.lot.pk, D("-20.00"))
    ]
    assert balance(survivor) == D("30.00")
    assert verify(company_a).drifts == []
    # And undoing the merge returns all 30 to the lot they came from
    restored = undo_merge(persona_merge)
    assert lots(restored) == [(D("30.00"), D("30.00"))]
    assert balance(survivor) == D("0.00")


def test_refunding_a_merged_personas_sale_takes_the_carried_lot_first(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)
    earn(survivor, 50, 10)
    sale_award = earn(merged, 30, 300)
    merge(survivor, merged)

    refund = reverse(sale_award)

    carried = Lot.objects.get(source_lot=sale_award.lot)
    assert list(refund.allocations.values_list("lot_id", "points")) == [(carried.pk, D("30.00"))]
    assert balance(survivor) == D("50.00")


def test_a_chain_of_merges_undone_in_any_order_returns_each_persona_its_points(company_a):
    # Given three personas with 10, 20 and 40 points; C into B, then B into A
    a, b, c = (PersonaFactory(company=company_a) for _ in range(3))
    earn(a, 10, 30)
    earn(b, 20, 30)
    earn(c, 40, 30)
    c_into_b = merge(b, c)
    b_into_a = merge(a, b)
    assert balance(a) == D("70.00")

    # When the first merge (C into B) is undone while B is still merged into A
    restored_c = undo_merge(c_into_b)

    # Then C gets its 40 back from A, and A keeps B's 20
    assert (balance(restored_c), balance(a)) == (D("40.00"), D("30.00"))
    assert verify(company_a).drifts == []
    # And undoing B into A returns B's 20
    restored_b = undo_merge(b_into_a)
    assert (balance(a), balance(restored_b), balance(restored_c)) == (
        D("10.00"),
        D("20.00"),
        D("40.00"),
    )
    assert verify(company_a).drifts == []


def test_a_merged_personas_hold_released_after_a_second_merge_follows_the_undos(company_a):
    # Given C (30 points, 20 on hold) merged into B, then B merged into A
    a, b, c = (PersonaFactory(company=company_a) for _ in range(3))
    earn(c, 30, 30)
    held = hold(c, 20)
    c_into_b = merge(b, c)
    b_into_a = merge(a, b)
    assert (account(a).balance, account(a).on_hold) == (D("10.00"), D("20.00"))

    # When the hold is released (its points reach A), then B into A is undone
    release(held)
    assert account(a).balance == D("30.00")
    restored_b = undo_merge(b_into_a)

    # Then B holds C's 30 again (C is still merged into B), A holds nothing
    assert (account(a).balance, account(restored_b).balance) == (D("0.00"), D("30.00"))
    assert verify(company_a).drifts == []
    # And undoing C into B gives C its 30
    restored_c = undo_merge(c_into_b)
    assert (account(restored_b).balance, account(restored_c).balance) == (D("0.00"), D("30.00"))
    assert lots(restored_c) == [(D("30.00"), D("30.00"))]
    assert verify(company_a).drifts == []


def test_merging_personas_without_loyalty_accounts_writes_no_ledger_rows(company_a):
    survivor = PersonaFactory(company=company_a)
    merged = PersonaFactory(company=company_a)

    persona_merge = merge(survivor, merged)
    undo_merge(persona_merge)

    assert LoyaltyAccount.objects.count() == 0
