from __future__ import annotations

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from stores.models import RetailStore

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
