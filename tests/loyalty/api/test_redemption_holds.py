"""Holds (beyond AIQ): POST reserves the points, PUT with the same transaction id commits
them, DELETE releases them to exactly their lots; a hold nothing commits lapses."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.releasing import release_expired_holds
from loyalty.api.redemption.tasks import release_expired_holds_task
from loyalty.discounts.models import DiscountUse
from loyalty.ledger import holds
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from loyalty.ledger.verify import verify
from tests.loyalty.api.redemption_support import call, discount_of, member_with, url
from tests.loyalty.helpers import D, account, balance, lots

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(company_a):
    persona = member_with(company_a, 0)
    # two lots, so "restored exactly" means something
    award(persona, 300, EntryKind.ADJUST, reason="First")
    award(persona, 300, EntryKind.ADJUST, reason="Second")
    return persona


@pytest.fixture
def forty_off(company_a):
    return discount_of(company_a, 400, "40")


def kinds() -> list[tuple[str, object]]:
    return list(
        LedgerEntry.objects.exclude(kind=EntryKind.ADJUST)
        .order_by("id")
        .values_list("kind", "points")
    )


def test_post_holds_the_points_and_the_wallet_shows_them_on_hold(client, member, forty_off, key_a):
    # when the POS applies the discount to a cart
    response = call("POST", url(member, forty_off, "CART-1"), key_a.plaintext)

    # then the points are held: not spendable, shown on hold
    assert response.status_code == 200
    data = response.json()["data"]
    expires = data.pop("holdExpiresAt")
    assert data == {
        "held": True,
        "discountID": forty_off.pk,
        "posDiscountID": "",
        "name": "$40 off",
        "transactionID": "CART-1",
        "pointsHeld": 400,
        "loyaltyPoints": 200,
        "pointsOnHold": 400,
    }
    redemption = Redemption.objects.get()
    assert expires == redemption.hold_expires_at.isoformat()
    assert redemption.hold_expires_at - timezone.now() > timedelta(minutes=29)
    assert kinds() == [("hold", D("-400.00"))]
    wallet = client.get(f"/api/v2/wallet/{member.phone}", HTTP_X_APIKEY=key_a.plaintext).json()
    assert (wallet["data"]["loyaltyPoints"], wallet["data"]["pointsOnHold"]) == (200, 400)
    assert DiscountUse.objects.count() == 0  # not used until the checkout commits it


def test_put_with_the_same_transaction_commits_the_hold_instead_of_debiting_again(
    member, forty_off, key_a
):
    call("POST", url(member, forty_off, "CART-1"), key_a.plaintext)

    response = call("PUT", url(member, forty_off, "CART-1"), key_a.plaintext)
    again = call("PUT", url(member, forty_off, "CART-1"), key_a.plaintext)

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["pointsDeducted"], data["loyaltyPoints"], data["pointsOnHold"]) == (400, 200, 0)
    assert again.content == response.content
    # one hold and its commit (a zero-point redeem): 400 points left once
    assert kinds() == [("hold", D("-400.00")), ("redeem", D("0.00"))]
    assert (balance(member), account(member).on_hold) == (D("200.00"), D("0.00"))
    assert DiscountUse.objects.count() == 1
    assert verify().drifts == []


def test_delete_releases_the_hold_to_exactly_its_lots(member, forty_off, key_a):
    before = lots(member)
    call("POST", url(member, forty_off, "CART-2"), key_a.plaintext)
    assert lots(member) == [(D("300.00"), D("0.00")), (D("300.00"), D("200.00"))]

    response = call("DELETE", url(member, forty_off, "CART-2"), key_a.plaintext)
    retry = call("DELETE", url(member, forty_off, "CART-2"), key_a.plaintext)

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["released"], data["pointsReleased"], data["loyaltyPoints"]) == (True, 400, 600)
    assert retry.content == response.content
    assert lots(member) == before
    assert kinds() == [("hold", D("-400.00")), ("release", D("400.00"))]
    assert account(member).on_hold == D("0.00")
    assert Redemption.objects.get().status == "released"
    assert verify().drifts == []


def test_a_retried_post_holds_once(member, forty_off, key_a):
    first = call("POST", url(member, forty_off, "CART-3"), key_a.plaintext)
    again = call("POST", url(member, forty_off, "CART-3"), key_a.plaintext)

    assert again.content == first.content
    assert kinds() == [("hold", D("-400.00"))]


def test_holding_needs_a_transaction_id(member, forty_off, key_a):
    response = call("POST", url(member, forty_off), key_a.plaintext)

    assert response.status_code == 400
    assert response.json()["message"].startswith("transactionId: required")
    assert kinds() == []


def test_a_hold_is_refused_without_enough_points(company_a, forty_off, key_a):
    poor = member_with(company_a, 100)

    response = call("POST", url(poor, forty_off, "CART-4"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (422, "not_enough_points")
    assert Redemption.objects.count() == 0


def test_held_points_cannot_be_spent_twice(company_a, member, forty_off, key_a):
    # given 600 points with 400 on hold for one cart
    call("POST", url(member, forty_off, "CART-5"), key_a.plaintext)

    # when another register redeems the same 400-point discount
    response = call("PUT", url(member, forty_off, "OTHER-1"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (422, "not_enough_points")
    assert balance(member) == D("200.00")


def test_release_of_an_unknown_or_final_redemption_is_refused(member, forty_off, key_a):
    unknown = call("DELETE", url(member, forty_off, "NOPE"), key_a.plaintext)
    call("PUT", url(member, forty_off, "DONE-1"), key_a.plaintext)
    final = call("DELETE", url(member, forty_off, "DONE-1"), key_a.plaintext)
    post_after = call("POST", url(member, forty_off, "DONE-1"), key_a.plaintext)

    assert (unknown.status_code, unknown.json()["code"]) == (404, "hold_not_found")
    assert (final.status_code, final.json()["code"]) == (409, "already_redeemed")
    assert (post_after.status_code, post_after.json()["code"]) == (409, "already_redeemed")
    assert balance(member) == D("200.00")


def test_a_hold_left_alone_is_released_after_its_time(member, forty_off, key_a):
    # given a hold placed now
    call("POST", url(member, forty_off, "CART-6"), key_a.plaintext)
    redemption = Redemption.objects.get()
    placed = redemption.hold_expires_at - timedelta(minutes=settings.LOYALTY_HOLD_MINUTES)

    # when the job runs a minute before its time, then at its time
    early = release_expired_holds(placed + timedelta(minutes=29))
    on_time = release_expired_holds(placed + timedelta(minutes=30))

    # then only the second run releases it, in words, to exactly its lots
    assert (early.released, on_time.released) == ([], [redemption.pk])
    redemption.refresh_from_db()
    assert redemption.status == "released"
    release = redemption.return_entry
    assert (release.kind, release.points, release.task) == (
        "release",
        D("400.00"),
        "release_expired_holds",
    )
    assert release.reason == "Hold not committed by a checkout within 30 minutes"
    assert lots(member) == [(D("300.00"), D("300.00")), (D("300.00"), D("300.00"))]
    assert verify().drifts == []


def test_the_hold_time_is_a_setting(member, forty_off, key_a, settings):
    settings.LOYALTY_HOLD_MINUTES = 5

    call("POST", url(member, forty_off, "CART-7"), key_a.plaintext)

    remaining = Redemption.objects.get().hold_expires_at - timezone.now()
    assert timedelta(minutes=4) < remaining <= timedelta(minutes=5)


def test_a_committed_hold_is_never_released_by_time(member, forty_off, key_a):
    call("POST", url(member, forty_off, "CART-8"), key_a.plaintext)
    call("PUT", url(member, forty_off, "CART-8"), key_a.plaintext)

    run = release_expired_holds(timezone.now() + timedelta(hours=2))

    assert run.released == []
    assert balance(member) == D("200.00")


def test_a_checkout_after_the_hold_lapsed_redeems_afresh(member, forty_off, key_a):
    # given a hold released by time, the cart still at the register
    call("POST", url(member, forty_off, "CART-9"), key_a.plaintext)
    release_expired_holds(timezone.now() + timedelta(hours=1))

    # when the checkout completes
    response = call("PUT", url(member, forty_off, "CART-9"), key_a.plaintext)
    post_again = call("POST", url(member, forty_off, "CART-9"), key_a.plaintext)

    # then the points are debited now, once
    assert response.status_code == 200
    assert kinds() == [("hold", D("-400.00")), ("release", D("400.00")), ("redeem", D("-400.00"))]
    assert (post_again.status_code, post_again.json()["code"]) == (409, "already_redeemed")
    assert balance(member) == D("200.00")


def test_a_post_after_the_hold_lapsed_is_refused_with_its_own_code(member, forty_off, key_a):
    call("POST", url(member, forty_off, "CART-10"), key_a.plaintext)
    release_expired_holds(timezone.now() + timedelta(hours=1))

    response = call("POST", url(member, forty_off, "CART-10"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (409, "hold_released")
    assert balance(member) == D("600.00")


def test_the_expiry_is_scheduled_and_has_a_command_twin(member, forty_off, key_a):
    entry = settings.CELERY_BEAT_SCHEDULE["loyalty-release-expired-holds"]
    assert entry["task"] == release_expired_holds_task.name
    call("POST", url(member, forty_off, "CART-11"), key_a.plaintext)
    out = StringIO()

    call_command("release_expired_holds", stdout=out)

    # nothing is due yet: the command releases nothing
    assert out.getvalue() == "Released 0 holds.\n"
    assert Redemption.objects.get().status == "held"


def test_a_single_use_discount_held_for_one_cart_cannot_be_used_for_another(
    member, forty_off, key_a
):
    forty_off.single_use = True
    forty_off.save()
    call("POST", url(member, forty_off, "CART-A"), key_a.plaintext)

    other_hold = call("POST", url(member, forty_off, "CART-B"), key_a.plaintext)
    other_redeem = call("PUT", url(member, forty_off, "CART-C"), key_a.plaintext)
    commit = call("PUT", url(member, forty_off, "CART-A"), key_a.plaintext)

    for refused in (other_hold, other_redeem):
        assert (refused.status_code, refused.json()["code"]) == (422, "discount_not_redeemable")
        assert "on hold for another order" in refused.json()["message"]
    assert commit.status_code == 200
    assert kinds() == [("hold", D("-400.00")), ("redeem", D("0.00"))]


def test_a_hold_settled_behind_the_apis_back_is_a_409_not_a_500(member, forty_off, key_a):
    # given a hold the ledger released by another path (not through its redemption)
    call("POST", url(member, forty_off, "CART-X"), key_a.plaintext)
    holds.release(Redemption.objects.get().hold_entry, reason="Released by hand")

    response = call("PUT", url(member, forty_off, "CART-X"), key_a.plaintext)

    assert (response.status_code, response.json()["code"]) == (409, "points_conflict")
    assert "already released" in response.json()["message"]
    assert Redemption.objects.get().status == "held"  # nothing written
    assert balance(member) == D("600.00")
    # and the expiry job closes the row instead of failing on it every minute
    run = release_expired_holds(timezone.now() + timedelta(hours=1))
    redemption = Redemption.objects.get()
    assert (run.released, redemption.status) == ([redemption.pk], "released")
    assert redemption.note.startswith("This hold was already released")
    assert balance(member) == D("600.00")


def test_a_delete_after_the_hold_lapsed_answers_released(member, forty_off, key_a):
    call("POST", url(member, forty_off, "CART-12"), key_a.plaintext)
    release_expired_holds(timezone.now() + timedelta(hours=1))

    response = call("DELETE", url(member, forty_off, "CART-12"), key_a.plaintext)

    assert response.status_code == 200
    assert response.json()["data"]["released"] is True
    assert kinds() == [("hold", D("-400.00")), ("release", D("400.00"))]  # released once
    assert balance(member) == D("600.00")


def test_pos_calls_need_no_csrf_token(member, forty_off, key_a):
    # a POS has no cookie and no form: every method of the URL is exempt
    strict = Client(enforce_csrf_checks=True)

    held = call("POST", url(member, forty_off, "CART-13"), key_a.plaintext, client=strict)
    released = call("DELETE", url(member, forty_off, "CART-13"), key_a.plaintext, client=strict)
    redeemed = call("PUT", url(member, forty_off, "CART-14"), key_a.plaintext, client=strict)

    assert [held.status_code, released.status_code, redeemed.status_code] == [200, 200, 200]
