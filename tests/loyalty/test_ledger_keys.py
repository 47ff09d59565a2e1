"""The ledger's (account, company) keys (migration 0009): an entry or a lot cannot name
one company and another company's account, nor an account that does not exist."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from loyalty.ledger.accounts import account_of
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, Lot
from tests.factories import PersonaFactory
from tests.loyalty.helpers import D

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the composite keys are PostgreSQL's"
)


def _check_now() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def account(company_a):
    return account_of(PersonaFactory(company=company_a))


def _entry(account, company_id, **overrides):
    values = {
        "company_id": company_id,
        "account_id": account.pk,
        "kind": EntryKind.ADJUST,
        "points": D("5"),
        "occurred_at": timezone.now(),
        **overrides,
    }
    return LedgerEntry(**values)


def test_an_entry_of_the_accounts_company_is_accepted(account):
    with transaction.atomic():
        _entry(account, account.company_id).save()
        _check_now()

    assert LedgerEntry.objects.filter(account=account).count() == 1


def test_an_entry_naming_another_company_than_its_accounts_is_refused(account, company_b):
    with (
        pytest.raises(IntegrityError, match="loyalty_entry_account_company_fk"),
        transaction.atomic(),
    ):
        _entry(account, company_b.pk).save()
        _check_now()

    assert not LedgerEntry.objects.filter(account=account).exists()


def test_an_entry_of_an_account_that_does_not_exist_is_refused(account):
    with (
        pytest.raises(IntegrityError, match="loyalty_entry_account_company_fk"),
        transaction.atomic(),
    ):
        _entry(account, account.company_id, account_id=account.pk + 10_000).save()
        _check_now()


def test_a_lot_naming_another_company_than_its_accounts_is_refused(account, company_b):
    with transaction.atomic():
        award = _entry(account, account.company_id)
        award.save()
    lot = Lot(
        company_id=company_b.pk,
        account_id=account.pk,
        award=award,
        points=D("5"),
        remaining=D("5"),
        earned_at=timezone.now(),
    )
    with (
        pytest.raises(IntegrityError, match="loyalty_lot_account_company_fk"),
        transaction.atomic(),
    ):
        lot.save()
        _check_now()

    assert not Lot.objects.filter(award=award).exists()
