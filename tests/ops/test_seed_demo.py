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


def test_seed_demo_creates_the_faqs_two_audiences_once():
    from aiq.audiences.models import Audience

    call_command("seed_demo")
    call_command("seed_demo")
    audiences = {a.name: a.conditions for a in Audience.objects.all()}
    assert audiences == {
        "Delivery": [{"type": "fulfillment", "value": "delivery"}],
        "Cova pricing group 2": [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "2"}],
    }
