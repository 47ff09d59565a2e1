"""Refunds on the persona card: "Remove N points" reverses exactly what the sale earned."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse

from aiq.accounts.choices import Role
from loyalty.card.refunds import BY_RECEIPT, BY_TOTAL, refund_offers
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.conftest import staff_client
from tests.factories import PersonaFactory
from tests.loyalty.helpers import D, allocations, balance, entry_count
from tests.personas.factories import NOON_UTC, make_sale


def remove_url(persona, refund) -> str:
    return reverse("admin:personas_persona_remove_refund_points", args=[persona.pk, refund.pk])


def earn(persona, sale, points):
    return award(persona, points, sale=sale, occurred_at=sale.occurred_at, explanation="x")


def test_remove_n_points_writes_an_exact_reversal_linked_to_the_sale_and_its_lot(company_a):
    # Given a sale that earned 47 points, another award, and a refund with its receipt
    persona = PersonaFactory(company=company_a)
    sale = make_sale(persona, "S-1", receipt_number="1043")
    other = make_sale(persona, "S-2", receipt_number="1044", total=Decimal("10.00"))
    earned = earn(persona, sale, 47)
    earn(persona, other, 10)
    refund = make_sale(
        persona,
        "R-1",
        receipt_number="1043",
        is_refund=True,
        total=Decimal("-52.30"),
        occurred_at=NOON_UTC + timedelta(days=1),
    )
    client = staff_client(company_a, Role.MANAGER)

    # Then the card offers to remove the 47 points next to the refund
    card = client.get(reverse("admin:personas_persona_change", args=[persona.pk]))
    assert 'value="Remove 47 points"' in card.content.decode()
    (offer,) = card.context["loyalty"]["wallet"].refunds
    assert (offer.original, offer.matched_by, offer.earned) == (sale, BY_RECEIPT, D("47.00"))

    # When the manager clicks it
    response = client.post(remove_url(persona, refund), follow=True)

    # Then one reversal of 47 is written, linked to the sale, the earn and its lot
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.points, reversal.sale, reversal.reverses) == (D("-47.00"), sale, earned)
    assert reversal.staff_user == client.user
    assert allocations(reversal) == [(earned.lot.pk, D("47.00"))]
    assert balance(persona) == D("10.00")
    assert "Removed 47 points for the refund." in response.content.decode()
    # And it is not offered again; a second click writes nothing
    (offer,) = refund_offers(persona)
    assert (offer.offered, offer.removed) == (False, [reversal])
    assert "Remove 47 points" not in response.content.decode()
    before = entry_count()
    again = client.post(remove_url(persona, refund), follow=True)
    assert "The points of this refund&#x27;s sale were already removed." in again.content.decode()
    assert entry_count() == before
    assert verify().drifts == []


def test_without_a_receipt_number_the_original_is_the_earlier_sale_with_the_same_total(
    company_a,
):
    # Given two earlier sales of $52.30 and a refund of $52.30 without a receipt number
    persona = PersonaFactory(company=company_a)
    older = make_sale(persona, "S-1", occurred_at=NOON_UTC - timedelta(days=3))
    newer = make_sale(persona, "S-2", occurred_at=NOON_UTC - timedelta(days=1))
    make_sale(persona, "S-3", occurred_at=NOON_UTC + timedelta(days=2))  # after the refund
    earn(persona, older, 40)
    earn(persona, newer, 47)
    make_sale(persona, "R-1", is_refund=True, total=Decimal("-52.30"), occurred_at=NOON_UTC)

    # Then the latest earlier sale with that total is its original
    (offer,) = refund_offers(persona)
    assert (offer.original, offer.matched_by, offer.removable) == (newer, BY_TOTAL, D("47.00"))


def test_a_refund_with_no_original_offers_nothing(company_a):
    persona = PersonaFactory(company=company_a)
    earn(persona, make_sale(persona, "S-1"), 47)
    refund = make_sale(persona, "R-1", is_refund=True, total=Decimal("-9.99"))
    client = staff_client(company_a, Role.OWNER)
    before = entry_count()

    (offer,) = refund_offers(persona)
    response = client.post(remove_url(persona, refund), follow=True)

    assert (offer.original, offer.offered) == (None, False)
    assert "No original sale was found for this refund." in response.content.decode()
    assert entry_count() == before


def test_removal_is_refused_when_the_points_were_spent(company_a):
    # Given 47 earned on the sale and 40 of them redeemed
    persona = PersonaFactory(company=company_a)
    sale = make_sale(persona, "S-1", receipt_number="7")
    earn(persona, sale, 47)
    debit(persona, 40)
    refund = make_sale(persona, "R-1", receipt_number="7", is_refund=True)
    client = staff_client(company_a, Role.OWNER)
    before = entry_count()

    response = client.post(remove_url(persona, refund), follow=True)

    assert "Can&#x27;t remove 47 points: the balance is only 7." in response.content.decode()
    assert entry_count() == before
    assert balance(persona) == D("7.00")


def test_a_budtender_cannot_remove_refund_points(company_a):
    persona = PersonaFactory(company=company_a)
    sale = make_sale(persona, "S-1", receipt_number="7")
    earn(persona, sale, 47)
    refund = make_sale(persona, "R-1", receipt_number="7", is_refund=True)
    client = staff_client(company_a, Role.BUDTENDER)

    card = client.get(reverse("admin:personas_persona_change", args=[persona.pk]))
    response = client.post(remove_url(persona, refund))

    assert "Remove 47 points" not in card.content.decode()
    assert "47 points could be removed by a manager" in card.content.decode()
    assert response.status_code == 403
    assert balance(persona) == D("47.00")
