from __future__ import annotations

import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore
from stores.queue.choices import QueueState
from stores.queue.models import CheckIn

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_varied(capsys, client):
    call_command("seed_demo", "--password", "Demo-Secret-99")
    first = Persona.objects.count()
    call_command("seed_demo", "--password", "Demo-Secret-99")

    out = capsys.readouterr().out
    assert "owner / Demo-Secret-99" in out
    assert Company.objects.count() == 1
    assert Persona.objects.count() == first >= 200
    stores = RetailStore.objects.all()
    assert stores.count() == 3 and len({s.state for s in stores}) == 2
    # the variety real data has
    assert Persona.objects.filter(email="").exists()
    assert Persona.objects.filter(phone="").exclude(phone_raw="").exists()
    phones = list(Persona.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(phones) > len(set(phones))  # the same number typed in different formats

    # the demo owner logs in and sees the demo personas
    assert client.login(request=HttpRequest(), username="owner", password="Demo-Secret-99")
    page = client.get("/admin/personas/persona/").content.decode()
    some = Persona.objects.order_by("-id").first()
    assert some.last_name in page


def test_the_demo_budtender_lands_on_the_capitol_hill_queue_with_shoppers_waiting():
    call_command("seed_demo", "--password", "Demo-Secret-99")

    # the program lets budtenders see the queue; Capitol Hill's is on, with shoppers waiting
    assert LoyaltyProgram.objects.get().budtender_can_see_queue is True
    capitol_hill = RetailStore.objects.get(name="Capitol Hill")
    assert capitol_hill.opt_in_queue_enabled is True
    waiting = CheckIn.objects.filter(store=capitol_hill, state=QueueState.WAITING)
    assert waiting.count() >= 3
    assert waiting.filter(persona__isnull=False).exists()
    # the only store taking check-ins
    assert not CheckIn.objects.exclude(store=capitol_hill).exists()

    # the budtender's login opens the queue; the owner's opens the dashboard
    for username, landing in (("budtender", "/admin/queue/checkin/"), ("owner", "/admin/")):
        login = {"username": username, "password": "Demo-Secret-99", "next": "/admin/"}
        assert Client().post("/admin/login/", login)["Location"] == landing


def test_the_demo_s_waiting_shoppers_have_purchases_and_points_from_the_ledger():
    from aiq.audiences.compile import members_of
    from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
    from loyalty.ledger.verify import verify

    # given the seeded demo (before any POS sync)
    call_command("seed_demo")
    waiting = CheckIn.objects.filter(state=QueueState.WAITING, persona__isnull=False)
    shoppers = [entry.persona for entry in waiting.select_related("persona")]
    assert len(shoppers) == 3

    # then each waiting shopper is a member with purchases and a positive balance that
    # their sales' earn entries explain
    for persona in shoppers:
        assert persona.loyalty_enrolled_at is not None
        assert persona.sales.filter(is_refund=False).count() >= 1
        account = LoyaltyAccount.objects.get(persona=persona)
        assert account.balance > 0
        earned = LedgerEntry.objects.filter(account=account, sale__persona=persona)
        assert sum(entry.points for entry in earned) == account.balance
        persona.refresh_from_db()
        assert persona.purchase_count >= 1 and persona.favorite_store.name == "Capitol Hill"
    company = shoppers[0].company
    assert verify(company).drifts == []
    # and the story holds together: they bought the brands the audiences can target
    acme = members_of(company, "all", [{"type": "brand", "value": "Acme Farms"}])
    assert {p.pk for p in shoppers} <= set(acme.values_list("pk", flat=True))

    # and seeding again gives them nothing more
    balances = list(LoyaltyAccount.objects.order_by("pk").values_list("balance", flat=True))
    call_command("seed_demo")
    assert list(LoyaltyAccount.objects.order_by("pk").values_list("balance", flat=True)) == (
        balances
    )


def test_seed_demo_creates_the_faqs_two_audiences_once():
    from aiq.audiences.models import Audience

    call_command("seed_demo")
    call_command("seed_demo")
    audiences = {a.name: a.conditions for a in Audience.objects.all()}
    assert audiences == {
        "Delivery": [{"type": "fulfillment", "value": "delivery"}],
        "Cova pricing group 2": [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "2"}],
    }
