"""The Cova sandbox's order intake and tax pricing through Django's test client: the GUID
checks, the endpoint matching the location's pricing, the 409 on a second PUT, the polls
and the cancellation."""

from __future__ import annotations

import json
import uuid

import pytest

from integrations.sandbox.cova import orders, payloads
from integrations.sandbox_credentials import COVA_SANDBOX_INTEGRATOR_ID
from tests.sandbox.conftest import COVA, cova_account, cova_token

pytestmark = pytest.mark.django_db
INTAKE = "/sandbox/cova/covaorderintake/v1"


def bearer(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"HTTP_AUTHORIZATION": f"Bearer {cova_token(client)['access_token']}"}


def order_body(order_id: str, location: int = 0, **fields) -> dict:  # type: ignore[no-untyped-def]
    account = cova_account()
    return {
        "Id": order_id,
        "CompanyId": payloads.company_id(account),
        "EntityId": payloads.location_ids(account)[location],
        "IntegratorId": COVA_SANDBOX_INTEGRATOR_ID,
        "OrderReference": "Ada Lovelace",
        "IsDelivery": False,
        "Lines": [{"ProductId": payloads.product_id(account, 1), "Quantity": "2", "Price": "5.00"}],
        **fields,
    }


def put(client, kind: str, order_id: str, body, auth):  # type: ignore[no-untyped-def]
    return client.put(
        f"{INTAKE}/{kind}CovaOrder({order_id})", json.dumps(body), "application/json", **auth
    )


def status(client, order_id: str, auth):  # type: ignore[no-untyped-def]
    company = payloads.company_id(cova_account())
    url = f"/sandbox/cova/covaorderintake/v2/Companies({company})/CovaOrder({order_id})/Status"
    return client.get(url, **auth)


def test_tax_pricing_configuration_lists_every_location(client):
    company = payloads.company_id(cova_account())
    response = client.get(
        f"/sandbox/cova/taxes/v1/Companies({company})/TaxPricingConfiguration", **bearer(client)
    )
    assert response.status_code == 200
    assert [entry["IsTaxInclusive"] for entry in response.json()] == [False, False, True]
    assert [entry["EntityId"] for entry in response.json()] == payloads.location_ids(cova_account())


def test_an_order_is_accepted_once_and_polls_move_0_3_4_8(client):
    auth = bearer(client)
    order_id = str(uuid.uuid4())

    first = put(client, "TEP", order_id, order_body(order_id), auth)
    second = put(client, "TEP", order_id, order_body(order_id), auth)

    assert first.status_code == 202 and first.json() == {"Id": order_id}
    assert second.status_code == 409 and "already exists" in second.json()["Message"]
    seen = [status(client, order_id, auth).json() for _ in range(5)]
    assert [s["OrderStatus"] for s in seen] == [0, 3, 4, 8, 8]
    assert seen[2]["OrderFulfillmentStatus"] == "ReadyForPickup"
    assert seen[2]["SaleTotal"] == 11.0  # 2 x 5.00 + 10 % tax at a TEP location
    assert orders.find_order(cova_account(), order_id)["Submissions"] == 1


@pytest.mark.parametrize(
    ("url_id", "body_id", "message"),
    [
        ("not-a-guid", None, "is not a valid GUID"),
        (None, "5f0c2a8e-3b7d-4e61-9a4f-2d8c1e6b7a90", "does not match the order id in the URI"),
        (None, "", "does not match the order id in the URI"),
    ],
)
def test_the_guid_must_be_in_the_url_and_the_same_in_the_body(client, url_id, body_id, message):
    order_id = str(uuid.uuid4())
    body = order_body(order_id if body_id is None else body_id)
    response = put(client, "TEP", url_id or order_id, body, bearer(client))
    assert response.status_code == 400
    assert message in response.json()["Message"]
    assert orders.find_order(cova_account(), order_id) is None


@pytest.mark.parametrize(
    ("kind", "location", "fields", "status_code", "message"),
    [
        ("TIP", 0, {}, 400, "needs the order sent to TEPCovaOrder"),
        ("TEP", 2, {}, 400, "needs the order sent to TIPCovaOrder"),
        (
            "TEP",
            0,
            {"IntegratorId": "0b9e4c2d-7a15-4f38-8c6e-1d2f3a4b5c6d"},
            400,
            orders.INVALID_INTEGRATOR,
        ),
        ("TEP", 0, {"EntityId": 12}, 400, "is not a location of yours"),
        ("TEP", 0, {"Lines": []}, 400, "The order has no Lines."),
        ("TEP", 0, {"Lines": [{"ProductId": "p", "Quantity": 0, "Price": 1}]}, 400, "Quantity"),
        ("TEP", 0, {"Lines": [{"ProductId": "p", "Quantity": 1, "Price": "x"}]}, 400, "Price"),
        ("TEP", 0, {"CompanyId": 1}, 403, "Authorization has been denied"),
    ],
)
def test_bad_orders_are_refused_in_plain_words(
    client, kind, location, fields, status_code, message
):
    order_id = str(uuid.uuid4())
    response = put(client, kind, order_id, order_body(order_id, location, **fields), bearer(client))
    assert response.status_code == status_code
    assert message in response.json()["Message"]
    assert orders.find_order(cova_account(), order_id) is None


def test_a_missing_body_is_a_400_and_an_unknown_order_a_404(client):
    auth = bearer(client)
    order_id = str(uuid.uuid4())
    response = client.put(f"{INTAKE}/TEPCovaOrder({order_id})", "", "application/json", **auth)
    assert response.status_code == 400
    assert status(client, order_id, auth).status_code == 404


def test_a_cancelled_order_stays_cancelled_and_a_completed_one_cannot_be(client):
    auth = bearer(client)
    cancelled, completed = str(uuid.uuid4()), str(uuid.uuid4())
    for order_id in (cancelled, completed):
        put(client, "TEP", order_id, order_body(order_id), auth)
    status(client, cancelled, auth)

    orders.cancel_order(cova_account(), cancelled)
    for _ in range(4):
        status(client, completed, auth)

    assert [status(client, cancelled, auth).json()["OrderStatus"] for _ in range(2)] == [7, 7]
    with pytest.raises(ValueError, match="completed"):
        orders.cancel_order(cova_account(), completed)
    with pytest.raises(ValueError, match="no order"):
        orders.cancel_order(cova_account(), str(uuid.uuid4()))


def test_a_products_n_menu_takes_orders_for_every_product_and_refuses_one_past_it(client):
    # Given an account whose menu is 100 products (the usual catalog is 40)
    big = {"password": f"{COVA['password']},products=100"}  # keeps the issued= mark
    account = cova_account(**big)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {cova_token(client, **big)['access_token']}"}
    assert payloads.product_index(account, payloads.product_id(account, 99)) == 99

    # When orders name product 40, the last product (99), and one past the menu (100)
    answers = {}
    for index in (40, 99, 100):
        order_id = str(uuid.uuid4())
        line = {"ProductId": payloads.product_id(account, index), "Quantity": "1", "Price": "5"}
        body = {**order_body(order_id), "Lines": [line]}
        assert put(client, "TEP", order_id, body, auth).status_code == 202
        answers[index] = status(client, order_id, auth).json()

    # Then only the one past the menu is refused, in Cova's words
    assert [answers[i]["OrderStatus"] for i in (40, 99, 100)] == [0, 0, 2]
    assert payloads.product_id(account, 100) in answers[100]["OrderMessage"]
    assert payloads.product_index(account, payloads.product_id(account, 100)) is None


def test_the_usual_40_product_catalog_still_refuses_product_40(client):
    auth = bearer(client)
    order_id = str(uuid.uuid4())
    line = {"ProductId": payloads.product_id(cova_account(), 40), "Quantity": "1", "Price": "5"}
    put(client, "TEP", order_id, {**order_body(order_id), "Lines": [line]}, auth)
    assert status(client, order_id, auth).json()["OrderStatus"] == 2


def cancel(client, order_id: str, auth):  # type: ignore[no-untyped-def]
    company = payloads.company_id(cova_account())
    return client.delete(
        f"/sandbox/cova/pointofsale/Companies({company})/CovaOrder({order_id})", **auth
    )


def test_the_integrator_cancels_an_order_and_the_next_poll_says_7(client):
    auth = bearer(client)
    order_id, completed = str(uuid.uuid4()), str(uuid.uuid4())
    for guid in (order_id, completed):
        put(client, "TEP", guid, order_body(guid), auth)
    for _ in range(4):
        status(client, completed, auth)
    assert status(client, order_id, auth).json()["OrderStatus"] == 0

    first = cancel(client, order_id, auth)
    again = cancel(client, order_id, auth)

    assert (first.status_code, first.json()) == (200, {"OrderId": order_id, "OrderStatus": 7})
    assert again.status_code == 200  # cancelling twice is one cancelled order
    assert status(client, order_id, auth).json()["OrderStatus"] == 7
    refused = cancel(client, completed, auth)
    assert refused.status_code == 400
    assert refused.json()["Message"] == orders.PAID_CANNOT_BE_CANCELLED
    assert status(client, completed, auth).json()["OrderStatus"] == 8
    assert cancel(client, str(uuid.uuid4()), auth).status_code == 404


def test_a_cancel_needs_issued_credentials(client):
    auth = bearer(client)
    order_id = str(uuid.uuid4())
    put(client, "TEP", order_id, order_body(order_id), auth)
    unissued = cova_token(client, password="permanent-pw")["access_token"]

    response = cancel(client, order_id, {"HTTP_AUTHORIZATION": f"Bearer {unissued}"})

    assert response.status_code == 401
    assert orders.find_order(cova_account(), order_id)["Cancelled"] is False
