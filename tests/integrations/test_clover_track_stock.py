"""Seed 004 FAQ, issue 14 item 8: a Clover merchant with Track Stock off has no item stock
to read. Connect says so on the card, with where to turn it on, instead of inventory
syncing nothing in silence."""

from __future__ import annotations

import pytest
import responses

from aiq.http import HttpClient
from integrations.choices import CredentialState, IntegrationStatus
from integrations.providers.clover.assumptions import TRACK_STOCK_OFF
from integrations.providers.clover.mapping import track_stock_off
from integrations.providers.clover.provider import CloverProvider
from integrations.providers.errors import PermissionMissing
from integrations.services.connection import connect
from tests.integrations.factories import CredentialFactory, IntegrationFactory, sandbox_values

PAGE = "/admin/integrations/integration/"
MERCHANT = "ABCD1234ABCD1"
ITEMS = f"https://api.clover.test/v3/merchants/{MERCHANT}/items"


def clover_card(company, option: str = ""):  # type: ignore[no-untyped-def]
    card = IntegrationFactory(company=company, provider="clover", age_gate_attested=True)
    credential = CredentialFactory(integration=card, values=sandbox_values("clover", option))
    return card, credential


@pytest.mark.django_db
def test_track_stock_off_connects_with_a_warning_naming_where_to_turn_it_on(
    company_a, sandbox_origin
):
    card, credential = clover_card(company_a, "fault=no-track-stock")

    result = connect(card, sandbox_origin=sandbox_origin)

    card.refresh_from_db()
    credential.refresh_from_db()
    assert result.ok and card.status == IntegrationStatus.CONNECTED
    assert credential.state == CredentialState.VERIFIED
    assert credential.warnings == [TRACK_STOCK_OFF]
    assert "Inventory > Setup > Track Stock" in TRACK_STOCK_OFF


@pytest.mark.django_db
def test_track_stock_on_has_no_warning(company_a, sandbox_origin):
    card, credential = clover_card(company_a)
    connect(card, sandbox_origin=sandbox_origin)
    credential.refresh_from_db()
    assert credential.warnings == []


@pytest.mark.django_db
def test_the_clover_card_shows_the_track_stock_warning(
    owner_a, company_a, sandbox_origin, settings
):
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    card, _credential = clover_card(company_a, "fault=no-track-stock")

    response = owner_a.post(
        f"{PAGE}{card.pk}/change/", {"age_gate_attested": "on", "_connect": "1"}, follow=True
    )

    html = response.content.decode()
    assert 'aria-label="Credential warnings"' in html
    assert "Track Stock is off" in html
    assert "Inventory &gt; Setup &gt; Track Stock" in html


@pytest.mark.django_db
def test_reading_inventory_with_track_stock_off_names_it_instead_of_zero_stock(sandbox_origin):
    from integrations.providers.base import sandbox_base_urls

    values = sandbox_values("clover", "fault=no-track-stock")
    clover = CloverProvider(values, sandbox_base_urls("clover", sandbox_origin))

    with pytest.raises(PermissionMissing) as caught:
        list(clover.iter_products(values["merchant_id"]))

    assert caught.value.user_message == TRACK_STOCK_OFF
    assert caught.value.only_stream == "products" and not caught.value.stops_credential
    # with Track Stock on, the same merchant's items come with their stock
    tracked = CloverProvider(sandbox_values("clover"), sandbox_base_urls("clover", sandbox_origin))
    products = list(tracked.iter_products(values["merchant_id"]))
    assert products and any(p.quantity_on_hand > 0 for p in products)


@pytest.mark.parametrize(
    ("items", "off"),
    [
        ([], False),  # no items: nothing to tell from
        ([{"id": "A"}, {"id": "B", "stockCount": 0}], True),
        ([{"id": "A"}, {"id": "B", "itemStock": {"quantity": 0}}], False),
        ([{"id": "A", "itemStock": {"stockCount": 4}}], False),
    ],
)
def test_track_stock_is_judged_from_the_items_stock(items, off):
    assert track_stock_off(items) is off


def test_an_unreadable_item_sample_gives_no_track_stock_warning():
    http = HttpClient(sleep=lambda _s: None)
    clover = CloverProvider(
        {"merchant_id": MERCHANT, "api_token": "tok-123456"},
        {"api": "https://api.clover.test"},
        http,
    )
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, ITEMS, json={"message": "Forbidden"}, status=403)
        assert clover.stock_untracked() is False
        mocked.replace(responses.GET, ITEMS, json={"elements": [{"id": "A"}]})
        assert clover.stock_untracked() is True
