from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.holds import hold
from loyalty.ledger.models import Lot, LoyaltyAccount
from tests.factories import PersonaFactory
from tests.loyalty.helpers import D, account


def given_a_ledger(company):
    persona = PersonaFactory(company=company)
    award(persona, 30, EntryKind.ADJUST, reason="Opening balance")
    award(persona, 40, EntryKind.ADJUST, reason="Opening balance")
    debit(persona, 35)
    hold(persona, 5)
    return persona


def run(*args: str) -> str:
    out = StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


def test_a_consistent_ledger_has_no_drift(company_a):
    given_a_ledger(company_a)

    assert run() == "Checked 1 accounts, 4 entries, 2 lots: no drift.\n"


def test_a_tampered_balance_is_reported_and_the_command_fails(company_a):
    # Given a balance changed behind the ledger's back
    persona = given_a_ledger(company_a)
    LoyaltyAccount.objects.filter(persona=persona).update(balance=D("31.00"))
    out = StringIO()

    # When verify_ledger runs
    with pytest.raises(CommandError, match="2 drift") as failed:
        call_command("verify_ledger", stdout=out)

    # Then it names the account and both sums it disagrees with, and exits non-zero
    pk = account(persona).pk
    assert out.getvalue() == (
        f"account {pk}: balance 31.00, its entries add up to 30.00\n"
        f"account {pk}: balance 31.00, its lots hold 30.00\n"
    )
    assert failed.value.returncode == 1


def test_a_tampered_lot_and_hold_are_reported(company_a):
    persona = given_a_ledger(company_a)
    lot = Lot.objects.filter(account__persona=persona).order_by("id").last()
    Lot.objects.filter(pk=lot.pk).update(remaining=D("35.00"))
    LoyaltyAccount.objects.filter(persona=persona).update(on_hold=D("0.00"))
    out = StringIO()

    with pytest.raises(CommandError, match="3 drift"):
        call_command("verify_ledger", stdout=out)

    pk = account(persona).pk
    assert out.getvalue().splitlines() == [
        f"account {pk}: balance 30.00, its lots hold 35.00",
        f"lot {lot.pk}: remaining 35.00, its allocations say 30.00",
        f"account {pk}: on hold 0.00, its open holds add up to 5.00",
    ]


def test_the_company_option_checks_one_account_uid(company_a, company_b):
    given_a_ledger(company_a)
    theirs = given_a_ledger(company_b)
    LoyaltyAccount.objects.filter(persona=theirs).update(balance=D("1.00"))

    assert run("--company", company_a.uid).endswith("no drift.\n")
    with pytest.raises(CommandError, match="No company has the account UID 'nope'"):
        run("--company", "nope")


def test_a_lot_not_opened_by_an_entry_of_its_account_is_reported(company_a):
    # The lot's award has no database key (loyalty 0012): verify_ledger is what checks it.
    persona = given_a_ledger(company_a)
    other = given_a_ledger(company_a)
    first, second = Lot.objects.filter(account__persona=persona).order_by("id")
    theirs = Lot.objects.filter(account__persona=other).order_by("id").first()
    # One lot now names another account's award, the other an entry that does not exist
    # (both are unique: the lot's own award stays one-to-one).
    Lot.objects.filter(pk=first.pk).update(award_id=theirs.award_id + 10_000)
    Lot.objects.filter(pk=second.pk).update(award_id=first.award_id + 20_000)
    Lot.objects.filter(pk=theirs.pk).update(award_id=first.award_id)
    out = StringIO()

    with pytest.raises(CommandError, match="drift"):
        call_command("verify_ledger", stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        f"lot {theirs.pk}: opened by entry {first.award_id}, not an entry of its account" in lines
    )
    assert any(line.startswith(f"lot {first.pk}: opened by entry ") for line in lines)
    assert any(line.startswith(f"lot {second.pk}: opened by entry ") for line in lines)
