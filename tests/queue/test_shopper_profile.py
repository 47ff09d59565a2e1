"""The shopper's profile from the queue and the wallet search: what it shows, and a fixed
number of queries whatever the shopper's history."""

from __future__ import annotations

import html
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stores.queue.choices import CheckInDoor
from stores.queue.services import Arrival, check_in
from tests.factories import IdentityFactory, PersonaFactory
from tests.queue.shopper_support import (
    allow_budtenders,
    budtender,
    buy,
    checked_in_member,
    discount_of,
    profile_url,
)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_queue_row_opens_the_profile(open_store):
    # given a member on the queue
    persona, entry = checked_in_member(open_store)
    client = budtender(open_store.company)

    # when the budtender reads the queue
    content = client.get("/admin/queue/checkin/").content.decode()

    # then the red Enrolled button opens the counter's profile of that visit
    assert f'href="{profile_url(persona, entry)}"' in html.unescape(content)
    assert f"/admin/personas/persona/{persona.pk}/change/" not in content


def test_the_profile_shows_preferences_wallet_orders_consent_and_loyalty(open_store):
    # given a member with 500 points, a discount and a purchase history
    persona, entry = checked_in_member(open_store, 500)
    discount_of(open_store.company, 400, "40", name="$40 off", pos_discount_id="AIQ-40")
    buy(persona, open_store, [("Blue Dream 3.5g", "Flower", "35.00"), ("Gummies", "Edibles", "20")])
    buy(persona, open_store, [("Blue Dream 3.5g", "Flower", "35.00")], days_ago=2)
    buy(persona, open_store, [("Vape cart", "Vapes", "50.00")], days_ago=3)

    response = budtender(open_store.company).get(profile_url(persona, entry))

    text = page_text(response)
    assert response.status_code == 200
    assert persona.full_name in text and f"Loyalty ID {persona.pk}" in text
    assert 'id="wallet-points">500<' in text and 'id="wallet-on-hold">0<' in text
    assert "$40 off" in text and "POS ID AIQ-40" in text
    # Flower was bought in two orders: first; then the others
    categories = text.split("Top categories")[1].split("Top products")[0]
    assert categories.index("Flower") < categories.index("Edibles")
    assert "2 orders" in categories
    assert text.count('class="shopper-order"') == 3 and "Capitol Hill" in text
    assert 'id="consent-sms">Unknown<' in text
    assert "Member since" in text and ">Enrolled<" in text


def test_orders_show_the_stores_local_time(open_store):
    open_store.time_zone = "America/Los_Angeles"
    open_store.save()
    persona, entry = checked_in_member(open_store)
    sale = buy(persona, open_store, [("Pre-roll", "Pre-Rolls", "10.00")])
    local = timezone.localtime(sale.occurred_at, zoneinfo.ZoneInfo("America/Los_Angeles"))
    text = page_text(budtender(open_store.company).get(profile_url(persona, entry)))
    assert local.strftime("%b %-d, %Y") in text
    assert local.strftime("%-I:%M") in text


def test_the_profile_costs_the_same_queries_whatever_the_history(open_store):
    persona, entry = checked_in_member(open_store)
    discount_of(open_store.company, 100, "10")
    client = budtender(open_store.company)
    url = profile_url(persona, entry)
    buy(persona, open_store, [("A", "Flower", "10")])
    client.get(url)  # warm the session and content types

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(30):
        buy(persona, open_store, [(f"P{n}", f"C{n % 7}", "5"), ("B", "Vapes", "7")], number=n + 1)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200

    assert len(large) == len(small)
    # the session, the membership, the header's navigation, then the profile's own reads
    assert len(small) <= 24


def test_wallet_search_finds_by_last_four_email_name_and_loyalty_id(open_store):
    allow_budtenders(open_store.company)
    ada = PersonaFactory(
        company=open_store.company,
        first_name="Ada",
        last_name="Lovelace",
        phone="+12065550142",
        email="ada@example.com",
    )
    IdentityFactory(persona=ada, external_id="COVA-778899")
    PersonaFactory(company=open_store.company, first_name="Grace", last_name="Hopper")
    client = budtender(open_store.company)
    search = reverse("admin:queue_wallet_search")

    for term in (
        "0142",
        "555-0142",
        "ada@example",
        "Lovelace",
        "Ada Love",
        str(ada.pk),
        "COVA-778899",
    ):
        text = page_text(client.get(search, {"q": term}))
        assert "Ada Lovelace" in text, term
        assert "Grace Hopper" not in text, term
        assert reverse("admin:queue_shopper", args=[ada.pk]) in text


def test_wallet_search_box_is_on_the_queue_page(open_store):
    allow_budtenders(open_store.company)
    check_in(open_store, Arrival(name="Walk In"), CheckInDoor.WALK_IN)
    text = page_text(budtender(open_store.company).get("/admin/queue/checkin/"))
    assert f'action="{reverse("admin:queue_wallet_search")}"' in text
    assert 'name="q"' in text


def test_a_search_with_no_match_says_so(open_store):
    allow_budtenders(open_store.company)
    text = page_text(
        budtender(open_store.company).get(reverse("admin:queue_wallet_search"), {"q": "Nobody"})
    )
    assert "No shopper matches “Nobody”." in text
