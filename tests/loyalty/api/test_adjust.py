"""PUT /api/v1.1/adjust/loyaltyPoints/:uid/:contactId and GET /api/v1.1/adjustments: an
adjust entry attributed to the key, Decimal throughout, idempotent by Idempotency-Key,
never below zero, scoped to the key's company."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {"success": True, "code": 200, "data": {"results": None}}


def _adjust(client, key, company, contact_id, body, **headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.put(
        f"/api/v1.1/adjust/loyaltyPoints/{company.uid}/{contact_id}",
        raw,
        content_type="application/json",
        HTTP_X_APIKEY=key,
        **headers,
    )


def _balance(persona) -> Decimal:
    return LoyaltyAccount.objects.get(persona=persona).balance


@pytest.fixture
def shopper(company_a):
    persona = PersonaFactory(company=company_a)
    award(persona, 100, EntryKind.ADJUST, reason="Opening balance")
    return persona


def test_a_positive_value_adds_points_attributed_to_the_key(client, company_a, shopper, key_a):
    response = _adjust(
        client, key_a.plaintext, company_a, shopper.pk, {"value": 25, "note": "Sorry"}
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["contactID"] == shopper.pk
    assert (data["value"], data["note"], data["apiKey"], data["loyaltyPoints"]) == (
        25,
        "Sorry",
        "Cova terminal",
        125,
    )
    entry = LedgerEntry.objects.get(pk=data["id"])
    assert (entry.kind, entry.points, entry.api_key_label, entry.reason) == (
        EntryKind.ADJUST,
        Decimal("25.00"),
        "Cova terminal",
        "Sorry",
    )
    assert entry.staff_user_id is None
    assert _balance(shopper) == Decimal("125.00")


def test_a_negative_value_removes_points(client, company_a, shopper, key_a):
    response = _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": -40, "note": "x"})

    assert response.json()["data"]["loyaltyPoints"] == 60
    assert _balance(shopper) == Decimal("60.00")


def test_decimal_values_add_up_exactly(client, company_a, shopper, key_a):
    # 0.1 + 0.2 as floats is 0.30000000000000004; three adjustments must leave exactly 100.6
    for value in ("0.1", "0.2", "0.3"):
        _adjust(client, key_a.plaintext, company_a, shopper.pk, f'{{"value": {value}}}')

    assert _balance(shopper) == Decimal("100.60")
    points = LedgerEntry.objects.filter(reason="Adjusted through the API").values_list(
        "points", flat=True
    )
    assert sorted(points) == [Decimal("0.10"), Decimal("0.20"), Decimal("0.30")]


def test_a_numeric_string_is_taken(client, company_a, shopper, key_a):
    response = _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": "-12.50"})

    assert response.status_code == 200
    assert _balance(shopper) == Decimal("87.50")


def test_removing_more_than_the_balance_is_refused_and_changes_nothing(
    client, company_a, shopper, key_a
):
    before = LedgerEntry.objects.count()

    response = _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": -100.01})

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "message": "Not enough points: the balance is 100.00, 100.01 were asked to be removed. "
        "Nothing was changed.",
        "code": "insufficient_points",
    }
    assert _balance(shopper) == Decimal("100.00")
    assert LedgerEntry.objects.count() == before


def test_a_removal_from_a_shopper_without_points_is_refused(client, company_a, key_a):
    persona = PersonaFactory(company=company_a)

    response = _adjust(client, key_a.plaintext, company_a, persona.pk, {"value": -1})

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_points"
    assert not LedgerEntry.objects.filter(account__persona=persona).exists()


def test_the_same_idempotency_key_adjusts_once_and_answers_the_same(
    client, company_a, shopper, key_a
):
    body = {"value": -30, "note": "Returned item"}

    first = _adjust(client, key_a.plaintext, company_a, shopper.pk, body, HTTP_IDEMPOTENCY_KEY="k1")
    retry = _adjust(client, key_a.plaintext, company_a, shopper.pk, body, HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert _balance(shopper) == Decimal("70.00")
    assert LedgerEntry.objects.filter(reason="Returned item").count() == 1


def test_without_an_idempotency_key_each_call_adjusts(client, company_a, shopper, key_a):
    for _ in range(2):
        _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": -30})

    assert _balance(shopper) == Decimal("40.00")


def test_an_idempotency_key_reused_for_another_value_is_refused(client, company_a, shopper, key_a):
    _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": 5}, HTTP_IDEMPOTENCY_KEY="k")

    response = _adjust(
        client, key_a.plaintext, company_a, shopper.pk, {"value": 6}, HTTP_IDEMPOTENCY_KEY="k"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert _balance(shopper) == Decimal("105.00")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("{}", "value"),
        ('{"value": null}', "value"),
        ('{"value": "ten"}', "value"),
        ('{"value": true}', "value"),
        ('{"value": [5]}', "value"),
        ('{"value": 0}', "value"),
        ('{"value": 1.005}', "value"),
        ('{"value": NaN}', "value"),
        ('{"value": 1e12}', "value"),
        ('{"value": 5, "note": 7.5}', "note"),
        ('{"value": 5, "note": "' + "x" * 301 + '"}', "note"),
        ("not json", "body"),
    ],
)
def test_bad_fields_are_a_400_naming_the_field(client, company_a, shopper, key_a, raw, field):
    response = _adjust(client, key_a.plaintext, company_a, shopper.pk, raw)

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}: ")
    assert _balance(shopper) == Decimal("100.00")


@pytest.mark.parametrize("contact_id", ["abc", "%C2%B9%C2%B2"])  # "¹²": digits to isdigit()
def test_a_contact_id_that_is_not_a_number_is_a_400(client, company_a, key_a, contact_id):
    response = _adjust(client, key_a.plaintext, company_a, contact_id, {"value": 5})

    assert response.status_code == 400
    assert response.json()["message"].startswith("contactId: ")


def test_an_unknown_contact_is_not_found(client, company_a, key_a):
    response = _adjust(client, key_a.plaintext, company_a, 999999, {"value": 5})

    assert (response.status_code, response.json()) == (200, NOT_FOUND)
    assert not LedgerEntry.objects.exists()


def test_another_companys_contact_is_not_found(client, company_a, company_b, key_a):
    theirs = PersonaFactory(company=company_b)

    response = _adjust(client, key_a.plaintext, company_a, theirs.pk, {"value": 5})

    assert response.json() == NOT_FOUND
    assert not LedgerEntry.objects.filter(account__persona=theirs).exists()


def test_another_companys_uid_is_the_invalid_key_403(client, company_a, company_b, key_a):
    theirs = PersonaFactory(company=company_b)

    response = _adjust(client, key_a.plaintext, company_b, theirs.pk, {"value": 5})

    assert response.status_code == 403
    assert not LedgerEntry.objects.exists()


def test_adjustments_lists_the_companys_adjust_entries_in_the_range(
    client, company_a, company_b, shopper, key_a
):
    # given an adjustment through the API, one earlier, and one in another company
    _adjust(client, key_a.plaintext, company_a, shopper.pk, {"value": -10, "note": "Fix"})
    now = timezone.now()
    award(shopper, 5, EntryKind.ADJUST, reason="Old", occurred_at=now - timedelta(days=30))
    theirs = PersonaFactory(company=company_b)
    award(theirs, 7, EntryKind.ADJUST, reason="Theirs")
    start = int((now - timedelta(days=1)).timestamp())
    end = int((now + timedelta(days=1)).timestamp())

    # when the POS lists the last two days
    response = client.get(
        f"/api/v1.1/adjustments/{company_a.uid}/{start}/{end}", HTTP_X_APIKEY=key_a.plaintext
    )

    # then this company's two entries of the range, oldest first (the opening one too)
    assert response.status_code == 200
    rows = response.json()["data"]
    assert [(r["contactID"], r["value"], r["note"]) for r in rows] == [
        (shopper.pk, 100, "Opening balance"),
        (shopper.pk, -10, "Fix"),
    ]
    assert rows[1]["apiKey"] == "Cova terminal"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("abc", "10", "startUnix"),
        ("10", "-5", "endUnix"),
        ("100", "50", "endUnix"),
        # A digit to str.isdigit(), not to int(): the fuzzer's find, once a 500
        ("0", "%C2%B9", "endUnix"),
    ],
)
def test_adjustments_with_a_bad_range_is_a_400(client, company_a, key_a, start, end, field):
    response = client.get(
        f"/api/v1.1/adjustments/{company_a.uid}/{start}/{end}", HTTP_X_APIKEY=key_a.plaintext
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith(f"{field}: ")
