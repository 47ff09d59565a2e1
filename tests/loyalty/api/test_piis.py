"""`GET /api/v1.1/piis/:uid` and `/:uid/:contactID`: AIQ's persona listing and contact, with
its parameters, search terms, paging totals, the blocklist and the key's company only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aiq.personas.choices import Consent, Source
from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit
from loyalty.ledger.holds import commit_hold, hold
from loyalty.ledger.reversals import reverse
from loyalty.program.models import BlockedPhone
from tests.factories import IdentityFactory, PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.personas.factories import make_sale

pytestmark = pytest.mark.django_db

RESULT_FIELDS = {
    "contactID",
    "srcID",
    "firstName",
    "lastName",
    "mobilePhone",
    "homePhone",
    "platform",
    "favoriteStoreID",
    "inserted",
    "optinTime",
    "optoutTime",
    "optreqTime",
    "hasRequested",
}


def _give(persona, points: int) -> None:
    award(persona, points, EntryKind.ADJUST, reason="Welcome gift")


def _list(client, company, key, **params):
    return client.get(f"/api/v1.1/piis/{company.uid}", params, HTTP_X_APIKEY=key.plaintext)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["contactID"] for row in response.json()["data"]["results"]]


@pytest.fixture
def trio(company_a):
    """Three shoppers whose every sortable value differs, in a known order per key."""
    now = timezone.now()
    adams = PersonaFactory(
        company=company_a,
        first_name="Zed",
        last_name="Adams",
        email="c@example.com",
        phone="+12062010003",
        loyalty_enrolled_at=now - timedelta(days=1),
    )
    baker = PersonaFactory(
        company=company_a,
        first_name="Amy",
        last_name="baker",  # lower case: the name sort ignores case
        email="a@example.com",
        phone="+12062010001",
        loyalty_enrolled_at=now - timedelta(days=3),
    )
    cole = PersonaFactory(
        company=company_a,
        first_name="Bo",
        last_name="Cole",
        email="b@example.com",
        phone="+12062010002",
        loyalty_enrolled_at=None,
    )
    IdentityFactory(persona=adams, source=Source.POSABIT, external_id="PB-1")
    IdentityFactory(persona=baker, source=Source.COVA, external_id="COVA-2")
    IdentityFactory(persona=baker, source=Source.SIGNUP_FORM, external_id="form-9")  # not first
    IdentityFactory(persona=cole, source=Source.CLOVER, external_id="CL-3")
    # points: adams 50 (used 30), baker 500 (used 0), cole 0 (used 100)
    _give(adams, 80)
    debit(adams, 30)
    _give(baker, 500)
    _give(cole, 100)
    debit(cole, 100)
    return adams, baker, cole


ASCENDING = {
    "name": ("adams", "baker", "cole"),
    "email": ("baker", "cole", "adams"),
    "mobilePhone": ("baker", "cole", "adams"),
    "homePhone": ("adams", "baker", "cole"),  # no home phones: contact id order
    "source": ("cole", "baker", "adams"),  # clover, cova, posabit
    "id": ("adams", "baker", "cole"),
    "inserted": ("adams", "baker", "cole"),
    "signup": ("baker", "adams", "cole"),  # not a member: last
    "points": ("cole", "adams", "baker"),
    "usedpoints": ("baker", "adams", "cole"),
}
DESCENDING = {
    **{key: tuple(reversed(order)) for key, order in ASCENDING.items()},
    "signup": ("adams", "baker", "cole"),  # not a member: last either way
}


@pytest.mark.parametrize("sort", sorted(ASCENDING))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_sort_key_in_each_direction(client, company_a, key_a, trio, sort, direction):
    adams, baker, cole = trio
    by_name = {"adams": adams.pk, "baker": baker.pk, "cole": cole.pk}
    expected = (ASCENDING if direction == "asc" else DESCENDING)[sort]

    response = _list(client, company_a, key_a, sort=sort, dir=direction)

    assert _ids(response) == [by_name[name] for name in expected]


def test_default_order_is_contact_id_ascending(client, company_a, key_a, trio):
    assert _ids(_list(client, company_a, key_a)) == sorted(p.pk for p in trio)


def test_dir_is_case_insensitive(client, company_a, key_a, trio):
    assert _ids(_list(client, company_a, key_a, sort="id", dir="DESC"))[0] == trio[2].pk


def test_result_shape_and_envelope(client, company_a, key_a):
    # given a shopper from Cova with a favourite store and a pending SMS double opt-in
    store = RetailStoreFactory(company=company_a)
    persona = PersonaFactory(
        company=company_a,
        first_name="Jo",
        last_name="Park",
        phone="+12065550134",
        favorite_store=store,
        sms_consent=Consent.PENDING,
    )
    IdentityFactory(persona=persona, source=Source.COVA, external_id="COVA-77")

    # when the POS lists personas
    body = _list(client, company_a, key_a).json()

    # then AIQ's envelope and exactly its documented fields
    assert body["success"] is True
    assert body["data"] == {
        "results": [
            {
                "contactID": persona.pk,
                "srcID": "COVA-77",
                "firstName": "Jo",
                "lastName": "Park",
                "mobilePhone": "+12065550134",
                "homePhone": "",
                "platform": "cova",
                "favoriteStoreID": store.pk,
                "inserted": int(persona.created_at.timestamp()),
                "optinTime": 0,
                "optoutTime": 0,
                "optreqTime": 0,
                "hasRequested": True,
            }
        ],
        "start": 0,
        "total": 1,
        "limit": 100,
        "size": 1,
    }


def test_a_persona_without_identity_or_valid_phone(client, company_a, key_a):
    # given a shopper whose phone was invalid (kept raw) and with no source identity
    persona = PersonaFactory(company=company_a, phone="", phone_raw="555-12")

    row = _list(client, company_a, key_a).json()["data"]["results"][0]

    assert set(row) == RESULT_FIELDS
    assert (row["contactID"], row["mobilePhone"], row["srcID"], row["platform"]) == (
        persona.pk,
        "555-12",
        "",
        "",
    )
    assert row["favoriteStoreID"] is None
    assert row["hasRequested"] is False


# --- search ---


@pytest.fixture
def searchable(company_a, trio):
    adams, baker, cole = trio
    no_phone = PersonaFactory(
        company=company_a, first_name="Nia", last_name="Adamson", phone="", phone_raw=""
    )
    no_email = PersonaFactory(company=company_a, first_name="Ola", last_name="Adair", email="")
    return {
        "adams": adams,
        "baker": baker,
        "cole": cole,
        "no_phone": no_phone,
        "no_email": no_email,
    }


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("has:phone", {"adams", "baker", "cole", "no_email"}),
        ("has:email", {"adams", "baker", "cole", "no_phone"}),
        ("is:member", {"adams", "baker"}),
        ("not:member", {"cole", "no_phone", "no_email"}),
        ("has:points", {"adams", "baker"}),
        ("(206) 201-0002", {"cole"}),  # a phone in any format
        ("+12062010002", {"cole"}),
        ("0003", {"adams"}),  # last four digits
        ("b@example.com", {"cole"}),
        ("email:A@Example.com", {"baker"}),  # the email: form, any case
        ("Adams", {"adams", "no_phone"}),  # a name (prefix, any case): Adamson too
        ("ada", {"adams", "no_phone", "no_email"}),
        ("Zed Adams", {"adams"}),
        ("CL-3", {"cole"}),  # a source id
        ("form-9", {"baker"}),  # any of the persona's source ids
        ("ada has:phone", {"adams", "no_email"}),  # text and terms combine
        ("ada is:member has:points", {"adams"}),
        ("not:member has:email ada", {"no_phone"}),
        ("HAS:PHONE email:c@example.com", {"adams"}),
        ("nobody", set()),
    ],
)
def test_search(client, company_a, key_a, searchable, search, expected):
    response = _list(client, company_a, key_a, search=search)

    assert set(_ids(response)) == {searchable[name].pk for name in expected}
    assert response.json()["data"]["total"] == len(expected)


def test_search_by_contact_id(client, company_a, key_a, searchable):
    # given a contact id that is not the last digits of anyone's phone
    target = searchable["no_email"]

    response = _list(client, company_a, key_a, search=str(target.pk))

    assert target.pk in _ids(response)


def test_phone_search_with_limit_one_as_aiq_clients_send_it(client, company_a, key_a, trio):
    # AIQ's client code sends ?search={phone}&limit=1: the limit is clamped, not refused
    response = _list(client, company_a, key_a, search="2062010001", limit="1")

    assert _ids(response) == [trio[1].pk]
    assert response.json()["data"]["limit"] == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "birthday"}, "sort"),
        ({"dir": "up"}, "dir"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"start": "-1"}, "start"),
        ({"start": "1.5"}, "start"),
        ({"start": "99999999999999999999"}, "start"),
        ({"start": "9" * 5000}, "start"),
        ({"search": "has:tattoo"}, "search"),
        ({"search": "is:vip"}, "search"),
        ({"search": "email:"}, "search"),
        ({"search": "Jo\x00"}, "search"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, company_a, key_a, params, field):
    response = _list(client, company_a, key_a, **params)

    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "invalid_field"
    assert body["message"].startswith(f"{field}:")


def test_has_points_with_the_points_sort(client, company_a, key_a, trio):
    # has:points joins the accounts; the points sort joins them too: one join, no repeats
    adams, baker, _cole = trio

    response = _list(client, company_a, key_a, search="has:points", sort="points", dir="desc")

    assert _ids(response) == [baker.pk, adams.pk]


# --- paging and limits ---


def _many(company, count: int) -> list[Persona]:
    return Persona.objects.bulk_create(
        Persona(
            company=company,
            first_name=f"Shopper{index}",
            phone=f"+1206300{index:04d}",
            phone_raw=f"+1206300{index:04d}",
        )
        for index in range(count)
    )


def test_paging_with_start_and_totals(client, company_a, key_a):
    # given 105 personas
    _many(company_a, 105)
    all_ids = sorted(Persona.objects.filter(company=company_a).values_list("pk", flat=True))

    # when the POS reads page one, then page two
    first = _list(client, company_a, key_a).json()["data"]
    second = _list(client, company_a, key_a, start="100").json()["data"]
    past_the_end = _list(client, company_a, key_a, start="200").json()["data"]

    # then 100 and 5 rows, in id order, and the exact total each time
    assert [r["contactID"] for r in first["results"]] == all_ids[:100]
    assert (first["start"], first["total"], first["limit"], first["size"]) == (0, 105, 100, 100)
    assert [r["contactID"] for r in second["results"]] == all_ids[100:]
    assert (second["start"], second["total"], second["size"]) == (100, 105, 5)
    assert (past_the_end["results"], past_the_end["total"], past_the_end["size"]) == ([], 105, 0)


def test_total_beyond_the_exact_bound_is_never_below_what_remains(
    client, company_a, key_a, monkeypatch
):
    # given the exact count stops right after the page
    monkeypatch.setattr(assumptions, "PIIS_EXACT_TOTAL_BEYOND_PAGE", 0)
    _many(company_a, 130)

    data = _list(client, company_a, key_a).json()["data"]

    # then the total (an estimate on PostgreSQL, exact elsewhere) still says more rows
    # follow, so a client paging while start < total goes on
    assert data["size"] == 100
    assert data["total"] >= 101
    if connection.vendor != "postgresql":
        assert data["total"] == 130


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ("1", 100),
        ("99", 100),
        ("100", 100),
        ("150", 150),
        ("2000", 2000),
        ("5000", 2000),
        ("9" * 5000, 2000),
    ],
)
def test_limit_is_clamped_to_100_through_2000(client, company_a, key_a, asked, answered):
    _many(company_a, 160)

    data = _list(client, company_a, key_a, limit=asked).json()["data"]

    assert data["limit"] == answered
    assert data["size"] == min(answered, 160)


@pytest.mark.parametrize("sort", ["id", "name", "points", "source", "usedpoints"])
@pytest.mark.parametrize("search", ["", "sho has:phone"])
def test_queries_per_page_do_not_grow_with_the_page(
    client, company_a, key_a, django_assert_max_num_queries, sort, search
):
    def page(expected_size: int) -> None:
        response = _list(client, company_a, key_a, limit="2000", sort=sort, search=search)
        assert response.json()["data"]["size"] == expected_size

    # given a page of 3 personas, each with an identity and points
    for persona in _many(company_a, 3):
        IdentityFactory(persona=persona)
        _give(persona, 10)
    with CaptureQueriesContext(connection) as small:
        page(3)

    # when the page has 150
    for index, persona in enumerate(_many(company_a, 147)):
        IdentityFactory(persona=persona)
        if index % 10 == 0:
            _give(persona, 10)

    # then it takes no more queries
    with django_assert_max_num_queries(len(small)):
        page(150)


# --- blocklist and tenancy ---


def test_blocklisted_personas_are_left_out(client, company_a, key_a, trio):
    # given Cole's phone is on the points blocklist (staff)
    adams, baker, cole = trio
    program = LoyaltyProgramFactory(company=company_a)
    BlockedPhone.objects.create(company=company_a, program=program, phone=cole.phone)

    listing = _list(client, company_a, key_a, sort="source").json()["data"]
    detail = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{cole.pk}", HTTP_X_APIKEY=key_a.plaintext
    ).json()

    assert [r["contactID"] for r in listing["results"]] == [baker.pk, adams.pk]
    assert listing["total"] == 2
    assert detail == assumptions.not_found_body()
    assert _ids(_list(client, company_a, key_a, search="+12062010002")) == []


def test_another_companys_personas_are_never_seen(client, company_a, company_b, key_a, key_b):
    mine = PersonaFactory(company=company_a, phone="+12065550134")
    theirs = PersonaFactory(company=company_b, phone="+12065550134")

    listing = _list(client, company_a, key_a, search="2065550134")
    detail = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{theirs.pk}", HTTP_X_APIKEY=key_a.plaintext
    )
    their_uid = client.get(f"/api/v1.1/piis/{company_b.uid}", HTTP_X_APIKEY=key_a.plaintext)

    assert _ids(listing) == [mine.pk]
    assert (detail.status_code, detail.json()) == (200, assumptions.not_found_body())
    assert their_uid.status_code == 403
    assert their_uid.json()["message"] == "Please provide a valid API key"


# --- the single contact ---


def test_single_contact_adds_points_spend_and_refer_code(client, company_a, key_a):
    # given a member with 450 points, two sales and a refund
    LoyaltyProgramFactory(company=company_a)
    persona = PersonaFactory(company=company_a, first_name="Jo")
    IdentityFactory(persona=persona, source=Source.CLOVER, external_id="CL-9")
    _give(persona, 450)
    make_sale(persona, "S1", total=Decimal("100.00"))
    make_sale(persona, "S2", total=Decimal("20.50"))
    make_sale(persona, "R1", total=Decimal("10.00"), is_refund=True)  # refunds subtract

    response = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{persona.pk}", HTTP_X_APIKEY=key_a.plaintext
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == RESULT_FIELDS | {"loyaltyPoints", "orderAmountSpent", "referCode"}
    assert data["contactID"] == persona.pk
    assert (data["srcID"], data["platform"], data["firstName"]) == ("CL-9", "clover", "Jo")
    assert data["loyaltyPoints"] == 450
    assert data["orderAmountSpent"] == 110.5
    assert data["referCode"] == ""


def test_single_contact_without_account_or_sales(client, company_a, key_a):
    persona = PersonaFactory(company=company_a)

    data = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{persona.pk}", HTTP_X_APIKEY=key_a.plaintext
    ).json()["data"]

    assert (data["loyaltyPoints"], data["orderAmountSpent"]) == (0, 0)


def test_single_contact_hides_points_when_the_program_says_so(client, company_a, key_a):
    LoyaltyProgramFactory(company=company_a, hide_points_in_wallet=True)
    persona = PersonaFactory(company=company_a)
    _give(persona, 450)

    data = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{persona.pk}", HTTP_X_APIKEY=key_a.plaintext
    ).json()["data"]

    assert data["loyaltyPoints"] == 0


@pytest.mark.parametrize("contact_id", ["999999", "abc", "99999999999999999999"])
def test_unknown_contact_is_aiqs_not_found(client, company_a, key_a, contact_id):
    response = client.get(
        f"/api/v1.1/piis/{company_a.uid}/{contact_id}", HTTP_X_APIKEY=key_a.plaintext
    )

    assert response.status_code == assumptions.NOT_FOUND_STATUS
    assert response.json() == assumptions.not_found_body()


# --- used points ---


def test_used_points_count_committed_holds_and_net_out_reversals(client, company_a, key_a):
    # given one shopper who redeemed 40 (then had it reversed) and committed a 50 hold,
    # and one who redeemed 60 outright
    reversed_then_held = PersonaFactory(company=company_a)
    _give(reversed_then_held, 200)
    reverse(debit(reversed_then_held, 40), reason="Removed before checkout")
    commit_hold(hold(reversed_then_held, 50))
    _give(reversed_then_held, 5)  # awards are not "used"
    outright = PersonaFactory(company=company_a)
    _give(outright, 100)
    debit(outright, 60)
    open_hold = PersonaFactory(company=company_a)
    _give(open_hold, 100)
    hold(open_hold, 70)  # not committed: not used yet

    ids = _ids(_list(client, company_a, key_a, sort="usedpoints", dir="desc"))

    # then 60 > 50 > 0 (the open hold)
    assert ids == [outright.pk, reversed_then_held.pk, open_hold.pk]
