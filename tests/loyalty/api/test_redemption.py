"""PUT on the redemption URL: one debit per transaction id (or Idempotency-Key), the first
answer replayed, one discount per order, clear refusals that write nothing."""

from __future__ import annotations

import pytest

from loyalty.api.redemption.models import Redemption
from loyalty.discounts.models import DiscountUse
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from loyalty.program.models import LoyaltyProgram
from tests.loyalty.api.redemption_support import call, discount_of, member_with, url
from tests.loyalty.factories import DiscountUseFactory
from tests.loyalty.helpers import D, balance, lots

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(company_a):
    return member_with(company_a, 450)


@pytest.fixture
def forty_off(company_a):
    return discount_of(company_a, 400, "40", pos_discount_id="COVA-77")


def redeem_entries():
    return LedgerEntry.objects.filter(kind=EntryKind.REDEEM)


def test_put_debits_the_points_and_answers_with_the_new_balance(member, forty_off, key_a):
    # when the POS redeems with its transaction id
    response = call("PUT", url(member, forty_off, "T-1001"), key_a.plaintext)

    # then the points are gone, FIFO from the lot, and the answer says so
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "redeemed": True,
            "discountID": forty_off.pk,
            "posDiscountID": "COVA-77",
            "name": "$40 off",
            "transactionID": "T-1001",
            "pointsDeducted": 400,
            "loyaltyPoints": 50,
            "pointsOnHold": 0,
        },
    }
    assert balance(member) == D("50.00")
    assert lots(member) == [(D("450.00"), D("50.00"))]
    (entry,) = redeem_entries()
    assert (entry.points, entry.api_key_label) == (D("-400.00"), "Cova terminal")
    use = DiscountUse.objects.get()
    assert (use.discount_id, use.persona_id) == (forty_off.pk, member.pk)
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.request_key) == ("redeemed", "txn:T-1001")
    assert redemption.deducts_on_apply is False  # no Cova card
    assert verify().drifts == []


def test_a_retry_gets_the_first_answer_and_debits_nothing(member, forty_off, key_a):
    # given a redemption answered once
    first = call("PUT", url(member, forty_off, "T-1001"), key_a.plaintext)
    # and points earned since (a retry must not show a different balance)
    award(member, 100, EntryKind.ADJUST, reason="Birthday")

    # when the POS retries the same PUT twice
    retries = [call("PUT", url(member, forty_off, "T-1001"), key_a.plaintext) for _ in range(2)]

    # then each retry gets the first answer, byte for byte, and one debit exists
    assert [r.status_code for r in retries] == [200, 200]
    assert [r.content for r in retries] == [first.content, first.content]
    assert redeem_entries().count() == 1
    assert DiscountUse.objects.count() == 1
    assert balance(member) == D("150.00")


def test_the_idempotency_key_header_makes_a_call_without_transaction_id_retryable(
    member, forty_off, key_a
):
    first = call("PUT", url(member, forty_off), key_a.plaintext, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = call("PUT", url(member, forty_off), key_a.plaintext, HTTP_IDEMPOTENCY_KEY="abc-1")

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert first.json()["data"]["transactionID"] is None
    assert redeem_entries().count() == 1
    assert Redemption.objects.get().request_key == "key:abc-1"


def test_without_any_id_each_put_is_its_own_redemption(company_a, forty_off, key_a):
    # e-commerce sends no transaction id (reference 4.3): nothing to make it idempotent
    member = member_with(company_a, 900)

    responses = [call("PUT", url(member, forty_off), key_a.plaintext) for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200]
    assert redeem_entries().count() == 2
    assert balance(member) == D("100.00")


def test_a_second_discount_on_the_same_order_is_refused(company_a, member, forty_off, key_a):
    # given $40 off redeemed on transaction T-1
    ten_off = discount_of(company_a, 20, "10")
    call("PUT", url(member, forty_off, "T-1"), key_a.plaintext)

    # when the POS tries another discount on the same transaction
    response = call("PUT", url(member, ten_off, "T-1"), key_a.plaintext)

    # then 409 with a stable code, and nothing more is debited
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "code": "one_discount_per_order",
        "message": "Transaction T-1 already has a loyalty discount: at most one per order.",
    }
    assert redeem_entries().count() == 1
    assert balance(member) == D("50.00")


def test_one_transaction_id_for_two_shoppers_is_one_order(company_a, member, forty_off, key_a):
    other = member_with(company_a, 500)
    call("PUT", url(member, forty_off, "T-1"), key_a.plaintext)

    response = call("PUT", url(other, forty_off, "T-1"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (409, "one_discount_per_order")
    assert balance(other) == D("500.00")


def test_an_idempotency_key_reused_for_another_discount_is_refused(
    company_a, member, forty_off, key_a
):
    ten_off = discount_of(company_a, 20, "10")
    call("PUT", url(member, forty_off), key_a.plaintext, HTTP_IDEMPOTENCY_KEY="k1")

    response = call("PUT", url(member, ten_off), key_a.plaintext, HTTP_IDEMPOTENCY_KEY="k1")

    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")
    assert redeem_entries().count() == 1


def test_not_enough_points_is_refused_and_writes_nothing(company_a, forty_off, key_a):
    # given a member with 350 points and a 400-point discount
    member = member_with(company_a, 350)

    response = call("PUT", url(member, forty_off, "T-9"), key_a.plaintext)

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "code": "not_enough_points",
        "message": 'Not enough points: the balance is 350, "$40 off" costs 400.',
    }
    assert redeem_entries().count() == 0
    assert (Redemption.objects.count(), DiscountUse.objects.count()) == (0, 0)
    assert balance(member) == D("350.00")


def test_a_refusal_is_not_stored_so_the_retry_is_judged_afresh(company_a, forty_off, key_a):
    # given a refusal for want of points, then points earned
    member = member_with(company_a, 350)
    call("PUT", url(member, forty_off, "T-9"), key_a.plaintext)
    award(member, 100, EntryKind.ADJUST, reason="Make-good")

    # when the POS retries the same transaction
    response = call("PUT", url(member, forty_off, "T-9"), key_a.plaintext)

    # then it goes through now (nothing had been spent the first time)
    assert response.status_code == 200
    assert balance(member) == D("50.00")


def test_a_single_use_discount_already_used_is_not_redeemable(member, forty_off, key_a):
    forty_off.single_use = True
    forty_off.save()
    DiscountUseFactory(discount=forty_off, persona=member)

    response = call("PUT", url(member, forty_off, "T-2"), key_a.plaintext)

    assert response.status_code == 422
    assert response.json()["code"] == "discount_not_redeemable"
    assert "Already used (single use per shopper)" in response.json()["message"]
    assert redeem_entries().count() == 0


def test_a_turned_off_discount_is_not_redeemable(member, forty_off, key_a):
    forty_off.is_active = False
    forty_off.save()

    response = call("PUT", url(member, forty_off, "T-2"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (422, "discount_not_redeemable")
    assert balance(member) == D("450.00")


def test_a_shopper_who_is_not_a_member_cannot_redeem(member, forty_off, key_a):
    member.loyalty_enrolled_at = None
    member.save()

    response = call("PUT", url(member, forty_off, "T-3"), key_a.plaintext)

    assert response.status_code == 422
    assert "Not a loyalty member" in response.json()["message"]
    assert redeem_entries().count() == 0


def test_a_redeemed_discount_leaves_the_wallet_while_cooling_down(client, member, forty_off, key_a):
    forty_off.cooldown_hours = 24
    forty_off.save()
    award(member, 400, EntryKind.ADJUST, reason="More")
    call("PUT", url(member, forty_off, "T-4"), key_a.plaintext)

    response = call("PUT", url(member, forty_off, "T-5"), key_a.plaintext)

    assert response.status_code == 422
    assert "Used recently" in response.json()["message"]
    assert balance(member) == D("450.00")


@pytest.mark.parametrize("tamper", ["token", "discount", "company"])
def test_a_url_that_was_not_issued_is_not_found(
    company_a, company_b, member, forty_off, key_a, tamper
):
    address = url(member, forty_off, "T-6")
    if tamper == "token":
        address = address.replace(url(member, forty_off), url(member, forty_off)[:-3] + "xyz")
    elif tamper == "discount":
        other = discount_of(company_a, 10, "1")
        address = address.replace(f"/{forty_off.pk}/", f"/{other.pk}/")
    else:
        # a genuine token for company B's shopper, sent with company A's key and UID
        stranger = member_with(company_b, 900)
        foreign = discount_of(company_b, 10, "1")
        address = url(stranger, foreign, "T-6").replace(company_b.uid, company_a.uid)

    response = call("PUT", address, key_a.plaintext)

    assert response.status_code == 404
    assert response.json()["code"] == "invalid_redemption_url"
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 0


def test_a_uid_that_is_not_the_keys_company_is_refused(company_b, member, forty_off, key_a):
    address = url(member, forty_off, "T-7").replace(member.company.uid, company_b.uid)

    response = call("PUT", address, key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (403, "invalid_api_key")
    assert balance(member) == D("450.00")


def test_an_overlong_transaction_id_is_a_400_naming_the_field(member, forty_off, key_a):
    response = call("PUT", url(member, forty_off, "T" * 101), key_a.plaintext)

    assert response.status_code == 400
    assert response.json()["message"] == "transactionId: longer than 100 characters"
    assert balance(member) == D("450.00")


def test_another_method_is_a_405(member, forty_off, key_a):
    response = call("PATCH", url(member, forty_off, "T-8"), key_a.plaintext)

    assert (response.status_code, response["Allow"]) == (405, "PUT")
    assert balance(member) == D("450.00")


def test_hidden_points_are_answered_as_zero(company_a, member, forty_off, key_a):
    LoyaltyProgram.objects.filter(company=company_a).update(hide_points_in_wallet=True)

    response = call("PUT", url(member, forty_off, "T-10"), key_a.plaintext)

    data = response.json()["data"]
    assert (data["pointsDeducted"], data["loyaltyPoints"], data["pointsOnHold"]) == (400, 0, 0)


def test_a_pos_follows_the_wallets_redemption_url_as_given(client, member, forty_off, key_a):
    # given the wallet a POS reads at checkout
    wallet = client.post(
        "/api/v2/wallet",
        {"phone": member.phone},
        content_type="application/json",
        HTTP_X_APIKEY=key_a.plaintext,
    ).json()
    (template,) = wallet["data"]["discountTemplates"]

    # when it PUTs the redemptionURL with its transaction id appended, and retries
    address = template["redemptionURL"] + "/TX-42"
    first = client.put(address, HTTP_X_APIKEY=key_a.plaintext)
    retry = client.put(address, HTTP_X_APIKEY=key_a.plaintext)

    # then one debit of pointsDeduction, and the wallet shows what is left
    assert first.status_code == retry.status_code == 200
    assert retry.content == first.content
    assert first.json()["data"]["pointsDeducted"] == template["pointsDeduction"] == 400
    assert redeem_entries().count() == 1
    after = client.get(f"/api/v2/wallet/{member.phone}", HTTP_X_APIKEY=key_a.plaintext).json()
    assert after["data"]["loyaltyPoints"] == 50
