"""A manager finds their way by the help articles' words: from the dashboard, Settings >
Integrations, and Settings > Company Account > Retail Store > Edit."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Demo-77"


def test_settings_integrations_and_company_account_retail_store_edit(page, live_server):
    call_command("seed_demo", "--password", PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The dashboard is organised as the product
    dashboard = page.locator("#content-main")
    for section in ("Personas", "Settings"):
        expect(dashboard.get_by_role("heading", name=section)).to_be_visible()
    for caption in ("Integrations", "Company Account"):
        expect(dashboard.get_by_role("link", name=caption, exact=True).first).to_be_visible()
    screenshot(page, "dashboard")

    # Settings > Integrations
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    page.locator("#content-main").get_by_role("link", name="Integrations", exact=True).first.click()
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Cova")).first).to_be_visible()
    # ...and its breadcrumb "Settings" leads back to Settings
    page.locator(".breadcrumbs").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()

    # Settings > Company Account > Retail Store > Edit
    page.locator("#content-main").get_by_role("link", name="Company Account").click()
    expect(page.get_by_role("heading", name="Company Account", exact=True)).to_be_visible()
    page.locator("#content-main").get_by_role("link", name="Retail Stores").first.click()
    expect(page.get_by_role("heading", name=re.compile("retail store", re.I))).to_be_visible()
    page.locator("#result_list").get_by_role("link", name="Edit").first.click()
    expect(page.get_by_text("Store Mappings")).to_be_visible()
    crumbs = page.locator(".breadcrumbs")
    expect(crumbs).to_contain_text(
        re.compile("Home \u203a Settings \u203a Company Account \u203a Retail Stores \u203a \\S")
    )
    screenshot(page, "retail-store-edit")

    # Every crumb leads to the page it names
    for label in ("Retail Stores", "Company Account", "Settings"):
        page.locator(".breadcrumbs").get_by_role("link", name=label, exact=True).click()
        expect(page.locator("#content h1").first).to_contain_text(
            re.compile(label.rstrip("s"), re.I)
        )
        page.go_back()
