"""The menu sync against the Cova sandbox: full, then incremental, then what changed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from ecommerce.choices import MenuCategory, MenuSyncMode, MenuSyncStatus
from ecommerce.menu import lease
from ecommerce.menu.runner import run_menu_sync
from ecommerce.models import CategoryMapping, MenuProduct, MenuQuarantinedProduct, MenuSyncRun
from integrations.sandbox.catalog import PRODUCT_COUNT, catalog
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import edit_product
from tests.ecommerce.conftest import CREDENTIALS, enabled_settings, sandbox_account

pytestmark = pytest.mark.django_db


def _product(settings, index: int) -> MenuProduct:  # type: ignore[no-untyped-def]
    account = sandbox_account()
    return MenuProduct.objects.get(
        store=settings.store, cova_product_id=payloads.product_id(account, index)
    )


def test_first_sync_is_full_then_incremental_asks_only_for_changes(cova_sandbox):
    # Given enabled settings that never synced
    settings = enabled_settings()

    # When the menu syncs twice
    first = run_menu_sync(settings.pk)
    second = run_menu_sync(settings.pk)

    # Then the first read the whole catalog with DetailedProductData
    assert first.mode == MenuSyncMode.FULL
    assert (first.status, first.fetched, first.written, first.quarantined) == (
        MenuSyncStatus.OK,
        PRODUCT_COUNT,
        PRODUCT_COUNT,
        0,
    )
    assert MenuProduct.objects.filter(store=settings.store).count() == PRODUCT_COUNT
    full_calls = [c for c in cova_sandbox.calls if c.request.url.endswith("/DetailedProductData")]
    assert len(full_calls) == 1
    # and the second asked UpdatedAsOf the first's start (less the lookback): nothing changed
    assert second.mode == MenuSyncMode.INCREMENTAL
    assert (second.status, second.fetched, second.written) == (MenuSyncStatus.OK, 0, 0)
    assert "/DetailedProductData/UpdatedAsOf/" in cova_sandbox.calls[-1].request.url
    settings.refresh_from_db()
    assert settings.cursor_updated_as_of == second.started_at


def test_a_stock_change_in_the_sandbox_shows_after_the_next_sync(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    product = _product(settings, 5)
    generated = catalog(sandbox_account())[5]
    assert product.in_stock_quantity == Decimal(generated.stock[0])

    # When stock and price change in Cova (the sandbox), and the menu syncs again
    edit_product(sandbox_account(), 5, stock={0: 3}, price_cents=1234)
    run = run_menu_sync(settings.pk)

    # Then only that product came back, with its new stock and price
    assert (run.mode, run.fetched, run.written) == (MenuSyncMode.INCREMENTAL, 1, 1)
    product.refresh_from_db()
    assert product.in_stock_quantity == Decimal(3)
    assert product.price == Decimal("12.34")
    assert product.stock_by_location == {settings.location_id: "3"}


def test_an_archived_product_is_marked_archived(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    edit_product(sandbox_account(), 7, archived=True)
    run_menu_sync(settings.pk)
    assert _product(settings, 7).is_archived is True
    assert _product(settings, 8).is_archived is False


def test_malformed_products_are_quarantined_and_the_rest_land(cova_sandbox):
    # Given a Cova account that sends some broken products
    credentials = {**CREDENTIALS, "password": CREDENTIALS["password"] + ",fault=malformed"}
    settings = enabled_settings(credentials=credentials)

    run = run_menu_sync(settings.pk)

    assert run.status == MenuSyncStatus.PARTIAL
    assert run.quarantined > 0
    assert run.written + run.quarantined == PRODUCT_COUNT
    assert MenuProduct.objects.filter(store=settings.store).count() == run.written
    reasons = set(
        MenuQuarantinedProduct.objects.filter(settings=settings).values_list("reason", flat=True)
    )
    assert reasons <= {"the product has no ProductId", "Price is not a number: 'call us'"}
    # A second full sync counts them again without copying them
    run_menu_sync(settings.pk, full=True)
    assert MenuQuarantinedProduct.objects.filter(settings=settings).count() == run.quarantined


def test_a_run_while_another_holds_the_lease_is_skipped(cova_sandbox):
    settings = enabled_settings()
    token = lease.acquire(settings.pk)
    assert token

    run = run_menu_sync(settings.pk)

    assert run.status == MenuSyncStatus.SKIPPED
    assert MenuProduct.objects.count() == 0
    assert len(cova_sandbox.calls) == 0
    lease.release(settings.pk, token)
    assert run_menu_sync(settings.pk).status == MenuSyncStatus.OK


def test_an_expired_lease_does_not_block_the_next_run(cova_sandbox):
    settings = enabled_settings()
    assert lease.acquire(settings.pk)
    type(settings).objects.filter(pk=settings.pk).update(
        lease_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert run_menu_sync(settings.pk).status == MenuSyncStatus.OK


def test_wrong_credentials_fail_the_run_in_plain_words_and_mark_the_settings(cova_sandbox):
    settings = enabled_settings(credentials={"password": "wrong-password"})

    run = run_menu_sync(settings.pk)

    assert run.status == MenuSyncStatus.FAILED
    assert "Username or Password" in run.error
    settings.refresh_from_db()
    assert settings.verification_state == "failed"
    assert MenuProduct.objects.count() == 0
    # A failed run leaves the cursor alone: the next good run is still the full one.
    assert settings.cursor_updated_as_of is None


def test_the_product_level_sale_price_is_synced(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    on_sale = catalog(sandbox_account())[3]  # the sandbox puts index % 7 == 3 on sale at 80 %

    product = _product(settings, 3)

    assert product.price == Decimal(on_sale.price_cents) / 100
    assert product.sale_price == (Decimal(on_sale.price_cents * 80 // 100) / 100)
    assert _product(settings, 4).sale_price is None


def test_the_coa_link_comes_from_the_coa_link_specification(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    products = catalog(sandbox_account())
    with_coa = next(p for p in products if any(s.name == "COA Link" for s in p.specifications))
    without = next(p for p in products if not any(s.name == "COA Link" for s in p.specifications))

    expected = next(s.value for s in with_coa.specifications if s.name == "COA Link")
    assert _product(settings, with_coa.index).coa_url == expected
    assert _product(settings, without.index).coa_url == ""


def test_lab_values_land_and_an_unsupported_lab_is_listed_on_the_settings(cova_sandbox):
    settings = enabled_settings()
    # A lab typed in Cova under a name that is not supported, and a second, higher Limonene
    edit_product(
        sandbox_account(),
        0,
        added_specifications=[
            ("Myrcene", "0.90", "%", "Number"),
            ("limonene", "9.99", "%", "Number"),
        ],
    )

    run_menu_sync(settings.pk)

    labs = _product(settings, 0).labs
    thca = next(s for s in catalog(sandbox_account())[0].specifications if s.name == "THCa")
    assert labs["THCa"] == {"value": thca.value, "unit": "%"}
    assert labs["Limonene"] == {"value": "9.99", "unit": "%"}  # the highest value wins
    assert "Myrcene" not in labs
    settings.refresh_from_db()
    assert settings.unsupported_lab_names == {"Myrcene": 1}


def test_the_category_mapping_and_its_default(cova_sandbox):
    settings = enabled_settings(default_menu_category=MenuCategory.OTHER)
    CategoryMapping.objects.create(
        company=settings.company,
        settings=settings,
        cova_classification="flower",  # matched without case
        menu_category=MenuCategory.FLOWER,
    )

    run_menu_sync(settings.pk)

    products = MenuProduct.objects.filter(store=settings.store)
    assert set(
        products.filter(cova_classification="Flower").values_list("category", flat=True)
    ) == {MenuCategory.FLOWER}
    assert set(
        products.exclude(cova_classification="Flower").values_list("category", flat=True)
    ) == {MenuCategory.OTHER}


def test_a_locally_edited_field_stays_and_the_rest_syncs(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    product = _product(settings, 2)
    product.name = "Our own name"
    product.locally_edited_fields = ["name"]
    product.save()

    edit_product(sandbox_account(), 2, name="Cova's new name", price_cents=999, stock={0: 1})
    run_menu_sync(settings.pk)

    product.refresh_from_db()
    assert product.name == "Our own name"
    assert product.price == Decimal("9.99")
    assert product.in_stock_quantity == 1


def test_local_edits_are_overwritten_when_the_store_does_not_keep_them(cova_sandbox):
    settings = enabled_settings(keep_local_edits=False)
    run_menu_sync(settings.pk)
    MenuProduct.objects.filter(cova_product_id=_product(settings, 2).cova_product_id).update(
        name="Our own name", locally_edited_fields=["name"]
    )
    edit_product(sandbox_account(), 2, name="Cova's new name")
    run_menu_sync(settings.pk)
    assert _product(settings, 2).name == "Cova's new name"


def test_a_field_whose_sync_is_off_is_filled_once_then_left_alone(cova_sandbox):
    fields = ["name", "brand", "category", "images", "price", "sale_price", "coa_url", "labs"]
    settings = enabled_settings(synced_fields=fields)  # description unticked
    run_menu_sync(settings.pk)
    first = _product(settings, 1).description
    assert first  # filled when the product arrived

    MenuProduct.objects.filter(pk=_product(settings, 1).pk).update(description="Ours")
    edit_product(sandbox_account(), 1, name="Renamed in Cova")
    run_menu_sync(settings.pk)

    product = _product(settings, 1)
    assert (product.description, product.name) == ("Ours", "Renamed in Cova")


def test_runs_are_recorded_per_store(cova_sandbox):
    settings = enabled_settings()
    run_menu_sync(settings.pk)
    assert list(MenuSyncRun.objects.values_list("settings_id", "status")) == [
        (settings.pk, MenuSyncStatus.OK)
    ]


def test_a_disabled_store_does_not_sync(cova_sandbox):
    settings = enabled_settings(enabled=False)
    assert run_menu_sync(settings.pk) is None
    assert len(cova_sandbox.calls) == 0


def test_a_transient_failure_is_retried_within_minutes_and_keeps_the_cursor(
    cova_sandbox, monkeypatch
):
    from ecommerce.menu import runner
    from integrations.providers.errors import ServerError

    settings = enabled_settings()
    run_menu_sync(settings.pk)
    settings.refresh_from_db()
    cursor = settings.cursor_updated_as_of

    def failing_pages(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ServerError("HTTP 503")

    monkeypatch.setattr("integrations.providers.cova.client.CovaClient.body_pages", failing_pages)
    run = runner.run_menu_sync(settings.pk)

    # Not "Failed": nothing for staff to fix, and the run says it will try again
    assert run.status == MenuSyncStatus.RETRYING
    assert "AIQ will try again later" in run.error
    settings.refresh_from_db()
    assert settings.cursor_updated_as_of == cursor
    assert settings.verification_state == "verified"
    wait = settings.next_sync_at - timezone.now()
    assert timezone.timedelta(0) < wait <= runner.TRANSIENT_RETRY_DELAY
