"""The admin organised as the product: sections by the help articles' names, each role
seeing only its screens, and breadcrumbs that lead to the pages they name."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from aiq.accounts.choices import Role
from tests.conftest import staff_client
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.sync.factories import SyncRunFactory

pytestmark = pytest.mark.django_db

CRUMB_LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


def _breadcrumb_links(html: str) -> list[tuple[str, str]]:
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S)
    assert crumbs, "the page has breadcrumbs"
    return [(url, unescape(label)) for url, label in CRUMB_LINK.findall(crumbs.group(1))]


def _section_html(html: str, slug: str) -> str:
    found = re.search(rf'id="section-{slug}">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_owner_dashboard_shows_personas_and_settings_with_the_articles_names(owner_a):
    html = owner_a.get("/admin/").content.decode()

    settings_html = _section_html(html, "settings")
    # Sync runs and quarantined records sit under Integrations, not beside Personas
    integrations = settings_html.split('id="group-integrations"')[1].split("</table>")[0]
    for label in ("Integrations", "Sync runs", "Quarantined records"):
        assert f">{label}</a>" in integrations
    account = settings_html.split('id="group-company-account"')[1].split("</table>")[0]
    for label in ("Company Account", "Account details", "Retail Stores", "Staff"):
        assert f">{label}</a>" in account
    personas_html = _section_html(html, "personas")
    assert ">Personas</a>" in personas_html and "Sync runs" not in personas_html
    # no Django app names
    assert "Companies" not in html and "Staff memberships" not in html


def test_budtender_sees_personas_and_no_settings(budtender_a):
    html = budtender_a.get("/admin/").content.decode()

    assert _section_html(html, "personas")
    assert 'id="section-settings"' not in html
    assert budtender_a.get("/admin/section/settings/").status_code == 404


def test_superuser_keeps_the_system_tools_and_sees_companies(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "x-pass-2026")
    client = Client()
    client.force_login(user)

    html = client.get("/admin/").content.decode()

    system = _section_html(html, "system")
    assert "Periodic tasks" in system and "Users" in system
    assert ">Companies</a>" in _section_html(html, "settings")


def test_company_account_for_staff_is_their_own_company(owner_a, company_a):
    response = owner_a.get("/admin/accounts/company/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/company/{company_a.pk}/change/"


def test_django_app_pages_send_staff_to_the_products_section(owner_a):
    assert owner_a.get("/admin/stores/")["Location"] == "/admin/section/settings/company-account/"
    assert owner_a.get("/admin/integrations/")["Location"] == "/admin/integrations/integration/"
    assert owner_a.get("/admin/personas/")["Location"] == "/admin/personas/persona/"


def test_retail_store_breadcrumbs_read_settings_company_account_retail_stores(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")

    html = owner_a.get(f"/admin/stores/retailstore/{store.pk}/change/").content.decode()

    assert [label for _url, label in _breadcrumb_links(html)] == [
        "Home",
        "Settings",
        "Company Account",
        "Retail Stores",
    ]


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_every_breadcrumb_leads_to_the_page_it_names(company_a, role):
    client = staff_client(company_a, role)
    store = RetailStoreFactory(company=company_a)
    persona = PersonaFactory(company=company_a)
    run = SyncRunFactory(company=company_a)
    pages = [
        f"/admin/stores/retailstore/{store.pk}/change/",
        "/admin/stores/retailstore/add/",
        f"/admin/personas/persona/{persona.pk}/change/",
        "/admin/personas/sale/",
        f"/admin/integrations/syncrun/{run.pk}/change/",
        "/admin/integrations/quarantinedrecord/",
        "/admin/accounts/membership/",
        "/admin/section/settings/company-account/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for url, label in _breadcrumb_links(response.content.decode()):
            target = client.get(url, follow=True)
            assert target.status_code == 200, (page, label, url)
            title = re.search(r"<title>(.*?)</title>", target.content.decode(), re.S).group(1)
            wanted = "Dashboard" if label == "Home" else label
            assert wanted.lower().rstrip("s") in unescape(title).lower(), (page, label, title)
