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
    assert claim_due() == [settings.pk]  # the dispatcher's first minute picks it up

    request.getfixturevalue("cova_sandbox")  # the sandbox over responses from here on
    run = run_menu_sync(settings.pk)

    assert run.status == MenuSyncStatus.OK and run.written == 40
    flower = MenuProduct.objects.filter(store=settings.store, cova_classification="Flower")
    assert set(flower.values_list("category", flat=True)) == {MenuCategory.FLOWER}
    settings.refresh_from_db()
    assert "Myrcene" in settings.unsupported_lab_names
