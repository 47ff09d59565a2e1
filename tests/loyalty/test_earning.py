"""Earning points on sales: each program setting earning reads, idempotency per sale,
changed totals as their own entries, refunds, enrollment dates and catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest

from aiq.personas.models import Sale
from loyalty import hooks
from loyalty.earning import service
from loyalty.earning.service import earn_for_personas, earn_for_sales
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.models import LedgerEntry, Lot, LoyaltyAccount
from loyalty.ledger.verify import verify
from loyalty.program.choices import ExpirationMode, Rounding
from loyalty.program.models import BlockedPhone
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.integrations.factories import IntegrationFactory
from tests.loyalty.factories import LoyaltyProgramFactory

pytestmark = pytest.mark.django_db

D = Decimal
# Noon in Seattle on May 4, 2026.
T0 = datetime(2026, 5, 4, 19, tzinfo=UTC)
NOW = datetime(2026, 5, 10, 12, tzinfo=UTC)
_numbers = count(1000)


@pytest.fixture
def store(company_a):
    return RetailStoreFactory(company=company_a, name="Capitol Hill")


@pytest.fixture
def program(company_a):
    return LoyaltyProgramFactory(company=company_a, points_per_dollar=D("1"))


@pytest.fixture
def member(company_a):
    return PersonaFactory(company=company_a, loyalty_enrolled_at=T0 - timedelta(days=30))


def make_sale(persona, store, total="52.30", tax="5.20", at=T0, **values) -> Sale:
    number = next(_numbers)
    defaults = {
        "company": persona.company,
        "persona": persona,
        "source": "cova",
        "external_id": f"S{number}",
        "receipt_number": str(number),
        "pos_key": "loc-1",
        "store": store,
        "occurred_at": at,
        "subtotal": D(total) - D(tax),
        "tax": D(tax),
        "discount": D("0"),
        "total": D(total),
        "content_hash": "x",
    }
    return Sale.objects.create(**{**defaults, **values})


def earn(*sales: Sale):
    return earn_for_sales(sales[0].company_id, [s.pk for s in sales], NOW)


def points_of(persona) -> Decimal:
    account = LoyaltyAccount.objects.filter(persona=persona).first()
    return account.balance if account else D("0")


def entries_of(sale: Sale) -> list[tuple[str, Decimal]]:
    return list(LedgerEntry.objects.filter(sale=sale).order_by("pk").values_list("kind", "points"))


def assert_ledger_clean() -> None:
    assert verify().drifts == []


# --- the sale earns, explained, with its lot ---


def test_sale_earns_points_per_dollar_with_explanation_and_lot(program, member, store):
    # given a 1 pt/$ program rounding down and a member's $52.30 sale
    sale = make_sale(member, store)
    # when earning runs over the sale
    summary = earn(sale)
    # then the entry says why, links the sale, and opens a never-expiring lot
    entry = LedgerEntry.objects.get(sale=sale)
    assert (entry.kind, entry.points, entry.idempotency_key) == (
        EntryKind.EARN,
        D("52.00"),
        f"earn:sale:{sale.pk}",
    )
    assert entry.explanation == (
        f"Sale {sale.receipt_number} at Capitol Hill: $52.30 x 1 pt/$ = 52.30, rounded down = 52"
    )
    assert entry.occurred_at == T0
    assert (entry.lot.points, entry.lot.expires_at) == (D("52.00"), None)
    assert summary.sales_earned == 1
    assert points_of(member) == D("52.00")
    assert_ledger_clean()


def test_points_per_hundred_dollars_rate_is_used(company_a, member, store):
    # given 150 points per $100 (1.5 per $1)
    LoyaltyProgramFactory(company=company_a, points_per_dollar=D("1.5"))
    sale = make_sale(member, store, total="20.00", tax="0")
    # when earning runs
    earn(sale)
    # then 30 points
    assert points_of(member) == D("30.00")


def test_visit_points_respect_the_daily_cap_per_store_local_day(company_a, member, store):
    # given 10 points a visit, at most 1 visit a day
    LoyaltyProgramFactory(company=company_a, points_per_visit=D("10"), max_visits_per_day=1)
    first = make_sale(member, store, total="5", tax="0", at=T0)
    second = make_sale(member, store, total="5", tax="0", at=T0 + timedelta(hours=2))
    # the next Seattle day (03:00 UTC is still May 4 in Seattle: same day)
    same_local_day = make_sale(member, store, total="5", tax="0", at=T0 + timedelta(hours=8))
    next_day = make_sale(member, store, total="5", tax="0", at=T0 + timedelta(days=1))
    # when the sales earn, the first in its own batch and the rest in another
    earn(first)
    earn(second, same_local_day, next_day)
    # then only the first sale of each local day gets the visit points
    assert entries_of(first) == [(EntryKind.EARN, D("15.00"))]
    assert entries_of(second) == [(EntryKind.EARN, D("5.00"))]
    assert entries_of(same_local_day) == [(EntryKind.EARN, D("5.00"))]
    assert entries_of(next_day) == [(EntryKind.EARN, D("15.00"))]
    assert "no visit points: 1 visits today already" in (
        LedgerEntry.objects.get(sale=second).explanation
    )
    assert_ledger_clean()


def test_a_late_earlier_sale_takes_the_visit_and_the_cap_still_holds(company_a, member, store):
    # given the day's later sale already earned the day's one visit
    LoyaltyProgramFactory(company=company_a, points_per_visit=D("10"), max_visits_per_day=1)
    later = make_sale(member, store, total="5", tax="0", at=T0 + timedelta(hours=2))
    earn(later)
    # when an earlier sale of the same day arrives later
    earlier = make_sale(member, store, total="5", tax="0", at=T0)
    earn(earlier)
    # then the earlier one has the visit and the later gives its visit back: 20 in all
    assert entries_of(earlier) == [(EntryKind.EARN, D("15.00"))]
    assert entries_of(later) == [(EntryKind.EARN, D("15.00")), (EntryKind.REVERSAL, D("-10.00"))]
    assert points_of(member) == D("20.00")
    assert_ledger_clean()


def test_no_tax_accrual_from_its_date_only(company_a, member, store):
    # given tax dollars earn nothing from May 4 on
    LoyaltyProgramFactory(company=company_a, no_tax_accrual_from=date(2026, 5, 4))
    before = make_sale(member, store, at=T0 - timedelta(days=1))
    after = make_sale(member, store, at=T0)
    # when both earn
    earn(before, after)
    # then the day before counts tax, the day itself does not
    assert entries_of(before) == [(EntryKind.EARN, D("52.00"))]
    assert entries_of(after) == [(EntryKind.EARN, D("47.00"))]


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        (Rounding.DOWN, D("52.00")),
        (Rounding.UP, D("53.00")),
        (Rounding.NEAREST, D("52.00")),
        (Rounding.FRACTIONAL, D("52.30")),
    ],
)
def test_rounding_mode_is_used(company_a, member, store, rounding, expected):
    # given a program with this rounding
    LoyaltyProgramFactory(company=company_a, rounding=rounding)
    sale = make_sale(member, store)
    # when the $52.30 sale earns
    earn(sale)
    # then the points follow the rounding
    assert entries_of(sale) == [(EntryKind.EARN, expected)]


def test_accrual_start_date_excludes_earlier_sales(company_a, member, store):
    # given customers earn from May 4 on
    LoyaltyProgramFactory(company=company_a, accrual_start_date=date(2026, 5, 4))
    early = make_sale(member, store, at=T0 - timedelta(days=1))
    on_time = make_sale(member, store, at=T0)
    # when both earn
    earn(early, on_time)
    # then only the sale on the start date earns
    assert entries_of(early) == []
    assert entries_of(on_time) == [(EntryKind.EARN, D("52.00"))]


def test_card_import_date_overrides_accrual_start_for_its_source(company_a, member, store):
    # given the program starts long ago but Cova's points were imported on May 4
    LoyaltyProgramFactory(company=company_a, accrual_start_date=date(2020, 1, 1))
    IntegrationFactory(company=company_a, provider="cova", loyalty_points_imported_on=T0.date())
    cova_same_day = make_sale(member, store, at=T0)
    cova_next_day = make_sale(member, store, at=T0 + timedelta(days=1))
    clover_same_day = make_sale(member, store, at=T0, source="clover")
    # when they earn
    earn(cova_same_day, cova_next_day, clover_same_day)
    # then Cova earns from the next day; Clover follows the program's date
    assert entries_of(cova_same_day) == []
    assert entries_of(cova_next_day) == [(EntryKind.EARN, D("52.00"))]
    assert entries_of(clover_same_day) == [(EntryKind.EARN, D("52.00"))]


def test_sales_of_a_card_mirroring_pos_points_earn_nothing(program, company_a, member, store):
    # given Cova's card mirrors Cova's own loyalty points (the POS keeps that program)
    IntegrationFactory(company=company_a, provider="cova", mirror_loyalty_points=True)
    cova_sale = make_sale(member, store)
    clover_sale = make_sale(member, store, source="clover")
    # when both sales earn
    earn(cova_sale, clover_sale)
    # then only the sale of the card that does not mirror earns here
    assert entries_of(cova_sale) == []
    assert entries_of(clover_sale) == [(EntryKind.EARN, D("52.00"))]
    assert_ledger_clean()


def test_blocklisted_phone_earns_nothing(program, company_a, member, store):
    # given the member's phone is on the points blocklist
    BlockedPhone.objects.create(company=company_a, program=program, phone=member.phone)
    sale = make_sale(member, store)
    # when the sale earns
    earn(sale)
    # then nothing is written
    assert entries_of(sale) == []
    assert LedgerEntry.objects.count() == 0


def test_program_turned_off_earns_nothing(company_a, member, store):
    # given loyalty is turned off
    LoyaltyProgramFactory(company=company_a, enabled=False)
    sale = make_sale(member, store)
    # when the sale earns
    summary = earn(sale)
    # then nothing is written
    assert summary.sales_earned == 0
    assert LedgerEntry.objects.count() == 0


def test_fifo_expiration_gives_each_lot_its_expiry(company_a, member, store):
    # given FIFO expiry after 365 days
    LoyaltyProgramFactory(
        company=company_a, expiration_mode=ExpirationMode.FIFO, expiration_days=365
    )
    sale = make_sale(member, store)
    # when it earns
    earn(sale)
    # then its lot expires 365 days after the sale
    assert Lot.objects.get().expires_at == T0 + timedelta(days=365)


def test_legacy_expiration_leaves_lots_without_expiry(company_a, member, store):
    LoyaltyProgramFactory(
        company=company_a, expiration_mode=ExpirationMode.LEGACY, expiration_days=90
    )
    sale = make_sale(member, store)
    earn(sale)
    assert Lot.objects.get().expires_at is None


# --- idempotency and corrections ---


def test_same_batch_twice_earns_once(program, member, store):
    # given a batch that already earned
    sales = [make_sale(member, store), make_sale(member, store, at=T0 + timedelta(days=1))]
    earn(*sales)
    # when the same batch earns again
    summary = earn(*sales)
    # then nothing new is written
    assert summary.sales_earned == 0
    assert LedgerEntry.objects.count() == 2
    assert points_of(member) == D("104.00")
    assert_ledger_clean()


def test_total_up_earns_exactly_the_difference_as_its_own_entry(program, member, store):
    # given a sale that earned 52
    sale = make_sale(member, store)
    earn(sale)
    # when its total rises to $60.00 at the POS
    Sale.objects.filter(pk=sale.pk).update(total=D("60.00"))
    earn(sale)
    # then a second entry of +8, keyed as version 2, with its own lot
    entries = list(LedgerEntry.objects.filter(sale=sale).order_by("pk"))
    assert [(e.kind, e.points) for e in entries] == [
        (EntryKind.EARN, D("52.00")),
        (EntryKind.EARN, D("8.00")),
    ]
    assert entries[1].idempotency_key == f"earn:sale:{sale.pk}:2"
    assert entries[1].explanation.startswith("Total changed at the POS (now $60.00)")
    assert entries[1].lot.points == D("8.00")
    assert points_of(member) == D("60.00")
    assert_ledger_clean()


def test_total_down_gives_back_the_difference_from_its_own_lot(program, member, store):
    # given a sale that earned 52
    sale = make_sale(member, store)
    earn(sale)
    award = LedgerEntry.objects.get(sale=sale)
    # when its total drops to $30.00
    Sale.objects.filter(pk=sale.pk).update(total=D("30.00"))
    earn(sale)
    # then a reversal of 22 of that earn, taken from its lot
    reversal = LedgerEntry.objects.get(sale=sale, kind=EntryKind.REVERSAL)
    assert (reversal.points, reversal.reverses_id) == (D("-22.00"), award.pk)
    assert list(reversal.allocations.values_list("lot_id", "points")) == [
        (award.lot.pk, D("22.00"))
    ]
    assert points_of(member) == D("30.00")
    # and earning it again changes nothing
    earn(sale)
    assert LedgerEntry.objects.filter(sale=sale).count() == 2
    assert_ledger_clean()


def test_give_back_the_balance_cannot_cover_is_explained_not_forced(program, member, store):
    # given the sale's 52 points were mostly spent
    sale = make_sale(member, store)
    earn(sale)
    debit(member, D("50"), EntryKind.REDEEM, occurred_at=NOW)
    # when its total drops to $30.00 (22 to give back, 2 left)
    Sale.objects.filter(pk=sale.pk).update(total=D("30.00"))
    summary = earn(sale)
    # then nothing is removed, a zero-point entry explains the shortfall
    assert summary.shortfalls == 1
    note = LedgerEntry.objects.filter(sale=sale).order_by("pk").last()
    assert (note.kind, note.points) == (EntryKind.EARN, D("0.00"))
    assert "22 points should be given back" in note.explanation
    assert points_of(member) == D("2.00")
    # and a second run writes no second note
    earn(sale)
    assert LedgerEntry.objects.filter(sale=sale).count() == 2
    assert_ledger_clean()


def test_refund_earns_nothing_and_removes_nothing(program, member, store):
    # given a sale that earned, then its refund
    sale = make_sale(member, store)
    earn(sale)
    refund = make_sale(member, store, total="-52.30", tax="-5.20", is_refund=True)
    # when the refund goes through earning
    earn(refund)
    # then the refund has no entry and the balance keeps the sale's points
    assert entries_of(refund) == []
    assert points_of(member) == D("52.00")


# --- enrollment dates and catch-up ---


def test_member_earns_only_on_sales_from_the_enrollment_day(program, company_a, store):
    # given a persona enrolled on May 4 (Seattle), with sales before and on that day
    persona = PersonaFactory(company=company_a, loyalty_enrolled_at=T0)
    before = make_sale(persona, store, at=T0 - timedelta(days=1))
    same_day_earlier = make_sale(persona, store, at=T0 - timedelta(hours=3))
    # when they earn
    earn(before, same_day_earlier)
    # then only the sale on the enrollment day earns
    assert entries_of(before) == []
    assert entries_of(same_day_earlier) == [(EntryKind.EARN, D("52.00"))]


def test_not_enrolled_earns_nothing_until_enrollment_then_catch_up(program, company_a, store):
    # given a shopper's sale written while not enrolled
    persona = PersonaFactory(company=company_a)
    sale = make_sale(persona, store)
    hooks.sales_written(company_a.pk, [sale.pk], NOW)
    assert entries_of(sale) == []
    # when the persona is enrolled and a sync reports them
    persona.loyalty_enrolled_at = T0 - timedelta(days=1)
    persona.save()
    hooks.personas_synced(company_a.pk, [persona.pk], NOW)
    # then the sale earns, once even if reported again
    hooks.personas_synced(company_a.pk, [persona.pk], NOW)
    assert entries_of(sale) == [(EntryKind.EARN, D("52.00"))]
    assert_ledger_clean()


def test_catch_up_skips_sales_already_earned(program, member, store):
    first = make_sale(member, store)
    earn(first)
    second = make_sale(member, store, at=T0 + timedelta(days=2))
    summary = earn_for_personas(member.company_id, [member.pk], NOW)
    assert summary.sales_earned == 1
    assert entries_of(first) == [(EntryKind.EARN, D("52.00"))]
    assert entries_of(second) == [(EntryKind.EARN, D("52.00"))]


def test_loyalty_failure_never_fails_the_sync_batch(program, member, store, monkeypatch):
    # given earning raises
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(service, "_earn_batch", broken)
    sale = make_sale(member, store)
    # when the sync hook runs, then it does not raise and nothing is written
    hooks.sales_written(member.company_id, [sale.pk], NOW)
    assert LedgerEntry.objects.count() == 0


# --- set-based: per batch, not per sale ---


def test_a_batch_of_non_members_and_a_member_opens_an_account_for_the_member_only(
    program, company_a, member, store
):
    # given a batch with a member's sale and sales of shoppers who never joined
    shoppers = [PersonaFactory(company=company_a) for _ in range(3)]
    sales = [make_sale(member, store), *(make_sale(shopper, store) for shopper in shoppers)]
    # when the batch earns
    summary = earn(*sales)
    # then only the member has an account and points; the others have neither
    assert summary.sales_earned == 1
    assert list(LoyaltyAccount.objects.values_list("persona_id", flat=True)) == [member.pk]
    assert [entries_of(sale) for sale in sales[1:]] == [[], [], []]
    assert points_of(member) == D("52.00")


def _new_members_sales(company_a, store, shoppers: int) -> list[Sale]:
    members = [
        PersonaFactory(company=company_a, loyalty_enrolled_at=T0 - timedelta(days=30))
        for _ in range(shoppers)
    ]
    return [
        make_sale(persona, store, at=T0 + timedelta(minutes=n)) for n, persona in enumerate(members)
    ]


def test_earning_a_batch_issues_the_same_few_queries_whatever_its_size(
    program, company_a, store, django_assert_max_num_queries
):
    # given a batch of 2 sales and one of 40, each sale a new member's (accounts to open)
    few, many = _new_members_sales(company_a, store, 2), _new_members_sales(company_a, store, 40)
    # (the program and its settings, the batch and its neighbours, the accounts, the
    # entries so far, the writes: 9 on PostgreSQL, whose neighbours' query, COPY and id
    # draw go round Django's count; 15 on SQLite, which also reads the balances it moves)
    with django_assert_max_num_queries(15) as small:
        earn(*few)
    # when the bigger batch earns
    with django_assert_max_num_queries(15) as big:
        summary = earn(*many)
    # then it issues as many queries as the small one: none per sale
    assert summary.sales_earned == 40
    assert len(big) == len(small)
    assert LedgerEntry.objects.count() == 42
    assert_ledger_clean()
