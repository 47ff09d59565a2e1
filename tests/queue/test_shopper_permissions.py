"""Who reaches a shopper's profile, signup and redemption at the counter: owners and
managers; budtenders while "Budtender can see waiting room queue" is on, through their
stores' check-ins or the search within their company. Anything of another company is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aiq.accounts.choices import Role
from loyalty.api.redemption.models import Redemption
from loyalty.enrollment.models import Enrollment
from stores.queue.models import CounterRedemption
from stores.queue.services import queue_of
from tests.conftest import staff_client
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.queue.shopper_support import (
    action_url,
    allow_budtenders,
    budtender,
    checked_in_member,
    discount_of,
    profile_url,
)

pytestmark = pytest.mark.django_db
SEARCH = "/admin/queue/checkin/search/"


@pytest.mark.parametrize(
    ("role", "setting_on", "expected"),
    [
        (Role.OWNER, False, 200),
        (Role.MANAGER, False, 200),
        (Role.BUDTENDER, True, 200),
        (Role.BUDTENDER, False, 403),
        (Role.MARKETER, True, 403),
    ],
)
def test_who_opens_profiles_and_the_search(open_store, role, setting_on, expected):
    persona, entry = checked_in_member(open_store, 500)
    allow_budtenders(open_store.company, setting_on)
    client = staff_client(open_store.company, role)

    assert client.get(profile_url(persona, entry)).status_code == expected
    assert client.get(SEARCH, {"q": persona.last_name}).status_code == expected


def test_the_setting_off_refuses_signup_and_redeem_and_writes_nothing(open_store):
    persona, entry = checked_in_member(open_store, 500)
    stranger = PersonaFactory(company=open_store.company)
    forty = discount_of(open_store.company, 400, "40")
    client = budtender(open_store.company)
    allow_budtenders(open_store.company, False)

    signup = client.post(action_url("signup", stranger), {})
    held = client.post(action_url("redeem", persona), {"check_in": entry.pk, "discount": forty.pk})

    assert (signup.status_code, held.status_code) == (403, 403)
    assert not Enrollment.objects.filter(persona=stranger).exists()
    assert not Redemption.objects.exists()


def test_another_companys_shopper_is_a_404(open_store, company_b):
    allow_budtenders(open_store.company)
    theirs = PersonaFactory(company=company_b, last_name="Elsewhere")
    client = budtender(open_store.company)

    assert client.get(reverse("admin:queue_shopper", args=[theirs.pk])).status_code == 404
    assert client.post(action_url("signup", theirs), {}).status_code == 404
    assert client.post(action_url("redeem", theirs), {"discount": "1"}).status_code == 404
    their_profile = reverse("admin:queue_shopper", args=[theirs.pk])
    for term in ("Elsewhere", str(theirs.pk), theirs.phone[-4:]):
        found = client.get(SEARCH, {"q": term}).content.decode()
        assert their_profile not in found and "No shopper matches" in found
    assert not Enrollment.objects.filter(persona=theirs).exists()


def test_another_companys_store_or_check_in_is_a_404(open_store, company_b):
    persona, _entry = checked_in_member(open_store, 500)
    their_store = RetailStoreFactory(company=company_b, opt_in_queue_enabled=True)
    queue_of(their_store)
    _their_member, their_entry = checked_in_member(their_store, 500)
    client = budtender(open_store.company)
    url = reverse("admin:queue_shopper", args=[persona.pk])

    assert client.get(url, {"store": their_store.pk}).status_code == 404
    assert client.get(url, {"check_in": their_entry.pk}).status_code == 404
    forty = discount_of(open_store.company, 400, "40")
    response = client.post(
        action_url("redeem", persona), {"store": their_store.pk, "discount": forty.pk}
    )
    assert response.status_code == 404
    assert not Redemption.objects.filter(persona=persona).exists()


def test_a_budtender_of_another_store_cannot_act_on_this_stores_check_in(open_store):
    persona, entry = checked_in_member(open_store, 500)
    other_store = RetailStoreFactory(company=open_store.company, name="Ballard")
    forty = discount_of(open_store.company, 400, "40")
    client = budtender(open_store.company, other_store)

    assert client.get(profile_url(persona, entry)).status_code == 404
    response = client.post(
        action_url("redeem", persona), {"check_in": entry.pk, "discount": forty.pk}
    )
    assert response.status_code == 404
    assert not Redemption.objects.exists()


def test_only_the_users_stores_holds_can_be_released(open_store):
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40")
    budtender(open_store.company).post(
        action_url("redeem", persona), {"check_in": entry.pk, "discount": forty.pk}
    )
    counter = CounterRedemption.objects.get()
    other_store = RetailStoreFactory(company=open_store.company, name="Ballard")
    elsewhere = budtender(open_store.company, other_store)

    response = elsewhere.post(
        reverse("admin:queue_shopper_release", args=[persona.pk, counter.pk]),
        {"store": other_store.pk},
    )

    assert response.status_code == 404
    counter.redemption.refresh_from_db()
    assert counter.redemption.status == "held"
