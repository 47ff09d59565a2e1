"""Every 10 minutes through beat, the first sync within a minute, and the Sync button."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from ecommerce import tasks
from ecommerce.choices import MenuSyncStatus, MenuSyncTrigger, VerificationState
from ecommerce.menu import scheduling
from ecommerce.models import MenuProduct, MenuSyncRun
from tests.ecommerce.conftest import enabled_settings
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:  # type: ignore[type-arg,no-untyped-def]
    calls: list[tuple] = []  # type: ignore[type-arg]
    monkeypatch.setattr(tasks.sync_menu, "delay", lambda *args: calls.append(args))
    return calls


def test_beat_runs_the_menu_dispatcher_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["ecommerce-menu-sync-every-10-minutes"]
    assert entry == {"task": "ecommerce.dispatch_menu_syncs", "schedule": 60.0}
    assert timedelta(minutes=10) == scheduling.MENU_SYNC_INTERVAL


def test_a_newly_enabled_store_is_claimed_once_then_every_ten_minutes(queued):
    settings = enabled_settings()
    disabled = enabled_settings(enabled=False)
    unverified = enabled_settings(verification_state=VerificationState.FAILED)

    assert tasks.dispatch_menu_syncs() == 1
    assert queued == [(settings.pk,)]
    assert tasks.dispatch_menu_syncs() == 0  # not due again yet

    settings.refresh_from_db()
    due_in = settings.next_sync_at - timezone.now()
    assert timedelta(minutes=9) < due_in <= timedelta(minutes=10)
    type(settings).objects.filter(pk=settings.pk).update(
        next_sync_at=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.dispatch_menu_syncs() == 1
    assert disabled.pk not in [args[0] for args in queued]
    assert unverified.pk not in [args[0] for args in queued]


def test_the_sync_task_runs_the_store_and_is_quiet_when_it_is_gone(cova_sandbox):
    settings = enabled_settings()
    assert tasks.sync_menu(settings.pk) == MenuSyncStatus.OK
    assert MenuProduct.objects.filter(store=settings.store).exists()
    assert tasks.sync_menu(987654) is None


def test_the_sync_button_on_menu_products_queues_a_manual_sync(
    owner_a, company_a, queued, django_capture_on_commit_callbacks
):
    settings = enabled_settings(RetailStoreFactory(company=company_a))
    enabled_settings(RetailStoreFactory())  # another company's store is not synced

    changelist = owner_a.get(reverse("admin:ecommerce_menuproduct_changelist"))
    assert 'id="menu-sync-button"' in changelist.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(reverse("admin:ecommerce_menuproduct_sync"), follow=True)

    assert queued == [(settings.pk, MenuSyncTrigger.MANUAL)]
    assert "Menu sync queued for 1 store." in response.content.decode()


def test_the_sync_button_without_an_enabled_store_says_where_to_enable_it(owner_a, queued):
    response = owner_a.post(reverse("admin:ecommerce_menuproduct_sync"), follow=True)
    assert "enable it under Store &gt; Integrations &gt; COVA first" in response.content.decode()
    assert queued == []


def test_editing_a_product_in_the_admin_marks_the_field_as_local(owner_a, company_a, cova_sandbox):
    settings = enabled_settings(RetailStoreFactory(company=company_a))
    tasks.sync_menu(settings.pk)
    product = MenuProduct.objects.filter(store=settings.store).first()
    url = reverse("admin:ecommerce_menuproduct_change", args=[product.pk])
    data = {
        "name": "Staff name",
        "brand": product.brand,
        "category": product.category,
        "description": product.description,
        "coa_url": product.coa_url,
        "images": json.dumps(product.images),
        "price": str(product.price),
        "sale_price": str(product.sale_price or ""),
        "labs": json.dumps(product.labs),
    }

    response = owner_a.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    product.refresh_from_db()
    assert product.name == "Staff name"
    assert product.locally_edited_fields == ["name"]
    assert MenuSyncRun.objects.count() == 1
