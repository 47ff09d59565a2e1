"""The persona card's loyalty section: what each role sees, manual adjustments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aiq.accounts.choices import Role
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, Lot
from loyalty.ledger.verify import verify
from tests.conftest import staff_client
from tests.factories import PersonaFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory
from tests.loyalty.helpers import D, balance, entry_count
from tests.personas.factories import make_sale

EXPLANATION = (
    "Sale 1043 at Capitol Hill: $52.30 - $5.20 tax = $47.10 x 1 pt/$ = 47.10, rounded down = 47"
)


def card_url(persona) -> str:
    return reverse("admin:personas_persona_change", args=[persona.pk])


def adjust_url(persona) -> str:
    return reverse("admin:personas_persona_adjust_points", args=[persona.pk])


@pytest.fixture
def shopper(company_a):
    persona = PersonaFactory(company=company_a, first_name="Dana", last_name="Reyes")
    sale = make_sale(persona, "S-1043", receipt_number="1043")
    award(persona, 47, sale=sale, explanation=EXPLANATION)
    return persona


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owner_and_manager_see_the_wallet_and_the_adjustment_form(company_a, shopper, role):
    # Given a persona who earned 47 points on a sale, and a discount they can afford
    LoyaltyProgramFactory(company=company_a)
    shopper.loyalty_enrolled_at = shopper.created_at
    shopper.save()
    DiscountFactory(company=company_a, name="$5 off", points_cost=D("40"))
    DiscountFactory(company=company_a, name="$20 off", points_cost=D("200"))
    client = staff_client(company_a, role)

    # When they open the card
    response = client.get(card_url(shopper))

    # Then the loyalty section shows the balance, the lot, the explanation, the discounts
    html = response.content.decode()
    assert response.status_code == 200
    wallet = response.context["loyalty"]["wallet"]
    assert (wallet.balance, [lot.remaining for lot in wallet.lots]) == (D("47.00"), [D("47.00")])
    assert EXPLANATION in html
    assert [o.discount.name for o in wallet.discounts_now] == ["$5 off"]
    assert [o.reason for o in wallet.discounts_later] == ["Needs 200 points; has 47"]
    assert 'aria-label="Adjust points"' in html
    assert response.context["loyalty"]["can_adjust"] is True


@pytest.mark.parametrize("role", [Role.MARKETER, Role.BUDTENDER])
def test_marketer_and_budtender_see_the_balance_but_cannot_adjust(company_a, shopper, role):
    # Given a marketer or budtender
    client = staff_client(company_a, role)

    # When they open the card
    response = client.get(card_url(shopper))

    # Then they see the balance and no adjustment form
    html = response.content.decode()
    assert response.status_code == 200
    assert '<span class="points-number">47</span>' in html
    assert 'aria-label="Adjust points"' not in html
    assert "Only owners and managers adjust points." in html

    # And posting an adjustment anyway is refused, writing nothing
    before = entry_count()
    refused = client.post(
        adjust_url(shopper), {"direction": "add", "points": "25", "reason": "Gift"}
    )
    assert refused.status_code == 403
    assert entry_count() == before
    assert balance(shopper) == D("47.00")


def test_owner_adds_points_with_a_reason(company_a, shopper):
    # Given an owner
    client = staff_client(company_a, Role.OWNER)

    # When they add 25 points with a reason
    response = client.post(
        adjust_url(shopper),
        {"direction": "add", "points": "25", "reason": "Birthday gift"},
        follow=True,
    )

    # Then the balance is 72 and the entry names the reason and the staff member
    assert balance(shopper) == D("72.00")
    entry = LedgerEntry.objects.get(kind=EntryKind.ADJUST)
    assert (entry.points, entry.reason, entry.staff_user) == (
        D("25.00"),
        "Birthday gift",
        client.user,
    )
    # And a gift never expires (the program does not say otherwise)
    assert Lot.objects.get(award=entry).expires_at is None
    html = response.content.decode()
    assert "Added 25 points (Birthday gift). The balance is now 72." in html
    assert "Reason: Birthday gift" in html
    assert f"Staff: {client.user.username}" in html
    assert verify().drifts == []


def test_manager_removes_points(company_a, shopper):
    client = staff_client(company_a, Role.MANAGER)

    client.post(adjust_url(shopper), {"direction": "remove", "points": "7", "reason": "Typo"})

    assert balance(shopper) == D("40.00")
    assert LedgerEntry.objects.get(kind=EntryKind.ADJUST).points == D("-7.00")
    assert verify().drifts == []


def test_a_removal_larger_than_the_balance_is_refused_with_a_clear_message(company_a, shopper):
    # Given a balance of 47
    client = staff_client(company_a, Role.OWNER)
    before = entry_count()

    # When the owner tries to remove 50
    response = client.post(
        adjust_url(shopper),
        {"direction": "remove", "points": "50", "reason": "Correction"},
        follow=True,
    )

    # Then they are told why, and nothing is written
    assert "Can&#x27;t remove 50 points: the balance is only 47. Nothing was changed." in (
        response.content.decode()
    )
    assert entry_count() == before
    assert balance(shopper) == D("47.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"direction": "add", "points": "10", "reason": "  "},
            "Reason: Say why the points change: a reason is required.",
        ),
        (
            {"direction": "add", "points": "-3", "reason": "Gift"},
            "Points: Ensure this value is greater than or equal to 0.01.",
        ),
        (
            {"direction": "add", "points": "lots", "reason": "Gift"},
            "Points: Enter a number.",
        ),
        (
            {"direction": "double", "points": "10", "reason": "Gift"},
            "Change: Select a valid choice. double is not one of the available choices.",
        ),
    ],
)
def test_bad_adjustments_say_which_field_and_write_nothing(company_a, shopper, data, message):
    client = staff_client(company_a, Role.OWNER)
    before = entry_count()

    response = client.post(adjust_url(shopper), data, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [message]
    assert entry_count() == before


def test_another_companys_persona_cannot_be_adjusted(company_a, company_b, shopper):
    client = staff_client(company_b, Role.OWNER)

    response = client.post(
        adjust_url(shopper), {"direction": "add", "points": "5", "reason": "Gift"}
    )

    assert response.status_code == 404
    assert balance(shopper) == D("47.00")


def test_gifted_points_expire_when_the_program_says_so(company_a, shopper):
    # Given FIFO expiry after 30 days, and gifts that expire too
    LoyaltyProgramFactory(
        company=company_a, expiration_mode="fifo", expiration_days=30, gifted_points_expire=True
    )
    client = staff_client(company_a, Role.OWNER)

    client.post(adjust_url(shopper), {"direction": "add", "points": "5", "reason": "Gift"})

    entry = LedgerEntry.objects.get(kind=EntryKind.ADJUST)
    lot = Lot.objects.get(award=entry)
    assert (lot.expires_at - entry.occurred_at).days == 30


def test_the_timeline_is_capped_with_a_link_to_the_whole_history(company_a, shopper):
    # Given 55 entries
    for number in range(54):
        award(shopper, 1, EntryKind.ADJUST, reason=f"Gift {number}")
    client = staff_client(company_a, Role.MARKETER)

    # When the card is opened
    response = client.get(card_url(shopper))

    # Then the latest 50 are listed, newest first, with a link to all of them
    wallet = response.context["loyalty"]["wallet"]
    assert (len(wallet.timeline), wallet.entry_count) == (50, 55)
    assert wallet.timeline[0].explanation == "Reason: Gift 53"
    assert "The latest 50 of 55 entries." in response.content.decode()
    history = client.get(reverse("admin:personas_persona_points_history", args=[shopper.pk]))
    assert history.status_code == 200
    assert len(history.context["wallet"].timeline) == 55
