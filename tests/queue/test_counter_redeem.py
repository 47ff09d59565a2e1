"""Redeeming on the shopper's behalf: the points are held through the API's hold, the page
says what to apply in the POS, and one order gets at most one discount."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aiq.personas.models import Sale
from loyalty.api.models import ApiKey
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.releasing import release_expired_holds
from loyalty.discounts.models import DiscountUse
from loyalty.hooks import sales_written
from stores.queue.models import CounterRedemption
from stores.queue.shopper.redeem import ONE_PER_ORDER
from tests.loyalty.helpers import D, account
from tests.queue.shopper_support import (
    action_url,
    budtender,
    buy,
    checked_in_member,
    discount_of,
    profile_url,
)

pytestmark = pytest.mark.django_db


def redeem(client, persona, entry, discount):
    return client.post(
        action_url("redeem", persona),
        {"check_in": entry.pk, "discount": discount.pk},
        follow=True,
    )


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_redeem_holds_the_points_and_shows_what_to_apply_in_the_pos(open_store):
    # given a checked-in member with 500 points and a $40 discount costing 400
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40", name="$40 off", pos_discount_id="AIQ-40")
    client = budtender(open_store.company)

    # when the budtender redeems it for them
    response = redeem(client, persona, entry, forty)

    # then the points are held (not spent), for LOYALTY_HOLD_MINUTES
    held = account(persona)
    assert (held.balance, held.on_hold) == (D("100"), D("400"))
    redemption = Redemption.objects.get(persona=persona)
    assert redemption.status == RedemptionStatus.HELD
    assert redemption.transaction_id == f"queue-{entry.pk}.1"
    minutes = (redemption.hold_expires_at - redemption.created_at) / timedelta(minutes=1)
    assert round(minutes) == settings.LOYALTY_HOLD_MINUTES
    # and who did it is recorded
    counter = CounterRedemption.objects.get()
    assert (counter.held_by, counter.check_in, counter.store) == (
        client.user,
        entry,
        open_store,
    )
    assert client.user.username in redemption.note
    # at the store's counter, with no API key involved
    assert redemption.api_key is None
    assert redemption.hold_entry.api_key_label == "Queue counter at Capitol Hill"
    # and the page says what to apply in the POS
    text = text_of(response)
    assert response.redirect_chain[-1][0] == profile_url(persona, entry)
    apply = text.split('id="apply-in-pos"')[1].split("</dl>")[0]
    assert "$40 off" in apply and "$40.00 off" in apply and "AIQ-40" in apply
    assert 'id="wallet-points">100<' in text and 'id="wallet-on-hold">400<' in text


def test_a_second_discount_for_the_same_order_is_refused(open_store):
    persona, entry = checked_in_member(open_store, 1000)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    ten = discount_of(open_store.company, 100, "10", name="$10 off")
    client = budtender(open_store.company)
    redeem(client, persona, entry, forty)

    # when another budtender tries a second discount for the same visit
    response = redeem(budtender(open_store.company), persona, entry, ten)

    # then it is refused in words, and nothing more is held
    assert ONE_PER_ORDER in text_of(response)
    assert account(persona).on_hold == D("400")
    assert Redemption.objects.count() == 1 and CounterRedemption.objects.count() == 1


def test_pressing_redeem_twice_holds_once(open_store):
    persona, entry = checked_in_member(open_store, 1000)
    forty = discount_of(open_store.company, 400, "40")
    client = budtender(open_store.company)
    redeem(client, persona, entry, forty)
    redeem(client, persona, entry, forty)
    assert account(persona).on_hold == D("400")
    assert CounterRedemption.objects.count() == 1


def test_release_gives_the_points_back_and_the_visit_may_pick_again(open_store):
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    ten = discount_of(open_store.company, 100, "10", name="$10 off")
    client = budtender(open_store.company)
    redeem(client, persona, entry, forty)
    counter = CounterRedemption.objects.get()

    response = client.post(
        reverse("admin:queue_shopper_release", args=[persona.pk, counter.pk]),
        {"check_in": entry.pk},
        follow=True,
    )

    assert "The points are back" in text_of(response)
    assert (account(persona).balance, account(persona).on_hold) == (D("500"), D("0"))
    counter.refresh_from_db()
    assert counter.released_by == client.user
    assert counter.redemption.status == RedemptionStatus.RELEASED
    # the order has no discount any more: another one may be held (a new transaction id)
    redeem(client, persona, entry, ten)
    assert account(persona).on_hold == D("100")
    latest = CounterRedemption.objects.order_by("-pk").first()
    assert latest.redemption.transaction_id == f"queue-{entry.pk}.2"


def test_an_expired_hold_releases_itself(open_store):
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40")
    redeem(budtender(open_store.company), persona, entry, forty)

    later = timezone.now() + timedelta(minutes=settings.LOYALTY_HOLD_MINUTES + 1)
    run = release_expired_holds(later)

    assert len(run.released) == 1
    assert (account(persona).balance, account(persona).on_hold) == (D("500"), D("0"))


def test_not_enough_points_is_refused_in_words(open_store):
    persona, entry = checked_in_member(open_store, 50)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    response = redeem(budtender(open_store.company), persona, entry, forty)
    assert "Nothing held: Not enough points" in text_of(response)
    assert not Redemption.objects.exists() and not CounterRedemption.objects.exists()


def test_a_bad_discount_is_a_form_error_naming_the_field(open_store, company_b):
    persona, entry = checked_in_member(open_store, 500)
    theirs = discount_of(company_b, 100, "10")
    client = budtender(open_store.company)
    for value in ("", "abc", str(theirs.pk)):
        response = client.post(
            action_url("redeem", persona), {"check_in": entry.pk, "discount": value}, follow=True
        )
        assert response.status_code == 200
        assert "Nothing held: Discount:" in text_of(response)
    assert not Redemption.objects.exists()


def test_the_counter_needs_no_api_key_and_names_the_budtender_on_the_ledger(open_store):
    persona, entry = checked_in_member(open_store, 1000)
    client = budtender(open_store.company)
    redeem(client, persona, entry, discount_of(open_store.company, 100, "10"))

    assert not ApiKey.objects.exists()  # nothing for staff to wonder about in API keys
    redemption = Redemption.objects.get()
    assert redemption.api_key_id is None
    hold = redemption.hold_entry
    assert hold.staff_user == client.user
    assert hold.api_key_label == f"Queue counter at {open_store.name}"


def test_the_sale_carrying_the_discount_commits_the_counter_hold(open_store):
    # given a $40 discount held at the counter
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    redeem(budtender(open_store.company), persona, entry, forty)

    # when the POS's sale arrives with $40 off
    sale = buy(persona, open_store, [("Flower", "Flower", "100.00")], days_ago=0, number=7)
    Sale.objects.filter(pk=sale.pk).update(discount=D("40.00"), total=D("60.00"))
    sales_written(open_store.company_id, [sale.pk], timezone.now())

    # then the held points are spent (the $60 the shopper paid earns 60 more), and the
    # redemption names the sale
    assert (account(persona).balance, account(persona).on_hold) == (D("160"), D("0"))
    redemption = Redemption.objects.get()
    assert redemption.status == RedemptionStatus.REDEEMED
    assert redemption.sale_id == sale.pk
    assert DiscountUse.objects.get(persona=persona).sale_id == sale.pk
    # and nothing releases it later
    assert release_expired_holds(timezone.now() + timedelta(hours=2)).released == []


def test_a_sale_without_the_discount_leaves_the_hold_to_lapse(open_store):
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40")
    redeem(budtender(open_store.company), persona, entry, forty)

    sale = buy(persona, open_store, [("Flower", "Flower", "100.00")], days_ago=0, number=8)
    sales_written(open_store.company_id, [sale.pk], timezone.now())

    assert Redemption.objects.get().status == RedemptionStatus.HELD
    assert account(persona).on_hold == D("400")


def test_staff_only_discounts_are_offered_and_held_at_the_counter(open_store):
    persona, entry = checked_in_member(open_store, 500)
    staff_deal = discount_of(open_store.company, 200, "20", name="Staff pick", staff_only=True)
    client = budtender(open_store.company)

    assert "Staff pick" in text_of(client.get(profile_url(persona, entry)))
    redeem(client, persona, entry, staff_deal)

    assert account(persona).on_hold == D("200")


def test_redeeming_from_the_search_holds_one_discount_per_shopper_and_day(open_store):
    persona, _entry = checked_in_member(open_store, 1000)
    forty = discount_of(open_store.company, 400, "40")
    ten = discount_of(open_store.company, 100, "10")
    client = budtender(open_store.company)

    for discount in (forty, ten):
        response = client.post(
            action_url("redeem", persona),
            {"store": open_store.pk, "discount": discount.pk},
            follow=True,
        )

    assert ONE_PER_ORDER in text_of(response)
    redemption = Redemption.objects.get()
    assert redemption.transaction_id.startswith(f"counter-{open_store.pk}-{persona.pk}-")
    assert redemption.discount == forty


def test_a_sale_arriving_after_its_hold_lapsed_still_pays_for_the_discount(open_store):
    # given a $40 hold that lapsed before the POS's sale reached us
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    redeem(budtender(open_store.company), persona, entry, forty)
    later = timezone.now() + timedelta(minutes=settings.LOYALTY_HOLD_MINUTES + 1)
    assert len(release_expired_holds(later).released) == 1
    assert account(persona).balance == D("500")

    # when the sale carrying the discount arrives
    sale = buy(persona, open_store, [("Flower", "Flower", "100.00")], days_ago=0, number=9)
    Sale.objects.filter(pk=sale.pk).update(discount=D("40.00"), total=D("60.00"))
    sales_written(open_store.company_id, [sale.pk], later)
    sales_written(open_store.company_id, [sale.pk], later)  # a re-sync changes nothing

    # then the points are spent once (and the $60 paid earns 60)
    assert (account(persona).balance, account(persona).on_hold) == (D("160"), D("0"))
    redemption = Redemption.objects.get()
    assert (redemption.status, redemption.sale_id) == (RedemptionStatus.REDEEMED, sale.pk)


def test_a_hold_a_budtender_released_is_not_revived_by_a_sale(open_store):
    persona, entry = checked_in_member(open_store, 500)
    forty = discount_of(open_store.company, 400, "40", name="$40 off")
    client = budtender(open_store.company)
    redeem(client, persona, entry, forty)
    counter = CounterRedemption.objects.get()
    client.post(
        reverse("admin:queue_shopper_release", args=[persona.pk, counter.pk]),
        {"check_in": entry.pk},
    )

    sale = buy(persona, open_store, [("Flower", "Flower", "100.00")], days_ago=0, number=10)
    Sale.objects.filter(pk=sale.pk).update(discount=D("40.00"), total=D("60.00"))
    sales_written(open_store.company_id, [sale.pk], timezone.now())

    assert Redemption.objects.get().status == RedemptionStatus.RELEASED
    assert account(persona).balance == D("560")
