from __future__ import annotations

from datetime import timedelta

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.expiry import expire, expire_legacy
from loyalty.ledger.models import LedgerEntry
from tests.factories import PersonaFactory
from tests.loyalty.helpers import T0, D, account, allocations, balance, entry_count, lots


def earn(persona, points, days):
    return award(
        persona, points, occurred_at=T0, expires_at=T0 + timedelta(days=days), explanation="x"
    )


def test_expiry_consumes_exactly_the_lots_whose_date_has_come(company_a):
    # Given lots expiring at 30 and 90 days, a gift that never expires; 10 redeemed
    persona = PersonaFactory(company=company_a)
    first = earn(persona, 30, 30)
    earn(persona, 40, 90)
    award(persona, 5, EntryKind.ADJUST, reason="Gift", occurred_at=T0)
    debit(persona, 10, occurred_at=T0 + timedelta(days=1))

    # When the expiry runs on day 30
    run = expire(T0 + timedelta(days=30))

    # Then one expire entry takes the 20 left of the first lot
    assert (run.accounts, run.points) == (1, D("20.00"))
    entry = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
    assert (entry.points, entry.task) == (D("-20.00"), "expire_points")
    assert entry.explanation == "20.00 points reached their expiry date (Mar 31, 2026)."
    assert allocations(entry) == [(first.lot.pk, D("20.00"))]
    assert balance(persona) == D("45.00")
    # And running it again expires nothing more
    assert expire(T0 + timedelta(days=30)).accounts == 0


def test_a_dry_run_counts_without_writing(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 30, 30)
    earn(persona, 40, 31)

    run = expire(T0 + timedelta(days=31), dry_run=True)

    assert (run.accounts, run.points, run.entry_ids) == (1, D("70.00"), [])
    assert entry_count() == 2
    assert balance(persona) == D("70.00")


def test_expiry_is_scoped_to_a_company(company_a, company_b):
    mine = PersonaFactory(company=company_a)
    theirs = PersonaFactory(company=company_b)
    earn(mine, 30, 30)
    earn(theirs, 30, 30)

    expire(T0 + timedelta(days=30), company=company_a)

    assert (balance(mine), balance(theirs)) == (D("0.00"), D("30.00"))


def test_legacy_expiry_takes_the_whole_balance(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, 30, 30)
    award(persona, 5, EntryKind.ADJUST, reason="Gift", occurred_at=T0)

    entry = expire_legacy(account(persona), now=T0 + timedelta(days=200))

    assert entry.points == D("-35.00")
    assert entry.explanation == (
        "The whole balance of 35.00 points expired: no activity since Mar 1, 2026."
    )
    assert lots(persona) == [(D("30.00"), D("0.00")), (D("5.00"), D("0.00"))]
    assert expire_legacy(account(persona), now=T0 + timedelta(days=201)) is None
