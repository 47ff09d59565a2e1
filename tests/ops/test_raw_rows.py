"""Hand-written hot-path SELECTs (aiq/raw_rows.py) build the same instances the ORM
builds, with their related objects cached so nothing queries again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.personas.models import Persona
from aiq.raw_rows import hot_cursor
from loyalty.api.keys import create_api_key, find_active_key
from loyalty.api.shoppers import find_shopper
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LoyaltyAccount
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore
from tests.factories import PersonaFactory, RetailStoreFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_key_comes_with_company_program_and_store_as_the_orm_reads_them(company_a):
    LoyaltyProgram.objects.create(company=company_a, enabled=True, points_per_dollar=Decimal("1.5"))
    store = RetailStoreFactory(company=company_a)
    new = create_api_key(company_a, "Counter", store=store)

    with CaptureQueriesContext(connection) as queries:
        key = find_active_key(new.plaintext)
        program = key.company.loyalty_program
        scoped = key.store
    assert len(queries) == 1
    assert _fields(key) == _fields(type(key).objects.get(pk=new.key.pk))
    assert _fields(key.company) == _fields(type(key.company).objects.get(pk=company_a.pk))
    assert _fields(program) == _fields(LoyaltyProgram.objects.get(company=company_a))
    assert program.points_per_dollar == Decimal("1.5")
    assert _fields(scoped) == _fields(RetailStore.objects.get(pk=store.pk))
    assert not key._state.adding and key._state.db == "default"


def test_a_key_without_program_or_store_reads_them_as_absent(company_a):
    new = create_api_key(company_a, "Counter")
    key = find_active_key(new.plaintext)
    with CaptureQueriesContext(connection) as queries:
        assert key.store is None
        with pytest.raises(LoyaltyProgram.DoesNotExist):
            key.company.loyalty_program  # noqa: B018 - the access is the test
    assert len(queries) == 0


def test_the_shopper_and_account_round_trip_json_and_decimals(company_a):
    persona = PersonaFactory(
        company=company_a, phone="+12065550123", brand_traits={"CovaPricingGroup": "VIP"}
    )
    award(persona, Decimal("12.25"), EntryKind.ADJUST, reason="test")

    found = find_shopper(company_a, phone="(206) 555-0123")
    with CaptureQueriesContext(connection) as queries:
        account = found.loyalty_account
    assert len(queries) == 0
    assert model_to_dict(found) == model_to_dict(Persona.objects.get(pk=persona.pk))
    assert found.brand_traits == {"CovaPricingGroup": "VIP"}
    assert _fields(account) == _fields(LoyaltyAccount.objects.get(persona=persona))
    assert account.balance == Decimal("12.25")


def test_a_shopper_without_account_reads_it_as_absent(company_a, company_b):
    PersonaFactory(company=company_a, phone="+12065550124", email="a@example.com")
    found = find_shopper(company_a, email="A@Example.com ")
    with pytest.raises(LoyaltyAccount.DoesNotExist):
        found.loyalty_account  # noqa: B018 - the access is the test
    assert find_shopper(company_b, phone="+12065550124") is None


def test_the_company_audiences_read_as_the_orm_reads_them(company_a, company_b):
    from aiq.audiences.membership import company_audiences
    from aiq.audiences.models import Audience

    for name in ("Vips", "Delivery", "Birthdays"):
        Audience.objects.create(
            company=company_a,
            name=name,
            conditions=[{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
        )
    Audience.objects.create(company=company_b, name="Theirs")

    read = company_audiences(company_a.pk)

    orm = list(Audience.objects.filter(company=company_a).order_by("name"))
    assert [a.name for a in read] == ["Birthdays", "Delivery", "Vips"]
    assert [_fields(a) for a in read] == [_fields(a) for a in orm]
    assert read[0].conditions == [
        {"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}
    ]
    assert company_audiences(company_a.pk + company_b.pk + 1000) == []


def _lots_in_every_fifo_position(persona, points, *, expiring_from):
    """Five lots of ``points``: two never expiring, three expiring 10 or 30 days after
    ``expiring_from``, earned on the same and on different days."""
    from datetime import UTC, datetime, timedelta

    earned = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for days_earned, days_to_expiry in ((0, None), (1, 30), (2, 10), (0, 30), (3, None)):
        award(
            persona,
            points,
            EntryKind.ADJUST,
            reason="Gift",
            occurred_at=earned + timedelta(days=days_earned),
            expires_at=expiring_from + timedelta(days=days_to_expiry) if days_to_expiry else None,
        )


def test_fifo_lots_come_in_the_orms_fifo_order_with_the_orms_values(company_a):
    from datetime import UTC, datetime

    from loyalty.ledger.accounts import account_of
    from loyalty.ledger.models import Lot
    from loyalty.ledger.postings import FIFO, fifo_lots

    # Given lots with and without expiry, earned at the same and different times
    persona = PersonaFactory(company=company_a)
    t0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
    _lots_in_every_fifo_position(persona, Decimal("5.25"), expiring_from=t0)
    account = account_of(persona)

    # When the debit order is read by hand-written SQL
    read = fifo_lots(account)

    # Then it is the ORM's FIFO order and values: soonest expiry, never-expiring last
    orm = list(Lot.objects.filter(account=account, remaining__gt=0).order_by(*FIFO))
    assert [_fields(lot) for lot in read] == [_fields(lot) for lot in orm]
    assert [lot.expires_at is None for lot in read] == [False, False, False, True, True]
    assert read[0].remaining == Decimal("5.25")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_a_redemptions_reads_under_the_lock_are_the_three_separate_reads(company_a):
    from loyalty.api.redemption.reads import read_under_lock, redemption_of
    from loyalty.api.redemption.service import Caller, RedemptionRequest, redeem
    from loyalty.discounts.services import _uses_of
    from loyalty.ledger.accounts import account_of
    from loyalty.ledger.postings import fifo_lots
    from tests.loyalty.api.redemption_support import discount_of
    from tests.loyalty.factories import DiscountUseFactory

    # Given a shopper with lots in every FIFO position, uses of the discount, and one
    # redemption already made with a transaction id
    persona = PersonaFactory(company=company_a, loyalty_enrolled_at=timezone.now())
    LoyaltyProgram.objects.create(company=company_a, enabled=True)
    _lots_in_every_fifo_position(persona, Decimal("40.25"), expiring_from=timezone.now())
    discount = discount_of(company_a, points=50)
    DiscountUseFactory(discount=discount, persona=persona, company=company_a)
    key = create_api_key(company_a, "Counter").key
    request = RedemptionRequest(
        Caller.api(key), persona, discount, timezone.now(), transaction_id="T-1"
    )
    redeem(request)
    account = account_of(persona)

    # When they are read in one statement, for that transaction and for a new one
    seen = read_under_lock(company_a.pk, "txn:T-1", persona, discount, account)
    new = read_under_lock(company_a.pk, "txn:T-2", persona, discount, account)

    # Then each part is what its own read gives
    assert _fields(seen.redemption) == _fields(redemption_of(company_a.pk, "txn:T-1", lock=False))
    assert new.redemption is None
    usage = _uses_of(persona, discount)
    assert seen.uses == new.uses == usage and usage.count == 2
    lots = [_fields(lot) for lot in fifo_lots(account)]
    assert [_fields(lot) for lot in seen.open_lots] == lots
    assert len(lots) == 4  # the redemption's 50 points emptied the soonest-expiring lot
    # and a shopper with one lot, no use and no request key reads as such
    other = PersonaFactory(company=company_a)
    award(other, 10, EntryKind.ADJUST, reason="Gift")
    bare = read_under_lock(company_a.pk, None, other, discount, account_of(other))
    assert bare.redemption is None and bare.uses.count == 0 and len(bare.open_lots) == 1


def _plan_cache_mode_of_a_new_connection():
    connection.close()  # the next query opens a new connection, as a web worker does
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
@pytest.mark.django_db(transaction=True)
def test_each_new_connection_plans_the_prepared_hot_statements_once(settings):
    assert _plan_cache_mode_of_a_new_connection() == "force_generic_plan"

    settings.DATABASE_PREPARED_STATEMENTS = False  # e.g. behind PgBouncer: nothing prepared
    assert _plan_cache_mode_of_a_new_connection() == "auto"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders")
@pytest.mark.django_db(transaction=True)
def test_hot_cursors_read_timestamps_with_the_compiled_loader_and_the_same_values(company_a):
    # Given a new connection (as a web worker opens one)
    connection.close()
    connection.ensure_connection()
    assert connection.hot_timestamp_loader is not None
    assert connection.hot_timestamp_loader.loader.__module__.startswith("psycopg_")
    samples = [
        "2026-12-02 12:34:56.123456+00",
        "1970-01-01 00:00:00+00",
        "2100-06-30 23:59:59.999999+00",
        "2026-03-08 02:30:00-08",  # another offset: the same instant, read in UTC
    ]
    sql = "SELECT " + ", ".join(f"%s::timestamptz AS t{n}" for n in range(len(samples)))
    sql += ", NULL::timestamptz"

    # When the same values are read by a hot cursor and by Django's own cursor
    with hot_cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(1184, 0).__module__.startswith("psycopg_")
        cursor.execute(sql, samples)
        ours = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, samples)
        theirs = cursor.fetchone()

    # Then they are equal, time zone object included
    assert ours == theirs
    assert [getattr(v, "tzinfo", None) for v in ours] == [
        getattr(v, "tzinfo", None) for v in theirs
    ]
    assert ours[3].isoformat() == "2026-03-08T10:30:00+00:00"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders")
@pytest.mark.django_db(transaction=True)
def test_a_connection_whose_time_zone_is_not_djangos_keeps_djangos_loader():
    from aiq.raw_rows import choose_hot_timestamp_loader

    connection.ensure_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'America/Los_Angeles'")
        # the compiled loader would follow the connection, Django's would not: no swap
        choose_hot_timestamp_loader(None, connection)
        assert connection.hot_timestamp_loader is None
    finally:
        connection.close()
