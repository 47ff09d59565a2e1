"""seed_demo enables COVA ecommerce for the demo's Cova store, against the sandbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from ecommerce.choices import MenuCategory, MenuSyncStatus
from ecommerce.menu.runner import run_menu_sync
from ecommerce.menu.scheduling import claim_due
from ecommerce.models import CovaEcommerceSettings, MenuProduct
from stores.models import StoreMapping

pytestmark = pytest.mark.django_db


def test_the_demo_store_syncs_its_menu_from_the_sandbox(request):
    call_command("seed_demo", "--password", "Demo-Secret-99")
    call_command("seed_demo", "--password", "Demo-Secret-99")  # idempotent

    settings = CovaEcommerceSettings.objects.get()
    mapping = StoreMapping.objects.get(store=settings.store, provider="cova")
    assert (settings.enabled, settings.is_sandbox, settings.location_id) == (
        True,
        True,
        mapping.key,
    )
    assert settings.sync_orders is True  # confirmed demo orders are pushed to the sandbox
    assert claim_due() == [settings.pk]  # the dispatcher's first minute picks it up

    request.getfixturevalue("cova_sandbox")  # the sandbox over responses from here on
    run = run_menu_sync(settings.pk)

    assert run.status == MenuSyncStatus.OK and run.written == 40
    flower = MenuProduct.objects.filter(store=settings.store, cova_classification="Flower")
    assert set(flower.values_list("category", flat=True)) == {MenuCategory.FLOWER}
    settings.refresh_from_db()
    assert "Myrcene" in settings.unsupported_lab_names


def test_after_seed_demo_the_capitol_hill_menu_is_browsable_and_orderable(client):
    from decimal import Decimal

    from ecommerce.models import Order

    call_command("seed_demo", "--password", "Demo-Secret-99")
    settings = CovaEcommerceSettings.objects.get()

    # The menu is there before any worker ran
    assert settings.store.name == "Capitol Hill" and settings.shop_slug == "capitol-hill"
    listed = MenuProduct.objects.filter(store=settings.store, is_archived=False)
    assert listed.count() == 40
    product = listed.filter(in_stock_quantity__gte=1, price__isnull=False).first()
    assert product is not None and product.price > Decimal("0")

    client.post("/shop/capitol-hill/age/", {"answer": "yes"})
    page = client.get("/shop/capitol-hill/")
    assert page.status_code == 200 and product.name in page.content.decode()
    client.post("/shop/capitol-hill/cart/add/", {"product": product.pk, "quantity": 1})
    answer = client.post(
        "/shop/capitol-hill/checkout/",
        {
            "first_name": "Demo",
            "last_name": "Shopper",
            "phone": "206-555-0134",
            "date_of_birth": "1985-02-03",
            "fulfillment": "pickup",
        },
    )
    assert answer.status_code == 302
    assert Order.objects.get().lines.get().product == product
