"""Settings > Loyalty: one page per company, created by its first save (never by a GET),
per $1 or per $100, a confirmation before loyalty is turned off, the history at the
bottom, and the roles that may see or change it."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.personas.models import Persona
from loyalty.program.choices import ExpirationMode, ProgramEventAction
from loyalty.program.models import BlockedPhone, LoyaltyProgram
from loyalty.program.points import say_date
from tests.conftest import staff_client
from tests.factories import PersonaFactory
from tests.integrations.factories import IntegrationFactory
from tests.loyalty.factories import LoyaltyProgramFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/loyalty/loyaltyprogram/"
ADD = "/admin/loyalty/loyaltyprogram/add/"


def _change(program: LoyaltyProgram) -> str:
    return f"/admin/loyalty/loyaltyprogram/{program.pk}/change/"


def _form(**values: object) -> dict[str, object]:
    """The page's fields as a browser posts them, defaults unless given."""
    data: dict[str, object] = {
        "enabled": "on",
        "points_per_dollar": "1",
        "points_per_hundred": "100",
        "rounding": "down",
        "points_per_visit": "0",
        "max_visits_per_day": "1",
        "no_tax_accrual_from": "",
        "accrual_start_date": "",
        "expiration_mode": "none",
        "expiration_days": "",
        "blocklist": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def test_settings_loyalty_opens_the_defaults_and_a_get_creates_nothing(owner_a):
    # when an owner opens Settings > Loyalty for the first time
    response = owner_a.get(LIST, follow=True)

    # then they see the form with the seed's labels and Save settings, and nothing is stored
    assert response.redirect_chain == [(ADD, 302)]
    page = _text(response)
    for label in (
        "Enable loyalty points",
        "Points per $1 spent",
        "Points per $100 spent",
        "Points per visit",
        "Maximum visits per day",
        "Don't accrue points on tax dollars",
        "Customers can earn points starting on",
        "Points expiration",
        "Budtender can see waiting room queue",
        "Hide points in the wallet",
        "Points blocklist",
        'value="Save settings"',
        "Nothing is stored until you click Save settings",
    ):
        assert label in page, label
    assert not LoyaltyProgram.objects.exists()


def test_first_save_creates_the_program_from_points_per_100(owner_a, company_a):
    # when the owner types 5 points per $100 and saves
    response = owner_a.post(ADD, _form(points_per_hundred="5"))

    # then the program holds 0.05 per $1, and the page shows both and its history
    program = LoyaltyProgram.objects.get(company=company_a)
    assert response.status_code == 302 and response["Location"] == _change(program)
    assert program.points_per_dollar == Decimal("0.05")
    assert program.enabled is True
    page = _text(owner_a.get(_change(program)))
    assert 'name="points_per_dollar" value="0.05"' in page
    assert 'name="points_per_hundred" value="5"' in page
    assert "Program created" in page
    assert "Points per $1 spent</strong>: 1 (per $100: 100) → 0.05 (per $100: 5)" in page
    assert program.events.get().actor == owner_a.user


def test_the_list_goes_to_the_companys_program_once_it_exists(owner_a, company_a, company_b):
    LoyaltyProgramFactory(company=company_b)
    program = LoyaltyProgramFactory(company=company_a)

    response = owner_a.get(LIST)

    assert response["Location"] == _change(program)
    # and the add page leads there too: one program per company, never a second
    assert owner_a.get(ADD)["Location"] == _change(program)
    assert owner_a.post(ADD, _form(points_per_visit="9"))["Location"] == _change(program)
    assert LoyaltyProgram.objects.filter(company=company_a).count() == 1
    program.refresh_from_db()
    assert program.points_per_visit == Decimal("0")


def test_changing_points_per_1_alone_wins_over_the_unchanged_per_100(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a, points_per_dollar=Decimal("1"))

    owner_a.post(_change(program), _form(points_per_dollar="2.5", points_per_hundred="100"))

    program.refresh_from_db()
    assert program.points_per_dollar == Decimal("2.5")


def test_both_rates_changed_and_disagreeing_is_a_form_error(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a, points_per_dollar=Decimal("1"))

    response = owner_a.post(_change(program), _form(points_per_dollar="2", points_per_hundred="50"))

    assert response.status_code == 200
    assert "2 points per $1 is 200 points per $100, not 50: change one of the two." in _text(
        response
    )
    program.refresh_from_db()
    assert program.points_per_dollar == Decimal("1")
    assert not program.events.exists()


def test_turning_loyalty_off_asks_first_with_members_and_points(owner_a, company_a):
    # given loyalty is on with 2 members
    program = LoyaltyProgramFactory(company=company_a, enabled=True)
    PersonaFactory.create_batch(2, company=company_a, loyalty_enrolled_at=timezone.now())

    # when the owner unticks "Enable loyalty points" (and changes the visit points) and saves
    response = owner_a.post(_change(program), _form(enabled=None, points_per_visit="5"))

    # then a confirmation says what it affects, and nothing changed yet
    assert response.status_code == 200
    page = _text(response)
    assert (
        "This turns loyalty off for 2 members holding 0 points. Balances are kept; turning "
        "it back on restores them." in page
    )
    assert 'value="Yes, turn loyalty off"' in page
    program.refresh_from_db()
    assert program.enabled is True and program.points_per_visit == Decimal("0")
    assert not program.events.exists()

    # when they confirm (the page re-posts their form)
    posted = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    posted.pop("csrfmiddlewaretoken", None)
    confirmed = owner_a.post(_change(program), posted)

    # then loyalty is off, the other change is saved, members keep their membership
    assert confirmed.status_code == 302
    program.refresh_from_db()
    assert program.enabled is False and program.points_per_visit == Decimal("5")
    assert program.events.get().action == ProgramEventAction.TURNED_OFF
    assert Persona.objects.filter(loyalty_enrolled_at__isnull=False).count() == 2


def test_turning_loyalty_on_needs_no_confirmation(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a, enabled=False)

    response = owner_a.post(_change(program), _form())

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.enabled is True


def test_an_expiry_change_says_it_applies_from_today(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    response = owner_a.post(
        _change(program), _form(expiration_mode="legacy", expiration_days="180"), follow=True
    )

    today = timezone.localdate()
    page = _text(response)
    assert (
        f"Expiration changes apply from today ({say_date(today)}); nothing earned before is "
        "recomputed." in page
    )
    assert f"Expiration rules in force since {say_date(today)}" in page
    program.refresh_from_db()
    assert (program.expiration_mode, program.expiration_days) == (ExpirationMode.LEGACY, 180)
    assert program.expiration_rules_from == today


def test_expiring_points_need_a_number_of_days(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    response = owner_a.post(_change(program), _form(expiration_mode="fifo", expiration_days=""))

    assert "Enter after how many days points expire." in _text(response)
    program.refresh_from_db()
    assert program.expiration_mode == ExpirationMode.NONE


def test_fifo_is_refused_while_a_card_mirrors_points(owner_a, company_a):
    IntegrationFactory(company=company_a, provider="cova", mirror_loyalty_points=True)
    program = LoyaltyProgramFactory(company=company_a)

    response = owner_a.post(_change(program), _form(expiration_mode="fifo", expiration_days="365"))

    assert "can't be combined with “Mirror integration loyalty point values?” (on: Cova)" in _text(
        response
    )
    program.refresh_from_db()
    assert program.expiration_mode == ExpirationMode.NONE


def test_no_tax_accrual_starts_today_when_no_date_is_given(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    owner_a.post(_change(program), _form(exclude_tax="on"))

    program.refresh_from_db()
    assert program.no_tax_accrual_from == timezone.localdate()


def test_no_tax_accrual_cannot_start_in_the_past(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)
    yesterday = timezone.localdate() - timedelta(days=1)

    response = owner_a.post(
        _change(program), _form(exclude_tax="on", no_tax_accrual_from=yesterday.isoformat())
    )

    assert "sales before today keep the points they earned" in _text(response)
    program.refresh_from_db()
    assert program.no_tax_accrual_from is None


def test_a_no_tax_date_already_in_force_may_stay_in_the_past(owner_a, company_a):
    earlier = timezone.localdate() - timedelta(days=30)
    program = LoyaltyProgramFactory(company=company_a, no_tax_accrual_from=earlier)

    response = owner_a.post(
        _change(program),
        _form(exclude_tax="on", no_tax_accrual_from=earlier.isoformat(), points_per_visit="3"),
    )

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.no_tax_accrual_from == earlier and program.points_per_visit == Decimal("3")


def test_blocklist_is_normalised_and_an_invalid_number_is_named(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    refused = owner_a.post(_change(program), _form(blocklist="(206) 555-0100\n555-12"))
    assert "Not a valid phone number: 555-12." in _text(refused)
    assert not BlockedPhone.objects.exists()

    owner_a.post(_change(program), _form(blocklist="(206) 555-0100\n+1 206 555 0101, 2065550100"))
    assert sorted(BlockedPhone.objects.values_list("phone", flat=True)) == [
        "+12065550100",
        "+12065550101",
    ]
    page = _text(owner_a.get(_change(program)))
    assert "Points blocklist</strong>: added +1 206-555-0100, +1 206-555-0101" in page


def test_fractional_visit_points_need_fractional_rounding(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    refused = owner_a.post(_change(program), _form(points_per_visit="2.5"))
    accepted = owner_a.post(_change(program), _form(points_per_visit="2.5", rounding="fractional"))

    assert "Use a whole number of points, or choose Fractional rounding" in _text(refused)
    assert accepted.status_code == 302
    program.refresh_from_db()
    assert program.points_per_visit == Decimal("2.5")


def test_a_control_character_is_a_form_error_not_a_500(owner_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    response = owner_a.post(_change(program), _form(blocklist="2065550100\x00"))

    assert response.status_code == 200
    assert "Points blocklist contains an invisible control character (NUL)" in _text(response)


def test_another_companys_program_is_a_404(owner_a, company_b):
    other = LoyaltyProgramFactory(company=company_b)

    assert owner_a.get(_change(other)).status_code == 404
    assert owner_a.post(_change(other), _form(enabled=None)).status_code == 404
    other.refresh_from_db()
    assert other.enabled is True


def test_manager_changes_the_settings(company_a):
    manager = staff_client(company_a, Role.MANAGER)
    program = LoyaltyProgramFactory(company=company_a)

    response = manager.post(_change(program), _form(points_per_visit="7"))

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.points_per_visit == Decimal("7")


def test_marketer_reads_the_settings_but_cannot_change_them(company_a):
    marketer = staff_client(company_a, Role.MARKETER)
    program = LoyaltyProgramFactory(company=company_a, points_per_dollar=Decimal("0.05"))

    page = marketer.get(_change(program))
    refused = marketer.post(_change(program), _form(points_per_visit="7"))

    assert page.status_code == 200
    assert 'name="points_per_dollar"' not in page.content.decode()
    assert "Points per $100 spent" in _text(page)
    assert refused.status_code == 403
    program.refresh_from_db()
    assert program.points_per_visit == Decimal("0")


def test_marketer_sees_that_loyalty_is_not_set_up_and_creates_nothing(company_a):
    marketer = staff_client(company_a, Role.MARKETER)

    response = marketer.get(LIST)

    assert response.status_code == 200
    assert "Loyalty isn't set up yet" in _text(response)
    assert marketer.post(ADD, _form()).status_code == 403
    assert not LoyaltyProgram.objects.exists()


def test_budtender_has_no_loyalty_settings(budtender_a, company_a):
    program = LoyaltyProgramFactory(company=company_a)

    assert budtender_a.get(LIST).status_code == 403
    assert budtender_a.get(_change(program)).status_code == 403
    assert budtender_a.post(_change(program), _form(enabled=None)).status_code == 403
    program.refresh_from_db()
    assert program.enabled is True
