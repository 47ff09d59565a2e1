"""createUpdateSale(s): a POS posts its sales; they land through the sync's sales writer,
earn in the same transaction, and a re-post with the same pos_id never earns twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aiq.personas.models import Persona, PersonaIdentity, Sale, SaleLine
from loyalty.api import assumptions
from loyalty.api.keys import create_api_key
from loyalty.ledger.models import LedgerEntry
from stores.models import StoreMapping
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import LoyaltyProgramFactory

pytestmark = pytest.mark.django_db

D = Decimal
ENROLLED = datetime(2026, 1, 1, tzinfo=UTC)
PHONE = "+12065550134"


@pytest.fixture
def program(company_a):
    return LoyaltyProgramFactory(company=company_a, points_per_dollar=D("1"))


@pytest.fixture
def member(company_a, program):
    return PersonaFactory(
        company=company_a, phone=PHONE, email="jo@example.com", loyalty_enrolled_at=ENROLLED
    )


def visit(pos_id="S-1", total=40.0, lines=None, **values):
    body = {
        "pos_id": pos_id,
        "pos_type": "Store4",
        "transaction_date": "2026-05-04 19:03:53 +0000",
        "transaction_total": total,
        "location": "Store4",
        "visit_details_attributes": (
            lines
            if lines is not None
            else [
                {
                    "sku": "PR-1",
                    "price": 20.0,
                    "quantity": 2,
                    "category": "Flower",
                    "brand": "Acme",
                    "name": "Blue Dream 3.5g",
                    "discount": 0,
                }
            ]
        ),
    }
    body.update(values)
    return body


def post(client, key, uid, body, bulk=False):
    path = f"/api/v1.1/createUpdateSale{'s' if bulk else ''}/{uid}"
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(path, text, content_type="application/json", HTTP_X_APIKEY=key.plaintext)


def wallet_points(client, key, phone=PHONE):
    response = client.get(f"/api/v2/wallet/{phone}", HTTP_X_APIKEY=key.plaintext)
    return response.json()["data"]["loyaltyPoints"]


def with_member(**values):
    return visit(member={"firstName": "Jo", "mobilePhone": "(206) 555-0134"}, **values)


# --- one sale ---


def test_a_posted_sale_lands_with_its_lines_and_its_points_are_in_the_wallet(
    client, company_a, key_a, member
):
    # when the POS posts a member's $40 sale
    response = post(client, key_a, company_a.uid, {"visit": with_member()})

    # then the sale is written as the sync writes sales, linked to the member
    assert response.status_code == 200
    data = response.json()["data"]
    sale = Sale.objects.get(company=company_a)
    assert (sale.source, sale.external_id, sale.persona_id) == ("api", "S-1", member.pk)
    assert (sale.total, sale.subtotal, sale.tax) == (D("40.00"), D("40.00"), D("0"))
    assert sale.is_refund is False
    assert sale.occurred_at == datetime(2026, 5, 4, 19, 3, 53, tzinfo=UTC)
    assert sale.content_hash
    line = SaleLine.objects.get(sale=sale)
    assert (line.sku, line.name, line.category, line.brand) == (
        "PR-1",
        "Blue Dream 3.5g",
        "Flower",
        "Acme",
    )
    assert (line.quantity, line.unit_price, line.total) == (D("2"), D("20.00"), D("40.00"))
    assert data == {
        "index": 0,
        "pos_id": "S-1",
        "status": "created",
        "saleID": sale.pk,
        "contactID": member.pk,
        "storeID": None,
        "refund": False,
        "total": "40.00",
        "pointsEarned": 40,
        "loyaltyPoints": 40,
    }
    # and the wallet shows the points as soon as the call has returned
    assert wallet_points(client, key_a) == 40


def test_reposting_the_same_pos_id_changes_nothing_and_never_earns_twice(
    client, company_a, key_a, member
):
    # given a posted sale
    post(client, key_a, company_a.uid, {"visit": with_member()})

    # when the POS posts it again, as it is
    response = post(client, key_a, company_a.uid, {"visit": with_member()})

    # then one sale, one earn entry, the same balance
    assert response.json()["data"]["status"] == "unchanged"
    assert Sale.objects.filter(company=company_a).count() == 1
    assert LedgerEntry.objects.filter(sale__company=company_a).count() == 1
    assert wallet_points(client, key_a) == 40


def test_a_changed_total_earns_or_gives_back_exactly_the_difference(
    client, company_a, key_a, member
):
    # given a posted $40 sale
    post(client, key_a, company_a.uid, {"visit": with_member()})
    line = {"sku": "PR-1", "price": 55.0, "quantity": 1, "name": "Blue Dream"}

    # when it is re-posted at $55, with another line
    response = post(client, key_a, company_a.uid, {"visit": with_member(total=55, lines=[line])})

    # then the sale is updated, its lines replaced, and 15 more points earned
    data = response.json()["data"]
    assert (data["status"], data["pointsEarned"], data["loyaltyPoints"]) == ("updated", 55, 55)
    sale = Sale.objects.get(company=company_a)
    assert sale.total == D("55.00")
    assert list(sale.lines.values_list("name", "total")) == [("Blue Dream", D("55.00"))]
    assert sorted(LedgerEntry.objects.filter(sale=sale).values_list("points", flat=True)) == [
        D("15.00"),
        D("40.00"),
    ]

    # when it is re-posted at $30: 25 points go back
    line["price"] = 30.0
    post(client, key_a, company_a.uid, {"visit": with_member(total=30, lines=[line])})
    assert wallet_points(client, key_a) == 30
    # (the give-back reverses the newest awards first: -15, then -10)
    assert sum(LedgerEntry.objects.filter(sale=sale).values_list("points", flat=True)) == 30


def test_negative_quantities_are_a_refund_that_earns_nothing(client, company_a, key_a, member):
    # given the member's posted sale
    post(client, key_a, company_a.uid, {"visit": with_member()})
    returned = [{"sku": "PR-1", "price": 20.0, "quantity": -2, "name": "Blue Dream"}]

    # when the POS posts the return with a positive total, as some POS do
    response = post(
        client, key_a, company_a.uid, {"visit": with_member(pos_id="R-1", lines=returned)}
    )

    # then a refund with a negative total, earning nothing and taking nothing
    data = response.json()["data"]
    assert (data["status"], data["refund"], data["total"]) == ("created", True, "-40.00")
    refund = Sale.objects.get(external_id="R-1")
    assert (refund.is_refund, refund.total, refund.persona_id) == (True, D("-40.00"), member.pk)
    assert refund.lines.get().quantity == D("-2")
    assert not LedgerEntry.objects.filter(sale=refund).exists()
    assert wallet_points(client, key_a) == 40


def test_money_is_exact_decimal_never_float(client, company_a, key_a, member):
    # given amounts that floats cannot hold exactly
    lines = [{"sku": "A", "price": 0.1, "quantity": 3, "discount": 0.05}]

    # when posted
    response = post(client, key_a, company_a.uid, {"visit": visit(total=0.25, lines=lines)})

    # then stored to the cent
    assert response.status_code == 200
    line = SaleLine.objects.get()
    assert (line.unit_price, line.discount, line.total) == (D("0.10"), D("0.05"), D("0.25"))
    assert Sale.objects.get().total == D("0.25")


def test_a_long_product_name_is_cut_as_the_sync_cuts_it_and_the_sale_lands(
    client, company_a, key_a
):
    lines = [{"sku": "A", "price": 40, "quantity": 1, "name": "N" * 300}]

    response = post(client, key_a, company_a.uid, {"visit": visit(lines=lines)})

    assert response.status_code == 200
    assert SaleLine.objects.get().name == "N" * 255


def test_where_the_program_hides_points_the_answer_shows_none_but_they_are_earned(
    client, company_a, key_a, member, program
):
    # given a program whose points are hidden in the wallet (compliance)
    program.hide_points_in_wallet = True
    program.save()

    # when the member's sale is posted
    data = post(client, key_a, company_a.uid, {"visit": with_member()}).json()["data"]

    # then the answer shows 0, as the wallet does, and the ledger has the 40 points
    assert (data["pointsEarned"], data["loyaltyPoints"]) == (0, 0)
    assert LedgerEntry.objects.get(sale_id=data["saleID"]).points == D("40.00")


def test_iso_8601_dates_are_accepted(client, company_a, key_a):
    response = post(
        client, key_a, company_a.uid, {"visit": visit(transaction_date="2026-05-04T12:03:53-07:00")}
    )

    assert response.status_code == 200
    assert Sale.objects.get().occurred_at == datetime(2026, 5, 4, 19, 3, 53, tzinfo=UTC)


# --- the shopper ---


def test_a_member_object_finds_the_persona_by_phone_or_creates_one(
    client, company_a, key_a, member
):
    # when a sale names a known phone in another format, and one names a new shopper
    known = post(client, key_a, company_a.uid, {"visit": with_member()})
    new_member = {"firstName": "Sam", "lastName": "Lee", "email": "Sam@Example.com"}
    new = post(client, key_a, company_a.uid, {"visit": visit(pos_id="S-2", member=new_member)})

    # then the first links to the member, the second to a new persona with that email
    assert known.json()["data"]["contactID"] == member.pk
    created = Persona.objects.get(company=company_a, email="sam@example.com")
    assert (created.first_name, created.last_name) == ("Sam", "Lee")
    assert new.json()["data"]["contactID"] == created.pk
    assert Sale.objects.get(external_id="S-2").persona_id == created.pk
    assert PersonaIdentity.objects.filter(persona=created, source="api").count() == 1
    # a shopper who never joined loyalty earns nothing
    assert new.json()["data"]["pointsEarned"] == 0
    assert Persona.objects.filter(company=company_a).count() == 2


def test_pos_user_links_the_shopper_by_their_id_in_the_synced_pos(client, company_a, key_a, member):
    # given the member is customer C-77 in the synced Cova
    IdentityFactory(persona=member, source="cova", external_id="C-77")

    # when a sale names only pos_user C-77
    response = post(client, key_a, company_a.uid, {"visit": visit(pos_user="C-77")})

    # then it is the member's sale, and it earned
    data = response.json()["data"]
    assert (data["contactID"], data["pointsEarned"]) == (member.pk, 40)
    assert Sale.objects.get().customer_external_id == "C-77"


def test_an_unknown_pos_user_stays_anonymous_until_a_member_object_names_them(
    client, company_a, key_a, member
):
    # given a sale of pos_user U-9, whom nobody knows yet
    first = post(client, key_a, company_a.uid, {"visit": visit(pos_user="U-9")})
    assert first.json()["data"]["contactID"] is None

    # when a later sale of U-9 comes with the member object
    post(client, key_a, company_a.uid, {"visit": with_member(pos_id="S-2", pos_user="U-9")})

    # then both sales are the member's, and both earned
    assert set(Sale.objects.values_list("persona_id", flat=True)) == {member.pk}
    assert wallet_points(client, key_a) == 80


# --- stores ---


def test_location_maps_to_a_store_by_name_or_store_mapping_and_unknown_is_no_store(
    client, company_a, key_a
):
    # given a store named like the POS location, and another mapped under the API
    named = RetailStoreFactory(company=company_a, name="store4")
    mapped = RetailStoreFactory(company=company_a, name="Downtown")
    StoreMapping.objects.create(company=company_a, provider="api", key="DT-1", store=mapped)

    # when sales come from each, and from a location nobody knows
    by_name = post(client, key_a, company_a.uid, {"visit": visit()})
    by_mapping = post(client, key_a, company_a.uid, {"visit": visit("S-2", location="DT-1")})
    unknown = post(
        client, key_a, company_a.uid, {"visit": visit("S-3", location="Nowhere", pos_type="")}
    )

    # then each lands, with its store or none (the POS location kept)
    assert by_name.json()["data"]["storeID"] == named.pk
    assert by_mapping.json()["data"]["storeID"] == mapped.pk
    assert unknown.json()["data"]["storeID"] is None
    assert Sale.objects.get(external_id="S-3").pos_key == "Nowhere"


def test_a_store_scoped_key_posts_its_stores_sales(client, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    key = create_api_key(company_a, "Capitol Hill terminal", store=store)

    response = post(client, key, company_a.uid, {"visit": visit(location="Store4")})

    assert response.json()["data"]["storeID"] == store.pk
    assert Sale.objects.get().store_id == store.pk


# --- bulk ---


def test_bulk_lands_the_good_visits_and_refuses_the_bad_one_with_its_reason(
    client, company_a, key_a, member
):
    # given three visits, the second with a date nobody can read
    visits = [
        with_member(pos_id="B-1"),
        visit("B-2", transaction_date="yesterday"),
        {"visit": with_member(pos_id="B-3", total=10)},
    ]

    # when they are posted in one call
    response = post(client, key_a, company_a.uid, {"visits": visits}, bulk=True)

    # then the good ones land and earn, the bad one is refused naming its field
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["created"], data["updated"], data["unchanged"], data["refused"]) == (2, 0, 0, 1)
    assert [r["status"] for r in data["results"]] == ["created", "refused", "created"]
    refused = data["results"][1]
    assert (refused["index"], refused["pos_id"], refused["field"]) == (1, "B-2", "transaction_date")
    assert sorted(Sale.objects.values_list("external_id", flat=True)) == ["B-1", "B-3"]
    assert wallet_points(client, key_a) == 50


def test_bulk_takes_a_bare_list_and_refuses_a_repeated_pos_id(client, company_a, key_a):
    response = post(client, key_a, company_a.uid, [visit("B-1"), visit("B-1", total=9)], bulk=True)

    results = response.json()["data"]["results"]
    assert [r["status"] for r in results] == ["created", "refused"]
    assert results[1]["field"] == "pos_id"
    assert Sale.objects.get().total == D("40.00")


def test_bulk_over_the_cap_is_refused_whole(client, company_a, key_a):
    visits = [visit(f"B-{n}") for n in range(assumptions.MAX_VISITS_PER_CALL + 1)]

    response = post(client, key_a, company_a.uid, {"visits": visits}, bulk=True)

    assert response.status_code == 413
    assert response.json()["code"] == "too_many_visits"
    assert not Sale.objects.exists()


def test_a_bulk_repost_reports_unchanged_and_updated(client, company_a, key_a, member):
    post(client, key_a, company_a.uid, [with_member(pos_id="B-1"), visit("B-2")], bulk=True)

    response = post(
        client, key_a, company_a.uid, [with_member(pos_id="B-1"), visit("B-2", total=5)], bulk=True
    )

    data = response.json()["data"]
    assert [r["status"] for r in data["results"]] == ["unchanged", "updated"]
    assert wallet_points(client, key_a) == 40


# --- tenancy and bad input ---


def test_another_companys_key_cannot_post_and_pos_ids_are_per_company(
    client, company_a, company_b, key_a, key_b, member
):
    # when company B's key posts to company A's UID
    response = post(client, key_b, company_a.uid, {"visit": with_member()})

    # then the same 403 as a wrong key, and nothing lands
    assert response.status_code == 403
    assert not Sale.objects.exists()

    # and the same pos_id in each company is two sales, B's shopper is not A's member
    post(client, key_a, company_a.uid, {"visit": with_member()})
    other = post(client, key_b, company_b.uid, {"visit": with_member()})
    assert Sale.objects.filter(external_id="S-1").count() == 2
    assert other.json()["data"]["contactID"] != member.pk
    assert Persona.objects.get(pk=other.json()["data"]["contactID"]).company == company_b
    assert wallet_points(client, key_a) == 40


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "visit"),
        ({"visit": "S-1"}, "visit"),
        ({"visit": visit(pos_id="")}, "visit.pos_id"),
        ({"visit": visit(pos_id=True)}, "visit.pos_id"),
        ({"visit": visit(transaction_date="04/20/2014")}, "visit.transaction_date"),
        ({"visit": visit(transaction_date=None)}, "visit.transaction_date"),
        ({"visit": visit(total="forty")}, "visit.transaction_total"),
        ({"visit": visit(total=True)}, "visit.transaction_total"),
        ({"visit": visit(total=1e12)}, "visit.transaction_total"),
        ({"visit": visit(visit_details_attributes={})}, "visit.visit_details_attributes"),
        ({"visit": visit(lines=[{"price": 1}])}, "visit.visit_details_attributes[0].quantity"),
        (
            {"visit": visit(lines=[{"price": "x", "quantity": 1}])},
            "visit.visit_details_attributes[0].price",
        ),
        ({"visit": visit(member="Jo")}, "visit.member"),
        ({"visit": visit(location="Store\x00")}, "visit.location"),
        ({"visit": visit(pos_id="x" * 129)}, "visit.pos_id"),
        (
            {"visit": visit(lines=[{"price": 1, "quantity": 1, "name": "a\x00"}])},
            "visit.visit_details_attributes[0].name",
        ),
        ("{not json", "body"),
        ('{"visit": {"transaction_total": NaN}}', "body"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_lands_nothing(
    client, company_a, key_a, body, field
):
    response = post(client, key_a, company_a.uid, body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"
    assert response.json()["message"].startswith(f"{field}: ")
    assert not Sale.objects.exists()
