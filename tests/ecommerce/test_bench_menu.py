"""`manage.py bench_menu` runs end to end on a small menu: the syncs over HTTP from the
sandbox, the incremental one with exactly the changed products, and the pages' figures."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from ecommerce.choices import MenuSyncMode, MenuSyncStatus
from ecommerce.management.commands.bench_menu import COMPANY, changed_indices, new_price_cents
from ecommerce.models import MenuProduct, MenuSyncRun
from integrations.sandbox import timeline

# The server thread needs the rows committed.
pytestmark = pytest.mark.django_db(transaction=True)

DAY_MS = timeline.DAY_MS


@pytest.fixture(autouse=True)
def generated_products_are_old(monkeypatch):
    # Generated products are dated up to the start of today; run a few minutes after
    # midnight, the incremental sync's 5-minute lookback would reach some. A day earlier
    # keeps the count exact whenever the test runs.
    anchor = timeline.anchor_ms() - DAY_MS
    monkeypatch.setattr("integrations.sandbox.catalog.anchor_ms", lambda: anchor)
    monkeypatch.setattr("integrations.sandbox.cova.products.anchor_ms", lambda: anchor)


def _figure(out: str, label: str) -> str:
    match = re.search(rf"^\s+{re.escape(label)}\s+(.+?)(\s{{2}}target.*)?$", out, re.MULTILINE)
    assert match, f"{label!r} not in:\n{out}"
    return match.group(1).strip()


def test_bench_menu_syncs_the_menu_then_only_the_changed_products(capsys, settings):
    call_command("bench_menu", "--products", "250", "--runs", "3", "--personas", "20")

    out = capsys.readouterr().out
    assert _figure(out, "full sync").startswith("250 products in ")
    assert _figure(out, "full sync rate").endswith("products/s")
    changed = changed_indices(250)
    assert changed == [50, 150]
    assert _figure(out, "incremental: fetched / changed / changes landed") == "2 / 2 / 2"
    assert "target < 10 s" in out
    assert re.search(r"menu page, 250 products\s+[\d.]+\s+[\d.]+\s+3\s+p95 < 200 ms", out)
    assert re.search(r"persona changelist, 20 personas\s+[\d.]+\s+[\d.]+\s+3", out)
    assert re.search(r"peak memory of the whole run \(ru_maxrss\): \d+ MB", out)

    runs = MenuSyncRun.objects.filter(company__name=COMPANY).order_by("pk")
    assert [(r.mode, r.status, r.fetched, r.written) for r in runs] == [
        (MenuSyncMode.FULL, MenuSyncStatus.OK, 250, 250),
        (MenuSyncMode.INCREMENTAL, MenuSyncStatus.OK, 2, 2),
    ]
    prices = set(MenuProduct.objects.filter(company__name=COMPANY).values_list("price", flat=True))
    assert {Decimal(new_price_cents(index)) / 100 for index in changed} <= prices
    assert settings.DEBUG is False  # restored as it was for the tests

    # A second run starts from a clean benchmark store (full sync of all 250 again).
    call_command("bench_menu", "--products", "250", "--runs", "1", "--personas", "20")
    assert _figure(capsys.readouterr().out, "incremental: fetched / changed / changes landed") == (
        "2 / 2 / 2"
    )
    assert MenuProduct.objects.filter(company__name=COMPANY).count() == 250


def test_the_sandbox_menu_has_as_many_products_as_the_credential_asks():
    from integrations.sandbox.catalog import PRODUCT_COUNT, menu_size, product_at
    from integrations.sandbox.cova.menu_edits import cova_account

    values = {"client_id": "A", "username": "B", "password": "x,products=20000"}
    account = cova_account(values)
    assert menu_size(account) == 20_000
    assert product_at(account, 19_999).index == 19_999
    # the same product each time it is generated, and the usual 40 first
    assert product_at(account, 12_345) == product_at(account, 12_345)
    assert menu_size(cova_account({**values, "password": "x,products=3"})) == PRODUCT_COUNT
    assert menu_size(cova_account({**values, "password": "x"})) == PRODUCT_COUNT
