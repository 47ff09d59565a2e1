"""The nightly expiry by the program's rule in force, and its expire_points twin."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from loyalty.expiry_jobs.run import expire_points
from loyalty.expiry_jobs.tasks import expire_points_task
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.factories import PersonaFactory
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.loyalty.helpers import T0, D, allocations, balance, entry_count

DAY = timedelta(days=1)
T0_DAY = T0.date()


def program(company, mode, days=30, rules_from=T0_DAY, **fields):
    return LoyaltyProgramFactory(
        company=company,
        expiration_mode=mode,
        expiration_days=days if mode != "none" else None,
        expiration_rules_from=rules_from,
        **fields,
    )


def earn(persona, points, *, at=T0, expires_at=None):
    return award(persona, points, occurred_at=at, expires_at=expires_at, explanation="x")


def gift(persona, points, *, at=T0):
    return award(persona, points, EntryKind.ADJUST, occurred_at=at, reason="Gift")


def test_legacy_expires_the_whole_balance_after_n_days_without_a_transaction(company_a):
    # Given legacy expiry after 30 days since T0; two shoppers last active at T0 and T0+10
    program(company_a, "legacy")
    idle = PersonaFactory(company=company_a, first_name="Idle", last_name="Ivy")
    active = PersonaFactory(company=company_a)
    first = earn(idle, 20)
    second = earn(idle, 5, at=T0 + DAY)
    earn(active, 30, at=T0 + 10 * DAY)

    # When the night of day 30 comes, the idle one is not yet 30 days idle (last: T0+1)
    assert expire_points(T0 + 30 * DAY)[0].points == D("0")
    # And on day 31 a dry run says their whole balance would expire, writing nothing
    before = entry_count()
    assert expire_points(T0 + 31 * DAY, dry_run=True)[0].points == D("25.00")
    assert entry_count() == before
    # And the real run expires it, linked to both lots
    (result,) = expire_points(T0 + 31 * DAY)

    assert (result.accounts, result.points) == (1, D("25.00"))
    assert result.per_persona == {f"Idle Ivy (persona {idle.pk})": D("25.00")}
    entry = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
    assert (entry.points, entry.task) == (D("-25.00"), "expire_points")
    assert sorted(allocations(entry)) == sorted(
        [(first.lot.pk, D("20.00")), (second.lot.pk, D("5.00"))]
    )
    assert (balance(idle), balance(active)) == (D("0.00"), D("30.00"))
    assert verify().drifts == []


def test_legacy_counts_days_only_from_the_day_the_rule_took_effect(company_a):
    # Given a shopper idle since T0, and a legacy rule set 20 days later
    program(company_a, "legacy", rules_from=(T0 + 20 * DAY).date())
    persona = PersonaFactory(company=company_a)
    earn(persona, 20)

    # When 31 days have passed since the last transaction but only 11 since the rule
    # Then nothing expires; 30 days after the rule's day it does
    assert expire_points(T0 + 31 * DAY)[0].accounts == 0
    assert balance(persona) == D("20.00")
    assert expire_points(T0 + 50 * DAY)[0].points == D("20.00")
    assert balance(persona) == D("0.00")


def test_legacy_keeps_gifted_points_unless_the_program_says_so(company_a):
    # Given a legacy program whose gifts do not expire
    settings = program(company_a, "legacy")
    persona = PersonaFactory(company=company_a)
    earn(persona, 20)
    gift(persona, 5)

    # When the balance expires, the gift stays
    (result,) = expire_points(T0 + 31 * DAY)
    assert result.points == D("20.00")
    assert balance(persona) == D("5.00")

    # And when the program says gifts expire too, the gift goes on a later night
    settings.gifted_points_expire = True
    settings.save()
    assert expire_points(T0 + 32 * DAY)[0].points == D("5.00")
    assert balance(persona) == D("0.00")
    assert verify().drifts == []


def test_fifo_expires_the_lots_whose_date_passed_and_never_the_gifts(company_a):
    # Given FIFO: lots expiring on day 30 and day 60, a gift with no expiry, an old lot
    # earned before the rule (no expiry date: never recomputed)
    program(company_a, "fifo")
    persona = PersonaFactory(company=company_a)
    earn(persona, 9, at=T0 - 100 * DAY)
    soon = earn(persona, 20, expires_at=T0 + 30 * DAY)
    earn(persona, 30, expires_at=T0 + 60 * DAY)
    gift(persona, 5)

    # When the clock moves: day 29 nothing, day 30 the first lot, day 400 the second
    assert expire_points(T0 + 29 * DAY)[0].accounts == 0
    assert expire_points(T0 + 30 * DAY)[0].points == D("20.00")
    entry = LedgerEntry.objects.get(kind=EntryKind.EXPIRE)
    assert allocations(entry) == [(soon.lot.pk, D("20.00"))]
    assert expire_points(T0 + 400 * DAY)[0].points == D("30.00")

    # Then the old lot and the gift remain
    assert balance(persona) == D("14.00")
    assert verify().drifts == []


@pytest.mark.parametrize("mode", ["none", "legacy-off", "fifo-off"])
def test_nothing_expires_without_a_rule_or_with_loyalty_off(company_a, mode):
    if mode == "none":
        program(company_a, "none")
    else:
        program(company_a, mode.split("-")[0], enabled=False)
    persona = PersonaFactory(company=company_a)
    earn(persona, 20, expires_at=T0 + DAY)
    before = entry_count()

    assert expire_points(T0 + 400 * DAY) == []
    assert entry_count() == before
    assert balance(persona) == D("20.00")


def test_dry_run_prints_what_it_would_expire_and_writes_nothing(company_a):
    # Given one FIFO lot past its date (the command runs at the real now)
    program(company_a, "fifo", rules_from=date(2020, 1, 1))
    persona = PersonaFactory(company=company_a, first_name="Ana", last_name="Ruiz")
    earn(persona, 12, expires_at=T0 + DAY)
    before = entry_count()
    out = StringIO()

    call_command("expire_points", "--dry-run", stdout=out)

    assert out.getvalue().splitlines() == [
        f"{company_a.name} (first in, first out, 30 days): would expire 12 points from 1 account",
        f"  Ana Ruiz (persona {persona.pk}): 12",
        "Dry run: nothing was written.",
    ]
    assert entry_count() == before
    assert balance(persona) == D("12.00")

    # And the real run (the nightly task's body) expires what the dry run said
    out = StringIO()
    call_command("expire_points", stdout=out)
    assert out.getvalue().splitlines()[0].endswith("expired 12 points from 1 account")
    assert balance(persona) == D("0.00")
    assert expire_points_task() == f"{company_a.name}: 0 points from 0 accounts"
    assert verify().drifts == []


def test_the_owner_ticks_gifted_points_expire_on_settings_loyalty(owner_a, company_a):
    # Given a FIFO program whose gifts do not expire
    settings = program(company_a, "fifo", days=90)
    url = f"/admin/loyalty/loyaltyprogram/{settings.pk}/change/"
    assert "Manual adjustments (gifted points) expire too" in owner_a.get(url).content.decode()

    # When the owner ticks the box and saves
    owner_a.post(
        url,
        {
            "enabled": "on",
            "points_per_dollar": "1",
            "points_per_hundred": "100",
            "rounding": "down",
            "points_per_visit": "0",
            "max_visits_per_day": "1",
            "expiration_mode": "fifo",
            "expiration_days": "90",
            "gifted_points_expire": "on",
        },
    )

    # Then it is saved as an expiry change, in force from today, and recorded
    settings.refresh_from_db()
    assert settings.gifted_points_expire is True
    assert settings.expiration_rules_from == timezone.localdate()
    assert settings.events.get().changes["gifted_points_expire"] == [False, True]


def test_the_nightly_task_is_scheduled():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["loyalty-expire-points"]["task"] == (
        expire_points_task.name
    )


def test_the_command_runs_one_company_and_refuses_an_unknown_one(company_a, company_b):
    # Given two companies with a lot past its date each
    for company in (company_a, company_b):
        program(company, "fifo")
        earn(PersonaFactory(company=company), 4, expires_at=T0 + DAY)
    out = StringIO()

    # When only company A is expired
    call_command("expire_points", "--company", company_a.uid, stdout=out)

    # Then B keeps its points, and an unknown UID is refused, writing nothing
    assert out.getvalue().startswith(f"{company_a.name} (first in, first out, 30 days): expired")
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).get().company == company_a
    with pytest.raises(CommandError, match=r"No company with UID nope\."):
        call_command("expire_points", "--company", "nope", stdout=StringIO())
    assert LedgerEntry.objects.filter(kind=EntryKind.EXPIRE).count() == 1
