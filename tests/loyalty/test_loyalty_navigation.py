"""Settings > Loyalty in the product's map: the Loyalty group holds the program page and
Discounts, each role sees what it may open, and every breadcrumb leads where it says."""

from __future__ import annotations

import re
from html import unescape

import pytest

from aiq.accounts.choices import Role
from tests.accounts.test_navigation import _breadcrumb_links, _section_html
from tests.conftest import staff_client
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db


def _loyalty_group(html: str) -> str:
    settings_html = _section_html(html, "settings")
    if 'id="group-loyalty"' not in settings_html:
        return ""
    return settings_html.split('id="group-loyalty"')[1].split("</table>")[0]


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.MARKETER])
def test_the_loyalty_group_holds_the_program_and_discounts(company_a, role):
    client = staff_client(company_a, role)

    group = _loyalty_group(client.get("/admin/").content.decode())

    assert '<a href="/admin/loyalty/loyaltyprogram/">Loyalty</a>' in group
    assert ">Discounts</a>" in group


def test_budtender_sees_no_loyalty_group(budtender_a):
    assert _loyalty_group(budtender_a.get("/admin/").content.decode()) == ""


def test_the_loyalty_app_page_sends_staff_to_settings_loyalty(owner_a):
    assert owner_a.get("/admin/loyalty/")["Location"] == "/admin/loyalty/loyaltyprogram/"


def test_discount_breadcrumbs_read_settings_loyalty_discounts(owner_a, company_a):
    discount = DiscountFactory(company=company_a, name="$40 off")

    html = owner_a.get(f"/admin/loyalty/discount/{discount.pk}/change/").content.decode()

    assert [label for _url, label in _breadcrumb_links(html)] == [
        "Home",
        "Settings",
        "Loyalty",
        "Discounts",
    ]


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_every_loyalty_breadcrumb_leads_to_the_page_it_names(company_a, role):
    client = staff_client(company_a, role)
    program = LoyaltyProgramFactory(company=company_a)
    discount = DiscountFactory(company=company_a)
    pages = [
        f"/admin/loyalty/loyaltyprogram/{program.pk}/change/",
        "/admin/loyalty/discount/",
        "/admin/loyalty/discount/add/",
        f"/admin/loyalty/discount/{discount.pk}/change/",
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        crumbs = _breadcrumb_links(response.content.decode())
        assert crumbs, page
        for url, label in crumbs:
            target = client.get(url, follow=True)
            assert target.status_code == 200, (page, label, url)
            title = re.search(r"<title>(.*?)</title>", target.content.decode(), re.S).group(1)
            wanted = "Dashboard" if label == "Home" else label
            assert wanted.lower().rstrip("s") in unescape(title).lower(), (page, label, title)
