"""A dispensary owner connects each POS by following the seed articles' steps, by the
labels on the screen, against this server's own POS sandboxes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from integrations.models import Integration, PosKey
from integrations.sandbox import faults
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS
from integrations.services.card_settings import ATTESTATION_LABEL
from integrations.services.connection import connect
from stores.models import RetailStore
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, RetailStoreFactory
from tests.integrations.factories import (
    CredentialFactory,
    IntegrationFactory,
    PosKeyFactory,
    StoreMappingFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What staff type, field label -> value (seed 000, 003, 004).
TYPED = {
    "cova": {
        "Client ID": DEMO_SANDBOX_CREDENTIALS["cova"]["client_id"],
        "Client secret": DEMO_SANDBOX_CREDENTIALS["cova"]["client_secret"],
        "Username": DEMO_SANDBOX_CREDENTIALS["cova"]["username"],
        "Password": DEMO_SANDBOX_CREDENTIALS["cova"]["password"],
    },
    "posabit": {
        "Store Name": DEMO_SANDBOX_CREDENTIALS["posabit"]["store_name"],
        "Key": DEMO_SANDBOX_CREDENTIALS["posabit"]["key"],
    },
    "clover": {
        "Merchant ID": DEMO_SANDBOX_CREDENTIALS["clover"]["merchant_id"],
        "API Token": DEMO_SANDBOX_CREDENTIALS["clover"]["api_token"],
    },
}
LABELS = {"cova": "Cova", "posabit": "POSaBIT", "clover": "Clover"}


@pytest.fixture
def owner(live_server, settings):
    # Sandbox credentials talk to the live server's own /sandbox/.
    settings.POS_SANDBOX_ORIGIN = live_server.url
    faults.reset()
    membership = MembershipFactory()
    RetailStoreFactory(company=membership.company, name="Capitol Hill")
    return membership


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_card(page, provider: str) -> None:
    """Settings > Integrations, search for the POS and click on it."""
    page.get_by_role("rowheader", name="Integrations").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    page.get_by_role("textbox", name="Search").fill(LABELS[provider])
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    # A provider with a card is a link to it; one without, a button that creates it (POST).
    page.get_by_role("rowheader", name=LABELS[provider]).locator("a, button").click()
    expect(page.get_by_role("heading", name=f"{LABELS[provider]} integration card")).to_be_visible()


def add_credential(page, typed: dict[str, str]) -> None:
    page.get_by_label("Sandbox credential").check()
    for label, value in typed.items():
        page.get_by_label(label, exact=False).fill(value)
    page.get_by_role("button", name="Add Credential").click()
    expect(page.get_by_text("added. Click Connect to verify it.")).to_be_visible()


def attest_and_connect(page) -> None:
    page.get_by_label(ATTESTATION_LABEL).check()
    page.get_by_role("button", name="Connect", exact=True).click()


@pytest.mark.parametrize("provider", ["cova", "posabit", "clover"])
def test_connect_a_pos_by_the_seed_steps(page, live_server, owner, provider):
    log_in(page, live_server, owner.user.username)
    open_card(page, provider)

    add_credential(page, TYPED[provider])
    attest_and_connect(page)

    expect(page.locator("#card-status")).to_have_text("Connected")
    expect(page.get_by_text(f"{LABELS[provider]} is connected")).to_be_visible()
    credentials = page.get_by_role("table", name="Credentials")
    expect(credentials.get_by_text("Verified", exact=True)).to_be_visible()
    secret = next(v for k, v in TYPED[provider].items() if k in ("Password", "Key", "API Token"))
    expect(credentials.get_by_text(f"\u2022\u2022\u2022\u2022{secret[-4:]}")).to_be_visible()
    assert secret not in page.content()
    screenshot(page, f"integration-{provider}-connected")
    card = Integration.objects.get(company=owner.company, provider=provider)
    assert card.status == "connected"


def test_cova_temporary_password_says_to_change_it(page, live_server, owner):
    log_in(page, live_server, owner.user.username)
    open_card(page, "cova")

    add_credential(page, {**TYPED["cova"], "Password": "sandbox-password fault=temporary-password"})
    attest_and_connect(page)

    expect(page.locator("#card-status")).to_have_text("Needs attention")
    problems = page.get_by_role("list", name="Credentials that need attention")
    expect(problems).to_contain_text("change the temporary password")
    expect(problems).to_contain_text("Cova Hub")
    screenshot(page, "integration-cova-temporary-password")


def test_map_the_store_and_the_notification_goes(page, live_server, owner):
    # given: a connected Clover card whose merchant is mapped to no store yet
    card = IntegrationFactory(company=owner.company, provider="clover", age_gate_attested=True)
    CredentialFactory(integration=card)
    assert connect(card, sandbox_origin=live_server.url).ok
    merchant = PosKey.objects.get(integration=card)

    log_in(page, live_server, owner.user.username)
    notice = page.get_by_role("list", name="Account notifications")
    expect(notice).to_contain_text("You have unmapped stores")
    screenshot(page, "unmapped-notification")

    # Settings -> Company Account > Retail Store; Edit the store
    notice.get_by_role("link", name=re.compile("Retail stores")).click()
    page.get_by_role("link", name="Capitol Hill").click()
    expect(page.get_by_role("heading", name="Store Mappings")).to_be_visible()
    page.get_by_label("Clover").select_option(label=str(merchant))
    page.get_by_text("Additional Settings").click()
    page.get_by_label("Alleaves Opt-in Queue").check()
    screenshot(page, "store-mapping")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("You have unmapped stores")).to_have_count(0)


def test_retail_store_list_shows_edit_links_and_mappings(page, live_server, owner):
    # given: Capitol Hill mapped to a Cova location and a POSaBIT venue, Ballard to nothing
    capitol_hill = RetailStore.objects.get(company=owner.company, name="Capitol Hill")
    RetailStoreFactory(company=owner.company, name="Ballard")
    for provider, key, name in (("cova", "14150", "Capitol Hill"), ("posabit", "77", "Cap Hill")):
        card = IntegrationFactory(company=owner.company, provider=provider)
        PosKeyFactory(integration=card, key=key, name=name)
        StoreMappingFactory(store=capitol_hill, provider=provider, key=key)

    # when: Settings -> Company Account > Retail Store
    log_in(page, live_server, owner.user.username)
    page.get_by_role("rowheader", name="Retail stores").get_by_role("link").click()

    # then
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Capitol Hill")).to_contain_text(
        "Cova: Capitol Hill (loc 14150) \u00b7 POSaBIT: Cap Hill (venue 77)"
    )
    expect(rows.filter(has_text="Ballard")).to_contain_text("Not mapped yet")
    screenshot(page, "retail-store-list")
    rows.filter(has_text="Capitol Hill").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Store Mappings")).to_be_visible()


def test_a_very_long_credential_value_does_not_widen_the_card(page, live_server, owner):
    # given: a value saved before credential values had a maximum length
    card = IntegrationFactory(company=owner.company, provider="posabit")
    CredentialFactory(
        integration=card,
        values={**DEMO_SANDBOX_CREDENTIALS["posabit"], "store_name": "Capitol Hill " + "x" * 5000},
    )

    log_in(page, live_server, owner.user.username)
    open_card(page, "posabit")

    # then: nothing is wider than the window
    expect(page.get_by_role("table", name="Credentials")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    screenshot(page, "integration-long-credential")


def test_clover_token_without_write_customers_connects_with_a_warning(page, live_server, owner):
    log_in(page, live_server, owner.user.username)
    open_card(page, "clover")

    add_credential(
        page,
        {
            **TYPED["clover"],
            "API Token": TYPED["clover"]["API Token"] + ",fault=no-write-customers",
        },
    )
    attest_and_connect(page)

    expect(page.locator("#card-status")).to_have_text("Connected")
    warnings = page.get_by_role("list", name="Credential warnings")
    expect(warnings).to_contain_text("does not have the Write permission for Customers")
    expect(warnings).to_contain_text("Sync Personas cannot create or update shoppers")
    screenshot(page, "integration-clover-no-write-customers")


def test_disconnect_asks_first(page, live_server, owner):
    card = IntegrationFactory(company=owner.company, provider="clover", age_gate_attested=True)
    CredentialFactory(integration=card)
    assert connect(card, sandbox_origin=live_server.url).ok
    log_in(page, live_server, owner.user.username)
    open_card(page, "clover")
    expect(page.get_by_role("button", name="Connect", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Verify again")).to_be_visible()

    # when: staff click Disconnect and cancel the question
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator("#card-status")).to_have_text("Connected")

    # when: they confirm it
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disconnect").click()

    expect(page.locator("#card-status")).to_have_text("Not connected")
    expect(page.get_by_role("button", name="Disconnect")).to_have_count(0)
    card.refresh_from_db()
    assert card.status == "not_connected"
