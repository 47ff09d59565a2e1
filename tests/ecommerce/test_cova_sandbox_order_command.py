"""``manage.py cova_sandbox_order``: shows or cancels a store's order in the Cova sandbox."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from integrations.sandbox import records
from integrations.sandbox.cova import orders
from integrations.sandbox.cova.menu_edits import cova_account
from tests.ecommerce.conftest import CREDENTIALS, enabled_settings

pytestmark = pytest.mark.django_db


def stored_order(settings) -> str:  # type: ignore[no-untyped-def]
    order_id = str(uuid.uuid4())
    payload = {"Id": order_id, "CompanyId": 1, "IsDelivery": False, "Lines": [],
               "SaleTotal": "5.00", "Sequence": [0, 3, 4, 8], "Polls": 2}  # fmt: skip
    records.save(cova_account(CREDENTIALS), orders.KIND, order_id, payload)
    return order_id


def test_it_shows_then_cancels_an_order():
    settings = enabled_settings()
    order_id = stored_order(settings)
    out = io.StringIO()

    call_command("cova_sandbox_order", store=settings.store_id, order=order_id, stdout=out)
    assert json.loads(out.getvalue())["OrderStatus"] == 3

    out = io.StringIO()
    call_command(
        "cova_sandbox_order", store=settings.store_id, order=order_id, cancel=True, stdout=out
    )
    assert "Cancelled" in out.getvalue()
    assert orders.current_status(orders.find_order(cova_account(CREDENTIALS), order_id)) == 7


def test_unknown_orders_and_stores_off_the_sandbox_are_clear_errors():
    settings = enabled_settings()
    with pytest.raises(CommandError, match="no order"):
        call_command("cova_sandbox_order", store=settings.store_id, order=str(uuid.uuid4()))
    real = enabled_settings(is_sandbox=False)
    with pytest.raises(CommandError, match="sandbox"):
        call_command("cova_sandbox_order", store=real.store_id, order=str(uuid.uuid4()))
