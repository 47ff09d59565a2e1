"""Markets: where an account's stores and shoppers are, the `market=` option that picks
them, and the regular shoppers that accounts of one market share."""

from __future__ import annotations

from collections import Counter

import pytest

from aiq.ops.demo import STORES
from integrations.sandbox import words
from integrations.sandbox.clover.payloads import merchant_payload
from integrations.sandbox.cova.payloads import location
from integrations.sandbox.options import SandboxAccount, account_for
from integrations.sandbox.people import person, regular_slot
from integrations.sandbox.posabit.payloads import venue_info
from integrations.sandbox.sales import sale
from tests.sandbox.conftest import demo_account

DEMO_PLACES = {(city, state) for _name, _address, city, state, _zip, _tz in STORES}
DEMO_STATES = {state for _city, state in DEMO_PLACES}


def test_the_market_option_picks_the_markets_and_keeps_the_data_identity():
    # given the same Cova credential with and without a market option
    plain = account_for("cova", ("C", "u"), ("C", "s", "u", "p"))
    oregon = account_for("cova", ("C", "u"), ("C", "s", "u", "p,market=or"))
    unknown = account_for("cova", ("C", "u"), ("C", "s", "u", "p,market=ZZ"))

    # then the option names the home market, its neighbour comes with it, and the
    # shoppers are the same people (seed and records) wherever they live
    assert (oregon.market, oregon.markets) == ("OR", ("OR", "WA"))
    assert (oregon.key, oregon.seed) == (plain.key, plain.seed)
    assert SandboxAccount.from_claims(oregon.to_claims()) == oregon
    # and a market the sandbox does not know changes nothing
    assert (unknown.market, unknown.markets) == (None, plain.markets)
    assert plain.market is None


def test_the_demo_credentials_put_every_shopper_in_the_demo_markets():
    for provider in ("cova", "posabit", "clover"):
        account = demo_account(provider)
        people = [person(account, index) for index in range(account.customers)]

        states = Counter(p.state for p in people)
        assert set(states) == DEMO_STATES, provider
        areas = {p.phone_digits[:3] for p in people if p.phone_digits}
        allowed = {code for state in DEMO_STATES for code in words.MARKETS[state][3]}
        assert areas <= allowed, provider
        assert all(p.drivers_license.startswith(p.state) for p in people)


def test_the_demo_credentials_stores_are_the_demo_stores_cities():
    cova, posabit, clover = (demo_account(p) for p in ("cova", "posabit", "clover"))

    cova_places = set()
    for number in range(cova.locations):
        address = location(cova, number)["Address"]
        cova_places.add((address["City"], address["StateCode"]))
        assert location(cova, number)["Name"].endswith(address["City"])
    venue = venue_info(posabit)
    merchant = merchant_payload(clover, "", "SANDBOXMERCH1", {"address"})["address"]

    assert cova_places == DEMO_PLACES
    assert (venue["city"], venue["state"]) == ("Seattle", "WA")
    assert (merchant["city"], merchant["state"]) == ("Portland", "OR")


def test_accounts_of_one_market_share_regulars_and_one_pos_has_each_on_file_twice():
    cova, posabit, clover = (demo_account(p) for p in ("cova", "posabit", "clover"))

    # regular 0 is on file twice at Cova (phone only, then email only), once elsewhere
    assert [regular_slot(cova, i) for i in (20, 21)] == [(0, "phone"), (0, "email")]
    assert [regular_slot(clover, i) for i in (20, 21)] == [(0, "both"), None]
    at_cova = person(cova, 20), person(cova, 21)
    at_clover = person(clover, 20)
    assert at_cova[0].phone_digits == at_clover.phone_digits and at_cova[0].email is None
    assert at_cova[1].email == at_clover.email and at_cova[1].phone is None
    assert {p.full_name for p in (*at_cova, at_clover)} == {at_clover.full_name}
    assert len({p.birth_date for p in (*at_cova, at_clover)}) == 1
    # the next regulars are on file twice at POSaBIT, then at Clover
    assert [regular_slot(posabit, i) for i in (60, 61, 100)] == [
        (1, "phone"),
        (1, "email"),
        (2, "both"),
    ]
    assert [regular_slot(clover, i) for i in (100, 101)] == [(2, "phone"), (2, "email")]
    assert person(posabit, 100).email == person(clover, 101).email


def test_without_a_market_option_no_shopper_is_shared():
    account = account_for("clover", ("M", "t,customers=200"), ("M", "t,customers=200"))
    other = account_for("clover", ("N", "t,customers=200"), ("N", "t,customers=200"))

    assert all(regular_slot(account, index) is None for index in range(200))
    emails = {person(account, i).email for i in range(200)} - {None}
    assert not emails & {person(other, i).email for i in range(200)}


def test_a_locations_sales_are_mostly_by_shoppers_whose_home_store_it_is():
    account = demo_account("cova")
    sales = [sale(account, index) for index in range(account.sales)]

    for number in range(account.locations):
        shoppers = [s.customer for s in sales if s.location == number and s.customer is not None]
        local = sum(customer % account.locations == number for customer in shoppers)
        assert local / len(shoppers) > 0.75, number


@pytest.mark.parametrize("provider", ["cova", "posabit", "clover"])
def test_a_million_shopper_market_account_is_still_by_index(provider):
    values = ("A", "t,customers=1000000,market=WA")
    account = account_for(provider, values, values)

    shopper = person(account, 999_980)  # 999_980 % 40 == 20: a regular

    assert regular_slot(account, 999_980) == (24_999, "both" if provider != "cova" else "phone")
    assert shopper.state in {"WA", "OR"}
