"""A marketer builds the seed's two audiences in a real browser, by the FAQ's words:
Performed Event > Purchase Fulfillment Type containing "delivery", and Custom Brand Traits
> CovaPricingGroup = a value. Each saved audience has the members a direct query finds."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from aiq.accounts.choices import Role
from aiq.audiences.compile import members
from aiq.audiences.models import Audience
from aiq.personas.models import Persona
from tests.audiences.helpers import sale
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, PersonaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shoppers(company):
    for index in range(9):
        persona = PersonaFactory(
            company=company,
            brand_traits={"CovaPricingGroup": ["VIP", "Staff", "Senior"][index % 3]},
        )
        sale(persona, fulfillment=["delivery", "pickup", "in_store", "in_store"][index % 4])
    PersonaFactory(company=company, brand_traits={"Loyalty Tier": "Gold"})


def _build(page, name, pick, fill):
    page.get_by_role("link", name=re.compile("Add audience", re.I)).click()
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="+ Add condition").click()
    page.locator(".audience-row .audience-type").last.select_option(label=pick)
    for label, value in fill.items():
        page.locator(".audience-row").last.get_by_label(label, exact=True).fill(value)


def test_marketer_builds_the_seeds_two_audiences(page, live_server):
    membership = MembershipFactory(role=Role.MARKETER)
    company = membership.company
    _shoppers(company)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.locator("#content").get_by_role("link", name="Audiences").first.click()
    expect(page.locator(".breadcrumbs")).to_contain_text("Marketing")

    # Performed Event > Purchase Fulfillment Type contains "delivery"
    _build(page, "Delivery", "Purchase Fulfillment Type contains", {"text": "delivery"})
    delivery_direct = set(
        Persona.objects.filter(
            company=company, sales__fulfillment__icontains="delivery", sales__is_refund=False
        ).values_list("pk", flat=True)
    )
    expect(page.locator("#audience-size")).to_have_text(str(len(delivery_direct)))
    expect(page.locator("#audience-sample li")).to_have_count(len(delivery_direct))
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    delivery = Audience.objects.get(company=company, name="Delivery")
    assert set(members(delivery).values_list("pk", flat=True)) == delivery_direct

    # the member check on the saved audience
    inside = Persona.objects.get(pk=min(delivery_direct))
    page.get_by_label("Is this phone or email in it?").fill(inside.email.upper())
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#audience-check-result")).to_contain_text("is in this audience")
    screenshot(page, "audience-members")

    # Custom Brand Traits > CovaPricingGroup = VIP: the picker lists the keys present
    page.locator(".breadcrumbs").get_by_role("link", name="Audiences").click()
    _build(page, "VIP pricing group", "CovaPricingGroup", {"equals (blank: any value)": "VIP"})
    options = page.locator(".audience-type optgroup[label='Custom Brand Traits'] option")
    expect(options).to_have_text(["CovaPricingGroup", "Loyalty Tier", "Another trait key…"])
    vip_direct = set(
        Persona.objects.filter(company=company, brand_traits__CovaPricingGroup="VIP").values_list(
            "pk", flat=True
        )
    )
    expect(page.locator("#audience-size")).to_have_text(str(len(vip_direct)))
    # a mistake is shown as it is made, naming the field
    page.get_by_role("button", name="+ Add condition").click()
    page.locator(".audience-row .audience-type").last.select_option(
        label="Total spend at least ($)"
    )
    page.locator(".audience-row").last.get_by_label("dollars", exact=True).fill("lots")
    expect(page.locator("#audience-errors")).to_contain_text("dollars: enter an amount")
    page.locator(".audience-row").last.get_by_role("button", name="Remove condition").click()
    expect(page.locator("#audience-size")).to_have_text(str(len(vip_direct)))
    screenshot(page, "audience-builder")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator("#result_list")).to_contain_text("VIP pricing group")
    vip = Audience.objects.get(company=company, name="VIP pricing group")
    assert vip.conditions == [{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}]
    assert set(members(vip).values_list("pk", flat=True)) == vip_direct
    assert vip_direct and delivery_direct and vip_direct != delivery_direct


def test_marketer_builds_a_bought_brand_audience_from_the_brand_picker(page, live_server):
    # given shoppers who bought brands (as POSaBIT lines bring them) and one who did not
    membership = MembershipFactory(role=Role.MARKETER)
    company = membership.company
    acme = [PersonaFactory(company=company) for _ in range(3)]
    for persona in acme:
        sale(persona, category="Flower", brand="Acme Farms")
    sale(PersonaFactory(company=company), category="Edibles", brand="Greenleaf")
    sale(PersonaFactory(company=company), category="Vapes")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#content").get_by_role("link", name="Audiences").first.click()

    # when they pick Performed Event > Bought brand: the brand box offers the brands present
    _build(page, "Acme buyers", "Bought brand", {})
    brand = page.locator(".audience-row").last.get_by_label("brand", exact=True)
    expect(brand).to_have_attribute("list", "audience-brands")
    expect(page.locator("#audience-brands option")).to_have_count(2)
    options = page.locator("#audience-brands option")
    assert [options.nth(i).get_attribute("value") for i in range(2)] == ["Acme Farms", "Greenleaf"]
    brand.fill("acme farms")

    # then the size is the brand's buyers, and the saved audience has them as members
    expect(page.locator("#audience-size")).to_have_text("3")
    screenshot(page, "audience-bought-brand")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#result_list")).to_contain_text("Acme buyers")
    saved = Audience.objects.get(company=company, name="Acme buyers")
    assert saved.conditions == [{"type": "brand", "value": "acme farms"}]
    assert set(members(saved).values_list("pk", flat=True)) == {p.pk for p in acme}
