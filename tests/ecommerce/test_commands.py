"""The operators' twins: sync_menu and cova_sandbox_product."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ecommerce.models import MenuProduct
from integrations.sandbox.cova import payloads
from tests.ecommerce.conftest import enabled_settings, sandbox_account

pytestmark = pytest.mark.django_db


def test_sync_menu_then_a_sandbox_stock_change_then_sync_menu_again(cova_sandbox):
    settings = enabled_settings()
    out = StringIO()

    call_command("sync_menu", "--store", str(settings.store_id), stdout=out)
    call_command(
        "cova_sandbox_product",
        "--store",
        str(settings.store_id),
        "--product",
        "9",
        "--stock",
        "0",
        stdout=out,
    )
    call_command("sync_menu", stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == f"{settings.store}: OK (Full (DetailedProductData)): 40 read, 40 written, 0 set aside"
    )
    assert lines[1].endswith("it shows at the store's next menu sync.")
    assert lines[2] == (
        f"{settings.store}: OK (Incremental (UpdatedAsOf)): 1 read, 1 written, 0 set aside"
    )
    product_id = payloads.product_id(sandbox_account(), 9)
    assert MenuProduct.objects.get(cova_product_id=product_id).in_stock_quantity == 0


def test_cova_sandbox_product_refuses_a_store_without_sandbox_settings():
    with pytest.raises(CommandError, match="no COVA ecommerce settings on the sandbox"):
        call_command("cova_sandbox_product", "--store", "999", "--product", "1", "--stock", "2")


def test_cova_sandbox_product_refuses_a_product_outside_the_catalog():
    settings = enabled_settings()
    with pytest.raises(CommandError, match="products 0 to 39"):
        call_command(
            "cova_sandbox_product",
            "--store",
            str(settings.store_id),
            "--product",
            "40",
            "--stock",
            "1",
        )
