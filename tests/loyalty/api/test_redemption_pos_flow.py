"""A POS client written only from the reference's paths (pos-apis.md 4.3 to 4.5): sign a
shopper up, post their sale, read the wallet, redeem with the transaction id, retry the
same PUT; exactly one debit."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory

pytestmark = pytest.mark.django_db


class PosClient:
    """What a POS integrator writes: the X-APIKEY header, the UID in the path, JSON."""

    def __init__(self, client, uid: str, api_key: str) -> None:
        self.client, self.uid, self.headers = client, uid, {"HTTP_X_APIKEY": api_key}

    def _json(self, method: str, path: str, body: dict) -> dict:
        send = getattr(self.client, method)
        response = send(path, json.dumps(body), content_type="application/json", **self.headers)
        assert response.status_code == 200, response.content
        return response.json()

    def sign_up(self, **contact: str) -> dict:
        return self._json("post", f"/api/v1.1/loyaltyContact/{self.uid}", contact)

    def post_sale(self, visit: dict) -> dict:
        return self._json("post", f"/api/v1.1/createUpdateSale/{self.uid}", {"visit": visit})

    def wallet(self, phone: str) -> dict:
        return self.client.get(f"/api/v2/wallet/{phone}", **self.headers).json()

    def redeem(self, redemption_url: str, transaction_id: str):
        return self.client.put(f"{redemption_url}/{transaction_id}", **self.headers)


def test_sign_up_sell_read_the_wallet_redeem_and_retry_ends_with_one_debit(
    client, company_a, key_a
):
    # given a 1 point per dollar program and a 40-point reward
    LoyaltyProgramFactory(company=company_a, points_per_dollar=Decimal("1"))
    DiscountFactory(company=company_a, name="$5 off", value=Decimal("5"), points_cost=40)
    pos = PosClient(client, company_a.uid, key_a.plaintext)

    # when the POS signs a shopper up and posts their $50 sale
    contact = pos.sign_up(firstName="Jo", lastName="Park", mobilePhone="(206) 555-0177")
    sold_at = (timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S +0000")
    pos.post_sale(
        {
            "pos_id": "ORDER-500",
            "transaction_date": sold_at,
            "transaction_total": 50.0,
            "member": {"mobilePhone": "(206) 555-0177"},
            "visit_details_attributes": [
                {"sku": "PR-1", "name": "Blue Dream 3.5g", "price": 25.0, "quantity": 2}
            ],
        }
    )
    # and reads the wallet at the next checkout
    wallet = pos.wallet("2065550177")["data"]
    (reward,) = wallet["discountTemplates"]
    # and redeems with its transaction id, then retries (a timeout on its side)
    first = pos.redeem(reward["redemptionURL"], "ORDER-501")
    retry = pos.redeem(reward["redemptionURL"], "ORDER-501")

    # then the shopper earned 50, redeemed 40 once, and both answers are the first one
    assert wallet["loyaltyPoints"] == 50
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.content == first.content
    assert first.json()["data"]["pointsDeducted"] == reward["pointsDeduction"] == 40
    assert first.json()["data"]["loyaltyPoints"] == 10
    redeemed = LedgerEntry.objects.filter(kind=EntryKind.REDEEM)
    assert [entry.points for entry in redeemed] == [Decimal("-40.00")]
    assert redeemed.get().account.persona_id == contact["data"]["contactID"]
    assert pos.wallet("2065550177")["data"]["loyaltyPoints"] == 10
    assert verify().drifts == []
