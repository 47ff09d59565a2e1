"""Saving the loyalty settings: the history of who changed what, expiry changes dated
from today, the blocklist as rows, and what turning loyalty off affects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from aiq.personas.models import Persona
from loyalty.program.choices import ExpirationMode, ProgramEventAction
from loyalty.program.models import BlockedPhone, LoyaltyProgram, LoyaltyProgramEvent
from loyalty.program.services import (
    is_blocklisted,
    points_outstanding,
    save_settings,
    turn_off_impact,
)
from tests.factories import MembershipFactory, PersonaFactory
from tests.loyalty.factories import LoyaltyProgramFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 5, 4)


def test_first_save_creates_the_program_and_records_what_was_set(company_a):
    actor = MembershipFactory(company=company_a).user

    result = save_settings(
        company_a,
        {"enabled": True, "points_per_dollar": Decimal("0.05")},
        blocklist=["+12065550100"],
        actor=actor,
        today=TODAY,
    )

    program = LoyaltyProgram.objects.get(company=company_a)
    assert result.created is True and result.program == program
    assert program.points_per_dollar == Decimal("0.0500")
    event = program.events.get()
    assert (event.action, event.actor) == (ProgramEventAction.CREATED, actor)
    assert event.changes == {
        "enabled": [False, True],
        "points_per_dollar": ["1", "0.05"],
        "blocklist": [[], ["+12065550100"]],
    }


def test_a_change_records_before_and_after_and_an_unchanged_save_records_nothing(company_a):
    program = LoyaltyProgramFactory(company=company_a, points_per_visit=Decimal("0"))

    save_settings(company_a, {"points_per_visit": Decimal("10"), "enabled": True}, today=TODAY)
    save_settings(company_a, {"points_per_visit": Decimal("10.00")}, today=TODAY)

    event = program.events.get()
    assert event.action == ProgramEventAction.SETTINGS_CHANGED
    assert event.changes == {"points_per_visit": ["0", "10"]}


def test_expiry_changes_apply_from_today_and_say_so(company_a):
    program = LoyaltyProgramFactory(company=company_a)

    result = save_settings(
        company_a,
        {"expiration_mode": ExpirationMode.FIFO, "expiration_days": 365},
        today=TODAY,
    )

    program.refresh_from_db()
    assert result.expiry_changed is True
    assert program.expiration_rules_from == TODAY
    assert program.events.get().message == (
        "Expiration changes apply from today (May 4, 2026); nothing earned before is recomputed."
    )


def test_other_changes_leave_the_expiry_date_alone(company_a):
    program = LoyaltyProgramFactory(company=company_a, expiration_rules_from=date(2026, 1, 1))

    result = save_settings(company_a, {"hide_points_in_wallet": True}, today=TODAY)

    program.refresh_from_db()
    assert result.expiry_changed is False
    assert program.expiration_rules_from == date(2026, 1, 1)


def test_turning_off_keeps_members_and_is_recorded_with_its_impact(company_a):
    program = LoyaltyProgramFactory(company=company_a, enabled=True)
    PersonaFactory.create_batch(3, company=company_a, loyalty_enrolled_at="2026-01-01T10:00Z")
    PersonaFactory(company=company_a)  # not a member

    save_settings(company_a, {"enabled": False}, today=TODAY)
    save_settings(company_a, {"enabled": True}, today=TODAY)

    program.refresh_from_db()
    assert program.enabled is True
    off, on = reversed(program.events.all())
    assert off.action == ProgramEventAction.TURNED_OFF
    assert off.message == "3 members hold 0 points; balances are kept."
    assert on.action == ProgramEventAction.TURNED_ON
    # members are untouched either way
    assert Persona.objects.filter(company=company_a, loyalty_enrolled_at__isnull=False).count() == 3


def test_turn_off_impact_counts_only_this_companys_members(company_a, company_b):
    PersonaFactory.create_batch(2, company=company_a, loyalty_enrolled_at="2026-01-01T10:00Z")
    PersonaFactory(company=company_b, loyalty_enrolled_at="2026-01-01T10:00Z")

    impact = turn_off_impact(company_a)

    assert impact.members == 2
    assert impact.sentence() == (
        "This turns loyalty off for 2 members holding 0 points. Balances are kept; turning it "
        "back on restores them."
    )


def test_points_outstanding_is_zero_until_the_ledger_is_merged(company_a):
    assert points_outstanding(company_a) == Decimal(0)


def test_blocklist_is_one_row_per_number_and_is_replaced(company_a):
    program = LoyaltyProgramFactory(company=company_a)
    save_settings(company_a, {}, blocklist=["+12065550100", "+12065550101"], today=TODAY)

    save_settings(company_a, {}, blocklist=["+12065550101", "+12065550102"], today=TODAY)

    assert sorted(BlockedPhone.objects.values_list("phone", flat=True)) == [
        "+12065550101",
        "+12065550102",
    ]
    assert is_blocklisted(program, "+12065550102") is True
    assert is_blocklisted(program, "+12065550100") is False
    assert is_blocklisted(program, "") is False
    assert LoyaltyProgramEvent.objects.filter(program=program).count() == 2


def test_an_unknown_setting_is_refused_and_nothing_is_saved(company_a):
    with pytest.raises(ValueError):
        save_settings(company_a, {"company_id": 5}, today=TODAY)

    assert not LoyaltyProgram.objects.filter(company=company_a).exists()
