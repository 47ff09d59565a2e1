from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.personas.choices import Source
from aiq.personas.models import Sale
from stores.queue import vip
from stores.queue.choices import CheckInDoor, QueueState
from stores.queue.models import CheckIn, VipLine
from stores.queue.services import bump_version
from tests.conftest import staff_client
from tests.factories import PersonaFactory

QUEUE_URL = "/admin/queue/checkin/"
UPDATES_URL = "/admin/queue/checkin/updates/"
_sale_numbers = itertools.count(1)


def sale(persona, total: str, *, refund: bool = False) -> Sale:
    amount = Decimal(total)
    return Sale.objects.create(
        company=persona.company,
        persona=persona,
        source=Source.COVA,
        external_id=f"vip-{next(_sale_numbers)}",
        pos_key="loc-1",
        occurred_at=timezone.now() - timedelta(days=3),
        subtotal=amount,
        tax=Decimal(0),
        discount=Decimal(0),
        total=amount,
        is_refund=refund,
        content_hash="x",
    )


def spender(company, total: str, name: str = ""):
    persona = PersonaFactory(company=company, first_name=name or "Shopper")
    sale(persona, total)
    return persona


def waiting(store, persona, name: str) -> CheckIn:
    now = timezone.now()
    entry = CheckIn.objects.create(
        company=store.company,
        store=store,
        persona=persona,
        name=name,
        door=CheckInDoor.WALK_IN,
        state=QueueState.WAITING,
        checked_in_at=now,
        state_changed_at=now,
    )
    bump_version(store.pk)
    return entry


def row_html(content: bytes, name: str) -> str:
    text = content.decode()
    start = text.index(f">{name}")
    return text[start : text.index("</li>", start)]


@pytest.mark.django_db
def test_a_top_spender_wears_the_vip_badge_and_an_ordinary_shopper_does_not(open_store):
    company = open_store.company
    # Ten spenders: the top tenth is the single biggest one.
    for amount in ("10", "20", "30", "40", "60", "70", "80", "90"):
        spender(company, amount)
    top = spender(company, "500.00", "Top")
    ordinary = spender(company, "50.00", "Ordinary")
    waiting(open_store, top, "Top Spender")
    waiting(open_store, ordinary, "Ordinary Shopper")

    page = staff_client(company, Role.OWNER).get(QUEUE_URL)
    assert page.status_code == 200
    top_row = row_html(page.content, "Top Spender")
    assert 'class="queue-vip"' in top_row
    assert "lifetime spend of $500.00 or more" in top_row
    assert "queue-vip" not in row_html(page.content, "Ordinary Shopper")

    line = VipLine.objects.get(company=company)
    assert (line.min_spend, line.spenders) == (Decimal("500.00"), 10)
    # the update call shows the same badge
    updates = staff_client(company, Role.OWNER).get(UPDATES_URL, {"store": open_store.pk})
    assert 'class="queue-vip"' in row_html(updates.content, "Top Spender")
    assert "queue-vip" not in row_html(updates.content, "Ordinary Shopper")


@pytest.mark.django_db
def test_refunds_count_against_the_spend_and_a_name_only_check_in_is_never_vip(open_store):
    company = open_store.company
    refunded = spender(company, "900.00", "Refunded")
    sale(refunded, "-850.00", refund=True)  # net 50
    for amount in ("100", "110", "120", "130", "140", "150", "160", "170", "180"):
        spender(company, amount)
    line = vip.compute_line(company)
    assert line.min_spend == Decimal("180.00")

    waiting(open_store, refunded, "Refunded Shopper")
    waiting(open_store, None, "Guest Without Phone")
    content = staff_client(company).get(QUEUE_URL).content

    assert "queue-vip" not in row_html(content, "Refunded Shopper")
    assert "queue-vip" not in row_html(content, "Guest Without Phone")


@pytest.mark.django_db
def test_a_company_without_spenders_has_an_empty_line_and_no_badges(open_store):
    waiting(open_store, PersonaFactory(company=open_store.company), "New Shopper")

    content = staff_client(open_store.company).get(QUEUE_URL).content

    assert VipLine.objects.get(company=open_store.company).min_spend is None
    assert b"queue-vip" not in content


@pytest.mark.django_db
def test_the_stored_line_is_refreshed_only_when_stale(open_store):
    company = open_store.company
    spender(company, "100.00")
    vip.compute_line(company)
    spender(company, "900.00")

    assert vip.refresh_stale_lines() == 0
    assert VipLine.objects.get(company=company).min_spend == Decimal("100.00")

    VipLine.objects.filter(company=company).update(
        computed_at=timezone.now() - vip.STALE_AFTER - timedelta(minutes=1)
    )
    assert vip.refresh_stale_lines() == 1
    assert VipLine.objects.get(company=company).min_spend == Decimal("900.00")


def _count(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queries_are_the_same_with_one_and_fifty_waiting_vips_included(open_store):
    company = open_store.company
    client = staff_client(company)
    shoppers = [spender(company, f"{10 * (n + 1)}.00", f"S{n}") for n in range(50)]
    waiting(open_store, shoppers[-1], "Shopper 49")
    client.get(QUEUE_URL)  # the first page computes the company's line
    one = (_count(client, QUEUE_URL, {}), _count(client, UPDATES_URL, {"store": open_store.pk}))

    for n, persona in enumerate(shoppers[:-1]):
        waiting(open_store, persona, f"Shopper {n}")
    page = client.get(QUEUE_URL)
    fifty = (_count(client, QUEUE_URL, {}), _count(client, UPDATES_URL, {"store": open_store.pk}))

    assert page.content.count(b'class="queue-vip"') == 5  # the top tenth of 50
    assert fifty == one
