"""The wallet: points from the ledger, hidePointsInWallet from the program, only the
discounts redeemable now, each with a signed redemption URL; scoped to the key's company."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aiq.audiences.models import Audience
from aiq.personas.choices import Consent
from loyalty.api.keys import create_api_key
from loyalty.api.redemption_tokens import read_redemption_token
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.program.models import LoyaltyProgram
from tests.audiences.helpers import sale
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(company_a):
    LoyaltyProgramFactory(company=company_a, enabled=True)
    persona = PersonaFactory(
        company=company_a,
        phone="+12065550134",
        email="jo@example.com",
        loyalty_enrolled_at=timezone.now() - timedelta(days=30),
    )
    award(persona, 450, EntryKind.ADJUST, reason="Welcome gift")
    return persona


def _wallet(client, key, phone="(206) 555-0134"):
    return client.post(
        "/api/v2/wallet", {"phone": phone}, content_type="application/json", HTTP_X_APIKEY=key
    )


def test_wallet_has_points_from_the_ledger_and_only_redeemable_discounts(
    client, company_a, member, key_a
):
    # given one discount the shopper can afford, one they cannot and one turned off
    affordable = DiscountFactory(
        company=company_a,
        name="$40 off",
        value=Decimal("40"),
        points_cost=Decimal("400"),
        pos_discount_id="COVA-77",
    )
    DiscountFactory(company=company_a, name="$50 off", points_cost=Decimal("500"))
    DiscountFactory(company=company_a, name="Old", points_cost=Decimal("10"), is_active=False)

    # when the POS asks for the wallet
    response = _wallet(client, key_a.plaintext)

    # then the balance and the one redeemable discount, with its redemption URL
    assert response.status_code == 200
    body = response.json()
    template = body["data"]["discountTemplates"][0]
    # absolute, as the POS reached us: the POS calls it as given
    prefix = f"http://testserver/api/v1.1/discount/redeem/{company_a.uid}/{affordable.pk}/"
    assert template["redemptionURL"].startswith(prefix)
    token = template["redemptionURL"].removeprefix(prefix)
    assert read_redemption_token(token, affordable.pk) == member.pk
    assert read_redemption_token(token, affordable.pk + 1) is None
    assert body == {
        "success": True,
        "data": {
            "loyaltyPoints": 450,
            "pointsOnHold": 0,
            "hidePointsInWallet": False,
            "audiences": [],
            "discountTemplates": [
                {
                    "id": affordable.pk,
                    "posDiscountID": "COVA-77",
                    "avatar": "",
                    "name": "$40 off",
                    "pageTitle": "$40.00 off",
                    "inStoreRedemption": True,
                    "pointsDeduction": 400,
                    "redemptionURL": template["redemptionURL"],
                }
            ],
        },
    }


def test_wallet_lists_the_audiences_the_shopper_is_in_and_honours_limited_discounts(
    client, company_a, company_b, member, key_a
):
    # given audiences the shopper is in (a trait, a brand they bought, every shopper) and
    # one they are not in, each but the last limiting a discount
    member.brand_traits = {"CovaPricingGroup": "VIP"}
    member.save()
    sale(member, brand="Acme Farms")
    vip = Audience.objects.create(
        company=company_a,
        name="VIP pricing",
        conditions=[{"type": "brand_trait", "key": "CovaPricingGroup", "value": "VIP"}],
    )
    acme = Audience.objects.create(
        company=company_a, name="Acme buyers", conditions=[{"type": "brand", "value": "acme farms"}]
    )
    delivery = Audience.objects.create(
        company=company_a,
        name="Delivery",
        conditions=[{"type": "fulfillment", "value": "delivery"}],
    )
    everyone = Audience.objects.create(company=company_a, name="Everyone")
    Audience.objects.create(company=company_b, name="Theirs")
    cheap = {"points_cost": Decimal("10")}
    vip_deal = DiscountFactory(company=company_a, name="VIP", audience=vip, **cheap)
    acme_deal = DiscountFactory(company=company_a, name="Acme", audience=acme, **cheap)
    DiscountFactory(company=company_a, name="Delivery", audience=delivery, **cheap)

    # when the POS reads the wallet
    data = _wallet(client, key_a.plaintext).json()["data"]

    # then the audiences it is in, in name order, and only the discounts of those
    assert data["audiences"] == [
        {"id": acme.pk, "name": "Acme buyers", "avatar": ""},
        {"id": everyone.pk, "name": "Everyone", "avatar": ""},
        {"id": vip.pk, "name": "VIP pricing", "avatar": ""},
    ]
    assert {t["id"] for t in data["discountTemplates"]} == {vip_deal.pk, acme_deal.pk}

    # and a sync bringing a delivery puts the shopper in that audience at once
    sale(member, fulfillment="delivery")
    data = _wallet(client, key_a.plaintext).json()["data"]
    assert delivery.pk in {a["id"] for a in data["audiences"]}
    assert len(data["discountTemplates"]) == 3


def test_hide_points_in_wallet_sends_zero_points(client, company_a, member, key_a):
    LoyaltyProgram.objects.filter(company=company_a).update(hide_points_in_wallet=True)

    data = _wallet(client, key_a.plaintext).json()["data"]

    assert data["loyaltyPoints"] == 0
    assert data["hidePointsInWallet"] is True


def test_get_wallet_by_phone_is_the_same_wallet(client, company_a, member, key_a):
    posted = _wallet(client, key_a.plaintext).json()

    got = client.get("/api/v2/wallet/2065550134", HTTP_X_APIKEY=key_a.plaintext).json()

    assert got == posted
    assert got["data"]["loyaltyPoints"] == 450


def test_a_store_scoped_key_sees_only_that_stores_discounts(client, company_a, member):
    ballard = RetailStoreFactory(company=company_a, name="Ballard")
    fremont = RetailStoreFactory(company=company_a, name="Fremont")
    at_ballard = DiscountFactory(company=company_a, name="Ballard only", points_cost=Decimal("10"))
    at_ballard.stores.set([ballard])
    at_fremont = DiscountFactory(company=company_a, name="Fremont only", points_cost=Decimal("10"))
    at_fremont.stores.set([fremont])
    key = create_api_key(company_a, "Ballard POS", store=ballard)

    names = [t["name"] for t in _wallet(client, key.plaintext).json()["data"]["discountTemplates"]]

    assert names == ["Ballard only"]


def test_a_key_never_sees_another_companys_shopper_with_the_same_phone(
    client, company_a, company_b, member, key_b
):
    # given company B has no shopper with this phone (company A does)
    # when company B's key asks for the wallet
    response = _wallet(client, key_b.plaintext)

    # then not found, for both wallet paths and the lookup
    not_found = {"success": True, "code": 200, "data": {"results": None}}
    assert response.json() == not_found
    assert client.get("/api/v2/wallet/2065550134", HTTP_X_APIKEY=key_b.plaintext).json() == (
        not_found
    )
    lookup = client.get("/api/v2/loyalty/lookup/2065550134", HTTP_X_APIKEY=key_b.plaintext)
    assert lookup.json() == not_found


def test_each_company_sees_its_own_shopper_with_the_same_phone(
    client, company_a, company_b, member, key_b
):
    LoyaltyProgramFactory(company=company_b, enabled=True)
    theirs = PersonaFactory(company=company_b, phone="+12065550134")
    award(theirs, 7, EntryKind.ADJUST, reason="Gift")

    data = _wallet(client, key_b.plaintext).json()["data"]

    assert data["loyaltyPoints"] == 7


def test_the_wallet_finds_the_shopper_by_email(client, member, key_a):
    response = client.post(
        "/api/v2/wallet",
        {"email": " JO@example.com "},
        content_type="application/json",
        HTTP_X_APIKEY=key_a.plaintext,
    )

    assert response.json()["data"]["loyaltyPoints"] == 450


def test_lookup_says_whether_the_shopper_is_a_member_and_opted_in(client, member, key_a):
    member.sms_consent = Consent.OPTED_IN
    member.save()

    response = client.get("/api/v2/loyalty/lookup/jo@example.com", HTTP_X_APIKEY=key_a.plaintext)

    assert response.json() == {
        "success": True,
        "data": {"contactID": member.pk, "loyalty": True, "smsOptIn": True, "emailOptIn": False},
    }
