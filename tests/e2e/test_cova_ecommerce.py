"""An owner enables COVA ecommerce from the Retail Store screen, as seed 002 describes,
against this server's Cova sandbox: a wrong password is named, the right one saves, and
the synced menu shows on Menu > Products."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ecommerce.choices import SYNCABLE_FIELD_NAMES
from ecommerce.menu.runner import run_menu_sync
from ecommerce.models import CovaEcommerceSettings
from integrations.sandbox import faults
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import cova_account
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CREDENTIALS = DEMO_SANDBOX_CREDENTIALS["cova"]


def test_an_owner_enables_cova_and_sees_the_menu(live_server, settings, page):
    settings.POS_SANDBOX_ORIGIN = live_server.url
    faults.reset()
    membership = MembershipFactory()
    store = RetailStoreFactory(company=membership.company, name="Capitol Hill")
    account = cova_account(CREDENTIALS)

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/stores/retailstore/{store.pk}/change/")
    page.get_by_role("link", name="Integrations: COVA ecommerce").click()

    page.get_by_label("Enable the integration").check()
    page.get_by_label("Company ID").fill(str(payloads.company_id(account)))
    page.get_by_label("Location ID").fill(str(payloads.location_ids(account)[0]))
    page.get_by_label("Username").fill(CREDENTIALS["username"])
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_label("Client ID").fill(CREDENTIALS["client_id"])
    page.get_by_label("Client Secret").fill(CREDENTIALS["client_secret"])
    page.get_by_label("Sandbox credentials").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("Cova did not accept the Username or Password")).to_be_visible()
    assert not CovaEcommerceSettings.objects.exists()
    screenshot(page, "cova-ecommerce-wrong-password")

    page.get_by_label("Password").fill(CREDENTIALS["password"])
    page.get_by_label("Client Secret").fill(CREDENTIALS["client_secret"])
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    expect(page.get_by_text("the first one starts within a minute")).to_be_visible()

    # Every field syncs unless staff untick it
    saved = CovaEcommerceSettings.objects.get(store=store)
    assert saved.synced_fields == list(SYNCABLE_FIELD_NAMES)
    # The worker's first sync (run here, against the live sandbox)
    assert run_menu_sync(saved.pk, sandbox_origin=live_server.url).written == 40
    page.reload()
    expect(page.get_by_text("40 read, 40 written, 0 set aside")).to_be_visible()
    screenshot(page, "cova-ecommerce-settings")

    page.goto(f"{live_server.url}/admin/ecommerce/menuproduct/")
    expect(page.locator("#result_list tbody tr")).to_have_count(40)
    page.get_by_role("button", name="Sync").click()
    expect(page.get_by_text("Menu sync queued for 1 store.")).to_be_visible()
